// Loads the wasm-bindgen core (runtime-core compiled to WebAssembly) once, in browsers, workers,
// bundlers (Vite sees the `new URL(..., import.meta.url)` and ships the file) and Node.
import init, * as core from './core/wrun_web.js';

let ready;
// Through a variable so bundlers leave Node's module alone (it is only imported under Node).
const NODE_FS = 'node:fs/promises';

/** Loads the core module; every API calls it, so pages only need it to preload. */
export function loadCore() {
  ready ??= (async () => {
    const url = new URL('./core/wrun_web_bg.wasm', import.meta.url);
    if (typeof process !== 'undefined' && process.versions?.node && url.protocol === 'file:') {
      const { readFile } = await import(/* @vite-ignore */ NODE_FS);
      await init({ module_or_path: await readFile(url) });
    } else {
      await init({ module_or_path: url });
    }
    return core;
  })();
  return ready;
}
