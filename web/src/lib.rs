//! wrun for web pages and Node: the same runtime-core as the native `wrun`, compiled to
//! `wasm32-unknown-unknown` with wasm-bindgen.
//!
//! The guest program runs on the host's own WebAssembly engine (V8, SpiderMonkey, JSC): the JS
//! side of the npm package compiles it, and wires each `wasi_snapshot_preview1` import to
//! [`WasiSession::call`], which makes the call through runtime-core's `dispatch`, as every engine
//! does. Guest memory is reached through a cached `Uint8Array` view, made again when the memory
//! grew (growth detaches the old buffer; see `memory.rs`).
//!
//! A call that must wait (stdin empty, a sleep) returns [`CALL_WOULD_BLOCK`] having changed
//! nothing; the JS side suspends the guest (JSPI) until input arrives or the deadline passes and
//! calls again.

mod errors;
mod fs;
mod js_env;
mod memory;
// Only `run`/`spawn` check and cap programs, and only they serve other threads' calls: the
// `wrun/wasi` entry's build (without the `runner` feature) leaves these out.
#[cfg(feature = "runner")]
mod memory_cap;
#[cfg(feature = "runner")]
mod module_check;
mod path_api;
#[cfg(any(feature = "runner", feature = "remote-client"))]
mod remote_fs;
mod session;
#[cfg(feature = "wasmi")]
mod wasmi_run;

pub use fs::FileSystem;
#[cfg(any(feature = "runner", feature = "remote-client"))]
pub use remote_fs::FsOwner;
pub use session::{SessionBuilder, WasiSession, CALL_EXIT, CALL_TRAP, CALL_WOULD_BLOCK};
#[cfg(feature = "wasmi")]
pub use wasmi_run::WasmiRun;

use wasm_bindgen::prelude::*;

/// Every WASI preview 1 import as `[name, signature]`, the signature one letter per parameter
/// (`i` = i32, `I` = i64), for the JS side to build the import object from.
#[wasm_bindgen(js_name = wasiImports)]
pub fn wasi_imports() -> js_sys::Array {
    runtime_core::WasiFunc::ALL
        .iter()
        .map(|f| {
            let sig: String = f
                .params()
                .iter()
                .map(|p| match p {
                    runtime_core::imports::ValType::I32 => 'i',
                    runtime_core::imports::ValType::I64 => 'I',
                })
                .collect();
            js_sys::Array::of2(&JsValue::from_str(f.name()), &JsValue::from_str(&sig))
        })
        .collect()
}

/// Whether this build has the `runner` feature, which the `wrun/wasi` entry's leaves out: module checks,
/// serving other threads, saved trees and tar images. (All builds share one JS glue, whose
/// methods for those exist either way.)
#[wasm_bindgen(js_name = wholeCore)]
pub fn whole_core() -> bool {
    cfg!(feature = "runner")
}

/// For a `proc_exit` status: nothing when a program may exit with it (0 to 125), else the message
/// to report, the run then ending with status 1 as in the native `wrun` and wasmtime.
#[wasm_bindgen(js_name = invalidExitStatus)]
pub fn invalid_exit_status(code: u32) -> Option<String> {
    runtime_core::syscalls::proc::exit_status(code).err().map(|e| e.to_string())
}
