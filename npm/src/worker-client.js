// The main-thread side of running a program in a dedicated worker (a Web Worker in browsers, a
// worker_threads Worker in Node): the page stays responsive, and kill() or timeoutMs end even a
// busy loop at once by terminating the worker. The mounted FileSystem travels as a tar image and
// comes back when the program ends (a killed program's file changes are lost).
import { WrunError, EXIT_STATUS, stopMessage } from './errors.js';
import { coreSource, nodeModule } from './core.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

export function workerAvailable() {
  return isNode || typeof Worker !== 'undefined';
}

const WORKER_FILE = './worker.js';

async function startWorker(onMessage) {
  if (isNode) {
    const { Worker: NodeWorker } = await nodeModule('node:worker_threads');
    // The base through a variable: bundlers take `new URL(x, import.meta.url)` for an asset.
    const here = import.meta.url;
    const w = new NodeWorker(new URL(WORKER_FILE, here));
    w.on('message', onMessage);
    return { post: (m) => w.postMessage(m), terminate: () => w.terminate(), onError: (f) => w.on('error', f) };
  }
  // Written as `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })` in one
  // expression on purpose: that is the form Vite (and webpack) recognise and bundle as a worker,
  // with its imports and the core's .wasm. A URL made apart is copied as a lone file instead, whose
  // relative imports then fail to load.
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  w.onmessage = (ev) => onMessage(ev.data);
  return {
    post: (m) => w.postMessage(m),
    terminate: () => w.terminate(),
    onError: (f) => { w.onerror = (ev) => f(ev.error ?? new Error(ev.message || 'the worker script failed to load')); },
  };
}

const CLONEABLE = ['wasiUnstable', 'args', 'env', 'preopens', 'tty', 'deterministic', 'engine', 'name', 'maxOutputBytes'];

/** `onStarted` is called when the program itself starts (after the worker and its core loaded). */
/** A core source as a worker can take it: a URL made absolute (the worker's base differs), a module or bytes. */
function sendable(source) {
  if (typeof source === 'string' || source instanceof URL) return new URL(source, globalThis.location?.href ?? import.meta.url).href;
  if (typeof Response !== 'undefined' && source instanceof Response) return undefined;
  return source;
}

export function runInWorker(module, opts, ctl, { onStarted } = {}) {
  let worker = null;
  const queued = [];
  const send = (m) => (worker ? worker.post(m) : queued.push(m));
  let settle;
  const result = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  const finish = () => { worker?.terminate(); };

  startWorker((m) => {
    if (m.type === 'started') onStarted?.();
    else if (m.type === 'stdout') opts.onStdout?.(m.chunk);
    else if (m.type === 'stderr') opts.onStderr?.(m.chunk);
    else if (m.type === 'done' || m.type === 'error') {
      if (m.fsImage && opts.fs) opts.fs.replaceWithTar(m.fsImage);
      finish();
      if (m.type === 'done') settle.resolve(m);
      else settle.reject(new WrunError(m.kind, m.message, { exitCode: m.exitCode, status: m.status, stdout: m.stdout, stderr: m.stderr }));
    }
  }).then((w) => {
    worker = w;
    w.onError((e) => settle.reject(new WrunError('trap', `the worker failed: ${e?.message ?? e}`, { exitCode: EXIT_STATUS.trap })));
    const plain = Object.fromEntries(CLONEABLE.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]]));
    w.post({
      type: 'run',
      module,
      // The core from where the page had it (init({ module })), when that can be sent.
      coreSource: sendable(coreSource),
      opts: { ...plain, wantStdout: !!opts.onStdout, wantStderr: !!opts.onStderr, hasFs: !!opts.fs },
      fsImage: opts.fs ? opts.fs.exportTar() : null,
      stdin: ctl.pendingInput,
      stdinClosed: ctl.inputClosed,
    });
    ctl.pendingInput = [];
    for (const m of queued.splice(0)) w.post(m);
    if (stopped) handle.stop(stopped);
  }, (e) => settle.reject(new WrunError('link', `cannot start a worker: ${e.message}`)));

  let stopped = null;
  const handle = {
    result,
    writeStdin: (bytes) => send({ type: 'stdin', chunk: bytes }),
    closeStdin: () => send({ type: 'close' }),
    stop(kind) {
      stopped = kind;
      if (!worker) return;
      finish();
      const msg = stopMessage(kind, opts.timeoutMs);
      settle.reject(new WrunError(kind, msg, { exitCode: EXIT_STATUS[kind] }));
    },
  };
  return handle;
}
