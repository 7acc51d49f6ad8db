//! Guest memory in the browser: a JS `WebAssembly.Memory`, reached by copies.
//!
//! Each copy is one call into a small JS function that copies straight between the guest's
//! memory and the core's own: one boundary crossing per copy, which is what dominates small calls
//! such as a `println!`'s `fd_write`.

use std::cell::Cell;

use js_sys::WebAssembly;
use runtime_core::GuestMemory;
use wasm_bindgen::prelude::*;

// Views of the two memories are cached across calls: making typed arrays was most of the cost of
// a small copy. A view is made again when its memory grew (growth detaches the old buffer, whose
// length then reads 0) or another guest's memory comes along. Short copies are a plain loop,
// cheaper than the subarray `set` needs. Both builds of this crate (with and without wasmi) load
// this one snippet module and so share its variables; only the build without wasmi ever makes a
// `JsMemory` (wasmi reaches guest memory itself), so `core` is always that build's memory.
#[wasm_bindgen(inline_js = "
let guest = null, guestView = null, shared = false, core = null, coreView = null;
function g(m) {
  if (m !== guest || guestView.byteLength === 0 || (shared && guestView.byteLength !== m.buffer.byteLength)) {
    guest = m;
    guestView = new Uint8Array(m.buffer);
    // A shared memory's buffer is not detached when it grows: its length must be compared.
    shared = typeof SharedArrayBuffer !== 'undefined' && guestView.buffer instanceof SharedArrayBuffer;
  }
  return guestView;
}
function c() {
  if (coreView === null || coreView.byteLength === 0) coreView = new Uint8Array(core.buffer);
  return coreView;
}
export function set_core_memory(m) { core = m; coreView = null; }
export function forget_guest(m) { if (guest === m) { guest = null; guestView = null; } }
export function guest_size(m) { return g(m).byteLength; }
// Copies `len` bytes from `from` at `at` to `to` at `ptr`: short copies as a plain loop, cheaper
// than the subarray `set` needs.
function copy(from, at, to, ptr, len) {
  if (len <= 64) { for (let i = 0; i < len; i++) to[ptr + i] = from[at + i]; }
  else to.set(from.subarray(at, at + len), ptr);
}
export function guest_read(m, offset, ptr, len) {
  copy(g(m), offset, c(), ptr, len);
}
// A call's iovecs, as `[pointer, length]` pairs. Each is read from guest memory once: another
// thread of a shared memory may change it meanwhile, and what was checked must be what is copied.
const iov = new Float64Array(16);
// Reads the `n` ciovecs at `iovs` of `from` into `iov`: their total, or -1 if there are more than
// 8 or any lies (or the array itself) outside memory.
function readIovecs(from, iovs, n) {
  const size = from.byteLength;
  if (n > 8 || iovs + 8 * n > size) return -1;
  let total = 0;
  for (let i = 0, k = iovs; i < n; i++, k += 8) {
    const p = (from[k] | from[k + 1] << 8 | from[k + 2] << 16 | from[k + 3] << 24) >>> 0;
    const l = (from[k + 4] | from[k + 5] << 8 | from[k + 6] << 16 | from[k + 7] << 24) >>> 0;
    if (p + l > size) return -1;
    iov[2 * i] = p;
    iov[2 * i + 1] = l;
    total += l;
  }
  return total;
}
// Copies the bytes of the `n` ciovecs at `iovs` to `ptr` in the core, in order, if all lie in
// memory and they fit in `cap`: their total, else -1 (the core then takes its general path).
export function guest_gather(m, iovs, n, ptr, cap) {
  const from = g(m), to = c();
  const total = readIovecs(from, iovs, n);
  if (total < 0 || total > cap) return -1;
  for (let i = 0; i < n; i++) {
    copy(from, iov[2 * i], to, ptr, iov[2 * i + 1]);
    ptr += iov[2 * i + 1];
  }
  return total;
}
// As guest_gather, the iovecs' bytes copied into one new Uint8Array handed to `f`: `fd_write` to
// a callback, its bytes copied once. Their total; -1 for the core's general path; -2 if f threw.
export function deliver_iovecs(m, iovs, n, max, f) {
  const from = g(m);
  const total = readIovecs(from, iovs, n);
  if (total < 0 || total > max) return -1;
  // One iovec holding it all (beside empty ones: wasi-libc's stdio writes [empty, data]) is one
  // slice; else the pieces are put together. Either way a new, unshared buffer.
  let single = -1;
  for (let i = 0; i < n && single < 0; i++) if (iov[2 * i + 1] === total) single = i;
  let out;
  if (single >= 0) {
    out = from.slice(iov[2 * single], iov[2 * single] + total);
  } else {
    out = new Uint8Array(total);
    for (let i = 0, at = 0; i < n; i++) {
      out.set(from.subarray(iov[2 * i], iov[2 * i] + iov[2 * i + 1]), at);
      at += iov[2 * i + 1];
    }
  }
  try { f(out); return total; } catch { return -2; }
}
// Copies `chunk`'s bytes from `from` to `end` into the `n` iovecs at `iovs` of the guest's memory
// `m`, in order, as many as they hold: `fd_read` from a page's stdin, each byte copied once. How
// many; -1 if an iovec lies outside memory or there are more than 8 (the core's general path).
export function fill_iovecs(m, iovs, n, chunk, from, end) {
  const to = g(m);
  if (readIovecs(to, iovs, n) < 0) return -1;
  let at = from;
  for (let i = 0; i < n && at < end; i++) {
    const l = Math.min(iov[2 * i + 1], end - at);
    copy(chunk, at, to, iov[2 * i], l);
    at += l;
  }
  return at - from;
}
// The view of the memory `deliver` was last given (a build's own, which only a growth replaces).
let out = null, outView = null;
export function deliver(memory, f, ptr, len) {
  if (memory !== out || outView.byteLength === 0) { out = memory; outView = new Uint8Array(memory.buffer); }
  try { f(outView.slice(ptr, ptr + len)); return true; } catch { return false; }
}
export function guest_write(m, offset, ptr, len) {
  copy(c(), ptr, g(m), offset, len);
}
")]
extern "C" {
    fn set_core_memory(memory: JsValue);
    fn forget_guest(memory: &WebAssembly::Memory);
    fn guest_size(memory: &WebAssembly::Memory) -> f64;
    fn guest_read(memory: &WebAssembly::Memory, offset: u32, ptr: u32, len: u32);
    fn guest_write(memory: &WebAssembly::Memory, offset: u32, ptr: u32, len: u32);
    fn guest_gather(memory: &WebAssembly::Memory, iovs: u32, count: u32, ptr: u32, cap: u32) -> i32;
    fn deliver_iovecs(memory: &WebAssembly::Memory, iovs: u32, count: u32, max: u32, callback: &js_sys::Function) -> i32;
    fn deliver(core_memory: &JsValue, callback: &js_sys::Function, ptr: u32, len: u32) -> bool;
    fn fill_iovecs(memory: &WebAssembly::Memory, iovs: u32, count: u32, chunk: &js_sys::Uint8Array, from: f64, end: f64) -> f64;
}

