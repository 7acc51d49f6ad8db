//! Guest memory in the browser: a JS `WebAssembly.Memory`, reached by copies.
//!
//! Each copy is one call into a small JS function that views the memory's *current* buffer
//! (growth replaces it) and copies straight between it and the core's own memory: one boundary
//! crossing per copy, which is what dominates small calls such as a `println!`'s `fd_write`.

use js_sys::WebAssembly;
use runtime_core::GuestMemory;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function guest_size(m) { return m.buffer.byteLength; }
export function guest_read(m, offset, dst) { dst.set(new Uint8Array(m.buffer, offset, dst.length)); }
export function guest_write(m, offset, src) { new Uint8Array(m.buffer, offset, src.length).set(src); }
")]
extern "C" {
    fn guest_size(memory: &WebAssembly::Memory) -> f64;
    fn guest_read(memory: &WebAssembly::Memory, offset: u32, dst: &mut [u8]);
    fn guest_write(memory: &WebAssembly::Memory, offset: u32, src: &[u8]);
}

/// The guest's memory for the duration of one host call (it cannot grow while the guest waits
/// for the call, so its size is read once).
pub struct JsMemory<'a> {
    memory: Option<&'a WebAssembly::Memory>,
    size: u64,
}

impl<'a> JsMemory<'a> {
    pub fn new(memory: Option<&'a WebAssembly::Memory>) -> Self {
        let size = memory.map_or(0, |m| guest_size(m) as u64);
        Self { memory, size }
    }
}

impl GuestMemory for JsMemory<'_> {
    fn size(&self) -> u64 {
        self.size
    }
    fn copy_out(&self, offset: u32, out: &mut [u8]) {
        if let (Some(m), false) = (self.memory, out.is_empty()) {
            guest_read(m, offset, out);
        }
    }
    fn copy_in(&mut self, offset: u32, data: &[u8]) {
        if let (Some(m), false) = (self.memory, data.is_empty()) {
            guest_write(m, offset, data);
        }
    }
}
