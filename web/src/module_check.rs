//! The checks `wrun` makes before running a module, for the web library: the same code and the
//! same one-line messages ([`runtime_core::module_check`]). The browser needs them more than a
//! native engine does: it accepts a JS function for any import signature, so a WASI import of the
//! wrong type would link and then misbehave.

use runtime_core::module_check::{self, CheckErrorKind, Wording};
use wasm_bindgen::prelude::*;

/// Throws an `Error` with `kind` "invalid-module", "link" or "no-start" if `wasm` is not a WASI
/// command this runtime can run (within `max_memory` bytes of memory, if given). Returns whether
/// it imports `wasi_unstable` (WASI's snapshot 0) rather than preview 1.
#[wasm_bindgen(js_name = checkModule)]
pub fn check_module(wasm: &[u8], max_memory: Option<f64>) -> Result<bool, JsValue> {
    let words = Wording { no_start_hint: "", memory_cap: "maxMemoryBytes", unknown_import_hint: "" };
    let version = module_check::check(wasm, None, max_memory.map(|m| m as u64), &words, false).map_err(|e| {
        let err = crate::errors::error(&e.message);
        let kind = match e.kind {
            CheckErrorKind::InvalidModule => "invalid-module",
            CheckErrorKind::Link => "link",
            CheckErrorKind::NoStart => "no-start",
        };
        let _ = js_sys::Reflect::set(&err, &"kind".into(), &kind.into());
        err
    })?;
    Ok(version == runtime_core::WasiVersion::Unstable)
}
