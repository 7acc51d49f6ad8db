//! The one way into WASI for every engine: a function, its raw arguments and the guest's memory
//! in; a [`CallOutcome`] out, which says all an engine has to do next.
//!
//! An adapter's part is only what differs between engines: turning its values into `u64`s
//! ([`RawArgs`]), finding the memory, and acting on the outcome (write the errno result, unwind
//! with an exit, trap, pause the guest, or stop it).

use crate::ctx::WasiCtx;
use crate::error::SysError;
use crate::imports::{self, WasiFunc, WasiVersion};
use crate::memory::GuestMemory;

/// The most parameters a preview 1 function takes (`path_open`).
pub const MAX_PARAMS: usize = 9;

/// How a WASI call ended, for the engine that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    /// Give this errno back to the guest as the call's result (0: success).
    Return(u16),
    /// The program ends with this status (`proc_exit`), from any call depth: unwind the guest.
    Exit(u32),
    /// The guest broke the ABI (a pointer out of bounds, say): trap. The message names the call.
    Trap(String),
    /// The call cannot complete without waiting and this embedder cannot block. Nothing changed:
    /// pause the guest and make the same call again once input arrives or its deadline passes.
    Suspend,
    /// The run's time limit passed while the call waited: stop the run.
    Interrupted,
}

/// A call's arguments as an engine holds them: each `i32` zero-extended, each `i64` as its bits.
/// Kept inline (a host call allocates nothing), and small enough to keep with a paused call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawArgs {
    values: [u64; MAX_PARAMS],
    len: usize,
}

impl RawArgs {
    /// The arguments, in order.
    pub fn as_slice(&self) -> &[u64] {
        &self.values[..self.len.min(MAX_PARAMS)]
    }
}

impl FromIterator<u64> for RawArgs {
    /// Takes the arguments in order. More than [`MAX_PARAMS`] are counted, not kept: no WASI
    /// function takes that many, so the call traps on its arity.
    fn from_iter<I: IntoIterator<Item = u64>>(iter: I) -> Self {
        let mut args = RawArgs::default();
        for v in iter {
            if let Some(slot) = args.values.get_mut(args.len) {
                *slot = v;
            }
            args.len += 1;
        }
        args
    }
}

/// Makes the call `func(args)` on `ctx` over `mem`.
pub fn call(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, func: WasiFunc, args: &RawArgs) -> CallOutcome {
    if args.len != func.params().len() {
        return CallOutcome::Trap(format!("{}: expected {} arguments, got {}", func.name(), func.params().len(), args.len));
    }
    // (Only runs reaching a tree elsewhere may be made again: the others skip the bookkeeping.)
    let clocks = if ctx.deferred_links.is_empty() { 0 } else { ctx.clock_mark() };
    let result = match ctx.version {
        WasiVersion::Preview1 => imports::call_checked(ctx, mem, func, args.as_slice()),
        WasiVersion::Unstable => crate::unstable::call_checked(ctx, mem, func, args.as_slice()),
    };
    // A call that stopped for an answer from a tree's owner changed nothing: it is made again
    // once the answer is there (see `vfs::remote`). Whatever it returned meanwhile is moot.
    for link in &ctx.deferred_links {
        if link.is_waiting() {
            ctx.reset_clocks(clocks);
            return CallOutcome::Suspend;
        }
        link.call_ended();
    }
    match result {
        Ok(errno) => CallOutcome::Return(errno),
        Err(SysError::Errno(e)) => CallOutcome::Return(e.raw()),
        Err(SysError::Exit(code)) => CallOutcome::Exit(code),
        Err(SysError::Trap(msg)) => CallOutcome::Trap(format!("{}: {msg}", func.name())),
        Err(SysError::WouldBlock) => CallOutcome::Suspend,
        Err(SysError::Interrupted) => CallOutcome::Interrupted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_name_the_call_and_check_the_arity() {
        let mut ctx = {
            let mut b = WasiCtx::builder();
            b.deterministic(0);
            b.build().unwrap_or_else(|e| panic!("{e}"))
        };
        let mut mem = vec![0u8; 64];
        let args = |v: &[u64]| v.iter().copied().collect::<RawArgs>();
        assert_eq!(call(&mut ctx, &mut mem, WasiFunc::FdClose, &args(&[99])), CallOutcome::Return(8)); // EBADF
        assert_eq!(call(&mut ctx, &mut mem, WasiFunc::ProcExit, &args(&[3])), CallOutcome::Exit(3));
        assert!(matches!(call(&mut ctx, &mut mem, WasiFunc::FdTell, &args(&[1, 1 << 20])), CallOutcome::Trap(m) if m.starts_with("fd_tell: ")));
        assert!(matches!(call(&mut ctx, &mut mem, WasiFunc::FdClose, &args(&[1, 2])), CallOutcome::Trap(m) if m.contains("expected 1 arguments, got 2")));
        let eleven: RawArgs = (0..11).collect();
        assert_eq!(eleven.as_slice().len(), MAX_PARAMS);
        assert!(matches!(call(&mut ctx, &mut mem, WasiFunc::PathOpen, &eleven), CallOutcome::Trap(m) if m.contains("got 11")));
    }
}
