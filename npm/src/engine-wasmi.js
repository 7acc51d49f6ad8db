// The wasmi engine on the page: the add-on (wasmi compiled to WebAssembly, about 480 KiB gzip, SIMD included) is
// loaded on first use only, so pages that never need it never download it. The run itself is in
// wasmi-run.js, shared with workers (which load the add-on's glue statically: a worker bundle
// cannot split off a dynamic import).
import { initWasmi, runWasmi } from './wasmi-run.js';

let loading;

/** Where the wasmi add-on's wasm is, if not the package's own file (`init({ wasmiModule })`). */
export let wasmiSource;
/** Sets `wasmiSource` (the first call counts). */
export function setWasmiSource(source) {
  wasmiSource ??= source;
}

export function loadWasmi() {
  loading ??= import('./core/wrun_web_wasmi.js').then((glue) => initWasmi(glue, wasmiSource));
  return loading;
}

/** Runs `bytes` on wasmi on the page (see wasmi-run.js). */
export const runOnWasmi = (bytes, opts, ctl) => runWasmi(loadWasmi, bytes, opts, ctl);
