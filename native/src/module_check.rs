//! Checks before a module is compiled, so every engine gives the same one-line error for the same
//! bad input: [`check`] runs the engine-neutral checks the web library shares
//! ([`runtime_core::module_check`]: not wasm, a component, an import we do not provide, a WASI
//! import with the wrong signature, no `_start`, a memory larger than `--max-memory` allows); a
//! module an engine then refuses is explained by [`load_failure`].

use anyhow::bail;
use runtime_core::module_check::{self, Wording};
use runtime_core::WasiVersion;

/// Turns the file's bytes into a binary module: WebAssembly text is assembled, anything else is
/// taken as it is (and [`check`] refuses it if it is no module).
pub fn to_binary(bytes: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    let text = std::str::from_utf8(&bytes).ok().map(str::trim_start);
    if text.is_some_and(|t| t.starts_with('(') || t.starts_with(";;")) {
        return wat::parse_bytes(&bytes).map(|b| b.into_owned()).map_err(|e| invalid_text(&e));
    }
    if bytes.is_empty() {
        bail!("not a WebAssembly module: the file is empty");
    }
    // Not text: [`check`] names what is wrong with it, in the words the web library uses too.
    Ok(bytes)
}

/// `wat` renders an error as the message, then a `--> <anon>:LINE:COL` line and a source snippet;
/// a wrun message is one line, so this keeps the message and the position.
fn invalid_text(e: &wat::Error) -> anyhow::Error {
    let text = e.to_string();
    let message = text.lines().next().unwrap_or_default().trim();
    let position = text.lines().find_map(|l| l.trim().strip_prefix("--> ")).and_then(|loc| {
        let mut parts = loc.rsplitn(3, ':');
        let col = parts.next()?;
        let line = parts.next()?;
        Some(format!(" at line {line}, column {col}"))
    });
    anyhow::anyhow!("invalid WebAssembly text{}: {message}", position.unwrap_or_default())
}

/// Checks imports, memories and the entry point. `invoke` is the `--invoke` function, if any;
/// `max_memory` is `--max-memory`; `unknown_imports_trap` is `--unknown-imports-trap`. Returns
/// the WASI the module imports (preview 1, or `wasi_unstable`).
pub fn check(wasm: &[u8], invoke: Option<&str>, max_memory: Option<u64>, unknown_imports_trap: bool) -> anyhow::Result<WasiVersion> {
    let words = Wording {
        no_start_hint: "; to call one of its exports use --invoke NAME",
        memory_cap: "--max-memory",
        unknown_import_hint: "; --unknown-imports-trap runs it anyway, trapping if it is called",
    };
    Ok(module_check::check(wasm, invoke, max_memory, &words, unknown_imports_trap)?)
}

/// Why an engine refused a module that passed [`check`]: the validator's reason when the module is
/// invalid, so every engine reports the same thing; otherwise the engine's own reason (a feature it
/// does not support), cut to its first line.
pub fn load_failure(wasm: &[u8], engine: &str, engine_error: &str) -> anyhow::Error {
    match wasmparser::Validator::new().validate_all(wasm) {
        Err(e) => anyhow::anyhow!("invalid module: {e}"),
        Ok(_) => {
            let reason = engine_error.lines().next().unwrap_or_default().trim();
            anyhow::anyhow!("the {engine} engine cannot load this module: {reason}")
        }
    }
}

/// Whether the module defines a shared memory. Only threads need one, and WASI preview 1 cannot
/// start them; the compilers (built with atomics, which single-threaded programs use too) would
/// otherwise refuse it at instantiation in wasmtime's words.
pub fn defines_shared_memory(wasm: &[u8]) -> bool {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(wasmparser::Payload::MemorySection(reader)) => return reader.into_iter().any(|m| m.is_ok_and(|m| m.shared)),
            // Memories come before code: no need to read a big module further.
            Ok(wasmparser::Payload::CodeSectionStart { .. }) | Err(_) => return false,
            _ => {}
        }
    }
    false
}
