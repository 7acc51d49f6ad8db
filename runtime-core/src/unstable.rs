//! `wasi_unstable`, WASI's snapshot 0 (before 2020): the same functions as preview 1 under another
//! module name, with three differences in the ABI, translated here so that the handlers stay
//! preview 1's (as wasmtime's adapter for it does):
//! - `fd_seek`'s `whence` counts CUR = 0, END = 1, SET = 2 (preview 1: SET = 0, CUR = 1, END = 2);
//! - a `filestat` (`fd_filestat_get`, `path_filestat_get`) is 56 bytes with `nlink` a u32 at 20
//!   (preview 1: 64 bytes, `nlink` a u64 at 24, everything after it 8 bytes further on);
//! - a clock subscription of `poll_oneoff` starts with a u64 `identifier`, so subscriptions are
//!   56 bytes (preview 1: 48);
//!
//! and no `sock_accept`. Errno values, rights, flags and the other layouts are the same.

use crate::abi::{self, eventtype, layout};
use crate::ctx::WasiCtx;
use crate::error::{SysError, SysResult};
use crate::imports::{self, WasiFunc};
use crate::memory::{GuestMemory, Out};
use crate::syscalls::{fd_attrs, path, poll};

/// The import module name.
pub const MODULE: &str = "wasi_unstable";
/// Bytes of a snapshot 0 `filestat`.
pub const FILESTAT_SIZE: usize = 56;
/// Bytes of a snapshot 0 `subscription`.
pub const SUBSCRIPTION_SIZE: u32 = 56;

/// Encodes a snapshot 0 `filestat`: dev, ino, filetype u8 @16, nlink u32 @20, size @24, atim,
/// mtim, ctim.
pub fn encode_filestat(st: &wasi_vfs::Filestat) -> [u8; FILESTAT_SIZE] {
    let p1 = abi::encode_filestat(st);
    let mut out = [0u8; FILESTAT_SIZE];
    out[..17].copy_from_slice(&p1[..17]);
    out[20..24].copy_from_slice(&u32::try_from(st.nlink).unwrap_or(u32::MAX).to_le_bytes());
    out[24..].copy_from_slice(&p1[32..]);
    out
}

/// Snapshot 0 subscriptions in preview 1's layout: a clock subscription loses its identifier.
fn subscriptions_to_preview1(raw: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() / SUBSCRIPTION_SIZE as usize * layout::SUBSCRIPTION_SIZE as usize);
    for sub in raw.chunks_exact(SUBSCRIPTION_SIZE as usize) {
        out.extend_from_slice(&sub[..16]);
        let body = if sub[8] == eventtype::CLOCK { &sub[24..56] } else { &sub[16..48] };
        out.extend_from_slice(body);
    }
    out
}

/// `fd_seek`'s `whence` in preview 1's numbering (an unknown value stays unknown: `EINVAL`).
fn whence_to_preview1(whence: u64) -> u64 {
    match whence {
        0 => u64::from(abi::whence::CUR),
        1 => u64::from(abi::whence::END),
        2 => u64::from(abi::whence::SET),
        other => other,
    }
}

/// [`imports::call_checked`] for a module importing `wasi_unstable`: the same handlers, with the
/// differences above translated on the way in and out.
pub(crate) fn call_checked(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, func: WasiFunc, raw: &[u64]) -> SysResult<u16> {
    let arg = |i: usize| raw.get(i).copied().unwrap_or(0);
    let done = |r: SysResult<()>| match r {
        Ok(()) => Ok(0),
        Err(SysError::Errno(e)) => Ok(e.raw()),
        Err(other) => Err(other),
    };
    match func {
        WasiFunc::FdSeek => {
            let mut args = [0u64; 4];
            for (a, r) in args.iter_mut().zip(raw) {
                *a = *r;
            }
            args[2] = whence_to_preview1(args[2]);
            imports::call_checked(ctx, mem, func, &args)
        }
        WasiFunc::FdFilestatGet => done((|| {
            let out = Out::<FILESTAT_SIZE>::checked(arg(1) as u32, &*mem)?;
            let st = fd_attrs::fd_filestat(ctx, arg(0) as u32)?;
            out.write(mem, &encode_filestat(&st))
        })()),
        WasiFunc::PathFilestatGet => done((|| {
            let out = Out::<FILESTAT_SIZE>::checked(arg(4) as u32, &*mem)?;
            let st = path::path_filestat(ctx, &*mem, arg(0) as u32, arg(1) as u32, arg(2) as u32, arg(3) as u32)?;
            out.write(mem, &encode_filestat(&st))
        })()),
        WasiFunc::PollOneoff => done((|| {
            let nevents = Out::<4>::checked(arg(3) as u32, &*mem)?;
            poll::poll_with(ctx, mem, arg(0) as u32, arg(1) as u32, arg(2) as u32, nevents, SUBSCRIPTION_SIZE, subscriptions_to_preview1)
        })()),
        WasiFunc::SockAccept => Err(SysError::Trap("sock_accept is not part of wasi_unstable".into())),
        _ => imports::call_checked(ctx, mem, func, raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filestat_moves_nlink_and_what_follows() {
        let st = wasi_vfs::Filestat { dev: 1, ino: 2, filetype: wasi_vfs::FileType::RegularFile, nlink: 3, size: 4, atim: 5, mtim: 6, ctim: 7 };
        let b = encode_filestat(&st);
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap_or_default());
        assert_eq!((u64_at(0), u64_at(8), b[16]), (1, 2, 4));
        assert_eq!(u32::from_le_bytes(b[20..24].try_into().unwrap_or_default()), 3);
        assert_eq!((u64_at(24), u64_at(32), u64_at(40), u64_at(48)), (4, 5, 6, 7));
    }

    #[test]
    fn clock_subscriptions_lose_their_identifier() {
        let mut clock = vec![0u8; 56];
        clock[0] = 9; // userdata
        clock[8] = eventtype::CLOCK;
        clock[16] = 0xee; // identifier, dropped
        clock[24] = 1; // clock id
        clock[32] = 100; // timeout
        clock[48] = 1; // flags
        let mut read = vec![0u8; 56];
        read[8] = eventtype::FD_READ;
        read[16] = 7; // fd
        let p1 = subscriptions_to_preview1([clock, read].concat());
        assert_eq!(p1.len(), 96);
        assert_eq!((p1[0], p1[8], p1[16], p1[24], p1[40]), (9, eventtype::CLOCK, 1, 100, 1));
        assert_eq!((p1[56], p1[64]), (eventtype::FD_READ, 7));
    }

    #[test]
    fn whence_is_renumbered() {
        assert_eq!([0, 1, 2, 3].map(whence_to_preview1), [1, 2, 0, 3]);
    }
}
