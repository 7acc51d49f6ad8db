// Runs a compiled guest on this thread's WebAssembly engine, with its WASI imports served by the
// core's WasiSession. Where JSPI exists, `fd_read` and `poll_oneoff` may suspend the guest until
// input arrives or a deadline passes (and in a worker whose FileSystem is the page's, any call may,
// until the page answered: `ctl.ask`); elsewhere sleeps block the thread and a read of stdin that
// has no data yet ends the run with a "needs-input" error (use the wasmi engine or a worker).
import { ExitSignal, WrunError, EXIT_STATUS, exited, stopMessage } from './errors.js';

const CALL_EXIT = -1;
const CALL_TRAP = -2;
const CALL_WOULD_BLOCK = -3;
const MAY_BLOCK = new Set(['fd_read', 'poll_oneoff']);

export const hasJSPI = typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';

/**
 * Whether a worker can block on shared memory (`Atomics.wait`) while the page answers: always in
 * Node, in browsers only on cross-origin isolated pages (elsewhere there is no SharedArrayBuffer).
 */
export const workersCanBlock = typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object'
  && (globalThis.crossOriginIsolated === true || (typeof process !== 'undefined' && !!process.versions?.node));

export class StopSignal {
  constructor(kind) { this.kind = kind; }
}

/**
 * How far a program's input runs ahead of its reads, and its output ahead of its reader: stdin is
 * given to the program while less than this is unread, and a program whose reader has not taken
 * this much of its output waits before writing more (where it can wait: JSPI, wasmi).
 */
export const FLOW_WINDOW = 256 * 1024;

/**
 * Promises settled by byte counts: a writer's `add(n)` resolves once the other side has taken
 * those bytes (`take`), in order, and rejects if the other side went away first (`fail`).
 */
export class ByteAcks {
  constructor() {
    this.sent = 0;
    this.taken = 0;
    this.waiting = [];
    this.failed = null;
  }
  add(n) {
    if (this.failed) return Promise.reject(this.failed);
    this.sent += n;
    if (this.taken >= this.sent) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiting.push({ end: this.sent, resolve, reject }));
  }
  take(n) {
    this.taken += n;
    while (this.waiting.length && this.waiting[0].end <= this.taken) this.waiting.shift().resolve();
  }
  fail(error) {
    this.failed ??= error;
    for (const w of this.waiting.splice(0)) w.reject(this.failed);
  }
}

