//! `differential`: the same call sequences against an in-memory tree and a host directory (a
//! fresh temporary directory), which must give the same results: the same errno or trap, the same
//! bytes written to guest memory, the same descriptors open, and in the end the same tree.
//!
//! A third side runs them on another in-memory tree reached through a remote link whose answers
//! come later ([`wasi_vfs::remote`], as a worker run in the browser reaches its page's tree):
//! each call stops at its first unanswered request and is made again with the answer, so this
//! checks that no WASI call changes anything before its filesystem requests. It must match the
//! in-memory side exactly but for inode numbers (normalized as for the host).
//!
//! Both sides start from the same seeded tree ([`crate::tree::seed`], without the absolute
//! symlink a host directory cannot hold) with the root preopened at fd 3 and `d` at fd 4 (a
//! confined subtree on the in-memory side, its own host directory on the other).
//!
//! Whatever the backing, a successful `fd_write`/`fd_pwrite` reports every byte of its iovecs
//! written (both backings take whole writes; empty iovecs anywhere count for nothing), and
//! `fd_read`/`fd_pread` no more than the iovecs hold.
//!
//! What is allowed to differ, and why (each exclusion is as narrow as the difference):
//! - In `filestat` results: `dev`, `ino` and the three timestamps (a host assigns its own numbers
//!   and stamps real times; the in-memory tree counts from 1 and stamps a fixed clock), and for
//!   directories also `nlink` and `size` (a host reports block sizes and its own link counting).
//! - In `fd_readdir` results: `d_ino`, for the same reason.
//! - When the in-memory tree answers `ENOSPC` its quota ([`crate::wasi_calls::QUOTA`]) is full
//!   where the host disk is not; the trees differ from there on, so the comparison stops.

use std::rc::Rc;

use runtime_core::dispatch::{self, CallOutcome, RawArgs};
use runtime_core::{imports, SysError, WasiCtx, WasiFunc};
use wasi_vfs::host::HostDir;
use wasi_vfs::mem::MemFs;
use wasi_vfs::remote::{FsServer, Link, RemoteDir};
use wasi_vfs::{Dir, Errno};

use crate::calls::{self, Op, Program};
use crate::{tree, wasi_calls};

