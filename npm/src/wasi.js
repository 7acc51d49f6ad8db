// The WASI polyfill: a `WASI` object shaped like `node:wasi`'s, for code that instantiates its
// module itself and only asks for WASI's imports (napi-rs bindings through emnapi, ruby.wasm,
// SwiftWasm's JavaScriptKit, GHC's wasm backend, Extism...). It runs on the same core and the same
// import glue as `run` (engine.js's buildImports, the core's session.call): only the lifecycle
// below is its own. Unlike `node:wasi` it is a sandbox: files live in a wrun FileSystem, or in
// host directories (Node) and Node-`fs`-like objects whose paths the core confines to each
// preopen, as `wrun --dir` does.
//
//   import { WASI } from 'wrun';
//   const wasi = new WASI({ version: 'preview1', args: ['tool'], env: { LANG: 'C' } });
//   const { instance } = await WebAssembly.instantiate(bytes, { ...wasi.getImportObject(), env });
//   wasi.start(instance);          // a command: returns its exit status
//   wasi.initialize(instance);     // a reactor: runs _initialize, then call its exports
import { coreSync } from './core.js';
import { buildImports, Controller, hasJSPI, StopSignal } from './engine.js';
import { ExitSignal, WrunError } from './errors.js';
import { FileSystem, setCore } from './fs.js';
import { configure } from './configure.js';
import { misuse } from './process.js';

const decoder = new TextDecoder();

/** Output for a host with no callback given: the process's own fd in Node, the console in a page. */
function defaultSink(fd, log) {
  const fs = globalThis.process?.getBuiltinModule?.('fs');
  if (fs) {
    // All of it, as node:wasi writes: writeSync may take part of a chunk, or find a pipe that
    // Node made non-blocking full (EAGAIN) and must try again.
    return (chunk) => {
      for (let done = 0; done < chunk.length;) {
        try {
          done += fs.writeSync(fd, chunk, done);
        } catch (e) {
          if (e.code !== 'EAGAIN') throw e;
        }
      }
    };
  }
  // Line by line, as console.log prints whole lines.
  let pending = '';
  return (chunk) => {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) log(line);
  };
}

/** Misuse, reported as node:wasi reports it: a TypeError (or Error) with Node's error code. */
function check(cond, message, code = 'ERR_INVALID_ARG_TYPE', Kind = TypeError) {
  if (cond) return;
  const e = new Kind(message);
  e.code = code;
  throw e;
}

/** Why a run the polyfill started was stopped, as an Error. */
function stopped(kind) {
  const message = kind === 'needs-input'
    ? 'the program waits for stdin: give it all up front (the stdin option), or use interactive with getImportObject({ suspending: true }) and startAsync()'
    : 'the program was killed';
  return new WrunError(kind, message, { exitCode: kind === 'killed' ? 137 : 1 });
}

function exportsOf(instance) {
  check(instance && typeof instance.exports === 'object' && instance.exports !== null,
    'expected a WebAssembly.Instance or an object with `exports`');
  return instance.exports;
}

export class WASI {
  #core;
  #session;
  #ctl;
  #imports;
  #suspendingImports = null;
  #returnOnExit;
  #started = false;
  #module;

