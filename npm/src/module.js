// Programs: their bytes, their compile (asynchronous: Chromium refuses synchronous compiles over
// 8 MB) and the checks `wrun` makes natively, so both give the same one-line errors. Each
// distinct program is compiled and checked once per page.
import { WrunError } from './errors.js';

// Programs by content: candidates by byte length, confirmed by comparing the bytes (cheaper than
// hashing every program, and nothing is paid until a second program of the same length comes
// along). An entry keeps its own copy of the bytes, so a caller may reuse its buffer; the
// buffer's identity is never trusted (Node hands out small files as views of one shared pool).
// At most MAX_PROGRAMS are kept, the least recently run going first.
const MAX_PROGRAMS = 32;
const byLength = new Map();
const recent = new Set();

function sameBytes(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function asBytes(wasm) {
  if (wasm instanceof Uint8Array) return wasm;
  if (wasm instanceof ArrayBuffer) return new Uint8Array(wasm);
  if (ArrayBuffer.isView(wasm)) return new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength);
  throw new WrunError('invalid-module', 'expected the program as a WebAssembly.Module, Uint8Array, ArrayBuffer or Response');
}

function forget(entry) {
  recent.delete(entry);
  const list = (byLength.get(entry.bytes.length) ?? []).filter((e) => e !== entry);
  if (list.length) byLength.set(entry.bytes.length, list);
  else byLength.delete(entry.bytes.length);
}

/**
 * The program in `wasm` (bytes, an ArrayBuffer or a compiled WebAssembly.Module): an object to
 * hand to checkGuest and compileGuest, found again for the same bytes in any buffer. `owned`:
 * the bytes are the runtime's own (read from a Response), kept without a copy.
 */
export function program(wasm, { owned = false } = {}) {
  if (wasm instanceof WebAssembly.Module) return { module: Promise.resolve(wasm), compiled: wasm };
  const bytes = asBytes(wasm);
  let entry = (byLength.get(bytes.length) ?? []).find((e) => sameBytes(e.bytes, bytes));
  if (!entry) {
    // `checked`: the memory caps it passed the checks with; `checkedWhole`: read whole for them.
    entry = { bytes: owned ? bytes : bytes.slice(), module: null, checked: new Set(), checkedWhole: new Set() };
    byLength.set(bytes.length, [...(byLength.get(bytes.length) ?? []), entry]);
    if (recent.size >= MAX_PROGRAMS) forget(recent.values().next().value);
  }
  recent.delete(entry);
  recent.add(entry);
  return entry;
}

/**
 * Reads a fetched program. On the browser engine (`stream`) a program not seen before is
 * compiled from the response as it arrives (WebAssembly.compileStreaming), which overlaps the
 * download with compiling and lets a browser keep the compiled code in its own cache across
 * visits (Chromium does, for modules fetched over HTTP): a program given as `fetch(url)`
 * compiles once per browser, not once per visit.
 */
export async function streamGuest(response, { stream }) {
  const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  const length = Number(response.headers.get('content-length'));
  // A program of a length already seen may be one we have: read it first, then look.
  const known = Number.isInteger(length) && byLength.has(length);
  let streamed = null;
  let bytes;
  if (stream && !known && type === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function' && response.body) {
    ({ compiled: streamed, bytes } = readWhileCompiling(response.body));
    streamed.catch(() => {}); // surfaced through compileGuest, or unused
    bytes = await bytes;
  } else {
    bytes = new Uint8Array(await response.arrayBuffer());
  }
  const entry = program(bytes, { owned: true });
  if (streamed && !entry.module) {
    entry.module = streamed.catch((e) => {
      forget(entry);
      throw new WrunError('invalid-module', `invalid module: ${e.message}`);
    });
  }
  return entry;
}

/**
 * Reads `body` once, handing each chunk to a streaming compile as it arrives and keeping it: the
 * program compiles during its download and its bytes are there for the checks. (A Response's
 * clone() did the same with a second reader of the body, which cost a 2 MB program's first run
 * about 10 ms in Chromium.) `bytes` rejects if the download fails, and the compile with it.
 */
function readWhileCompiling(body) {
  let sink;
  // Once the compile has failed it cancels its stream: the rest is still read, for the checks
  // (whose message for a bad module is wrun's), but no longer handed on.
  let handing = true;
  // A default stream, not a byte stream: enqueueing does not transfer (detach) the chunks we keep.
  const toCompile = new ReadableStream({ start(controller) { sink = controller; }, cancel() { handing = false; } });
  const compiled = WebAssembly.compileStreaming(new Response(toCompile, { headers: { 'content-type': 'application/wasm' } }));
  const hand = (f) => {
    if (!handing) return;
    try {
      f();
    } catch {
      handing = false;
    }
  };
  const bytes = (async () => {
    const chunks = [];
    let length = 0;
    try {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        length += value.length;
        hand(() => sink.enqueue(value));
      }
    } catch (e) {
      hand(() => sink.error(e));
      throw e;
    }
    hand(() => sink.close());
    if (chunks.length === 1) return chunks[0];
    const all = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  })();
  return { compiled, bytes };
}

