//! The one error type of syscalls: an errno for the guest, or an outcome that ends or pauses the call.

use wasi_vfs::Errno;

/// Why a syscall did not return normally.
///
/// Syscalls use it with plain `?`: a filesystem [`Errno`] converts into it, and so do the traps
/// raised by guest-memory accesses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SysError {
    /// Returned to the guest as the function's errno result.
    #[error("errno {0:?}: {0}")]
    Errno(Errno),
    /// The guest broke the ABI (e.g. a pointer out of bounds); the call must trap.
    #[error("{0}")]
    Trap(String),
    /// `proc_exit` (or `proc_raise`): the program ends with this status, from any call depth.
    #[error("exit with status {0}")]
    Exit(u32),
    /// The call cannot complete without waiting (stdin empty, a poll timeout in the future) and the
    /// embedder cannot block. Nothing was changed: suspend the guest and call again once woken.
    #[error("would block")]
    WouldBlock,
    /// The run's time limit passed while the call waited (an embedder that blocks says so through
    /// [`crate::embedder::Wake::Interrupted`]): the run stops.
    #[error("interrupted: the run's time limit passed")]
    Interrupted,
}

impl From<Errno> for SysError {
    fn from(e: Errno) -> Self {
        SysError::Errno(e)
    }
}

pub type SysResult<T> = Result<T, SysError>;

impl SysError {
    /// The errno to give the guest when the call completes with an error, or `None` when the call
    /// must not return (trap, exit, suspend).
    pub fn errno(&self) -> Option<Errno> {
        match self {
            SysError::Errno(e) => Some(*e),
            _ => None,
        }
    }
}