/// Copies the bytes of `chunk` from `from` to `end` into the `count` iovecs at `iovs` of the
/// guest's memory, as many as they hold, in one call into JS: how many, or `None` if an iovec
/// lies outside memory or there are more than 8 of them (the core's general path takes the call).
pub fn fill_guest_iovecs(memory: &WebAssembly::Memory, iovs: u32, count: u32, chunk: &js_sys::Uint8Array, from: usize, end: usize) -> Option<usize> {
    let n = fill_iovecs(memory, iovs, count, chunk, from as f64, end as f64);
    (n >= 0.0).then_some(n as usize)
}

/// What [`deliver_from_guest`] did.
pub enum Delivered {
    /// This many bytes went to the callback.
    Bytes(usize),
    /// The callback threw.
    Threw,
    /// Not done: an iovec outside memory, too many of them or too many bytes; the core's
    /// general path takes the call.
    NotHere,
}

/// Calls `callback` with a copy, made straight from the guest's memory `memory`, of the bytes of
/// the `count` ciovecs at `iovs` (at most `max` in all), in one call into JS.
pub fn deliver_from_guest(memory: &WebAssembly::Memory, iovs: u32, count: u32, max: usize, callback: &js_sys::Function) -> Delivered {
    // The total comes back as an i32: never more than it holds.
    match deliver_iovecs(memory, iovs, count, max.min(i32::MAX as usize) as u32, callback) {
        -2 => Delivered::Threw,
        n if n >= 0 => Delivered::Bytes(n as usize),
        _ => Delivered::NotHere,
    }
}

