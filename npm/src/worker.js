// Worker entry: runs one program with the same engine code as the main thread and streams its
// output back. Messages: in {run, stdin, close}; out {stdout, stderr, done, error}.
import { loadCore } from './core.js';
import { Controller, runGuest } from './engine.js';
import { setCore, FileSystem } from './fs.js';
import { configure } from './configure.js';

const port = typeof self !== 'undefined' && typeof self.postMessage === 'function'
  ? { post: (m) => self.postMessage(m), listen: (f) => { self.onmessage = (ev) => f(ev.data); } }
  : await (async () => {
    const { parentPort } = await import('node:worker_threads');
    return { post: (m) => parentPort.postMessage(m), listen: (f) => parentPort.on('message', f) };
  })();

const ctl = new Controller();

port.listen(async (m) => {
  if (m.type === 'stdin') return ctl.writeStdin(m.chunk);
  if (m.type === 'close') return ctl.closeStdin();
  if (m.type !== 'run') return;
  const core = await loadCore();
  setCore(core);
  let fs = null;
  if (m.opts.hasFs) {
    fs = new FileSystem();
    fs.importTar(m.fsImage);
  }
  for (const chunk of m.stdin) ctl.writeStdin(chunk);
  if (m.stdinClosed) ctl.closeStdin();
  const b = configure(core, m.opts, fs, {
    onStdout: m.opts.wantStdout ? (chunk) => port.post({ type: 'stdout', chunk }) : undefined,
    onStderr: m.opts.wantStderr ? (chunk) => port.post({ type: 'stderr', chunk }) : undefined,
  });
  try {
    const r = await runGuest(core, m.module, b, ctl, m.opts);
    port.post({ type: 'done', ...r, fsImage: fs?.exportTar() ?? null });
  } catch (e) {
    port.post({ type: 'error', kind: e.kind ?? 'trap', message: e.message, exitCode: e.exitCode ?? 134, stdout: e.stdout, stderr: e.stderr, fsImage: fs?.exportTar() ?? null });
  }
});
