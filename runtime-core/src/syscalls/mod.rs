//! One `pub fn` per WASI preview 1 function, named as in the spec.
//!
//! Each takes the run's [`WasiCtx`](crate::WasiCtx), the guest memory and the raw ABI arguments,
//! writes results through guest pointers and returns `Ok(())` for `ESUCCESS`. Failures are a
//! [`SysError`](crate::SysError): an errno for the guest, a trap, an exit, or "would block".

pub mod args_env;
pub mod clock;
pub mod fd;
pub mod fd_attrs;
pub mod path;
pub mod poll;
pub mod proc;
pub mod random;
pub mod readdir;
pub mod sock;