/// Runs one input.
pub fn run(data: &[u8]) {
    let program = Program::decode(data);
    let tmp = crate::scratch_dir();
    let root = tmp.path().join("root");
    std::fs::create_dir(&root).expect("mkdir root");
    let host_root = HostDir::open_ambient(&root).expect("open the host root");
    tree::seed(&host_root, false).expect("seed the host tree");
    let fs = MemFs::with_quota(wasi_calls::QUOTA);
    tree::seed(&*fs.root(), false).expect("seed the in-memory tree");

    let owned = MemFs::with_quota(wasi_calls::QUOTA);
    tree::seed(&*owned.root(), false).expect("seed the owner's tree");

    let mut sides = [
        Side::new(fs.root(), fs.confined_dir("d").expect("seeded d")),
        Side::new(Box::new(host_root), Box::new(HostDir::open_ambient(&root.join("d")).expect("open d"))),
    ];
    let mut remote = Side::remote(owned.root(), owned.confined_dir("d").expect("seeded d"));
    for op in &program.ops {
        match op {
            Op::Poke { slot, bytes } => sides.iter_mut().chain([&mut remote]).for_each(|s| Op::poke(&mut s.mem, *slot, bytes)),
            Op::Call { func, args } => {
                let [mem_side, host_side] = &mut sides;
                let a = mem_side.call(*func, args);
                let b = host_side.call(*func, args);
                let c = remote.call(*func, args);
                // WRUN_FUZZ_TRACE=1 prints every call and its three results: how a finding is read.
                if std::env::var_os("WRUN_FUZZ_TRACE").is_some() {
                    eprintln!("{} {args:x?}: {a:?} {b:?} {c:?}", func.name());
                }
                assert_eq!(a, c, "{} {args:x?}: in memory {a:?}, through a remote link {c:?}", func.name());
                if a != b {
                    if inherent(&a) {
                        return;
                    }
                    panic!("{} {args:x?}: in memory {a:?}, on the host {b:?}", func.name());
                }
                transfer_counts_match_the_iovecs(*func, args, &a, &sides[0].mem);
                for side in sides.iter_mut().chain([&mut remote]) {
                    normalize(*func, args, &a, &mut side.mem);
                }
                // Inode numbers may differ through a link: a file closed there is let go of
                // with the next request, so a number freed at once in memory is reused later.
                if let Some(at) = sides[0].mem.iter().zip(&remote.mem).position(|(x, y)| x != y) {
                    panic!("{} {args:x?} -> {a:?}: guest memory differs at {at:#x} through a remote link", func.name());
                }
                if let Some(at) = sides[0].mem.iter().zip(&sides[1].mem).position(|(x, y)| x != y) {
                    let show = |m: &[u8]| m[at.saturating_sub(8)..(at + 24).min(m.len())].to_vec();
                    panic!(
                        "{} {args:x?} -> {a:?}: guest memory differs at {at:#x}: in memory {:x?}, on the host {:x?}",
                        func.name(),
                        show(&sides[0].mem),
                        show(&sides[1].mem)
                    );
                }
                let fds = |s: &mut Side| s.ctx.fds().open_fds().collect::<Vec<_>>();
                let (fa, fb) = (fds(&mut sides[0]), fds(&mut sides[1]));
                assert_eq!(fa, fb, "{} {args:x?}: open descriptors differ", func.name());
                if matches!(a, Err(SysError::Exit(_))) {
                    break;
                }
            }
        }
    }
    let a = tree::snapshot(&*fs.root()).expect("snapshot the in-memory tree");
    assert_eq!(a, tree::snapshot(&*owned.root()).expect("snapshot the owner's tree"), "the tree reached remotely differs at the end");
    let b = tree::snapshot(&HostDir::open_ambient(&root).expect("reopen the host root")).expect("snapshot the host tree");
    assert_eq!(a, b, "the trees differ at the end");
}

struct Side {
    ctx: WasiCtx,
    mem: Vec<u8>,
    /// For a side whose trees are remote: the owner, and the link whose answers come later.
    owner: Option<(FsServer, Rc<Link>)>,
}

impl Side {
    fn new(root: Box<dyn Dir>, sub: Box<dyn Dir>) -> Self {
        let mut b = WasiCtx::builder();
        b.arg("fuzz").env("K", "V").deterministic(0);
        b.preopen("/sandbox", root).preopen("/sub", sub);
        Side { ctx: b.build().expect("context"), mem: calls::memory(), owner: None }
    }

    /// `root` and `sub` served by an owner, reached through a deferred link.
    fn remote(root: Box<dyn Dir>, sub: Box<dyn Dir>) -> Self {
        let mut server = FsServer::new();
        let link = Link::deferred();
        let (r, s) = (server.add_root(root), server.add_root(sub));
        let mut b = WasiCtx::builder();
        b.arg("fuzz").env("K", "V").deterministic(0);
        b.preopen("/sandbox", Box::new(RemoteDir::new(link.clone(), r))).preopen("/sub", Box::new(RemoteDir::new(link.clone(), s)));
        b.deferred_link(link.clone());
        Side { ctx: b.build().expect("context"), mem: calls::memory(), owner: Some((server, link)) }
    }