/** Lets the embedder feed stdin, hold output back and stop the run while it is suspended or making calls. */
export class Controller {
  constructor() {
    this.session = null;
    this.stopped = null; // "killed" | "timeout"
    this.wake = null;
    this.pendingInput = [];
    /** Input the program may read where it lies (see writeStdin). */
    this.inPlace = new WeakSet();
    this.inputClosed = false;
    this.closeGiven = false;
    /** Told how many bytes of input went to the program (a writer waiting for room resumes). */
    this.onInputGiven = null;
    /** Output delivered and not yet taken by its reader, per descriptor (see `output`), and outputs whose reader went away. */
    this.untaken = { 1: 0, 2: 0 };
    this.closedOutputs = new Set();
    /** Whether fd_write may wait for the reader (the run's outputs were made with `output`). */
    this.flow = false;
  }
  attach(session) {
    this.session = session;
    this.topUp();
  }
  /** The run ended: nothing is given to the freed session any more. */
  detach() {
    this.session = null;
  }
  /**
   * Queues input. `inPlace`: nothing will change `bytes` before the program read them (the run's
   * whole stdin, or bytes this thread received), so a guest on this thread's engine reads them
   * where they are, each byte copied once; other input is copied into the core as it is given.
   */
  writeStdin(bytes, { inPlace = false } = {}) {
    // The same array written again without the promise is copied (so is its earlier write).
    if (inPlace) this.inPlace.add(bytes); else this.inPlace.delete(bytes);
    this.pendingInput.push(bytes);
    this.topUp();
    this.notify();
  }
  closeStdin() {
    this.inputClosed = true;
    this.topUp();
    this.notify();
  }
  /**
   * Gives the program queued input while less than FLOW_WINDOW of what it was given is unread
   * (then the end of input, once all is given). True if it gave anything: a read that would have
   * waited can look again.
   */
  topUp() {
    const s = this.session;
    if (!s || (!this.pendingInput.length && (this.closeGiven || !this.inputClosed))) return false;
    let given = 0;
    while (this.pendingInput.length && s.stdinUnread() < FLOW_WINDOW) {
      const chunk = this.pendingInput.shift();
      if (this.inPlace.has(chunk) && typeof s.writeStdinInPlace === 'function') s.writeStdinInPlace(chunk);
      else s.writeStdin(chunk);
      given += chunk.length;
    }
    if (given) this.onInputGiven?.(given);
    if (!this.pendingInput.length && this.inputClosed && !this.closeGiven) {
      s.closeStdin();
      this.closeGiven = true;
      return true;
    }
    return given > 0;
  }
  /**
   * An output callback for descriptor `fd` over `deliver`: when `deliver` returns a promise, the
   * bytes count as not taken until it settles, and a rejection means the reader went away, so
   * the program's next write to `fd` fails with EPIPE (the callback throws; the core says EPIPE).
   */
  output(fd, deliver) {
    if (!deliver) return deliver;
    this.flow = true;
    return (chunk) => {
      if (this.closedOutputs.has(fd)) throw new Error('the reader of this output went away');
      const n = chunk.length; // before `deliver`, which may move the chunk to another thread
      const r = deliver(chunk);
      if (typeof r?.then !== 'function') return;
      this.untaken[fd] += n;
      r.then(() => { this.untaken[fd] -= n; this.notify(); }, () => { this.untaken[fd] -= n; this.closedOutputs.add(fd); this.notify(); });
    };
  }
  /**
   * Whether the program should wait before writing more to `fd` (stdout or stderr, if not given):
   * its reader is FLOW_WINDOW behind. Each descriptor counts apart: a slow reader of stdout does
   * not hold back stderr, nor a write to a file.
   */
  outputFull(fd) {
    if (this.stopped) return false;
    if (fd === undefined) return this.untaken[1] > FLOW_WINDOW || this.untaken[2] > FLOW_WINDOW;
    return (this.untaken[fd] ?? 0) > FLOW_WINDOW;
  }
  /** Resolves when the reader of `fd` (of either) took enough, or the run is stopped. */
  async outputRoom(fd) {
    while (this.outputFull(fd)) await new Promise((resolve) => { this.wake = resolve; });
  }
  stop(kind) {
    this.stopped ??= kind;
    this.notify();
  }
  notify() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

function sleepSync(ms) {
  if (!(ms > 0)) return;
  try {
    // Blocks without spinning where allowed (Node, workers); the main thread of a page throws.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  } catch {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* no other way to wait synchronously here */ }
  }
}

/** Maps a guest call's arguments to the core's numbers: i32 as unsigned, i64 as (low, high). */
function splitter(sig) {
  return (args) => {
    const out = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let k = 0;
    for (let i = 0; i < sig.length; i++) {
      const v = args[i];
      if (sig[i] === 'i') {
        out[k++] = v >>> 0;
      } else {
        const u = BigInt.asUintN(64, BigInt(v));
        out[k++] = Number(u & 0xffffffffn);
        out[k++] = Number(u >> 32n);
      }
    }
    return out;
  };
}

/**
 * An import taking `n` i32 arguments, calling the session without allocating. The arguments go
 * on as they come: the core takes u32s, and a negative i32 becomes the same bits on the way in.
 */
function fastImport(n, index, session, ctl, settle) {
  // One closure per arity, each passing its own arguments on: default parameters or a rest
  // array would cost every call (this is the whole JS side of a WASI call).
  const go = () => { if (ctl.stopped) throw new StopSignal(ctl.stopped); };
  switch (n) {
    case 0: return () => { go(); return settle(session.call(index, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); };
    case 1: return (a) => { go(); return settle(session.call(index, a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); };
    case 2: return (a, b) => { go(); return settle(session.call(index, a, b, 0, 0, 0, 0, 0, 0, 0, 0, 0)); };
    case 3: return (a, b, c) => { go(); return settle(session.call(index, a, b, c, 0, 0, 0, 0, 0, 0, 0, 0)); };
    case 4: return (a, b, c, d) => { go(); return settle(session.call(index, a, b, c, d, 0, 0, 0, 0, 0, 0, 0)); };
    case 5: return (a, b, c, d, e) => { go(); return settle(session.call(index, a, b, c, d, e, 0, 0, 0, 0, 0, 0)); };
    case 6: return (a, b, c, d, e, f) => { go(); return settle(session.call(index, a, b, c, d, e, f, 0, 0, 0, 0, 0)); };
    // path_link, the longest WASI function of i32s only.
    default: return (a, b, c, d, e, f, g) => { go(); return settle(session.call(index, a, b, c, d, e, f, g, 0, 0, 0, 0)); };
  }
}

/**
 * The WASI import object for `session` (preview 1, and `wasi_unstable`): what `run`, `spawn` and the `WASI`
 * polyfill give a module. Calls go to the core's one entry, `session.call`.
 */
export function buildImports(core, session, ctl, useJSPI) {
  const imports = {};
  core.wasiImports().forEach(([name, sig], index) => {
    const split = splitter(sig);
    const settle = (r) => {
      if (r >= 0) return r;
      if (r === CALL_EXIT) throw new ExitSignal(session.exitCode());
      throw new WebAssembly.RuntimeError(session.trapMessage() ?? 'host call failed');
    };
    const attempt = (args) => {
      for (;;) {
        if (ctl.stopped) throw new StopSignal(ctl.stopped);
        const r = session.call(index, ...args);
        // Input is given as the program reads it: after a read, top it up; a read that found
        // none looks again at once if there was more.
        if (!ctl.topUp() || r !== CALL_WOULD_BLOCK) return r;
      }
    };
    const writes = name === 'fd_write' && ctl.flow;
    // In a worker whose FileSystem is the page's, any call may wait for the page's answer; with
    // a reader that takes output at its own pace, a write may wait for it.
    if (useJSPI && (MAY_BLOCK.has(name) || ctl.ask || writes)) {
      const wait = () => {
        const request = ctl.ask && session.remoteRequest();
        if (request) return ctl.ask(request).then((answer) => session.remoteAnswer(answer));
        return new Promise((resolve) => {
          const ms = session.waitDeadlineMs();
          let timer = null;
          ctl.wake = () => { if (timer !== null) clearTimeout(timer); resolve(); };
          if (ms >= 0) timer = setTimeout(() => ctl.notify(), ms);
        });
      };
      imports[name] = new WebAssembly.Suspending((...a) => {
        const args = split(a);
        const r = attempt(args);
        if (r !== CALL_WOULD_BLOCK) {
          const v = settle(r);
          // The write is done; the next one waits until the reader took enough.
          if (writes && ctl.outputFull(args[0])) {
            return ctl.outputRoom(args[0]).then(() => {
              if (ctl.stopped) throw new StopSignal(ctl.stopped);
              return v;
            });
          }
          return v;
        }
        return (async () => {
          for (;;) {
            await wait();
            const again = attempt(args);
            if (again !== CALL_WOULD_BLOCK) return settle(again);
          }
        })();
      });
    } else if (!sig.includes('I') && !MAY_BLOCK.has(name)) {
      // The common case (fd_write, fd_seek's cousins, path_*): i32 arguments only and a call
      // that never waits. A fixed-arity function with no rest array or spread: this path runs
      // once per println.
      imports[name] = fastImport(sig.length, index, session, ctl, settle);
    } else {
      imports[name] = (...a) => {
        const args = split(a);
        for (;;) {
          const r = attempt(args);
          if (r !== CALL_WOULD_BLOCK) return settle(r);
          if (session.waitsForInput() && session.waitDeadlineMs() < 0) {
            throw new StopSignal('needs-input');
          }
          sleepSync(session.waitDeadlineMs());
        }
      };
    }
  });
  // The same functions under snapshot 0's name: the session knows which ABI the module uses.
  return { wasi_snapshot_preview1: imports, wasi_unstable: imports };
}

function trapMessage(e) {
  if (e instanceof RangeError) return `call stack exhausted (${e.message})`;
  return e?.message ?? String(e);
}

/**
 * Runs `module` to completion. `builder` is a configured core SessionBuilder. Resolves with the
 * exit code; rejects with a WrunError for traps and stops.
 */
export async function runGuest(core, module, builder, ctl, { engine = 'auto', timeoutMs } = {}) {
  const useJSPI = hasJSPI && engine !== 'sync';
  const session = builder.start();
  ctl.attach(session);
  const results = () => ({ stdout: session.stdout(), stderr: session.stderr() });
  let instance;
  try {
    instance = await WebAssembly.instantiate(module, buildImports(core, session, ctl, useJSPI));
  } catch (e) {
    throw new WrunError('link', `cannot instantiate the module: ${e.message}`);
  }
  if (instance.exports.memory instanceof WebAssembly.Memory) session.setMemory(instance.exports.memory);
  const start = instance.exports._start;
  try {
    if (useJSPI) await WebAssembly.promising(start)();
    else start();
    session.flush();
    return { exitCode: 0, ...results() };
  } catch (e) {
    session.flush();
    if (e instanceof ExitSignal) return exited(core, e.code, results());
    if (e instanceof StopSignal) {
      const msg = {
        killed: 'the program was killed',
        timeout: stopMessage('timeout', timeoutMs),
        'needs-input': 'the program waits for stdin, and this engine cannot pause it without JSPI: use engine "wasmi", run it in a worker, or give all of stdin up front',
      }[e.kind];
      throw new WrunError(e.kind, msg, { exitCode: EXIT_STATUS[e.kind] ?? 1, ...results() });
    }
    if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
      throw new WrunError('trap', `the program trapped: ${trapMessage(e)}`, { trap: trapMessage(e), exitCode: EXIT_STATUS.trap, ...results() });
    }
    throw e;
  } finally {
    ctl.detach();
    session.free();
  }
}
