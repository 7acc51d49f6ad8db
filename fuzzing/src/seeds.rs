//! Seed inputs, written through the targets' own decoders (so they stay valid if a table
//! changes): `cargo run -p wrun-fuzzing --example write_seeds -- fuzz/corpus` writes them.

use runtime_core::abi::{fdflags, oflags, rights};
use runtime_core::WasiFunc as F;

use crate::calls::{self, kinds, pick_for, pick_path, tag_of, Kind, RAW};

/// One argument of a seed call.
#[derive(Clone, Copy, Debug)]
pub enum A {
    /// The pick that gives this value for the parameter's kind.
    V(u64),
    /// A static path ([`calls::paths`]).
    P(&'static [u8]),
    /// A dynamic path slot.
    Dyn(usize),
    /// The length (or count) of what the previous argument picked.
    Same,
    /// A raw 64-bit value.
    Raw(u64),
}

/// A `wasi_calls`/`differential` input being written.
#[derive(Default)]
pub struct Calls(Vec<u8>);

impl Calls {
    pub fn call(mut self, func: F, args: &[A]) -> Self {
        let ks = kinds(func);
        assert_eq!(ks.len(), args.len(), "{}: {} arguments", func.name(), ks.len());
        self.0.push(tag_of(func));
        for (&kind, &a) in ks.iter().zip(args) {
            match a {
                A::V(v) => self.0.push(pick_for(kind, v).unwrap_or_else(|| panic!("{}: no pick of {kind:?} gives {v:#x}", func.name()))),
                A::P(p) => self.0.push(pick_path(p).unwrap_or_else(|| panic!("{:?} is not a static path", String::from_utf8_lossy(p)))),
                A::Dyn(slot) => self.0.push((calls::paths().len() + slot) as u8),
                A::Same => self.0.push(0),
                A::Raw(v) => {
                    self.0.push(RAW);
                    self.0.extend_from_slice(&v.to_le_bytes());
                }
            }
            debug_assert!(!matches!(a, A::P(_) | A::Dyn(_)) || kind == Kind::PathPtr);
        }
        self
    }

    pub fn poke(mut self, slot: usize, bytes: &[u8]) -> Self {
        self.0.push(calls::POKE | slot as u8);
        self.0.push(bytes.len() as u8);
        self.0.extend_from_slice(bytes);
        self
    }

