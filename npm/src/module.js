// Compiling guests: asynchronously (Chromium refuses synchronous compiles over 8 MB), once per
// distinct module (a WeakMap on the bytes' buffer, and a by-content cache for copies of them),
// with the checks `wrun` makes natively so both give the same one-line errors.
import { WrunError } from './errors.js';

const byBuffer = new WeakMap();

// Compiled modules by content. Candidates are found by byte length and confirmed by comparing
// the bytes, so nothing is paid until a second buffer of the same length comes along (hashing
// every program cost milliseconds on each first run). Each entry keeps its own copy of the
// bytes: a caller may reuse its buffer for something else.
const byLength = new Map();

function sameBytes(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function findByContent(bytes) {
  for (const entry of byLength.get(bytes.length) ?? []) {
    if (sameBytes(entry.bytes, bytes)) return entry.module;
  }
  return undefined;
}

/** `module` may be a promise of one: it is found while it compiles. */
function rememberContent(bytes, module) {
  const list = byLength.get(bytes.length) ?? [];
  if (!list.some((e) => e.module === module)) list.push({ bytes: bytes.slice(), module });
  byLength.set(bytes.length, list);
}

function forgetContent(bytes, module) {
  const list = (byLength.get(bytes.length) ?? []).filter((e) => e.module !== module);
  if (list.length) byLength.set(bytes.length, list);
  else byLength.delete(bytes.length);
}

function asBytes(wasm) {
  if (wasm instanceof Uint8Array) return wasm;
  if (wasm instanceof ArrayBuffer) return new Uint8Array(wasm);
  if (ArrayBuffer.isView(wasm)) return new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength);
  throw new WrunError('invalid-module', 'expected the program as a WebAssembly.Module, Uint8Array, ArrayBuffer or Response');
}

/** Compiles (or fetches from the cache) a guest given as bytes, a Response or a Module. */
export async function compileGuest(wasm) {
  if (wasm instanceof WebAssembly.Module) return wasm;
  if (typeof Response !== 'undefined' && wasm instanceof Response) wasm = new Uint8Array(await wasm.arrayBuffer());
  const bytes = asBytes(wasm);
  const cached = byBuffer.get(bytes.buffer);
  if (cached && cached.length === bytes.length) return cached.module;
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new WrunError('invalid-module', 'not a WebAssembly module: it does not start with the wasm magic bytes (\\0asm)');
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    throw new WrunError('invalid-module', 'this is a WebAssembly component or an unknown version; wrun runs core modules (WASI preview 1)');
  }
  // The promise is cached before anything is awaited: a run compiles its program while the
  // runtime loads and asks again after its checks, and the two must share one compile.
  let module = findByContent(bytes);
  if (!module) {
    module = WebAssembly.compile(bytes).catch((e) => {
      forgetContent(bytes, module);
      throw new WrunError('invalid-module', `invalid module: ${e.message}`);
    });
    rememberContent(bytes, module);
  }
  byBuffer.set(bytes.buffer, { module, length: bytes.length });
  return module;
}

/**
 * The bytes of a fetched program. On the browser engine its compile starts from the response as
 * it streams (WebAssembly.compileStreaming), which is also what lets a browser keep the compiled
 * code in its own cache across page loads (Chromium does, for modules it fetched over HTTP), so
 * a program given as `fetch(url)` compiles once per browser, not once per visit. The result is
 * kept where compileGuest looks, so the bytes are not compiled a second time.
 */
export async function streamGuest(response) {
  const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  const stream = typeof WebAssembly.compileStreaming === 'function' && type === 'application/wasm' && response.body;
  const copy = stream ? response.clone() : null;
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!copy) return bytes;
  const known = findByContent(bytes);
  if (known) {
    copy.body.cancel().catch(() => {});
    byBuffer.set(bytes.buffer, { module: known, length: bytes.length });
    return bytes;
  }
  const module = WebAssembly.compileStreaming(copy).catch((e) => {
    forgetContent(bytes, module);
    throw new WrunError('invalid-module', `invalid module: ${e.message}`);
  });
  module.catch(() => {}); // surfaced by compileGuest
  rememberContent(bytes, module);
  byBuffer.set(bytes.buffer, { module, length: bytes.length });
  return bytes;
}

const checked = new WeakMap();

/**
 * Makes the checks `wrun` makes before running a module, with the same messages (the core's
 * `checkModule`: imports and their signatures, the entry point, the memory cap). A program given
 * as a compiled WebAssembly.Module has no bytes to read: its imports and exports are checked by
 * name only.
 */
export function checkGuest(core, wasm, maxMemoryBytes) {
  if (wasm instanceof WebAssembly.Module) return checkModuleObject(wasm, core.wasiImports());
  const bytes = asBytes(wasm);
  const seen = checked.get(bytes.buffer);
  if (seen && seen.length === bytes.length && seen.maxMemoryBytes === maxMemoryBytes) return;
  try {
    core.checkModule(bytes, maxMemoryBytes);
  } catch (e) {
    throw new WrunError(e.kind ?? 'invalid-module', e.message);
  }
  checked.set(bytes.buffer, { length: bytes.length, maxMemoryBytes });
}

function checkModuleObject(module, wasiImports) {
  const sigs = new Map(wasiImports.map(([name, sig]) => [name, sig]));
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') {
      throw new WrunError('link', `the module imports \`${imp.module}::${imp.name}\`, which is not a function; wrun provides only WASI preview 1 functions`);
    }
    if (imp.module !== 'wasi_snapshot_preview1' || !sigs.has(imp.name)) {
      const hint = imp.module === 'wasi_unstable' ? ' (`wasi_unstable` is the pre-2020 WASI; rebuild for wasm32-wasip1)' : '';
      throw new WrunError('link', `the module imports \`${imp.module}::${imp.name}\`, which wrun does not provide${hint}`);
    }
  }
  const exports = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
  if (!exports.includes('_start')) {
    throw new WrunError('no-start', `the module has no \`_start\` function, so it is not a WASI command (it exports: ${exports.join(', ') || 'nothing'})`);
  }
}