  /**
   * Options as `node:wasi`'s: `version` ('preview1', or 'unstable' for modules built for WASI's
   * snapshot 0, whose ABI differences the core translates), `args`, `env`, `preopens`
   * ({ guestPath: pathInFs }: without `fs`, host directories in Node and directories of an empty
   * FileSystem in a page), `returnOnExit` (default true), `stdout`/`stderr` (fd numbers, Node
   * only). And wrun's own: `fs` (a FileSystem, or a Node-`fs`-like object: `node:fs`, memfs), `stdin`
   * (string or bytes, then end of input), `onStdout`/`onStderr` (receive Uint8Array chunks),
   * `tty`, `deterministic` (a seed), `maxOutputBytes`, and `interactive`: stdin stays open for
   * `wasi.stdin.write()` while the program runs, which it can wait for through the suspending
   * imports and `startAsync` (JSPI).
   */
  constructor(options = {}) {
    check(typeof options === 'object' && options !== null, 'options must be an object');
    const version = options.version ?? 'preview1';
    check(version === 'preview1' || version === 'unstable', `unknown WASI version ${JSON.stringify(version)} (use 'preview1' or 'unstable')`, 'ERR_INVALID_ARG_VALUE');
    // 'unstable': the imports are named wasi_unstable and use snapshot 0's ABI (the core
    // translates its few differences; node:wasi only renames the module).
    this.#module = version === 'unstable' ? 'wasi_unstable' : 'wasi_snapshot_preview1';
    check(options.args === undefined || Array.isArray(options.args), 'args must be an array');
    const core = coreSync();
    if (!core) {
      throw misuse("the runtime is not loaded yet: `await init()` (from the entry WASI came from, 'wrun' or 'wrun/wasi') once before `new WASI()` in a browser", 'ERR_WRUN_NOT_READY', Error);
    }
    setCore(core);
    this.#core = core;
    this.#returnOnExit = options.returnOnExit ?? true;
    let fs = options.fs ?? null;
    let preopens = options.preopens;
    if (!fs && preopens && Object.keys(preopens).length) {
      const nodeFs = globalThis.process?.getBuiltinModule?.('fs');
      if (nodeFs) {
        // As node:wasi: real directories, relative ones from the current directory; unlike it,
        // confined (the core resolves every path itself; see path-api.js).
        const { resolve } = globalThis.process.getBuiltinModule('path');
        fs = nodeFs;
        // (`{ fs, path }` preopens name a wrun FileSystem: they stay as they are.)
        preopens = Object.fromEntries(Object.entries(preopens).map(([guest, host]) => [guest, typeof host === 'object' && host !== null ? host : resolve(String(host))]));
      } else {
        // A page has no host directories: an empty in-memory tree with those directories.
        fs = new FileSystem();
        for (const path of Object.values(preopens)) if (typeof path === 'string' && path !== '/') fs.mkdir(path, { recursive: true });
      }
    }
    const opts = { ...options, args: options.args ?? [], preopens: preopens ?? (fs ? { '/': '/' } : {}), wasiUnstable: version === 'unstable' };
    const onStdout = options.onStdout ?? defaultSink(options.stdout ?? 1, console.log);
    const onStderr = options.onStderr ?? defaultSink(options.stderr ?? 2, console.error);
    const builder = configure(core, opts, fs, { onStdout, onStderr });
    // Output goes to the sinks as it is written (a reactor's exports end with no flush); nothing
    // is kept for a result.
    builder.collect(false);
    builder.deliverEveryWrite(true);
    this.#session = builder.start();
    const ctl = new Controller();
    ctl.attach(this.#session);
    this.#ctl = ctl;
    if (options.stdin !== undefined) {
      // The whole input, read where it is (as run's: not to be changed while the program runs).
      const input = options.stdin;
      ctl.writeStdin(typeof input === 'string' ? new TextEncoder().encode(input) : input instanceof Uint8Array ? input : new Uint8Array(input), { inPlace: true });
    }
    if (!options.interactive) ctl.closeStdin();
    // Synchronous, as the libraries calling it expect: a read that would wait for input no one
    // can give any more ends the run.
    this.#imports = this.#only(buildImports(core, this.#session, ctl, false).wasi_snapshot_preview1);
  }

  /** With `interactive`: write to the program's stdin while it runs, then close it (end of input). */
  get stdin() {
    const ctl = this.#ctl;
    return {
      write: (data) => ctl.writeStdin(typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data)),
      close: () => ctl.closeStdin(),
    };
  }

  /** Stops the program at its next WASI call (or at once, if it is waiting for input). */
  kill() {
    this.#ctl.stop('killed');
  }

  /** The version's functions (snapshot 0 has no `sock_accept`). */
  #only(imports) {
    if (this.#module === 'wasi_snapshot_preview1') return imports;
    const { sock_accept: _, ...rest } = imports;
    return rest;
  }

  /** The WASI functions (of `version`), to put in the import object yourself. */
  get wasiImport() {
    return this.#imports;
  }

