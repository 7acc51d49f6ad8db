//! The checks `wrun` makes before running a module, for the web library: the same code and the
//! same one-line messages ([`runtime_core::module_check`]). The browser needs them more than a
//! native engine does: it accepts a JS function for any import signature, so a WASI import of the
//! wrong type would link and then misbehave.

use runtime_core::module_check::{self, CheckError, CheckErrorKind, Wording};
use runtime_core::WasiVersion;
use wasm_bindgen::prelude::*;

const WORDS: Wording = Wording { no_start_hint: "", memory_cap: "maxMemoryBytes", unknown_import_hint: "" };

/// Throws an `Error` with `kind` "invalid-module", "link" or "no-start" if `wasm` is not a WASI
/// command this runtime can run (within `max_memory` bytes of memory, if given). Returns whether
/// it imports `wasi_unstable` (WASI's snapshot 0) rather than preview 1.
#[wasm_bindgen(js_name = checkModule)]
pub fn check_module(wasm: &[u8], max_memory: Option<f64>) -> Result<bool, JsValue> {
    answer(module_check::check(wasm, None, max_memory.map(|m| m as u64), &WORDS, false))
}

/// As `checkModule`, given only the module's start: its bytes up to the code section's header
/// (`module_check::check_head`). The page's engine parses the rest as it compiles.
#[wasm_bindgen(js_name = checkModuleHead)]
pub fn check_module_head(head: &[u8], max_memory: Option<f64>) -> Result<bool, JsValue> {
    answer(module_check::check_head(head, None, max_memory.map(|m| m as u64), &WORDS, false))
}

fn answer(checked: Result<WasiVersion, CheckError>) -> Result<bool, JsValue> {
    let version = checked.map_err(|e| {
        let kind = match e.kind {
            CheckErrorKind::InvalidModule => "invalid-module",
            CheckErrorKind::Link => "link",
            CheckErrorKind::NoStart => "no-start",
        };
        crate::errors::kinded_error(&e.message, kind)
    })?;
    Ok(version == WasiVersion::Unstable)
}
