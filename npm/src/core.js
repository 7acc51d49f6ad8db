// Loads the wasm-bindgen core (runtime-core compiled to WebAssembly) once, in browsers, workers,
// bundlers (Vite sees the `new URL(..., import.meta.url)` and ships the file) and Node. Node and
// workers load the full build, behind the same JS glue: with directories of Node-`fs`-like objects
// (host directories for the WASI polyfill) and of a FileSystem another instance owns (a worker
// run's, on the page's tree). Pages load the build without them, which only owns trees.
import init, { initSync } from './core/wrun_web.js';
import * as core from './core/wrun_web.js';
import { CORE_BYTES, FULL_CORE_BYTES } from './core/size.js';

let ready;

// The build a page loads, and its size: the page build, or the half-size one of the `wrun/wasi`
// entry (see usePageCore).
let pageCore = new URL('./core/wrun_web_bg.wasm', import.meta.url);

// Download progress of the core, for pages that show a loading bar (init({ onProgress })).
const progress = { done: 0, total: CORE_BYTES };
const listeners = new Set();
function report(done) {
  progress.done = done;
  for (const f of listeners) f({ ...progress });
}

/** Calls `f({ done, total })` (bytes of the core) now and as the core downloads, until it is loaded. */
export function watchCoreProgress(f) {
  f({ ...progress });
  if (progress.done < progress.total) listeners.add(f);
}

/**
 * Fetches the core, counting its bytes on a clone of the response as they arrive. The response
 * itself goes to instantiateStreaming untouched: compiling overlaps the download, and the
 * browser may reuse the compiled code it cached for that URL on an earlier visit. The count is
 * of decoded bytes, so the total is the file's size whatever the server's compression.
 */
async function countedFetch(url, signal) {
  // The latest download is the one the progress follows (a preload given up for the full
  // build goes on reading, unheard).
  const mine = (counting = {});
  const response = await fetch(url, signal ? { signal } : undefined);
  if (!response.ok || !response.body) return response;
  const reader = response.clone().body.getReader();
  (async () => {
    let done = 0;
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end || counting !== mine) break;
      done += value.length;
      report(Math.min(done, progress.total));
    }
  })().catch(() => {});
  return response;
}
let counting = null;

let loaded = false;

/**
 * Node's own modules, loaded where only Node gets: `process.getBuiltinModule` (Node 20.16+), else
 * an import() made at run time, which bundlers do not try to follow (or warn about).
 */
export async function nodeModule(name) {
  return globalThis.process?.getBuiltinModule?.(name) ?? new Function('m', 'return import(m)')(name);
}
let pathApiModule;

/**
 * `path-api.js`'s `pathApi(fs)`: a Node-`fs`-like object as the calls the full build of the core
 * makes. In Node, required beside this file (`path-api.cjs` in the package; the ES module itself
 * when running from the sources, which only a Node that can require ES modules does: 20.19 up);
 * in a page, what `init({ nodeFs: true })` loaded, else `null`.
 */
export function nodePathApi() {
  if (pathApiModule === undefined) {
    const mod = globalThis.process?.getBuiltinModule?.('module');
    const here = new URL(import.meta.url);
    // A require() made at run time, beside this file: bundlers neither follow nor warn about it.
    const req = mod && here.protocol === 'file:' ? mod.createRequire(here.href) : null;
    pathApiModule = null;
    for (const file of ['./path-api.cjs', './path-api.js']) {
      try {
        pathApiModule = req?.(file) ?? null;
        break;
      } catch { /* not beside this file: the other one */ }
    }
  }
  return pathApiModule?.pathApi ?? null;
}

/**
 * The build of the core this bundle's pages load (`url`, `bytes` long), if not the page build:
 * the `wrun/wasi` entry says so as it is evaluated, before anything loads one.
 */
export function usePageCore(url, bytes) {
  pageCore = url;
  progress.total = bytes;
}

/**
 * Loads the core for `init()`: the page's build, or with `nodeFs` (pages; Node always has it)
 * the full build and the adapter for Node-`fs`-like objects, which must then be the first build
 * this page loads.
 */
export async function initCore({ onProgress, module, nodeFs = false } = {}) {
  const full = nodeFs && !isNode();
  if (full && !ready) progress.total = FULL_CORE_BYTES;
  if (onProgress) watchCoreProgress(onProgress);
  if (!full) return loadCore(module);
  // Settles which build this page runs, if nothing did before (then it says which).
  const started = loadCore(module, { full: true });
  if (!coreIsFull) {
    const e = new Error('init({ nodeFs: true }) must come before anything else loads the runtime (an init(), run(), spawn() or FileSystem.create() without it)');
    e.code = 'ERR_WRUN_INIT_ORDER';
    throw e;
  }
  pathApiModule = await import('./path-api.js');
  return started;
}

