// wrun: run WASI (preview 1) command-line programs in web pages and Node.
//
//   import { run, spawn, FileSystem, init } from 'wrun';
//   const { exitCode, stdoutText } = await run(wasmBytes, { args: ['tool', '--help'] });
//
//   import { WASI } from 'wrun';     // node:wasi's WASI, for modules you instantiate yourself
import { initCore, preloadCore } from './core.js';
import { program, compileGuest, checkGuest, checkWholeGuest, streamGuest } from './module.js';
import { ByteAcks, Controller, runGuest, hasJSPI } from './engine.js';
import { WrunError, EXIT_STATUS } from './errors.js';
import { runInWorker, workerAvailable } from './worker-client.js';
import { runOnWasmi, setWasmiSource } from './engine-wasmi.js';
import { FileSystem, setCore, mountsOf } from './fs.js';
import { configure } from './configure.js';
import { brokenPipe, checkRunOptions, isWholeInput, misuse, OutputStream, pump, stdinStream } from './process.js';

export { WrunError, FileSystem, hasJSPI };
export { WASI } from './wasi.js';

let core;

// Start fetching and compiling the runtime as soon as the package is imported: a page usually
// fetches its program next, and by then the core is compiled; the first init (or run, spawn,
// FileSystem.create) instantiates it, so it may still ask for the full build (`nodeFs`). Errors
// surface from that call. A microtask later, so that an `init({ module })` the importing module
// calls at once comes first.
queueMicrotask(preloadCore);

/**
 * Loads the runtime (its core: about 117 KiB gzip). Optional: `run`, `spawn` and `FileSystem.create` call
 * it. `onProgress({ done, total })` follows the download in bytes, for a loading bar. `module`
 * and `wasmiModule` say where the core and the wasmi add-on are, if not beside this file (a CDN,
 * an inlined copy): a URL, a Response, the bytes or a compiled WebAssembly.Module. `nodeFs: true`
 * (pages only; Node always can): load the build of the core that mounts a Node-`fs`-like object
 * such as memfs (`new WASI({ fs: memfs })`, as napi-rs's browser loader passes it), about 12 KiB
 * more; with `module`, that build's file (`core/wrun_web_full_bg.wasm`). These count only in the
 * first call, made before anything else uses the package.
 */
