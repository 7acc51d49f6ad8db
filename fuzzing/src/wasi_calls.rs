//! `wasi_calls`: sequences of WASI calls with arbitrary arguments against runtime-core over an
//! in-memory tree (a preopen of its root at fd 3 and a confined preopen of `d` at fd 4), with a
//! `Vec<u8>` as guest memory.
//!
//! Nothing may panic, and after every call:
//! - the call returned an errno, or trapped because a pointer was out of bounds, or exited
//!   (`proc_exit` only); a deterministic context never asks to block;
//! - every descriptor the table reports open answers `fd_fdstat_get`;
//! - every open regular file reads back exactly as many bytes as its size, and so does every file
//!   of the tree read through a fresh open; a symlink's size is its target's length;
//! - `fd_readdir` of the root (through the ABI, on a second context so the program's own listing
//!   snapshot is not disturbed) lists exactly the names `path_filestat_get` finds, with the same
//!   types and inode numbers; every directory's `entries()` agrees with `stat_at` likewise;
//! - the quota's bookkeeping equals the bytes of the files in the tree (plus, while files are
//!   open, possibly unlinked ones).

use std::collections::{BTreeMap, BTreeSet};

use runtime_core::fd_table::Descriptor;
use runtime_core::{imports, SysError, WasiCtx, WasiFunc};
use wasi_vfs::mem::MemFs;
use wasi_vfs::{ops, Dir, FileType, Node, OpenOptions};

use crate::calls::{self, Op, Program};
use crate::tree;

/// Bytes the tree may hold: large enough for anything a 64 KiB memory writes, small enough that a
/// huge `fd_filestat_set_size` fails fast with `ENOSPC` (as it would under any embedder's quota).
pub const QUOTA: u64 = 4 << 20;

/// Runs one input.
pub fn run(data: &[u8]) {
    let program = Program::decode(data);
    let fs = MemFs::with_quota(QUOTA);
    tree::seed(&*fs.root(), true).expect("seed the tree");
    let mut ctx = context(&fs);
    let mut checker = Checker::new(&fs);
    let mut mem = calls::memory();
    for op in &program.ops {
        match op {
            Op::Poke { slot, bytes } => Op::poke(&mut mem, *slot, bytes),
            Op::Call { func, args } => {
                let result = imports::call(&mut ctx, &mut mem, *func, args);
                if !allowed(*func, &result) {
                    panic!("{} {args:x?} gave {result:?}", func.name());
                }
                checker.check(&mut ctx, &fs, &mem);
                if matches!(result, Err(SysError::Exit(_))) {
                    return;
                }
            }
        }
    }
}

/// A deterministic context with the tree's root at fd 3 (`/sandbox`) and a confined `d` at fd 4.
pub fn context(fs: &MemFs) -> WasiCtx {
    let mut b = WasiCtx::builder();
    b.arg("fuzz").env("K", "V").deterministic(0);
    b.preopen("/sandbox", fs.root());
    b.preopen("/sub", fs.confined_dir("d").expect("seeded d"));
    b.build().expect("context")
}

/// What a call may end with: an errno, an out-of-bounds trap, or (for `proc_exit`) an exit.
pub fn allowed(func: WasiFunc, result: &Result<u16, SysError>) -> bool {
    match result {
        Ok(_) => true,
        Err(SysError::Trap(message)) => message.starts_with("out of bounds memory access"),
        Err(SysError::Exit(_)) => func == WasiFunc::ProcExit,
        Err(SysError::WouldBlock | SysError::Interrupted | SysError::Errno(_)) => false,
    }
}

/// One complete `dirent` of a `fd_readdir` buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dirent {
    pub next: u64,
    pub ino: u64,
    pub filetype: u8,
    pub name: Vec<u8>,
}