  /**
   * `{ wasi_snapshot_preview1: wasiImport }` (`wasi_unstable` for version 'unstable'), to spread into the import object. With
   * `{ suspending: true }`, `fd_read` and `poll_oneoff` are JSPI-suspending imports that wait for
   * input and deadlines without blocking the page; start the module with `startAsync`.
   */
  getImportObject({ suspending = false } = {}) {
    if (!suspending) return { [this.#module]: this.#imports };
    if (!hasJSPI) {
      throw misuse('suspending imports need JSPI (WebAssembly.Suspending: Chromium 137+, Firefox 153+, Safari 27+), which this engine does not have', 'ERR_WRUN_NO_JSPI', Error);
    }
    this.#suspendingImports ??= this.#only(buildImports(this.#core, this.#session, this.#ctl, true).wasi_snapshot_preview1);
    return { [this.#module]: this.#suspendingImports };
  }

  /**
   * Tells WASI which memory the module's pointers refer to: its exported `memory`, or (for a
   * module that imports its memory) `options.memory`. `start` and `initialize` call it.
   */
  finalizeBindings(instance, { memory } = {}) {
    const mem = memory ?? exportsOf(instance).memory;
    check(mem instanceof WebAssembly.Memory, 'the module exports no `memory`: pass it as finalizeBindings(instance, { memory })');
    this.#session.setMemory(mem);
  }

  /** JavaScriptKit's name for binding the instance. */
  setInstance(instance) {
    this.finalizeBindings(instance);
  }

  /**
   * Runs a command (`_start`) and returns its exit status: 0 when `_start` returns, the status
   * given to `proc_exit` otherwise (with `returnOnExit: false`, the process exits with it in Node).
   */
  start(instance) {
    const exports = exportsOf(instance);
    check(!this.#started, 'this WASI instance has already started a module', 'ERR_WASI_ALREADY_STARTED', Error);
    check(typeof exports._start === 'function', 'the module exports no `_start` function (a reactor? use initialize())');
    check(exports._initialize === undefined, 'the module exports `_initialize`: it is a reactor, use initialize()');
    if (exports.memory instanceof WebAssembly.Memory) this.finalizeBindings(instance);
    this.#started = true;
    try {
      exports._start();
      return 0;
    } catch (e) {
      if (e instanceof StopSignal) throw stopped(e.kind);
      if (!(e instanceof ExitSignal)) throw e;
      // As node:wasi: the status as the program gave it, signed (exit(-1) is -1).
      const status = e.code | 0;
      if (!this.#returnOnExit && globalThis.process?.exit) globalThis.process.exit(status);
      return status;
    } finally {
      this.#session.flush();
    }
  }

  /**
   * `start` for a module instantiated with `getImportObject({ suspending: true })`: its `_start`
   * may wait for stdin (see `interactive`) or sleep without blocking the page. Resolves with the
   * exit status; rejects with a WrunError of kind 'killed' after `kill()`.
   */
  async startAsync(instance) {
    const exports = exportsOf(instance);
    check(!this.#started, 'this WASI instance has already started a module', 'ERR_WASI_ALREADY_STARTED', Error);
    check(typeof exports._start === 'function', 'the module exports no `_start` function (a reactor? use initialize())');
    check(this.#suspendingImports !== null, 'startAsync() runs modules instantiated with getImportObject({ suspending: true })', 'ERR_INVALID_ARG_VALUE');
    if (exports.memory instanceof WebAssembly.Memory) this.finalizeBindings(instance);
    this.#started = true;
    try {
      await WebAssembly.promising(exports._start)();
      return 0;
    } catch (e) {
      if (e instanceof ExitSignal) return e.code | 0;
      if (e instanceof StopSignal) throw stopped(e.kind);
      throw e;
    } finally {
      this.#session.flush();
    }
  }

  /** Sets up a reactor: runs its `_initialize`, if any. Its exports may then make WASI calls. */
  initialize(instance) {
    const exports = exportsOf(instance);
    check(!this.#started, 'this WASI instance has already started a module', 'ERR_WASI_ALREADY_STARTED', Error);
    // As node:wasi. (A command used as a library, like pandoc-wasm's GHC build, which calls
    // its own constructors and exports: finalizeBindings binds it without starting anything.)
    check(exports._start === undefined, 'the module exports `_start`: it is a command, use start() (or finalizeBindings(instance) to call its other exports without starting it)');
    if (exports.memory instanceof WebAssembly.Memory) this.finalizeBindings(instance);
    this.#started = true;
    if (typeof exports._initialize === 'function') {
      try {
        exports._initialize();
      } finally {
        this.#session.flush();
      }
    }
  }

  /** Delivers output still buffered (output is also delivered when a call waits or the module exits). */
  flush() {
    this.#session.flush();
  }
}
