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

/// Highest status a program may exit with as its own. 126 and up mean something else to whoever
/// runs it (a shell's "cannot execute", "not found", "killed by signal N"; wrun's 134 "trapped" and
/// 137 "killed"), so a guest could otherwise pass for a program that was stopped.
pub const MAX_EXIT_STATUS: u32 = 125;

/// The status a host reports for `proc_exit(code)`: the code, or, past [`MAX_EXIT_STATUS`],
/// [`InvalidExitStatus`] (reported as status 1 with its message, as wasmtime does).
pub fn exit_status(code: u32) -> Result<u8, InvalidExitStatus> {
    if code <= MAX_EXIT_STATUS {
        Ok(code as u8)
    } else {
        Err(InvalidExitStatus(code))
    }
}

/// A `proc_exit` status outside `0..=125`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the program exited with status {}, outside 0..=125; reported as exit status 1", signed(*.0))]
pub struct InvalidExitStatus(pub u32);

impl InvalidExitStatus {
    /// What a host reports instead.
    pub const STATUS: u8 = 1;
}

/// `exit(-1)` arrives as 4294967295; say it as the program wrote it.
fn signed(code: u32) -> String {
    if code > i32::MAX as u32 {
        format!("{}", code as i32)
    } else {
        code.to_string()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_past_125_are_refused() {
        assert_eq!(exit_status(0), Ok(0));
        assert_eq!(exit_status(125), Ok(125));
        for code in [126, 134, 137, 255, 256, u32::MAX] {
            assert_eq!(exit_status(code), Err(InvalidExitStatus(code)));
        }
        assert_eq!(
            InvalidExitStatus(u32::MAX).to_string(),
            "the program exited with status -1, outside 0..=125; reported as exit status 1"
        );
        assert!(InvalidExitStatus(256).to_string().contains("status 256,"));
    }
}