export async function init({ onProgress, module, wasmiModule, nodeFs = false } = {}) {
  if (wasmiModule !== undefined) setWasmiSource(wasmiModule);
  // Asked every time: a late `nodeFs` is an error, not ignored.
  const loaded = await initCore({ onProgress, module, nodeFs });
  core ??= loaded;
  setCore(core);
  return core;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const toBytes = (data) => (typeof data === 'string' ? encoder.encode(data) : data instanceof Uint8Array ? data : new Uint8Array(data));

/** What a finished run gives back. */
export class RunResult {
  constructor(exitCode, stdout, stderr) {
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }
  get stdoutText() { return decoder.decode(this.stdout); }
  get stderrText() { return decoder.decode(this.stderr); }
}

/**
 * "browser" runs the guest on the host's own engine; "wasmi" interprets it. "auto" picks wasmi only
 * when it must: a fuel limit, or stdin that may be written while the program runs on a host
 * without JSPI (Node 20, older browsers) outside a worker.
 */
function chooseEngine(opts, interactive) {
  const engine = opts.engine ?? 'auto';
  if (engine !== 'auto') {
    if (engine === 'browser' && opts.fuel !== undefined) throw misuse('fuel needs the wasmi engine (engine: "wasmi" or "auto")');
    return engine;
  }
  if (opts.fuel !== undefined) return 'wasmi';
  if (interactive && !hasJSPI) return 'wasmi';
  // A time limit must be able to stop a busy loop: on the browser engine that takes a worker.
  if (opts.timeoutMs !== undefined && opts.worker !== false && !workerAvailable()) return 'wasmi';
  return 'browser';
}


/**
 * Starts a program and returns a process handle:
 * `{ stdin, stdout, stderr, exited, exitCode, wait(), kill() }`.
 * Options: args, env, stdin (string | bytes | Blob | ReadableStream | async iterable: written then
 * closed), fs, preopens ({ guestPath: fsPath | { fs, path } }), tty, engine, timeoutMs, signal (an AbortSignal:
 * aborting kills the program), worker (run in a dedicated Worker so the page stays responsive and
 * `kill()` stops even a busy loop), onStdout, onStderr, deterministic. See index.d.ts.
 */
export function spawn(wasm, opts = {}) {
  checkRunOptions(opts);
  const ctl = new Controller();
  let workerHandle = null;
  // Input goes to the worker once it has one; before that it waits in ctl, which the worker is
  // started with. (Writing to both sent the worker every chunk twice while it started.)
  // A write resolves once the program has room for it (less than FLOW_WINDOW unread), so a
  // stream piped in is read at the program's pace; it rejects (EPIPE) if the program ends first.
  const given = new ByteAcks();
  ctl.onInputGiven = (n) => given.take(n);
  // `inPlace`: the run's whole stdin, which the program reads where it is (see Controller).
  const writeIn = (data, { inPlace = false } = {}) => {
    const bytes = toBytes(data);
    const taken = given.add(bytes.length);
    if (workerHandle) workerHandle.writeStdin(bytes); else ctl.writeStdin(bytes, { inPlace });
    return taken;
  };
  const closeIn = () => { if (workerHandle) workerHandle.closeStdin(); else ctl.closeStdin(); };
  const kill = (reason) => {
    if (reason !== undefined) ctl.reason ??= reason;
    ctl.stop('killed');
    workerHandle?.stop('killed');
  };
  if (opts.stdin !== undefined && isWholeInput(opts.stdin)) {
    writeIn(opts.stdin, { inPlace: true }).catch(() => {}); // a program may end without reading all of it
    closeIn();
  } else if (opts.stdin !== undefined) {
    // A source the program stopped reading (it ended) is cancelled; one that fails kills it.
    pump(opts.stdin, writeIn, closeIn).catch((e) => { if (e?.code !== 'EPIPE') kill(e); });
  }
  const { signal } = opts;
  const onAbort = () => kill(signal.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const outputs = { stdout: new OutputStream(), stderr: new OutputStream() };
  const done = (async () => {
    // Input that arrives while the program runs (none given, or a stream) may make it wait.
    const engine = chooseEngine(opts, opts.stdin === undefined || !isWholeInput(opts.stdin));
    // Nothing on the page's own thread can interrupt a busy loop in the browser engine, so a run
    // with a time limit goes to a worker unless told otherwise (worker: false).
    const useWorker = opts.worker ?? (opts.timeoutMs !== undefined && engine === 'browser');
    // A Response can be read once: take its bytes now (compiling them as they stream in, when
    // nothing will change them first).
    const capped = engine === 'browser' && opts.maxMemoryBytes !== undefined;
    // `fetch(url)` itself may be given, as to WebAssembly.compileStreaming. (Awaited before the
    // core loads: an init({ ... }) the caller makes right after spawn() still comes first.)
    if (typeof wasm?.then === 'function') wasm = await wasm;
    // The core gets ready while the program's body downloads (its errors wait for their turn).
    const coreReady = init();
    coreReady.catch(() => {});
    let prog = typeof Response !== 'undefined' && wasm instanceof Response
      ? await streamGuest(wasm, { stream: engine === 'browser' && !capped })
      : program(wasm);
    if (engine === 'wasmi' && prog.compiled) throw misuse('the wasmi engine needs the program as bytes, not a compiled WebAssembly.Module');
    // The core loads while the program compiles; a compile error waits until the checks have
    // had their say, so a bad module gets the same message as under wrun.
    if (engine === 'browser' && !capped) compileGuest(prog).catch(() => {});
    const c = await coreReady;
    // A program built for wasi_unstable (snapshot 0) runs with that ABI.
    if (checkGuest(c, prog, opts.maxMemoryBytes, { whole: engine === 'wasmi' })) opts = { ...opts, wasiUnstable: true };
    // Streams asked for by now receive output as it is written.
    opts = { ...opts, onStdout: opts.onStdout ?? outputs.stdout.callback(), onStderr: opts.onStderr ?? outputs.stderr.callback() };
    if (capped) {
      // The browser's engine has no memory limiter: lower the module's declared maximums instead.
      if (prog.compiled) throw misuse('maxMemoryBytes needs the program as bytes, not a compiled WebAssembly.Module');
      try {
        prog = program(c.capMemory(prog.bytes, opts.maxMemoryBytes));
      } catch (e) {
        throw new WrunError(e instanceof WrunError ? e.kind : 'link', e.message);
      }
    }
    // wasmi runs the bytes: the host's engine need not compile them (nor be able to).
    const module = engine === 'wasmi' ? null : await compileGuest(prog).catch((e) => {
      // What the engine refused, the whole module's check may name as wrun does.
      checkWholeGuest(c, prog, opts.maxMemoryBytes);
      throw e;
    });
    // kill() may come before the program starts (while the core loads or the module compiles).
    if (ctl.stopped) throw new WrunError(ctl.stopped, 'the program was killed before it started', { exitCode: EXIT_STATUS[ctl.stopped], stdout: new Uint8Array(0), stderr: new Uint8Array(0) });
    // The time limit counts from the program's start (a worker's own start-up is not its time).
    let timer = null;
    const startClock = () => {
      if (opts.timeoutMs !== undefined && timer === null) timer = setTimeout(() => { ctl.stop('timeout'); workerHandle?.stop('timeout'); }, opts.timeoutMs);
    };
    try {
      if (engine === 'wasmi') {
        startClock();
        const r = await runOnWasmi(prog.bytes, opts, ctl);
        return new RunResult(r.exitCode, r.stdout, r.stderr);
      }
      if (useWorker && workerAvailable()) {
        workerHandle = runInWorker(module, opts, ctl, { onStarted: startClock, bytes: prog.bytes });
        const r = await workerHandle.result;
        return new RunResult(r.exitCode, r.stdout, r.stderr);
      }
      // A promise from a callback (a stream's reader that is behind, or gone) holds the program
      // back where JSPI can suspend it, and a reader that went away is EPIPE.
      const b = configure(c, opts, opts.fs ?? null, { onStdout: ctl.output(1, opts.onStdout), onStderr: ctl.output(2, opts.onStderr) });
      startClock();
      const r = await runGuest(c, module, b, ctl, opts);
      return new RunResult(r.exitCode, r.stdout, r.stderr);
    } finally {
      if (timer !== null) clearTimeout(timer);
      // Every FileSystem the run mounted saves what it changed (persistent ones).
      for (const fs of new Set(mountsOf(opts.fs, opts.preopens).map(([, fs]) => fs))) fs?.scheduleFlush?.();
    }
  })().then(
    (r) => { proc.exitCode = r.exitCode; return r; },
    (e) => {
      // An abort is a kill whose error says why (the signal's reason).
      if (ctl.reason !== undefined && e instanceof WrunError && e.kind === 'killed') e.cause = ctl.reason;
      // However the program ended, it has a status (a module that could not load: 1, as wrun).
      proc.exitCode = e.exitCode ?? 1;
      throw e;
    },
  );
  done.catch(() => {}); // surfaced through wait() and exited
  done.then((r) => r, (e) => e).then((r) => {
    signal?.removeEventListener('abort', onAbort);
    outputs.stdout.end(r?.stdout);
    outputs.stderr.end(r?.stderr);
    given.fail(brokenPipe());
  });
  const proc = {
    stdin: stdinStream(writeIn, closeIn),
    get stdout() { return outputs.stdout.get(); },
    get stderr() { return outputs.stderr.get(); },
    exitCode: null,
    /** The exit status however the program ends (137 killed, 134 trapped, 124 timed out...). */
    exited: done.then((r) => r.exitCode, () => proc.exitCode),
    wait: () => done,
    kill: () => kill(),
  };
  return proc;
}

/** Runs a program to completion: `{ exitCode, stdout, stderr, stdoutText, stderrText }`. */
export async function run(wasm, opts = {}) {
  return spawn(wasm, { stdin: '', ...opts }).wait();
}

export { EXIT_STATUS };
