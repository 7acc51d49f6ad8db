// wrun: run WASI (preview 1) command-line programs in web pages and Node.
//
//   import { run, spawn, FileSystem, init } from 'wrun';
//   const { exitCode, stdoutText } = await run(wasmBytes, { args: ['tool', '--help'] });
import { loadCore } from './core.js';
import { compileGuest, checkGuest } from './module.js';
import { Controller, runGuest, hasJSPI } from './engine.js';
import { WrunError, EXIT_STATUS } from './errors.js';
import { runInWorker, workerAvailable } from './host-worker.js';
import { FileSystem, setCore } from './fs.js';
import { configure } from './configure.js';

export { WrunError, FileSystem, hasJSPI };

let core;

/** Loads the runtime (about 60 KiB gzip). Optional: `run`, `spawn` and `FileSystem.create` call it. */
export async function init() {
  core ??= await loadCore();
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

function chooseEngine(opts) {
  const engine = opts.engine ?? 'auto';
  if (!['auto', 'browser', 'wasmi'].includes(engine)) throw new WrunError('link', `unknown engine "${engine}" (use "auto", "browser" or "wasmi")`);
  if (engine === 'wasmi' || opts.fuel !== undefined) {
    throw new WrunError('link', 'the wasmi engine (needed for fuel) is not part of this build yet');
  }
  return 'browser';
}

/**
 * Starts a program and returns a process handle:
 * `{ stdin: { write, close }, wait(), kill(), exitCode }`.
 * Options: args, env, stdin (string | bytes: written then closed), fs, preopens ({ guestPath: fsPath }),
 * tty, engine, timeoutMs, worker (run in a dedicated Worker so the page stays responsive and
 * `kill()` stops even a busy loop), onStdout, onStderr, deterministic.
 */
export function spawn(wasm, opts = {}) {
  const ctl = new Controller();
  let workerHandle = null;
  const useWorker = opts.worker ?? false;
  if (opts.stdin !== undefined) {
    ctl.writeStdin(toBytes(opts.stdin));
    ctl.closeStdin();
  }
  const done = (async () => {
    const c = await init();
    chooseEngine(opts);
    const module = await compileGuest(wasm);
    checkGuest(module, c.wasiImports(), undefined);
    let timer = null;
    if (opts.timeoutMs !== undefined) timer = setTimeout(() => { ctl.stop('timeout'); workerHandle?.stop('timeout'); }, opts.timeoutMs);
    try {
      if (useWorker && workerAvailable()) {
        workerHandle = runInWorker(module, opts, ctl);
        const r = await workerHandle.result;
        return new RunResult(r.exitCode, r.stdout, r.stderr);
      }
      const b = configure(c, opts, opts.fs ?? null, { onStdout: opts.onStdout, onStderr: opts.onStderr });
      const r = await runGuest(c, module, b, ctl, opts);
      return new RunResult(r.exitCode, r.stdout, r.stderr);
    } finally {
      if (timer !== null) clearTimeout(timer);
      opts.fs?.scheduleFlush?.();
    }
  })();
  done.catch(() => {}); // surfaced through wait()
  const proc = {
    stdin: {
      write(data) { ctl.writeStdin(toBytes(data)); workerHandle?.writeStdin(toBytes(data)); },
      close() { ctl.closeStdin(); workerHandle?.closeStdin(); },
    },
    exitCode: null,
    wait: () => done.then((r) => { proc.exitCode = r.exitCode; return r; }),
    kill() { ctl.stop('killed'); workerHandle?.stop('killed'); },
  };
  return proc;
}

/** Runs a program to completion: `{ exitCode, stdout, stderr, stdoutText, stderrText }`. */
export async function run(wasm, opts = {}) {
  return spawn(wasm, { stdin: '', ...opts }).wait();
}

export { EXIT_STATUS };
