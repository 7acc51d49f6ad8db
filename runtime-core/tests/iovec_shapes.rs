//! `fd_write`, `fd_pwrite`, `fd_read` and `fd_pread` over random iovec shapes (empty iovecs
//! anywhere, many of them, large ones) on every backing a descriptor can have: an in-memory file,
//! a host file, an output stream and an input stream. Each result is compared with a plain
//! reference: the iovecs' bytes concatenated in order.
//!
//! wasi-libc's stdio writes `[empty buffer, data]` on every unbuffered `fputs`; a gather loop that
//! stopped at the first empty iovec once made every C program that writes to stderr spin forever.
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use proptest::prelude::*;
use runtime_core::embedder::{BytesInput, CollectOutput};
use runtime_core::{imports, WasiCtx, WasiFunc};
use wasi_vfs::host::HostDir;
use wasi_vfs::mem::MemFs;
use wasi_vfs::{ops, Dir};

/// Where the iovec array starts in guest memory, where the result count goes, and where the
/// buffers the iovecs point at begin.
const IOVS: u32 = 64;
const NOUT: u32 = 16;
const BUFS: u32 = 4096;
const PATH: u32 = 1024;
/// A descriptor's first free number: 0-2 are stdio, 3 the preopen.
const FILE_FD: u64 = 4;

/// Iovec lengths: mostly small, often empty, sometimes bigger than any stdio buffer.
fn iovec_len() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => Just(0u32),
        4 => 1u32..16,
        2 => 16u32..2000,
        1 => 2000u32..70_000,
    ]
}

/// Up to 40 iovecs (more than the four read without allocating), and a seed for their bytes.
fn shape() -> impl Strategy<Value = (Vec<u32>, u8)> {
    (prop::collection::vec(iovec_len(), 0..40), any::<u8>())
}

/// Guest memory holding the iovec array for `lens`, each buffer filled with distinct bytes (and a
/// gap between buffers, so a copy into the wrong place shows); returns the buffers' places.
fn memory_with(lens: &[u32], seed: u8) -> (Vec<u8>, Vec<(u32, u32)>) {
    let mut at = BUFS;
    let mut places = Vec::new();
    for &len in lens {
        places.push((at, len));
        at += len + 7;
    }
    let mut mem = vec![0u8; at as usize + 64];
    for (i, &(ptr, len)) in places.iter().enumerate() {
        let slot = IOVS as usize + i * 8;
        mem[slot..slot + 4].copy_from_slice(&ptr.to_le_bytes());
        mem[slot + 4..slot + 8].copy_from_slice(&len.to_le_bytes());
        for (j, b) in mem[ptr as usize..(ptr + len) as usize].iter_mut().enumerate() {
            *b = seed.wrapping_add(i as u8).wrapping_mul(31).wrapping_add(j as u8);
        }
    }
    (mem, places)
}

/// The reference: the iovecs' bytes in order.
fn concatenated(mem: &[u8], places: &[(u32, u32)]) -> Vec<u8> {
    places.iter().flat_map(|&(ptr, len)| mem[ptr as usize..(ptr + len) as usize].to_vec()).collect()
}

fn count(mem: &[u8]) -> usize {
    u32::from_le_bytes(mem[NOUT as usize..NOUT as usize + 4].try_into().unwrap()) as usize
}

/// A run with `dir` preopened at fd 3, stdout collected and `stdin` as input; `f` opened
/// read-write (created, emptied) at fd 4.
fn context(dir: Box<dyn Dir>, stdin: Vec<u8>, mem: &mut Vec<u8>) -> (WasiCtx, CollectOutput) {
    let out = CollectOutput::default();
    let mut b = WasiCtx::builder();
    b.deterministic(0).preopen("/", dir).stdout(Box::new(out.clone())).stdin(Box::new(BytesInput::new(stdin)));
    let mut ctx = b.build().unwrap();
    mem[PATH as usize] = b'f';
    // path_open(3, 0, "f", O_CREAT | O_TRUNC, all rights, 0, &fd)
    let args = [3, 0, u64::from(PATH), 1, 1 | 8, u64::MAX, u64::MAX, 0, u64::from(NOUT)];
    assert_eq!(imports::call(&mut ctx, mem, WasiFunc::PathOpen, &args), Ok(0));
    assert_eq!(count(mem), FILE_FD as usize);
    (ctx, out)
}

/// A directory of each backing a file can have, and a way to open it again to look inside.
struct Backing {
    name: &'static str,
    open: Box<dyn Fn() -> Box<dyn Dir>>,
    _tmp: Option<tempfile::TempDir>,
}

fn file_backings() -> Vec<Backing> {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().to_path_buf();
    let fs = MemFs::new();
    vec![
        Backing { name: "in-memory", open: Box::new(move || fs.root()), _tmp: None },
        Backing { name: "host", open: Box::new(move || Box::new(HostDir::open_ambient(&path).unwrap())), _tmp: Some(tmp) },
    ]
}