    pub fn bytes(self) -> Vec<u8> {
        self.0
    }
}

use A::*;

/// `OUT` slot `k`.
fn out(k: u64) -> A {
    V(calls::OUT as u64 + k * 64)
}
/// Iovec array `k`, then its count.
fn iov(k: u64) -> [A; 2] {
    [V(calls::IOVECS as u64 + k * 64), Same]
}
fn buf(k: u64) -> A {
    V(calls::DATA as u64 + k * 0x800)
}

const ALL: A = V(rights::ALL);

/// `path_open` of `path` relative to `dir`, following symlinks.
fn open(c: Calls, dir: u64, path: &'static [u8], oflags: u16, fdflags: u16) -> Calls {
    c.call(F::PathOpen, &[V(dir), V(1), P(path), Same, V(oflags.into()), ALL, ALL, V(fdflags.into()), out(0)])
}

/// Seeds for `wasi_calls` and `differential` (the same format).
pub fn wasi_sequences() -> Vec<(&'static str, Vec<u8>)> {
    let mut v = Vec::new();
    let c = open(Calls::default(), 3, b"new", oflags::CREAT, 0);
    let [i1, n1] = iov(1);
    let [i0, n0] = iov(0);
    let [i2, n2] = iov(2);
    let [i7, n7] = iov(7);
    let c = c
        .call(F::FdWrite, &[V(5), i1, n1, out(1)])
        .call(F::FdSeek, &[V(5), V(0), V(0), out(2)])
        .call(F::FdRead, &[V(5), i0, n0, out(3)])
        .call(F::FdFilestatGet, &[V(5), out(4)])
        .call(F::FdPwrite, &[V(5), i2, n2, V(4096), out(5)])
        .call(F::FdPread, &[V(5), i7, n7, V(1), out(6)])
        .call(F::FdFilestatSetSize, &[V(5), V(100)])
        .call(F::FdTell, &[V(5), out(7)])
        .call(F::FdClose, &[V(5)]);
    v.push(("file_io", c.bytes()));

    // wasi-libc's stdio writes [empty buffer, data]: once reported as 0 bytes written, so C
    // programs retried forever. Array 3 is exactly that shape.
    let [i3, n3] = iov(3);
    let c = open(Calls::default(), 3, b"new", oflags::CREAT, 0)
        .call(F::FdWrite, &[V(5), i3, n3, out(1)])
        .call(F::FdPwrite, &[V(5), i3, n3, V(4096), out(2)])
        .call(F::FdWrite, &[V(1), i3, n3, out(3)])
        .call(F::FdSeek, &[V(5), V(0), V(0), out(4)])
        .call(F::FdRead, &[V(5), i3, n3, out(5)]);
    v.push(("empty_first_iovec", c.bytes()));

    let c = Calls::default()
        .call(F::PathCreateDirectory, &[V(3), P(b"new"), Same])
        .call(F::PathRename, &[V(3), P(b"new"), Same, V(3), P(b"d/new"), Same])
        .call(F::FdReaddir, &[V(3), buf(0), V(4096), V(0), out(0)])
        .call(F::FdReaddir, &[V(4), buf(2), V(64), V(0), out(1)])
        .call(F::FdReaddir, &[V(4), buf(2), V(64), V(2), out(1)])
        .call(F::PathRemoveDirectory, &[V(4), P(b"new"), Same]);
    let c = c.call(F::PathOpen, &[V(3), V(0), P(b"d"), Same, V(oflags::DIRECTORY.into()), ALL, ALL, V(0), out(0)]);
    let c = c
        .call(F::PathFilestatGet, &[V(5), V(0), P(b"e"), Same, out(1)])
        .call(F::PathFilestatGet, &[V(5), V(1), P(b"l"), Same, out(2)])
        .call(F::PathOpen, &[V(5), V(0), P(b".."), Same, V(oflags::DIRECTORY.into()), ALL, ALL, V(0), out(3)])
        .call(F::PathCreateDirectory, &[V(5), P(b"../d/new"), Same])
        .call(F::FdReaddir, &[V(5), buf(1), V(1024), V(0), out(4)]);
    v.push(("dirs", c.bytes()));

    let c = Calls::default()
        .call(F::PathSymlink, &[P(b"a"), Same, V(3), P(b"new"), Same])
        .call(F::PathReadlink, &[V(3), P(b"new"), Same, buf(0), V(64), out(0)])
        .call(F::PathReadlink, &[V(3), P(b"new"), Same, buf(0), V(0), out(0)])
        .call(F::PathFilestatGet, &[V(3), V(1), P(b"new"), Same, out(1)])
        .call(F::PathFilestatGet, &[V(3), V(0), P(b"new"), Same, out(2)])
        .call(F::PathUnlinkFile, &[V(3), P(b"new"), Same])
        .call(F::PathLink, &[V(3), V(0), P(b"a"), Same, V(3), P(b"new"), Same])
        .call(F::PathFilestatGet, &[V(3), V(0), P(b"a"), Same, out(3)])
        .call(F::PathLink, &[V(3), V(1), P(b"l"), Same, V(4), P(b"new"), Same])
        .call(F::PathSymlink, &[P(b"../a"), Same, V(4), P(b"e/new"), Same])
        .call(F::PathRename, &[V(3), P(b"d/e"), Same, V(3), P(b"d/e/f"), Same])
        .call(F::PathRename, &[V(3), P(b"d"), Same, V(3), P(b"d/e"), Same])
        .call(F::PathRename, &[V(3), P(b"a"), Same, V(4), P(b"e/f"), Same]);
    v.push(("links", c.bytes()));

    let mut c = Calls::default();
    for p in [
        &b"../a"[..],
        b"/a",
        b"/",
        b"",
        b"d/e/f/../../../..",
        b"../../../etc/passwd",
        b"x\0y",
        b"\xff\xfe",
        b"loop",
        b"dangling",
        b"abs",
        b"a/",
        b"l/x",
        b"dl/e",
    ] {
        c = open(c, 3, p, oflags::CREAT, 0);
        c = c.call(F::PathFilestatGet, &[V(4), V(1), P(p), Same, out(1)]);
    }
    let long = calls::paths().last().expect("long path").clone();
    let name = calls::paths()[calls::paths().len() - 2].clone();
    let c = c
        .call(F::PathFilestatGet, &[V(3), V(1), P(leak(long)), Same, out(2)])
        .call(F::PathCreateDirectory, &[V(3), P(leak(name)), Same])
        .call(F::PathFilestatGet, &[V(4), V(1), P(b"l"), Same, out(3)]);
    v.push(("escapes", c.bytes()));

    let c = Calls::default()
        .call(F::ArgsSizesGet, &[out(0), out(1)])
        .call(F::ArgsGet, &[out(2), out(3)])
        .call(F::EnvironSizesGet, &[out(4), out(5)])
        .call(F::EnvironGet, &[out(6), out(7)])
        .call(F::ClockResGet, &[V(1), out(8)])
        .call(F::ClockTimeGet, &[V(0), V(1), out(9)])
        .call(F::RandomGet, &[buf(0), V(64)])
        .call(F::PollOneoff, &[V(calls::SUBS as u64), out(10), V(3), out(11)])
        .call(F::PollOneoff, &[V(calls::SUBS as u64 + 4 * 48), out(12), V(3), out(13)])
        .call(F::FdPrestatGet, &[V(3), out(14)])
        .call(F::FdPrestatDirName, &[V(3), buf(1), V(8)])
        .call(F::FdPrestatDirName, &[V(4), buf(1), V(1)])
        .call(F::FdFdstatGet, &[V(0), out(15)])
        .call(F::FdFdstatSetFlags, &[V(1), V(fdflags::NONBLOCK.into())])
        .call(F::SchedYield, &[])
        .call(F::ProcRaise, &[V(9)])
        .call(F::SockAccept, &[V(3), V(0), out(16)])
        .call(F::SockShutdown, &[V(3), V(3)])
        .call(F::FdAdvise, &[V(3), V(0), V(100), V(1)])
        .call(F::FdSync, &[V(3)])
        .call(F::ProcExit, &[V(3)]);
    v.push(("misc", c.bytes()));

    let c = open(Calls::default(), 3, b"b", 0, fdflags::APPEND);
    let c = c
        .call(F::FdWrite, &[V(5), i0, n0, out(1)])
        .call(F::FdWrite, &[V(5), i1, n1, out(1)])
        .call(F::FdSeek, &[V(5), V(0), V(0), out(2)])
        .call(F::FdRead, &[V(5), i2, n2, out(3)])
        .call(F::FdFdstatSetRights, &[V(5), V(rights::FD_READ), V(0)])
        .call(F::FdWrite, &[V(5), i0, n0, out(1)])
        .call(F::FdFdstatSetRights, &[V(5), ALL, ALL]);
    v.push(("append_rights", c.bytes()));

    let c = open(Calls::default(), 3, b"a", 0, 0);
    let c = c
        .call(F::FdRenumber, &[V(5), V(3)])
        .call(F::PathFilestatGet, &[V(3), V(0), P(b"b"), Same, out(1)])
        .call(F::FdClose, &[V(4)])
        .call(F::FdClose, &[V(3)])
        .call(F::PathCreateDirectory, &[V(3), P(b"new"), Same])
        .call(F::FdRenumber, &[V(1), V(0)])
        .call(F::FdWrite, &[V(0), i0, n0, out(1)]);
    v.push(("renumber", c.bytes()));

    let [i4, n4] = iov(4);
    let c = Calls::default()
        .call(F::FdWrite, &[V(1), i4, n4, out(1)])
        .call(F::FdRead, &[V(0), Raw(0xFFFF_FFF0), Raw(2), out(1)])
        .call(F::PathOpen, &[V(3), V(1), P(b"a"), Same, V(0), ALL, ALL, V(0), V(calls::MEM_SIZE as u64 - 2)])
        .call(F::FdWrite, &[V(1), i1, Raw(0x2000_0000), out(1)]);
    v.push(("traps", c.bytes()));

    let c = Calls::default()
        .call(F::PathFilestatSetTimes, &[V(3), V(1), P(b"a"), Same, V(1_000_000_000), V(1 << 62), V(5)])
        .call(F::PathFilestatSetTimes, &[V(3), V(0), P(b"l"), Same, V(0), V(0), V(10)])
        .call(F::FdFilestatSetTimes, &[V(3), V(0), V(0), V(10)])
        .call(F::FdFilestatSetTimes, &[V(4), V(0), V(0), V(3)])
        .call(F::PathFilestatSetTimes, &[V(3), V(1), P(b"d/e/f"), Same, V(u64::MAX), V(u64::MAX), V(5)]);
    v.push(("times", c.bytes()));

    let c = open(Calls::default(), 3, b"d/e/f", oflags::TRUNC, 0)
        .call(F::FdAllocate, &[V(5), V(0), V(4096)])
        .call(F::FdAdvise, &[V(5), V(0), V(100), V(1)])
        .call(F::FdDatasync, &[V(5)])
        .call(F::FdFilestatGet, &[V(5), out(1)])
        .call(F::FdFilestatSetSize, &[V(5), V(1 << 32)])
        .call(F::FdPwrite, &[V(5), i0, n0, V(i64::MAX as u64), out(2)])
        .call(F::FdPwrite, &[V(5), i0, n0, V(u64::MAX), out(2)])
        .call(F::FdPread, &[V(5), i0, n0, V(u64::MAX), out(2)])
        .call(F::FdSeek, &[V(5), V(i64::MAX as u64), V(0), out(3)])
        .call(F::FdWrite, &[V(5), i0, n0, out(2)]);
    let c = open(c, 3, b"a", oflags::CREAT | oflags::EXCL, 0);
    v.push(("sizes", c.bytes()));

    let c = Calls::default()
        .poke(0, b"zz")
        .call(F::PathOpen, &[V(3), V(0), Dyn(0), Same, V(oflags::CREAT.into()), ALL, ALL, V(0), out(0)])
        .poke(1, b"d/zz")
        .call(F::PathRename, &[V(3), Dyn(0), Same, V(3), Dyn(1), Same])
        .poke(2, "é/ü".as_bytes())
        .call(F::PathCreateDirectory, &[V(3), Dyn(2), Same])
        .call(F::FdReaddir, &[V(4), buf(0), V(4096), V(0), out(1)]);
    v.push(("pokes", c.bytes()));
    v
}

fn leak(v: Vec<u8>) -> &'static [u8] {
    Box::leak(v.into_boxed_slice())
}

