//! Inputs the `wasi_calls` and `differential` fuzz targets found (see `SECURITY.md`), as calls
//! through the import table over an in-memory tree.
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use runtime_core::{imports, Errno, WasiCtx, WasiFunc};
use wasi_vfs::mem::MemFs;
use wasi_vfs::ops;

/// A context with `fs` preopened at fd 3, a 64 KiB memory, and `name` opened read-write at fd 4.
fn with_open_file(fs: &MemFs, name: &str) -> (WasiCtx, Vec<u8>) {
    let mut b = WasiCtx::builder();
    b.deterministic(0).preopen("/", fs.root());
    let mut ctx = b.build().unwrap();
    let mut mem = vec![0u8; 65536];
    mem[1024..1024 + name.len()].copy_from_slice(name.as_bytes());
    let args = [3, 1, 1024, name.len() as u64, 1, u64::MAX, u64::MAX, 0, 0];
    assert_eq!(imports::call(&mut ctx, &mut mem, WasiFunc::PathOpen, &args), Ok(0));
    assert_eq!(mem[0], 4);
    // One iovec at 16: 8 bytes at 256.
    mem[16..20].copy_from_slice(&256u32.to_le_bytes());
    mem[20..24].copy_from_slice(&8u32.to_le_bytes());
    (ctx, mem)
}

/// `fd_pread`/`fd_pwrite` starting past `i64::MAX`: a host file answers `EINVAL` (a negative
/// `off_t`); the in-memory tree read nothing and succeeded.
#[test]
fn positional_io_past_i64_max_is_einval() {
    let fs = MemFs::new();
    ops::write_file(&*fs.root(), "f", b"data").unwrap();
    let (mut ctx, mut mem) = with_open_file(&fs, "f");
    let inval = Ok(Errno::Inval.raw());
    for offset in [u64::MAX, i64::MAX as u64 + 1] {
        assert_eq!(imports::call(&mut ctx, &mut mem, WasiFunc::FdPread, &[4, 16, 1, offset, 32]), inval);
        assert_eq!(imports::call(&mut ctx, &mut mem, WasiFunc::FdPwrite, &[4, 16, 1, offset, 32]), inval);
    }
    assert_eq!(ops::read_file(&*fs.root(), "f").unwrap(), b"data");
}

/// A transfer ending past `i64::MAX` (from a position `fd_seek` may set) is `EINVAL` on a host
/// (`rw_verify_area`); the in-memory tree read nothing and succeeded.
#[test]
fn transfers_ending_past_i64_max_are_einval() {
    let fs = MemFs::new();
    ops::write_file(&*fs.root(), "f", b"data").unwrap();
    let (mut ctx, mut mem) = with_open_file(&fs, "f");
    let inval = Ok(Errno::Inval.raw());
    // The iovec covers 8 bytes.
    let last_start = i64::MAX as u64 - 8;
    assert_eq!(imports::call(&mut ctx, &mut mem, WasiFunc::FdPread, &[4, 16, 1, last_start, 32]), Ok(0));
    assert_eq!(imports::call(&mut ctx, &mut mem, WasiFunc::FdPread, &[4, 16, 1, last_start + 1, 32]), inval);
    assert_eq!(imports::call(&mut ctx, &mut mem, WasiFunc::FdPwrite, &[4, 16, 1, last_start + 1, 32]), inval);
    assert_eq!(imports::call(&mut ctx, &mut mem, WasiFunc::FdSeek, &[4, i64::MAX as u64, 0, 40]), Ok(0));
    assert_eq!(imports::call(&mut ctx, &mut mem, WasiFunc::FdRead, &[4, 16, 1, 32]), inval);
    assert_eq!(imports::call(&mut ctx, &mut mem, WasiFunc::FdWrite, &[4, 16, 1, 32]), inval);
    // Nothing to transfer is fine anywhere.
    mem[20..24].copy_from_slice(&0u32.to_le_bytes());
    assert_eq!(imports::call(&mut ctx, &mut mem, WasiFunc::FdRead, &[4, 16, 1, 32]), Ok(0));
    assert_eq!(ops::read_file(&*fs.root(), "f").unwrap(), b"data");
}
