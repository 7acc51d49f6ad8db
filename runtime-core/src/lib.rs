//! WASI preview 1, implemented once, for any engine.
//!
//! An engine adapter registers each [`WasiFunc`] of the [`imports`] table and makes each call
//! through [`dispatch::call`] with the run's [`WasiCtx`] and a [`GuestMemory`] over the instance's
//! memory; the [`dispatch::CallOutcome`] says what the engine does next.
//! Everything WASI means — descriptors, paths, polling, clocks — lives here; the filesystem is a
//! [`wasi_vfs`] tree; time, randomness, stdio and waiting come from the embedder ([`embedder`]).
//!
//! ```
//! use runtime_core::{imports::{self, WasiFunc}, WasiCtx, embedder::CollectOutput};
//!
//! let out = CollectOutput::default();
//! let mut b = WasiCtx::builder();
//! b.arg("hello").stdout(Box::new(out.clone())).deterministic(0);
//! let mut ctx = b.build().unwrap();
//!
//! // A guest memory holding one ciovec {ptr: 16, len: 3} at 0 and the bytes "hi\n" at 16.
//! let mut mem = vec![0u8; 64];
//! mem[0..4].copy_from_slice(&16u32.to_le_bytes());
//! mem[4..8].copy_from_slice(&3u32.to_le_bytes());
//! mem[16..19].copy_from_slice(b"hi\n");
//! let errno = imports::call(&mut ctx, &mut mem, WasiFunc::FdWrite, &[1, 0, 1, 32]).unwrap();
//! assert_eq!(errno, 0);
//! assert_eq!(&*out.data.borrow(), b"hi\n");
//! assert_eq!(mem[32], 3); // nwritten
//! ```
//!
//! Crate features:
//!
//! | feature | adds |
//! |---|---|
//! | `module-check` | [`module_check`]: the checks of a module that `wrun` and the web library share (wasmparser) |
//! | `wasmi` | `interpreter`: the wasmi engine both use, and [`limits::GrowthBudget`] as wasmi's limiter |
//!
//! The crate builds for `wasm32-unknown-unknown` and uses no threads, no `std::fs` and no system
//! clock.

pub mod abi;
pub mod ctx;
pub mod dispatch;
pub mod error;
pub mod fd_table;
pub mod embedder;
pub mod imports;
#[cfg(feature = "wasmi")]
pub mod interpreter;
pub mod limits;
pub mod memory;
#[cfg(feature = "module-check")]
pub mod module_check;
pub mod syscalls;
pub mod unstable;

pub use ctx::{WasiCtx, WasiCtxBuilder};
pub use dispatch::{CallOutcome, RawArgs};
pub use error::{SysError, SysResult};
pub use imports::{WasiFunc, WasiVersion, MODULE};
pub use memory::GuestMemory;
pub use wasi_vfs::{self as vfs, Errno};