/// Calls `callback` with a copy of `bytes` (in `core_memory`, this build's own memory:
/// `wasm_bindgen::memory()`) as a `Uint8Array`, in one call into JS, the copy and the call; false
/// if the callback threw. The memory is passed (the snippet keeps a view of the last one given,
/// made again for another): both builds may share the snippet.
pub fn deliver_copy(core_memory: &JsValue, callback: &js_sys::Function, bytes: &[u8]) -> bool {
    deliver(core_memory, callback, bytes.as_ptr() as u32, bytes.len() as u32)
}

thread_local! {
    static CORE_MEMORY_SET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Drops the cached view of `memory`, so a finished guest's memory is not kept alive by it.
pub fn release(memory: &WebAssembly::Memory) {
    forget_guest(memory);
}

/// Hands the JS side this module's own memory, once.
fn ensure_core_memory() {
    CORE_MEMORY_SET.with(|set| {
        if !set.get() {
            set_core_memory(wasm_bindgen::memory());
            set.set(true);
        }
    });
}

/// The guest's memory for the duration of one host call.
///
/// Its size is costly to ask (a call out to JS), and memories only grow, so the session keeps
/// the size it saw last and asks again only when an access reaches past it: a program printing
/// lines never asks.
pub struct JsMemory<'a> {
    memory: Option<&'a WebAssembly::Memory>,
    known_size: &'a Cell<u64>,
}

impl<'a> JsMemory<'a> {
    /// `known_size` is what the session saw of this memory before (0 at first).
    pub fn new(memory: Option<&'a WebAssembly::Memory>, known_size: &'a Cell<u64>) -> Self {
        ensure_core_memory();
        Self { memory, known_size }
    }
}

impl GuestMemory for JsMemory<'_> {
    fn size(&self) -> u64 {
        let size = self.memory.map_or(0, |m| guest_size(m) as u64);
        self.known_size.set(size);
        size
    }
    fn reaches(&self, end: u64) -> bool {
        end <= self.known_size.get() || end <= self.size()
    }
    fn copy_out(&self, offset: u32, out: &mut [u8]) {
        if let (Some(m), false) = (self.memory, out.is_empty()) {
            // The core is 32-bit: its addresses fit in u32.
            guest_read(m, offset, out.as_mut_ptr() as u32, out.len() as u32);
        }
    }
    fn copy_in(&mut self, offset: u32, data: &[u8]) {
        if let (Some(m), false) = (self.memory, data.is_empty()) {
            guest_write(m, offset, data.as_ptr() as u32, data.len() as u32);
        }
    }
    fn host_memory(&self) -> Option<&dyn std::any::Any> {
        self.memory.map(|m| m as &dyn std::any::Any)
    }
    fn try_gather(&self, iovs: u32, count: u32, max: usize, out: &mut Vec<u8>) -> bool {
        let Some(m) = self.memory else { return false };
        // Room for a line or a stdio buffer's worth, kept by the caller between calls.
        out.clear();
        out.reserve(GATHER_ROOM);
        let cap = out.capacity().min(max) as u32;
        let total = guest_gather(m, iovs, count, out.as_mut_ptr() as u32, cap);
        if total < 0 {
            return false;
        }
        // SAFETY: the JS side wrote `total` (≤ the capacity) bytes at the vector's start.
        unsafe { out.set_len(total as usize) };
        true
    }
}

/// What [`JsMemory::try_gather`] makes room for before asking: one JS call copies up to this.
const GATHER_ROOM: usize = 16 * 1024;
