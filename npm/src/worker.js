// Worker entry: runs one program with the same engine code as the main thread and streams its
// output back. Messages: in {run, stdin, close, fs, taken, closed}; out {started, stdout, stderr,
// stdin-given, fs, fs-more, done, error}. `fs` carries the program's filesystem requests to the
// page, which owns the tree, and the answers back (see worker-client.js). `taken` says the page's
// reader took output (a program more than FLOW_WINDOW ahead waits for it), `closed` that it went
// away (EPIPE); `stdin-given` that input went to the program (the page's writer may send more).
import { loadCore, nodeModule } from './core.js';
import { ByteAcks, Controller, FLOW_WINDOW, runGuest } from './engine.js';
import { initWasmi, runWasmi } from './wasmi-run.js';
import * as wasmiGlue from './core/wrun_web_wasmi.js';
import { setCore, FileSystem } from './fs.js';
import { configure } from './configure.js';

// No top-level await here: bundlers build workers as classic scripts by default (Vite's
// `worker.format` is "iife"), which cannot have one. In Node, `parentPort` keeps the messages that
// arrive before the listener is attached.
const isWebWorker = typeof self !== 'undefined' && typeof self.postMessage === 'function';
let post;

const ctl = new Controller();
ctl.onInputGiven = (n) => post({ type: 'stdin-given', n });
/** Output sent to the page and not yet taken by its reader, per descriptor. */
const sent = { 1: new ByteAcks(), 2: new ByteAcks() };
let answered = null;
/** Without shared memory: the guest waits (suspended, JSPI) while the page answers. */
const askLater = (request) => new Promise((resolve) => {
  answered = resolve;
  post({ type: 'fs', request }, [request.buffer]);
});

let shared = null;
/** With shared memory: this thread blocks until the page wrote the answer (see answerShared). */
function askNow(request) {
  shared ??= new SharedArrayBuffer(8 + (1 << 20));
  let head = new Int32Array(shared, 0, 2);
  Atomics.store(head, 0, 0);
  post({ type: 'fs', request, shared }, [request.buffer]);
  Atomics.wait(head, 0, 0);
  if (Atomics.load(head, 0) === 2) {
    shared = new SharedArrayBuffer(8 + head[1]);
    head = new Int32Array(shared, 0, 2);
    post({ type: 'fs-more', shared });
    Atomics.wait(head, 0, 0);
  }
  return new Uint8Array(shared, 8, head[1]).slice();
}

/** Sends a chunk of output to the page: moved, not copied (the core made it for this call alone). */
const postOutput = (fd, chunk) => post({ type: fd === 1 ? 'stdout' : 'stderr', chunk }, [chunk.buffer]);

/**
 * Where this thread may block (shared memory: `flow` is [bytes of stdout taken, of stderr taken,
 * closed descriptors as bits], written by the page): an output callback that blocks while the
 * reader of its descriptor is FLOW_WINDOW behind, and throws (EPIPE for the program) once that
 * reader went away. Each descriptor counts apart: a stdout nobody reads any more must not hold
 * back the program's error message on stderr.
 */
const sentTotal = { 1: 0, 2: 0 };
function blockingOutput(flow, fd) {
  const taken = fd - 1;
  return (chunk) => {
    if (Atomics.load(flow, 2) & fd) throw new Error('the reader went away');
    sentTotal[fd] = (sentTotal[fd] + chunk.length) | 0;
    postOutput(fd, chunk);
    for (;;) {
      const seen = Atomics.load(flow, taken);
      if (((sentTotal[fd] - seen) | 0) <= FLOW_WINDOW || Atomics.load(flow, 2) & fd) return;
      // Woken when the count changes; the closed bit changes no count, so look again now and then.
      Atomics.wait(flow, taken, seen, 100);
    }
  };
}

async function onMessage(m) {
  // Chunks sent here are this thread's own: read where they are.
  if (m.type === 'stdin') return ctl.writeStdin(m.chunk, { inPlace: true });
  if (m.type === 'close') return ctl.closeStdin();
  if (m.type === 'fs') return answered?.(m.answer);
  if (m.type === 'taken') return sent[m.fd].take(m.n);
  if (m.type === 'closed') return sent[m.fd].fail(new Error('closed'));
  if (m.type !== 'run') return;
  // The input written before the worker started comes first: queue it before awaiting anything,
  // as later `stdin`/`close` messages are handled while the core loads.
  for (const chunk of m.stdin) ctl.writeStdin(chunk, { inPlace: true });
  if (m.stdinClosed) ctl.closeStdin();
  // The full build (it reaches the page's FileSystem), unless the page said where its core is.
  const core = await loadCore(m.coreSource, { full: true });
  setCore(core);
  // Without a way to the page's trees: copies of them, handed back at the end.
  const copies = m.fsImages.map((image, i) => {
    const fs = new FileSystem();
    fs.importTar(image);
    const [readOnly, quota] = m.copiedLimits[i];
    if (quota !== null) fs.setQuota(quota);
    fs.raw.setReadOnly(readOnly);
    return fs;
  });
  /** The copies to hand back: null for one the program left as it was (or could not change). */
  const changed = () => copies.map((fs, i) => {
    if (m.copiedLimits[i][0]) return null;
    const image = fs.exportTar();
    const before = m.fsImages[i];
    return image.length === before.length && image.every((b, j) => b === before[j]) ? null : image;
  });
  const preopens = m.copiedMounts && Object.fromEntries(m.copiedMounts.map(([guest, i, path]) => [guest, { fs: copies[i], path }]));
  // Each chunk counts as not taken until the page says its reader took it.
  const send = (fd) => (m.flow && !m.wasmi ? blockingOutput(m.flow, fd) : (chunk) => {
    const n = chunk.length;
    postOutput(fd, chunk);
    return sent[fd].add(n);
  });
  const outputs = { onStdout: m.opts.wantStdout ? send(1) : undefined, onStderr: m.opts.wantStderr ? send(2) : undefined };
  if (m.remote && !m.blocks && !m.wasmi) ctl.ask = askLater;
  // On wasmi (where the browser engine could neither suspend nor block): the program's bytes.
  const flowing = { onStdout: ctl.output(1, outputs.onStdout), onStderr: ctl.output(2, outputs.onStderr) };
  const b = m.wasmi ? null : configure(core, { ...m.opts, preopens: preopens ?? {} }, null, flowing, m.remote, m.remote && m.blocks ? askNow : null);
  try {
    // The page starts the program's time limit now, not while the worker and the core loaded.
    post({ type: 'started' });
    const r = m.wasmi
      ? await runWasmi(() => initWasmi(wasmiGlue, m.wasmiSource), m.wasmi, { ...m.opts, ...outputs }, ctl, { remote: m.remote, ask: askLater })
      : await runGuest(core, m.module, b, ctl, m.opts);
    post({ type: 'done', ...r, fsImages: changed() });
  } catch (e) {
    post({ type: 'error', kind: e.kind ?? 'trap', message: e.message, exitCode: e.exitCode ?? 134, status: e.status, stdout: e.stdout, stderr: e.stderr, fsImages: changed() });
  }
}

if (isWebWorker) {
  post = (m, transfer) => self.postMessage(m, transfer);
  self.onmessage = (ev) => onMessage(ev.data);
} else {
  nodeModule('node:worker_threads').then(({ parentPort }) => {
    post = (m, transfer) => parentPort.postMessage(m, transfer);
    parentPort.on('message', onMessage);
  });
}