const isNode = () => typeof process !== 'undefined' && !!process.versions?.node;

/**
 * The core, loaded already or, in Node, loaded now from its file, synchronously (the `WASI`
 * polyfill is synchronous, as `node:wasi` is). `null` in a browser that has not loaded it yet.
 */
export function coreSync() {
  if (loaded) return core;
  const fs = globalThis.process?.getBuiltinModule?.('fs');
  const url = new URL('./core/wrun_web_full_bg.wasm', import.meta.url);
  if (!fs || url.protocol !== 'file:') return null;
  const { fileURLToPath } = globalThis.process.getBuiltinModule('url');
  initSync({ module: fs.readFileSync(fileURLToPath(url)) });
  loaded = true;
  coreIsFull = true;
  report(progress.total);
  listeners.clear();
  return core;
}

/**
 * Loads the core module; every API calls it, so pages only need it to preload. `source`, given to
 * the first call (`init({ module })`), says where the core is instead of the package's own file:
 * a URL, a Response, its bytes, or a compiled WebAssembly.Module. `full`: the full build (workers).
 */
/** Where the core was loaded from, when `init({ module })` said (workers load it from there too). */
export let coreSource;

/** Whether the core loaded (or loading) is the full build: Node's and workers' always. */
export let coreIsFull = false;

// The page build's download and compile, started as the package is imported (see preloadCore),
// and the way to give it up.
let preloaded;
let preloadAbort;

/**
 * In a page, starts fetching and compiling the page build of the core, without instantiating it:
 * the first `init()` uses it, unless it asks for the full build (`nodeFs`), which it still may.
 */
export function preloadCore() {
  if (isNode()) {
    // Node always loads the full build: load it now.
    loadCore().catch(() => {});
    return;
  }
  if (ready || preloaded || typeof fetch !== 'function') return;
  preloadAbort = typeof AbortController === 'function' ? new AbortController() : null;
  preloaded = (async () => {
    const response = await countedFetch(pageCore, preloadAbort?.signal);
    if (!response.ok) throw new Error(`cannot fetch the runtime's core ${response.url}: ${response.status} ${response.statusText}`);
    // As wasm-bindgen's own loader does: a server that does not say application/wasm still works.
    const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    if (type === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function') return WebAssembly.compileStreaming(response);
    return WebAssembly.compile(await response.arrayBuffer());
  })();
  preloaded.catch(() => {}); // init() then loads it its own way, with its errors
}

export function loadCore(source, { full = false } = {}) {
  if (!ready && source !== undefined) coreSource = source;
  ready ??= (async () => {
    const node = typeof process !== 'undefined' && process.versions?.node;
    coreIsFull = full || !!node;
    const url = full ? new URL('./core/wrun_web_full_bg.wasm', import.meta.url) : pageCore;
    // The preload is used if it is the build wanted and went well; else given up.
    const wanted = source === undefined && !full;
    if (!wanted) preloadAbort?.abort();
    const preloadedModule = wanted && preloaded ? await preloaded.catch(() => null) : null;
    if (source !== undefined && !(node && isFileUrl(source))) {
      await init({ module_or_path: source });
    } else if (preloadedModule) {
      await init({ module_or_path: preloadedModule });
    } else if (node && url.protocol === 'file:') {
      const { readFile } = await nodeModule('node:fs/promises');
      const nodeUrl = source === undefined ? new URL('./core/wrun_web_full_bg.wasm', import.meta.url) : new URL(source);
      // Compiled asynchronously, instantiated synchronously: initSync does nothing when
      // coreSync() (the WASI polyfill) got there first meanwhile, where an asynchronous init
      // would replace the instance its sessions live in.
      initSync({ module: await WebAssembly.compile(await readFile(nodeUrl)) });
    } else {
      await init({ module_or_path: typeof fetch === 'function' ? await countedFetch(url) : url });
    }
    loaded = true;
    report(progress.total);
    listeners.clear();
    return core;
  })();
  ready.catch(() => listeners.clear());
  return ready;
}

function isFileUrl(source) {
  try {
    return (typeof source === 'string' || source instanceof URL) && new URL(source).protocol === 'file:';
  } catch {
    return false;
  }
}