    /// Makes the call; on a remote side through the engines' one entry, again after each
    /// answer, as an engine does when a call suspends.
    fn call(&mut self, func: WasiFunc, args: &[u64]) -> Result<u16, SysError> {
        let Some((server, link)) = &mut self.owner else {
            return imports::call(&mut self.ctx, &mut self.mem, func, args);
        };
        let raw: RawArgs = args.iter().copied().collect();
        loop {
            match dispatch::call(&mut self.ctx, &mut self.mem, func, &raw) {
                CallOutcome::Suspend => {
                    let message = link.waiting().expect("a call suspends only for an answer here");
                    link.answer(server.serve(&message));
                }
                CallOutcome::Return(errno) => return Ok(errno),
                CallOutcome::Exit(code) => return Err(SysError::Exit(code)),
                CallOutcome::Trap(message) => {
                    let prefix = format!("{}: ", func.name());
                    return Err(SysError::Trap(message.strip_prefix(&prefix).unwrap_or(&message).to_owned()));
                }
                CallOutcome::Interrupted => return Err(SysError::Interrupted),
            }
        }
    }
}

/// The one difference the backings are allowed (see the module documentation); the caller stops.
fn inherent(mem: &Result<u16, SysError>) -> bool {
    *mem == Ok(Errno::Nospc.raw())
}

/// Zeroes what may differ in a successful call's output (see the module documentation).
fn normalize(func: WasiFunc, args: &[u64], result: &Result<u16, SysError>, mem: &mut [u8]) {
    if *result != Ok(0) {
        return;
    }
    match func {
        WasiFunc::FdFilestatGet => normalize_filestat(mem, args[1]),
        WasiFunc::PathFilestatGet => normalize_filestat(mem, args[4]),
        WasiFunc::FdReaddir => {
            let (buf, used_at) = (args[1] as u32 as usize, args[4] as u32 as usize);
            let used = u32::from_le_bytes(mem[used_at..used_at + 4].try_into().unwrap_or([0; 4])) as usize;
            let region = &mut mem[buf..buf + used];
            let mut at = 0usize;
            while at < region.len() {
                // d_ino is bytes 8..16 of each 24-byte header; a cut-off header keeps what fits.
                let end = region.len();
                region[(at + 8).min(end)..(at + 16).min(end)].fill(0);
                let Some(namlen) = region.get(at + 16..at + 20) else { break };
                let namlen = u32::from_le_bytes(namlen.try_into().unwrap_or([0; 4])) as usize;
                at += 24 + namlen;
            }
        }
        _ => {}
    }
}

/// The plain reference for descriptor I/O: the iovecs' lengths added up (capped, as the core
/// caps one transfer).
fn transfer_counts_match_the_iovecs(func: WasiFunc, args: &[u64], result: &Result<u16, SysError>, mem: &[u8]) {
    const MAX_TRANSFER: u64 = 16 * 1024 * 1024;
    let (count_at, exact) = match func {
        WasiFunc::FdWrite => (args[3], true),
        WasiFunc::FdPwrite => (args[4], true),
        WasiFunc::FdRead => (args[3], false),
        WasiFunc::FdPread => (args[4], false),
        _ => return,
    };
    if *result != Ok(0) {
        return;
    }
    let word = |at: usize| u32::from_le_bytes([mem[at], mem[at + 1], mem[at + 2], mem[at + 3]]);
    let (iovs, n) = (args[1] as u32 as usize, args[2] as u32 as usize);
    let total: u64 = (0..n).map(|i| u64::from(word(iovs + i * 8 + 4))).sum::<u64>().min(MAX_TRANSFER);
    let done = u64::from(word(count_at as u32 as usize));
    if exact {
        assert_eq!(done, total, "{} {args:x?}: {done} bytes written of the iovecs' {total}", func.name());
    } else {
        assert!(done <= total, "{} {args:x?}: {done} bytes read into iovecs of {total}", func.name());
    }
}

fn normalize_filestat(mem: &mut [u8], at: u64) {
    let at = at as u32 as usize;
    let st = &mut mem[at..at + 64];
    st[0..16].fill(0);
    if st[16] == wasi_vfs::FileType::Directory as u8 {
        st[24..40].fill(0);
    }
    st[40..64].fill(0);
}
