// Running a guest on the wasmi add-on: the guest is interpreted by wasmi compiled to WebAssembly,
// in slices of fuel, returning to the event loop between them, so it can count fuel, pause on
// stdin without JSPI, wait for the page's files in a worker, and be stopped even on the page's
// main thread.
import { WrunError, EXIT_STATUS, exited, stopMessage } from './errors.js';
import { configure } from './configure.js';
import { nodeModule } from './core.js';
import { newOwner, mountsOf, ownedRoots } from './fs.js';

const STEP_FINISHED = 0;
const STEP_WAITING = 1;
const STEP_YIELDED = 2;
const STEP_OUT_OF_FUEL = 3;

/** Initializes the add-on's glue `glue` with its wasm: `source` if given, else the package's file. */
export async function initWasmi(glue, source) {
  const url = new URL('./core/wrun_web_wasmi_bg.wasm', import.meta.url);
  if (source !== undefined) {
    await glue.default({ module_or_path: source });
  } else if (typeof process !== 'undefined' && process.versions?.node && url.protocol === 'file:') {
    const { readFile } = await nodeModule('node:fs/promises');
    await glue.default({ module_or_path: await readFile(url) });
  } else {
    await glue.default({ module_or_path: url });
  }
  return glue;
}

const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Runs `bytes` on wasmi, the add-on given by `load()`. The add-on is an instance of its own: on the page it reaches the page's
 * FileSystems through an FsOwner it calls directly, so the program works on the live trees. In a
 * worker (`remote`: the preopens as the page's FsOwner numbered them) each filesystem call waits
 * for the page's answer (`ask(request)`): the guest pauses, and the call is made again with it.
 */
export async function runWasmi(load, bytes, opts, ctl, { remote = null, ask = null } = {}) {
  const w = await load();
  const mounts = remote ? [] : mountsOf(opts.fs, opts.preopens);
  const owner = mounts.length ? newOwner() : null;
  let b;
  try {
    const roots = remote ?? (owner && ownedRoots(owner, mounts));
    b = configure(w, opts, null, { onStdout: ctl.output(1, opts.onStdout), onStderr: ctl.output(2, opts.onStderr) }, roots, owner && ((request) => owner.serve(request)));
  } catch (e) {
    owner?.free();
    throw e;
  }
  let run;
  try {
    run = new w.WasmiRun(b, bytes, opts.fuel === undefined ? undefined : Number(opts.fuel), opts.maxMemoryBytes);
  } catch (e) {
    // A module the host's own engine accepts but wasmi refuses uses a proposal wasmi lacks
    // (exception handling, GC...): said as wrun says it natively, not as an invalid module.
    if (e.kind === 'invalid-module' && WebAssembly.validate(bytes)) {
      throw new WrunError('invalid-module', `the wasmi engine cannot load this module: ${e.message.replace(/^invalid module: /, '')}`);
    }
    throw new WrunError(e.kind ?? 'link', e.message);
  }
  ctl.attach(run);
  const outputs = () => ({ stdout: run.stdout(), stderr: run.stderr() });
  try {
    let lastYield = performance.now();
    for (;;) {
      if (ctl.stopped) {
        const msg = stopMessage(ctl.stopped, opts.timeoutMs);
        throw new WrunError(ctl.stopped, msg, { exitCode: EXIT_STATUS[ctl.stopped], ...outputs() });
      }
      let s;
      try {
        s = run.step();
      } catch (e) {
        throw new WrunError('trap', `the program trapped: ${e.message}`, { trap: e.message, exitCode: EXIT_STATUS.trap, ...outputs() });
      }
      if (s === STEP_FINISHED) return exited(w, run.exitCode(), outputs());
      if (s === STEP_OUT_OF_FUEL) {
        throw new WrunError('out-of-fuel', `the program ran out of fuel (${opts.fuel}) and was stopped`, { exitCode: EXIT_STATUS['out-of-fuel'], ...outputs() });
      }
      const request = s === STEP_WAITING && ask ? run.remoteRequest() : undefined;
      // Input is given as the program reads it (a waiting read looks again at once if there was more).
      const gaveInput = ctl.topUp();
      if (request) {
        run.remoteAnswer(await ask(request));
        lastYield = performance.now();
      } else if (ctl.outputFull()) {
        // Its reader is behind: the program goes on when it took enough.
        await ctl.outputRoom();
        lastYield = performance.now();
      } else if (s === STEP_WAITING && gaveInput) {
        continue;
      } else if (s === STEP_WAITING) {
        await new Promise((resolve) => {
          const ms = run.waitDeadlineMs();
          let timer = null;
          ctl.wake = () => { if (timer !== null) clearTimeout(timer); resolve(); };
          if (ms >= 0) timer = setTimeout(() => ctl.notify(), ms);
        });
        lastYield = performance.now();
      } else if (s === STEP_YIELDED && performance.now() - lastYield > 8) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  } finally {
    ctl.detach();
    owner?.free();
    // If step() was cut short by a JS exception (the interpreter itself running out of native
    // stack), wasm-bindgen still counts the run as borrowed and free() throws; the error that
    // matters is the one already on its way out.
    try { run.free(); } catch { /* leaked with the failed run */ }
  }
}
