//! `proc_exit`, `proc_raise`, `sched_yield`.

use wasi_vfs::Errno;

use crate::abi::signal;
use crate::ctx::WasiCtx;
use crate::error::{SysError, SysResult};
use crate::memory::GuestMemory;

/// Ends the run with `code` from any call depth: the engine unwinds the guest and reports it.
pub fn proc_exit(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, code: u32) -> SysResult<()> {
    ctx.flush_outputs();
    Err(SysError::Exit(code))
}

/// Signals do not exist in WASI preview 1 runtimes: like wasmtime, a valid signal number gets
/// `ENOTSUP` (there is no handler to run) and an invalid one `EINVAL`.
pub fn proc_raise(_ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, sig: u32) -> SysResult<()> {
    if sig > u32::from(signal::MAX) {
        return Err(Errno::Inval.into());
    }
    Err(Errno::Notsup.into())
}

/// A single-threaded guest has nobody to yield to.
pub fn sched_yield(_ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory) -> SysResult<()> {
    Ok(())
}
