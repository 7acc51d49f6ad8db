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

/** Lets the embedder feed stdin and stop the run while it is suspended or making calls. */
export class Controller {
  constructor() {
    this.session = null;
    this.stopped = null; // "killed" | "timeout"
    this.wake = null;
    this.pendingInput = [];
    this.inputClosed = false;
  }
  attach(session) {
    this.session = session;
    for (const chunk of this.pendingInput) session.writeStdin(chunk);
    if (this.inputClosed) session.closeStdin();
    this.pendingInput = [];
  }
  writeStdin(bytes) {
    if (this.session) this.session.writeStdin(bytes);
    else this.pendingInput.push(bytes);
    this.notify();
  }
  closeStdin() {
    this.inputClosed = true;
    this.session?.closeStdin();
    this.notify();
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

/** An import taking `n` i32 arguments, calling the session without allocating. */
function fastImport(n, index, session, ctl, settle) {
  const call = (a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0) => {
    if (ctl.stopped) throw new StopSignal(ctl.stopped);
    return settle(session.call(index, a0 >>> 0, a1 >>> 0, a2 >>> 0, a3 >>> 0, a4 >>> 0, a5 >>> 0, a6 >>> 0, a7 >>> 0, a8 >>> 0, 0, 0));
  };
  switch (n) {
    case 0: return () => call();
    case 1: return (a) => call(a);
    case 2: return (a, b) => call(a, b);
    case 3: return (a, b, c) => call(a, b, c);
    case 4: return (a, b, c, d) => call(a, b, c, d);
    case 5: return (a, b, c, d, e) => call(a, b, c, d, e);
    case 6: return (a, b, c, d, e, f) => call(a, b, c, d, e, f);
    case 7: return (a, b, c, d, e, f, g) => call(a, b, c, d, e, f, g);
    default: return call;
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
      if (ctl.stopped) throw new StopSignal(ctl.stopped);
      return session.call(index, ...args);
    };
    // In a worker whose FileSystem is the page's, any call may wait for the page's answer.
    if (useJSPI && (MAY_BLOCK.has(name) || ctl.ask)) {
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
        if (r !== CALL_WOULD_BLOCK) return settle(r);
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
    session.free();
  }
}
