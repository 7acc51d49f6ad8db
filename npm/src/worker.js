// Worker entry: runs one program with the same engine code as the main thread and streams its
// output back. Messages: in {run, stdin, close}; out {started, stdout, stderr, done, error}.
import { loadCore, nodeModule } from './core.js';
import { Controller, runGuest } from './engine.js';
import { setCore, FileSystem } from './fs.js';
import { configure } from './configure.js';

// No top-level await here: bundlers build workers as classic scripts by default (Vite's
// `worker.format` is "iife"), which cannot have one. In Node, `parentPort` keeps the messages that
// arrive before the listener is attached.
const isWebWorker = typeof self !== 'undefined' && typeof self.postMessage === 'function';
let post;

const ctl = new Controller();

async function onMessage(m) {
  if (m.type === 'stdin') return ctl.writeStdin(m.chunk);
  if (m.type === 'close') return ctl.closeStdin();
  if (m.type !== 'run') return;
  // The input written before the worker started comes first: queue it before awaiting anything,
  // as later `stdin`/`close` messages are handled while the core loads.
  for (const chunk of m.stdin) ctl.writeStdin(chunk);
  if (m.stdinClosed) ctl.closeStdin();
  const core = await loadCore(m.coreSource);
  setCore(core);
  let fs = null;
  if (m.opts.hasFs) {
    fs = new FileSystem();
    fs.importTar(m.fsImage);
  }
  const b = configure(core, m.opts, fs, {
    onStdout: m.opts.wantStdout ? (chunk) => post({ type: 'stdout', chunk }) : undefined,
    onStderr: m.opts.wantStderr ? (chunk) => post({ type: 'stderr', chunk }) : undefined,
  });
  try {
    // The page starts the program's time limit now, not while the worker and the core loaded.
    post({ type: 'started' });
    const r = await runGuest(core, m.module, b, ctl, m.opts);
    post({ type: 'done', ...r, fsImage: fs?.exportTar() ?? null });
  } catch (e) {
    post({ type: 'error', kind: e.kind ?? 'trap', message: e.message, exitCode: e.exitCode ?? 134, status: e.status, stdout: e.stdout, stderr: e.stderr, fsImage: fs?.exportTar() ?? null });
  }
}

if (isWebWorker) {
  post = (m) => self.postMessage(m);
  self.onmessage = (ev) => onMessage(ev.data);
} else {
  nodeModule('node:worker_threads').then(({ parentPort }) => {
    post = (m) => parentPort.postMessage(m);
    parentPort.on('message', onMessage);
  });
}
