// Types of the `wrun/wasi` entry: the WASI polyfill over the smaller core (files in memory only).
// The same declarations as 'wrun''s; `init` takes no wasmi add-on here.
export { WASI, WASIOptions, WasiInstanceLike, NodeFsLike, FileSystem, FileSystemPromises, Preopen, Stat, Dirent, Encoding, WrunError, WrunErrorKind, WasmSource, hasJSPI } from './index.js';
import type { WasmSource } from './index.js';

export declare function init(options?: {
  onProgress?: (progress: { done: number; total: number }) => void;
  /** The core, if not beside this file (`core/wrun_web_wasi_bg.wasm`; with `nodeFs`, `core/wrun_web_full_bg.wasm`). */
  module?: WasmSource;
  /** Pages: load the full core, which mounts a Node-`fs`-like object (memfs) as `fs`. Must come first. */
  nodeFs?: boolean;
}): Promise<unknown>;
