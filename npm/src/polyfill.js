// wrun/wasi: the WASI polyfill alone, for pages that instantiate their modules themselves
// (napi-rs bindings through emnapi, ruby.wasm, JavaScriptKit...):
//
//   import { WASI, init } from 'wrun/wasi';
//   await init();                      // pages; Node loads the core synchronously
//   const wasi = new WASI({ args: ['tool'], fs, preopens: { '/data': '/' } });
//
// The same `WASI` as `import { WASI } from 'wrun'`, over a core half the size of the page build:
// FileSystems are in memory only here (no persistence, no tar images) and there is no `run` or
// `spawn`. Node and `init({ nodeFs: true })` load the full core, as with 'wrun'. A page uses one
// entry or the other: each bundle loads its own core.
import { initCore, preloadCore, usePageCore } from './core.js';
import { WASI_CORE_BYTES } from './core/size.js';
import { FileSystem, setCore } from './fs.js';

export { WASI } from './wasi.js';
export { WrunError } from './errors.js';
export { hasJSPI } from './engine.js';
export { FileSystem };

usePageCore(new URL('./core/wrun_web_wasi_bg.wasm', import.meta.url), WASI_CORE_BYTES);
queueMicrotask(preloadCore);

/**
 * Loads the core (about 60 KiB gzip in a page). `onProgress`, `module` (where the core is, if not
 * beside this file: `core/wrun_web_wasi_bg.wasm`, or the full build's with `nodeFs`) and
 * `nodeFs` (memfs as `fs` in a page) are as in 'wrun''s `init`.
 */
export async function init(options = {}) {
  const core = await initCore(options);
  setCore(core);
  return core;
}