/// The complete entries at the start of a `fd_readdir` buffer (a cut-off last one is left out).
pub fn dirents(buf: &[u8]) -> Vec<Dirent> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while let Some(header) = buf.get(at..at + 24) {
        let u64_at = |o: usize| u64::from_le_bytes(header[o..o + 8].try_into().unwrap_or([0; 8]));
        let namlen = u32::from_le_bytes(header[16..20].try_into().unwrap_or([0; 4])) as usize;
        let Some(name) = buf.get(at + 24..at + 24 + namlen) else { break };
        out.push(Dirent { next: u64_at(0), ino: u64_at(8), filetype: header[20], name: name.to_vec() });
        at += 24 + namlen;
    }
    out
}

/// Checks the invariants, through a second context on the same tree and through the tree itself.
struct Checker {
    ctx: WasiCtx,
    mem: Vec<u8>,
}

// The checker's memory: a listing buffer large enough for the most entries a program can make
// (64 calls, names of at most 127 bytes), then its results.
const LISTING: u32 = 0;
const LISTING_LEN: u32 = 0x4000;
const USED: u32 = 0x4000;
const STAT: u32 = 0x4100;
const NAME: u32 = 0x4200;

impl Checker {
    fn new(fs: &MemFs) -> Self {
        let mut b = WasiCtx::builder();
        b.deterministic(0).preopen("/", fs.root());
        Checker { ctx: b.build().expect("checker context"), mem: vec![0u8; 0x4400] }
    }

    fn call(&mut self, func: WasiFunc, args: &[u64]) -> u16 {
        match imports::call(&mut self.ctx, &mut self.mem, func, args) {
            Ok(errno) => errno,
            Err(e) => panic!("checker's {} {args:?} failed: {e:?}", func.name()),
        }
    }

    fn check(&mut self, ctx: &mut WasiCtx, fs: &MemFs, guest_mem: &[u8]) {
        let open_files = check_descriptors(ctx);
        self.check_root_listing(guest_mem);
        let root = fs.root();
        let files = check_tree(&*root);
        let reachable: u64 = files.values().sum();
        let used = fs.used_bytes();
        if open_files == 0 {
            assert_eq!(used, reachable, "quota bookkeeping: {used} bytes used, files hold {reachable}");
        } else {
            assert!(used >= reachable, "quota bookkeeping: {used} bytes used, files hold {reachable}");
        }
    }

    /// `fd_readdir` of the root lists exactly what `path_filestat_get` finds.
    fn check_root_listing(&mut self, guest_mem: &[u8]) {
        let errno = self.call(WasiFunc::FdReaddir, &[3, LISTING as u64, LISTING_LEN as u64, 0, USED as u64]);
        assert_eq!(errno, 0, "fd_readdir of the root");
        let used = u32::from_le_bytes(self.mem[USED as usize..USED as usize + 4].try_into().unwrap_or([0; 4]));
        assert!(used < LISTING_LEN, "the root's listing filled {used} bytes");
        let listed = dirents(&self.mem[..used as usize]);
        let mut names = BTreeSet::new();
        for (i, d) in listed.iter().enumerate() {
            assert_eq!(d.next, i as u64 + 1, "cookie of {:?}", String::from_utf8_lossy(&d.name));
            names.insert(d.name.clone());
            if d.name == b"." || d.name == b".." {
                continue;
            }
            let (errno, stat) = self.stat(&d.name);
            assert_eq!(errno, 0, "{:?} is listed but path_filestat_get gives errno {errno}", String::from_utf8_lossy(&d.name));
            assert_eq!(stat[16], d.filetype, "{:?}: type differs from the listing's", String::from_utf8_lossy(&d.name));
            assert_eq!(&stat[8..16], &d.ino.to_le_bytes(), "{:?}: inode differs from the listing's", String::from_utf8_lossy(&d.name));
        }
        assert!(names.contains(&b"."[..]) && names.contains(&b".."[..]), "no . or .. in {names:?}");
        for name in candidate_names(guest_mem) {
            if !names.contains(&name) && name.len() <= 255 {
                let (errno, _) = self.stat(&name);
                assert_ne!(errno, 0, "{:?} is found by path_filestat_get but not listed", String::from_utf8_lossy(&name));
            }
        }
    }

