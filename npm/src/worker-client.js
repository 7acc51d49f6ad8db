// The main-thread side of running a program in a dedicated worker (a Web Worker in browsers, a
// worker_threads Worker in Node): the page stays responsive, and kill() or timeoutMs end even a
// busy loop at once by terminating the worker.
//
// The mounted FileSystem stays here, with its one owner: the worker's filesystem calls come as
// requests, answered on the live tree (an FsOwner), while the worker waits: blocked on shared
// memory where it can (Node, cross-origin isolated pages), else with the guest suspended (JSPI).
// So whatever the program wrote is in the FileSystem at once — when it is killed too — and the
// page and other runs see it. Where the worker can do neither, the tree travels as a tar image
// instead and comes back when the program ends (a killed program's changes are then lost).
import { WrunError, EXIT_STATUS, stopMessage } from './errors.js';
import { coreSource, coreSync, nodeModule } from './core.js';
import { hasJSPI, workersCanBlock } from './engine.js';
import { newOwner, mountsOf, ownedRoots } from './fs.js';
import { wasmiSource } from './engine-wasmi.js';

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
    return { post: (m, transfer) => w.postMessage(m, transfer), terminate: () => w.terminate(), onError: (f) => w.on('error', f) };
  }
  // Written as `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })` in one
  // expression on purpose: that is the form Vite (and webpack) recognise and bundle as a worker,
  // with its imports and the core's .wasm. A URL made apart is copied as a lone file instead, whose
  // relative imports then fail to load.
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  w.onmessage = (ev) => onMessage(ev.data);
  return {
    post: (m, transfer) => w.postMessage(m, transfer),
    terminate: () => w.terminate(),
    onError: (f) => { w.onerror = (ev) => f(ev.error ?? new Error(ev.message || 'the worker script failed to load')); },
  };
}

const CLONEABLE = ['wasiUnstable', 'args', 'env', 'tty', 'deterministic', 'engine', 'name', 'maxOutputBytes'];

/** `onStarted` is called when the program itself starts (after the worker and its core loaded). */
/** A core source as a worker can take it: a URL made absolute (the worker's base differs), a module or bytes. */
function sendable(source) {
  if (typeof source === 'string' || source instanceof URL) return new URL(source, globalThis.location?.href ?? import.meta.url).href;
  if (typeof Response !== 'undefined' && source instanceof Response) return undefined;
  return source;
}

/**
 * Whether the worker's core can mount the page's FileSystem: the full build it loads can, and a
 * core given by `init({ module })` (which the worker loads too) only if it is such a build.
 */
function canReachPageFs() {
  // The page's core is loaded by now (a run waits for it).
  return coreSource === undefined || !!coreSync()?.SessionBuilder.hasRemoteClient();
}

/**
 * Wakes a worker blocked on `shared` (state, length, then the bytes) with `answer`; if it does not
 * fit, says how big it is and returns it, for the bigger buffer the worker sends next.
 */
function answerShared(shared, answer) {
  const head = new Int32Array(shared, 0, 2);
  const fits = answer.length <= shared.byteLength - 8;
  if (fits) new Uint8Array(shared, 8).set(answer);
  head[1] = answer.length;
  Atomics.store(head, 0, fits ? 1 : 2);
  Atomics.notify(head, 0);
  return fits ? null : answer;
}

/**
 * Bytes to post: a view of part of a bigger buffer as a copy of its part, as a message would
 * carry (copy) the whole buffer behind it (a 1 MiB slice of a 64 MiB file sent 64 MiB).
 */
const ownBuffer = (bytes) => (bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice());

