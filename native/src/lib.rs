//! `wrun` as a library: the pieces of the CLI that load, check and run a module, so that other
//! code (the fuzz targets in `fuzz/`, through the `wrun-fuzzing` crate) drives exactly the path a
//! user's `wrun FILE.wasm` takes. The binary (`main.rs`) only parses flags, builds the context
//! and reports the outcome.
//!
//! ```
//! use runtime_core::WasiCtx;
//! use wrun::cli::EngineKind;
//! use wrun::engines::{self, Outcome, RunOptions};
//! use wrun::module_check;
//!
//! let text = br#"(module
//!     (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
//!     (memory (export "memory") 1)
//!     (func (export "_start") (call $exit (i32.const 7))))"#;
//! let wasm = module_check::to_binary(text.to_vec()).unwrap();
//! module_check::check(&wasm, None, Some(1 << 20), false).unwrap();
//! let mut b = WasiCtx::builder();
//! b.deterministic(0);
//! let opts = RunOptions { fuel: Some(100_000), max_memory: Some(1 << 20), ..RunOptions::default() };
//! let (outcome, _ctx) = engines::run(EngineKind::Wasmi, &wasm, b.build().unwrap(), &opts).unwrap();
//! assert_eq!(outcome, Outcome::Exited(7));
//! ```

pub mod cache;
pub mod cli;
pub mod engines;
pub mod os_env;
pub mod module_check;
pub mod mounts;
pub mod tiering;