/// Seeds for `module_load`: small modules as text, and the same modules as binaries.
pub fn modules() -> Vec<(&'static str, Vec<u8>)> {
    const IMPORTS: &str = r#"
        (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
        (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))"#;
    let bodies: [(&str, &str); 10] = [
        ("hello", r#"(data (i32.const 16) "hello\n")
            (func (export "_start")
              (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 6))
              (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))"#),
        ("exit", r#"(func (export "_start") (call $proc_exit (i32.const 3)))"#),
        ("grow", r#"(func (export "_start")
              (loop $more (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
              (call $proc_exit (memory.size)))"#),
        ("spin", r#"(func (export "_start") (loop $forever (br $forever)))"#),
        ("unreachable", r#"(func (export "_start") unreachable)"#),
        ("oob_store", r#"(func (export "_start") (i32.store (i32.const 65535) (i32.const 1)))"#),
        ("oob_iovec", r#"(func (export "_start")
              (i32.store (i32.const 0) (i32.const 65530)) (i32.store (i32.const 4) (i32.const 100))
              (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))"#),
        ("table_start", r#"(type $t (func (result i32)))
            (table 2 funcref) (elem (i32.const 0) $one $two)
            (func $one (result i32) (i32.const 1)) (func $two (result i32) (i32.const 2))
            (global $g (mut i32) (i32.const 0))
            (func $init (global.set $g (call_indirect (type $t) (i32.const 1)))) (start $init)
            (func (export "_start") (call $proc_exit (global.get $g)))"#),
        ("create_file", r#"(data (i32.const 32) "out.txt")
            (func (export "_start")
              (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 7) (i32.const 1)
                (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 64)))
              (i32.store (i32.const 0) (i32.const 32)) (i32.store (i32.const 4) (i32.const 7))
              (drop (call $fd_write (i32.load (i32.const 64)) (i32.const 0) (i32.const 1) (i32.const 8))))"#),
        ("recurse", r#"(func $r (param i32) (result i32) (call $r (i32.add (local.get 0) (i32.const 1))))
            (func (export "_start") (drop (call $r (i32.const 0))))"#),
    ];
    let mut v = Vec::new();
    for (name, body) in bodies {
        let text = format!("(module {IMPORTS}\n (memory (export \"memory\") 1)\n {body})\n");
        let binary = wat::parse_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        v.push((leak_str(format!("{name}.wat")), text.into_bytes()));
        v.push((leak_str(format!("{name}.wasm")), binary));
    }
    v
}

fn leak_str(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Seeds for `host_paths`.
pub fn host_path_inputs() -> Vec<(&'static str, Vec<u8>)> {
    crate::host_paths::seeds()
}