/** The compiled module of `p` (from `program`), compiled on first use. */
export function compileGuest(p) {
  if (p.module) return p.module;
  const bytes = p.bytes;
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    return Promise.reject(new WrunError('invalid-module', 'not a WebAssembly module: it does not start with the wasm magic bytes (\\0asm)'));
  }
  // Cached as a promise at once: a run compiles its program while the runtime loads and asks
  // again after its checks, and the two must share one compile.
  p.module = WebAssembly.compile(bytes).catch((e) => {
    forget(p);
    throw new WrunError('invalid-module', `invalid module: ${e.message}`);
  });
  return p.module;
}

/**
 * Makes the checks `wrun` makes before running a module, with the same messages (the core's
 * `checkModule`: imports and their signatures, the entry point, the memory cap). A program given
 * as a compiled WebAssembly.Module has no bytes to read: its imports and exports are checked by
 * name only.
 */
/**
 * Checks a program before it runs; returns whether it imports `wasi_unstable` (snapshot 0). Only
 * the sections before the code are read (what is checked lies there): a large program is not
 * copied into the core for it. The engine parses the rest as it compiles; when that fails,
 * `checkWholeGuest` says what `wrun` would have said. `whole`: read it all (for an engine that
 * would otherwise be the first to find a damaged section, with its own words: wasmi).
 */
export function checkGuest(core, p, maxMemoryBytes, { whole = false } = {}) {
  if (p.compiled) return checkModuleObject(p.compiled, core.wasiImports());
  if ((whole ? p.checkedWhole : p.checked).has(maxMemoryBytes)) return p.unstable;
  const head = whole ? p.bytes.length : headLength(p.bytes);
  try {
    p.unstable = head < p.bytes.length ? core.checkModuleHead(p.bytes.subarray(0, head), maxMemoryBytes) : core.checkModule(p.bytes, maxMemoryBytes);
  } catch {
    // The whole module's check has the last word (and the message wrun gives).
    return checkWholeGuest(core, p, maxMemoryBytes);
  }
  p.checked.add(maxMemoryBytes);
  if (head === p.bytes.length) p.checkedWhole.add(maxMemoryBytes);
  return p.unstable;
}

/** The check of the whole module (as `wrun` makes it), for a program the engine refused. */
export function checkWholeGuest(core, p, maxMemoryBytes) {
  if (p.compiled) return checkModuleObject(p.compiled, core.wasiImports());
  try {
    p.unstable = core.checkModule(p.bytes, maxMemoryBytes);
  } catch (e) {
    throw new WrunError(e.kind ?? 'invalid-module', e.message);
  }
  p.checked.add(maxMemoryBytes);
  p.checkedWhole.add(maxMemoryBytes);
  return p.unstable;
}

// How many bytes of `wasm` hold its sections up to the code section's header (id, size and
// count: at most 11 bytes), found by stepping over each section by its size; the whole length
// when there is no code section or a size cannot be read (the check then reads it all).
function headLength(wasm) {
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    let size = 0;
    let next = at + 1;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28 || next >= wasm.length) return wasm.length;
      const byte = wasm[next++];
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    if (id === 10) return Math.min(wasm.length, next + 5);
    at = next + size;
  }
  return wasm.length;
}

function checkModuleObject(module, wasiImports) {
  const sigs = new Map(wasiImports.map(([name, sig]) => [name, sig]));
  const versions = new Set();
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') {
      throw new WrunError('link', `the module imports \`${imp.module}::${imp.name}\`, which is not a function; wrun provides only WASI preview 1 functions`);
    }
    const known = imp.module === 'wasi_snapshot_preview1' || (imp.module === 'wasi_unstable' && imp.name !== 'sock_accept');
    if (!known || !sigs.has(imp.name)) {
      throw new WrunError('link', `the module imports \`${imp.module}::${imp.name}\`, which wrun does not provide`);
    }
    versions.add(imp.module);
  }
  if (versions.size > 1) throw new WrunError('link', 'the module imports both `wasi_snapshot_preview1` and `wasi_unstable`: one WASI or the other');
  const exports = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
  if (!exports.includes('_start')) {
    throw new WrunError('no-start', `the module has no \`_start\` function, so it is not a WASI command (it exports: ${exports.join(', ') || 'nothing'})`);
  }
  return versions.has('wasi_unstable');
}