    fn stat(&mut self, name: &[u8]) -> (u16, [u8; 64]) {
        let at = NAME as usize;
        self.mem[at..at + name.len()].copy_from_slice(name);
        let errno = self.call(WasiFunc::PathFilestatGet, &[3, 0, NAME as u64, name.len() as u64, STAT as u64]);
        let mut stat = [0u8; 64];
        stat.copy_from_slice(&self.mem[STAT as usize..STAT as usize + 64]);
        (errno, stat)
    }
}

/// Every open descriptor answers `fd_fdstat_get`; every open readable file reads back its size.
/// Returns how many regular files are open.
fn check_descriptors(ctx: &mut WasiCtx) -> usize {
    let open: Vec<u32> = ctx.fds().open_fds().collect();
    let mut scratch = vec![0u8; 64];
    let mut files = 0;
    for fd in open {
        match imports::call(ctx, &mut scratch, WasiFunc::FdFdstatGet, &[fd as u64, 0]) {
            Ok(0) => {}
            other => panic!("fd {fd} is open but fd_fdstat_get gives {other:?}"),
        }
        let Ok(entry) = ctx.fds().get(fd) else { panic!("fd {fd} is listed open but cannot be got") };
        if let Descriptor::File(f) = &entry.desc {
            files += 1;
            let size = f.file.stat().expect("fstat of an open file").size;
            if f.readable {
                assert_eq!(read_all(&*f.file), size, "fd {fd}: reads back a different length than its size");
            }
        }
    }
    files
}

fn read_all(file: &dyn wasi_vfs::File) -> u64 {
    let mut buf = [0u8; 4096];
    let mut total = 0u64;
    loop {
        match file.read_at(&mut buf, total) {
            Ok(0) => return total,
            Ok(n) => total += n as u64,
            Err(e) => panic!("read of an open readable file failed: {e:?}"),
        }
    }
}

/// Walks the tree: files read back their size, symlinks' sizes are their targets' lengths, and
/// each directory's listing agrees with `stat_at`. Returns the size of every distinct file inode.
fn check_tree(root: &dyn Dir) -> BTreeMap<u64, u64> {
    let mut files = BTreeMap::new();
    check_listing(root, "");
    ops::walk(root, &mut |e| {
        match e.stat.filetype {
            FileType::RegularFile => {
                let file = e.dir.open(e.name, &OpenOptions::read()).and_then(Node::into_file).expect("open a file of the tree");
                assert_eq!(read_all(&*file), e.stat.size, "{}: reads back a different length than its size", e.path);
                files.insert(e.stat.ino, e.stat.size);
            }
            FileType::SymbolicLink => {
                let target = e.dir.read_link(e.name).expect("readlink of a symlink of the tree");
                assert_eq!(target.len() as u64, e.stat.size, "{}: symlink size", e.path);
            }
            FileType::Directory => {
                let sub = ops::open_dir_nofollow(e.dir, e.name).expect("open a directory of the tree");
                check_listing(&*sub, e.path);
            }
            other => panic!("{}: unexpected type {other:?}", e.path),
        }
        Ok(())
    })
    .expect("walk the tree");
    files
}

fn check_listing(dir: &dyn Dir, path: &str) {
    for entry in dir.entries().expect("list a directory of the tree") {
        if entry.name == "." || entry.name == ".." {
            continue;
        }
        let st = dir.stat_at(&entry.name, false).unwrap_or_else(|e| panic!("{path}/{}: listed but {e:?}", entry.name));
        assert_eq!((st.ino, st.filetype), (entry.ino, entry.filetype), "{path}/{}: listing and stat disagree", entry.name);
    }
}

/// Names a program could have made: every component of the static paths and the dynamic slots.
fn candidate_names(mem: &[u8]) -> BTreeSet<Vec<u8>> {
    let mut out = BTreeSet::new();
    let mut add = |path: &[u8]| {
        for comp in path.split(|&b| b == b'/') {
            if !comp.is_empty() && comp != b"." && comp != b".." {
                out.insert(comp.to_vec());
            }
        }
    };
    for p in calls::paths() {
        add(p);
    }
    for slot in 0..calls::DYN_SLOTS {
        let at = calls::DYN as usize + slot * 128;
        let bytes = &mem[at..at + 128];
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        add(&bytes[..end]);
    }
    out
}
