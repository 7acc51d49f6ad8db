//! Guest memory in the browser: a JS `WebAssembly.Memory`, reached by copies through a fresh
//! `Uint8Array` view made for each host call (growth detaches the previous buffer).

use js_sys::{Uint8Array, WebAssembly};
use runtime_core::GuestMemory;
use wasm_bindgen::JsCast;

pub struct JsMemory {
    view: Uint8Array,
}

impl JsMemory {
    pub fn new(memory: &WebAssembly::Memory) -> Self {
        let buffer = memory.buffer();
        let view = match buffer.dyn_ref::<js_sys::ArrayBuffer>() {
            Some(b) => Uint8Array::new(b),
            // A shared memory's buffer is a SharedArrayBuffer; Uint8Array takes it the same way.
            None => Uint8Array::new(&buffer),
        };
        Self { view }
    }

    /// A memory of size zero, for calls made before the guest's memory is known.
    pub fn empty() -> Self {
        Self { view: Uint8Array::new_with_length(0) }
    }
}

impl GuestMemory for JsMemory {
    fn size(&self) -> u64 {
        u64::from(self.view.length())
    }
    fn copy_out(&self, offset: u32, out: &mut [u8]) {
        self.view.subarray(offset, offset + out.len() as u32).copy_to(out);
    }
    fn copy_in(&mut self, offset: u32, data: &[u8]) {
        self.view.subarray(offset, offset + data.len() as u32).copy_from(data);
    }
}