export function runInWorker(module, opts, ctl, { onStarted, bytes } = {}) {
  let worker = null;
  const queued = [];
  const send = (m) => (worker ? worker.post(m) : queued.push(m));
  let settle;
  const result = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  // The run's handles on the FileSystem, when the worker reaches it through requests.
  const mounts = mountsOf(opts.fs, opts.preopens);
  const suspendsOrBlocks = workersCanBlock || (hasJSPI && opts.engine !== 'sync');
  // Where the worker can do neither (WebKit without isolation), wasmi can: it pauses the guest
  // between calls. "auto" takes it (slower, but on the live tree) rather than a copy of the tree.
  const onWasmi = !suspendsOrBlocks && mounts.length > 0 && (opts.engine ?? 'auto') === 'auto' && !!bytes;
  const canWait = suspendsOrBlocks || onWasmi;
  let owner = mounts.length && canWait && canReachPageFs() ? newOwner() : null;
  let unsent = null; // an answer too big for the worker's shared buffer, until it sends a bigger one
  const remote = owner && ownedRoots(owner, mounts);
  // Else each FileSystem goes as a tar image, and the preopens as [guest, image number, path].
  const copied = owner ? [] : [...new Set(mounts.map(([, fs]) => fs))];
  const finish = () => {
    worker?.terminate();
    owner?.free();
    owner = null;
  };

  // What the readers took, told to the worker once per task (a program writing line by line to
  // a terminal would otherwise get a message back per line).
  // A worker that can block waits on shared memory instead: [stdout taken, stderr taken, closed
  // descriptors as bits] (see worker.js's blockingOutput).
  const flow = workersCanBlock ? new Int32Array(new SharedArrayBuffer(12)) : null;
  const taken = { 1: 0, 2: 0 };
  let telling = false;
  const tell = () => {
    telling = false;
    for (const fd of [1, 2]) {
      if (!taken[fd]) continue;
      worker?.post({ type: 'taken', fd, n: taken[fd] });
      if (flow) {
        Atomics.add(flow, fd - 1, taken[fd]);
        Atomics.notify(flow, fd - 1);
      }
    }
    taken[1] = taken[2] = 0;
  };
  const closed = (fd) => {
    worker?.post({ type: 'closed', fd });
    if (flow) {
      Atomics.or(flow, 2, fd);
      Atomics.notify(flow, fd - 1);
    }
  };
  /** Hands a chunk of output to its callback; a promise it returns holds the program back until it settles. */
  const deliver = (fd, callback, chunk) => {
    const n = chunk.length;
    const took = () => {
      taken[fd] += n;
      if (!telling) { telling = true; queueMicrotask(tell); }
    };
    const r = callback?.(chunk);
    if (typeof r?.then === 'function') r.then(took, () => closed(fd));
    else took();
  };

  startWorker((m) => {
    if (m.type === 'fs') {
      // Answered even after the run ended (the worker is gone by then), so nothing waits forever.
      const answer = owner ? owner.serve(m.request) : new Uint8Array([29, 0, 0, 0]); // EIO
      if (m.shared) unsent = answerShared(m.shared, answer);
      else worker?.post({ type: 'fs', answer }, [answer.buffer]);
    } else if (m.type === 'fs-more') {
      unsent = answerShared(m.shared, unsent);
    } else if (m.type === 'started') onStarted?.();
    else if (m.type === 'stdout') deliver(1, opts.onStdout, m.chunk);
    else if (m.type === 'stderr') deliver(2, opts.onStderr, m.chunk);
    else if (m.type === 'stdin-given') ctl.onInputGiven?.(m.n);
    else if (m.type === 'done' || m.type === 'error') {
      finish();
      try {
        // The copies come back (null: unchanged), and replace the trees they were made from.
        m.fsImages?.forEach((image, i) => { if (image) copied[i].replaceWithTar(image); });
      } catch (e) {
        settle.reject(new WrunError('trap', `the program's files could not be put back: ${e.message}`, { exitCode: EXIT_STATUS.trap }));
      }
      if (m.type === 'done') settle.resolve(m);
      else settle.reject(new WrunError(m.kind, m.message, { exitCode: m.exitCode, status: m.status, stdout: m.stdout, stderr: m.stderr }));
    }
  }).then((w) => {
    worker = w;
    w.onError((e) => {
      finish();
      settle.reject(new WrunError('trap', `the worker failed: ${e?.message ?? e}`, { exitCode: EXIT_STATUS.trap }));
    });
    const plain = Object.fromEntries(CLONEABLE.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]]));
    w.post({
      type: 'run',
      module,
      // The core from where the page had it (init({ module })), when that can be sent.
      coreSource: sendable(coreSource),
      opts: { ...plain, wantStdout: !!opts.onStdout, wantStderr: !!opts.onStderr },
      remote,
      // How the worker waits for the page's answers: decided here, where the FileSystems are.
      blocks: workersCanBlock,
      flow,
      wasmi: onWasmi ? bytes : null,
      wasmiSource: onWasmi ? sendable(wasmiSource) : undefined,
      fsImages: copied.map((fs) => fs.exportTar()),
      // A read-only tree (another tab writes it) stays read-only in its copy, and keeps its quota.
      copiedLimits: copied.map((fs) => [!!fs.readOnly, fs.quota ?? null]),
      copiedMounts: owner ? null : mounts.map(([guest, fs, path]) => [guest, copied.indexOf(fs), path]),
      stdin: ctl.pendingInput.map(ownBuffer),
      stdinClosed: ctl.inputClosed,
    });
    ctl.pendingInput = [];
    for (const m of queued.splice(0)) w.post(m);
    if (stopped) handle.stop(stopped);
  }, (e) => {
    finish();
    settle.reject(new WrunError('link', `cannot start a worker: ${e.message}`));
  });

  let stopped = null;
  const handle = {
    result,
    writeStdin: (bytes) => send({ type: 'stdin', chunk: ownBuffer(bytes) }),
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