fn call(ctx: &mut WasiCtx, mem: &mut Vec<u8>, func: WasiFunc, args: &[u64]) {
    assert_eq!(imports::call(ctx, mem, func, args), Ok(0), "{}", func.name());
}

proptest! {
    // Failures print their minimal input; nothing is written beside the sources.
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn writes_take_every_iovec((lens, seed) in shape()) {
        let n = lens.len() as u64;
        for backing in file_backings() {
            let name = backing.name;
            let (mut mem, places) = memory_with(&lens, seed);
            let want = concatenated(&mem, &places);
            let (mut ctx, out) = context((backing.open)(), Vec::new(), &mut mem);

            call(&mut ctx, &mut mem, WasiFunc::FdWrite, &[FILE_FD, u64::from(IOVS), n, u64::from(NOUT)]);
            prop_assert_eq!(count(&mem), want.len(), "fd_write to a file ({})", name);
            prop_assert_eq!(&ops::read_file(&*(backing.open)(), "f").unwrap(), &want, "{}", name);

            // pwrite at 3 over what is there: the head stays, the rest is the iovecs again (and
            // writing nothing extends nothing, even past the end).
            call(&mut ctx, &mut mem, WasiFunc::FdPwrite, &[FILE_FD, u64::from(IOVS), n, 3, u64::from(NOUT)]);
            prop_assert_eq!(count(&mem), want.len(), "fd_pwrite ({})", name);
            let mut expect = want[..want.len().min(3)].to_vec();
            if !want.is_empty() {
                expect.resize(3, 0);
                expect.extend_from_slice(&want);
            }
            prop_assert_eq!(&ops::read_file(&*(backing.open)(), "f").unwrap(), &expect, "{}", name);

            call(&mut ctx, &mut mem, WasiFunc::FdWrite, &[1, u64::from(IOVS), n, u64::from(NOUT)]);
            prop_assert_eq!(count(&mem), want.len(), "fd_write to stdout");
            ctx.flush_outputs();
            prop_assert_eq!(&*out.data.borrow(), &want);
        }
    }

    #[test]
    fn reads_fill_every_iovec_in_order((lens, seed) in shape(), extra in 0usize..100, short in any::<bool>()) {
        let n = lens.len() as u64;
        let total: usize = lens.iter().map(|&l| l as usize).sum();
        // The source holds more than the iovecs take, or (when `short`) fewer bytes.
        let len = if short { total / 2 } else { total + extra };
        let source: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
        for backing in file_backings() {
            let name = backing.name;
            let (mut mem, places) = memory_with(&lens, seed);
            let (mut ctx, _) = context((backing.open)(), source.clone(), &mut mem);
            // Put the source into the file through a one-iovec write at a spare place.
            let spare = mem.len() as u32;
            mem.resize(mem.len() + source.len() + 16, 0);
            mem[spare as usize..spare as usize + source.len()].copy_from_slice(&source);
            mem[8..12].copy_from_slice(&spare.to_le_bytes());
            mem[12..16].copy_from_slice(&(source.len() as u32).to_le_bytes());
            call(&mut ctx, &mut mem, WasiFunc::FdPwrite, &[FILE_FD, 8, 1, 0, u64::from(NOUT)]);

            let untouched = mem.clone();
            let expect_n = total.min(source.len());
            for (func, args, what) in [
                (WasiFunc::FdRead, vec![FILE_FD, u64::from(IOVS), n, u64::from(NOUT)], "fd_read of a file"),
                (WasiFunc::FdPread, vec![FILE_FD, u64::from(IOVS), n, 0, u64::from(NOUT)], "fd_pread"),
                (WasiFunc::FdRead, vec![0, u64::from(IOVS), n, u64::from(NOUT)], "fd_read of stdin"),
            ] {
                let mut got = untouched.clone();
                call(&mut ctx, &mut got, func, &args);
                prop_assert_eq!(count(&got), expect_n, "{} ({})", what, name);
                prop_assert_eq!(&concatenated(&got, &places)[..expect_n], &source[..expect_n], "{} ({})", what, name);
                // Past what was read, and outside the iovecs, memory is as it was.
                let mut rest = got.clone();
                rest[NOUT as usize..NOUT as usize + 4].copy_from_slice(&untouched[NOUT as usize..NOUT as usize + 4]);
                let mut left = expect_n;
                for &(ptr, len) in &places {
                    let taken = (len as usize).min(left);
                    rest[ptr as usize..ptr as usize + taken].copy_from_slice(&untouched[ptr as usize..ptr as usize + taken]);
                    left -= taken;
                }
                prop_assert!(rest == untouched, "{} ({}) wrote outside what it read", what, name);
            }
        }
    }
}
