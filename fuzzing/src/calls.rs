//! Sequences of WASI calls for the `wasi_calls` and `differential` targets: a compact byte format
//! read through [`arbitrary::Unstructured`], and the fake 64 KiB guest memory the calls point into.
//!
//! Arguments are typed by what each parameter means ([`Kind`]), so most of them are *picked*
//! from values that make sense (a descriptor that is probably open, a pointer to one of the path
//! strings seeded in memory, the length of that very string, an iovec array and its count...), and
//! a few are raw 64-bit values, which is how out-of-range pointers, lengths and flags get tried.
//!
//! The byte format, one operation after another until the input ends (or [`MAX_OPS`]):
//! - a tag byte below `0xF0`: a call of `WasiFunc::ALL[tag % 46]`, then one argument per parameter;
//!   an argument is one byte `b`: below `0xF8` it picks value `b` of the parameter's kind, otherwise
//!   eight more bytes give a raw little-endian value;
//! - a tag byte `0xF0..=0xFF`: a poke, which writes fresh bytes into a dynamic path slot
//!   (`tag & 7`): a length byte (mod 128), then that many bytes. Path arguments can pick the slot,
//!   so the fuzzer can invent names.
//!
//! Only single bytes are read from the input, so the format does not depend on how `arbitrary`
//! encodes wider integers, and [`crate::seeds`] can write seed inputs by hand.

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use runtime_core::abi::rights;
use runtime_core::WasiFunc;

/// Size of the fake guest memory.
pub const MEM_SIZE: usize = 64 * 1024;
/// Longest call sequence decoded from one input, so one input stays fast.
pub const MAX_OPS: usize = 64;

/// Results: 64 slots of 64 bytes (a filestat fits).
pub const OUT: u32 = 0x0000;
/// The static path strings ([`paths`]).
pub const PATHS: u32 = 0x1000;
/// Dynamic path slots, written by pokes.
pub const DYN: u32 = 0x5000;
/// Number of dynamic path slots and the room each has.
pub const DYN_SLOTS: usize = 8;
const DYN_ROOM: u32 = 128;
/// Eight iovec arrays of up to eight iovecs, pointing into [`DATA`].
pub const IOVECS: u32 = 0x5800;
/// Eight `poll_oneoff` subscriptions of 48 bytes.
pub const SUBS: u32 = 0x6000;
/// Data buffers (what iovecs, `random_get` and readlink/readdir buffers use).
pub const DATA: u32 = 0x8000;

/// What a parameter means, which decides the values a pick chooses among.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Fd,
    LookupFlags,
    PathPtr,
    /// The length of the path picked just before.
    PathLen,
    OFlags,
    Rights,
    FdFlags,
    OutPtr,
    IovPtr,
    /// The count of the iovec array picked just before.
    IovCnt,
    BufPtr,
    BufLen,
    /// File offsets, sizes and lengths.
    Offset,
    /// A signed seek distance.
    Delta,
    Whence,
    ClockId,
    Precision,
    Timestamp,
    FstFlags,
    Advice,
    Cookie,
    SubsPtr,
    NSubs,
    Signal,
    ExitCode,
    /// Small flag words (riflags, sdflags).
    Small,
}

use Kind as K;

/// Parameter kinds of every function, in `WasiFunc::ALL` order (checked against the import table
/// by a test).
pub fn kinds(func: WasiFunc) -> &'static [Kind] {
    use WasiFunc as F;
    match func {
        F::ArgsGet | F::ArgsSizesGet | F::EnvironGet | F::EnvironSizesGet => &[K::OutPtr, K::OutPtr],
        F::ClockResGet => &[K::ClockId, K::OutPtr],
        F::ClockTimeGet => &[K::ClockId, K::Precision, K::OutPtr],
        F::FdAdvise => &[K::Fd, K::Offset, K::Offset, K::Advice],
        F::FdAllocate => &[K::Fd, K::Offset, K::Offset],
        F::FdClose | F::FdDatasync | F::FdSync => &[K::Fd],
        F::FdFdstatGet | F::FdFilestatGet | F::FdPrestatGet | F::FdTell => &[K::Fd, K::OutPtr],
        F::FdFdstatSetFlags => &[K::Fd, K::FdFlags],
        F::FdFdstatSetRights => &[K::Fd, K::Rights, K::Rights],
        F::FdFilestatSetSize => &[K::Fd, K::Offset],
        F::FdFilestatSetTimes => &[K::Fd, K::Timestamp, K::Timestamp, K::FstFlags],
        F::FdPread | F::FdPwrite => &[K::Fd, K::IovPtr, K::IovCnt, K::Offset, K::OutPtr],
        F::FdPrestatDirName => &[K::Fd, K::BufPtr, K::BufLen],
        F::FdRead | F::FdWrite => &[K::Fd, K::IovPtr, K::IovCnt, K::OutPtr],
        F::FdReaddir => &[K::Fd, K::BufPtr, K::BufLen, K::Cookie, K::OutPtr],
        F::FdRenumber => &[K::Fd, K::Fd],
        F::FdSeek => &[K::Fd, K::Delta, K::Whence, K::OutPtr],
        F::PathCreateDirectory | F::PathRemoveDirectory | F::PathUnlinkFile => &[K::Fd, K::PathPtr, K::PathLen],
        F::PathFilestatGet => &[K::Fd, K::LookupFlags, K::PathPtr, K::PathLen, K::OutPtr],
        F::PathFilestatSetTimes => {
            &[K::Fd, K::LookupFlags, K::PathPtr, K::PathLen, K::Timestamp, K::Timestamp, K::FstFlags]
        }
        F::PathLink => &[K::Fd, K::LookupFlags, K::PathPtr, K::PathLen, K::Fd, K::PathPtr, K::PathLen],
        F::PathOpen => {
            &[K::Fd, K::LookupFlags, K::PathPtr, K::PathLen, K::OFlags, K::Rights, K::Rights, K::FdFlags, K::OutPtr]
        }
        F::PathReadlink => &[K::Fd, K::PathPtr, K::PathLen, K::BufPtr, K::BufLen, K::OutPtr],
        F::PathRename => &[K::Fd, K::PathPtr, K::PathLen, K::Fd, K::PathPtr, K::PathLen],
        F::PathSymlink => &[K::PathPtr, K::PathLen, K::Fd, K::PathPtr, K::PathLen],
        F::PollOneoff => &[K::SubsPtr, K::OutPtr, K::NSubs, K::OutPtr],
        F::ProcExit => &[K::ExitCode],
        F::ProcRaise => &[K::Signal],
        F::SchedYield => &[],
        F::RandomGet => &[K::BufPtr, K::BufLen],
        F::SockAccept => &[K::Fd, K::FdFlags, K::OutPtr],
        F::SockRecv => &[K::Fd, K::IovPtr, K::IovCnt, K::Small, K::OutPtr, K::OutPtr],
        F::SockSend => &[K::Fd, K::IovPtr, K::IovCnt, K::Small, K::OutPtr],
        F::SockShutdown => &[K::Fd, K::Small],
    }
}

/// The static path strings seeded in memory: names of the seeded tree, escapes, and malformed
/// paths (empty, absolute, NUL, invalid UTF-8, too long).
pub fn paths() -> &'static [Vec<u8>] {
    static PATHS_TABLE: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    PATHS_TABLE.get_or_init(|| {
        let mut v: Vec<Vec<u8>> = [
            "a", "b", "d", "d/e", "d/e/f", "l", "d/l", "dl", "dl/e", "loop", "dangling", "new", "d/new", "a/",
            "d/", ".", "..", "../a", "d/..", "d/../a", "d/e/../../b", "./d/./e", "a//b", "l/x", "/a", "/", "",
            "../../../etc/passwd", "d/e/f/../../../..", "abs", "e", "f", "../d", "new/", "../d/new", "e/new", "e/f",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        v.push(b"x\0y".to_vec());
        v.push(b"\xff\xfe".to_vec());
        v.push(vec![b'n'; 256]);
        // One byte over PATH_MAX, made of valid components.
        let mut long = b"./".repeat(2048);
        long.push(b'a');
        v.push(long);
        v
    })
}

/// Where each static path lives in memory.
fn path_offsets() -> &'static [(u32, u32)] {
    static OFFSETS: OnceLock<Vec<(u32, u32)>> = OnceLock::new();
    OFFSETS.get_or_init(|| {
        let mut at = PATHS;
        paths()
            .iter()
            .map(|p| {
                let here = (at, p.len() as u32);
                at += p.len() as u32 + 1;
                here
            })
            .collect()
    })
}

/// The iovec arrays seeded at [`IOVECS`]: `(buf offset from DATA or absolute, len)`.
const IOV_ARRAYS: [&[(u32, u32)]; 8] = [
    &[(DATA, 16)],
    &[(DATA + 0x100, 1), (DATA + 0x200, 7), (DATA + 0x300, 100)],
    &[(DATA + 0x1000, 4096)],
    &[(DATA, 0), (DATA + 0x10, 3)],
    // Runs off the end of memory: the call must trap.
    &[(MEM_SIZE as u32 - 4, 8)],
    &[(DATA + 0x2000, 0x6000)],
    // Two iovecs over the same bytes.
    &[(DATA, 16), (DATA, 16)],
    &[(DATA + 0x400, 5), (DATA + 0x500, 5), (DATA + 0x600, 5), (DATA + 0x700, 5)],
];

/// A fresh fake memory: paths, dynamic slots (`n0`..`n7`), iovecs, subscriptions, data.
pub fn memory() -> Vec<u8> {
    let mut mem = vec![0u8; MEM_SIZE];
    for (p, &(at, _)) in paths().iter().zip(path_offsets()) {
        put(&mut mem, at, p);
    }
    for slot in 0..DYN_SLOTS {
        put(&mut mem, DYN + slot as u32 * DYN_ROOM, format!("n{slot}").as_bytes());
    }
    for (i, arr) in IOV_ARRAYS.iter().enumerate() {
        for (j, &(buf, len)) in arr.iter().enumerate() {
            let at = IOVECS + i as u32 * 64 + j as u32 * 8;
            put(&mut mem, at, &buf.to_le_bytes());
            put(&mut mem, at + 4, &len.to_le_bytes());
        }
    }
    for (i, sub) in subscriptions().iter().enumerate() {
        put(&mut mem, SUBS + i as u32 * 48, sub);
    }
    for (i, b) in mem[DATA as usize..].iter_mut().enumerate() {
        *b = if i % 64 == 63 { b'\n' } else { b"0123456789abcdefghijklmnopqrstuvwxyz"[i % 36] };
    }
    mem
}

fn put(mem: &mut [u8], at: u32, bytes: &[u8]) {
    mem[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
}

/// Subscriptions: relative and absolute clocks, stdin/stdout and file readiness, a bad clock id
/// and a bad tag.
fn subscriptions() -> [[u8; 48]; 8] {
    let clock = |userdata: u64, id: u32, timeout: u64, flags: u16| {
        let mut s = [0u8; 48];
        s[0..8].copy_from_slice(&userdata.to_le_bytes());
        s[8] = 0;
        s[16..20].copy_from_slice(&id.to_le_bytes());
        s[24..32].copy_from_slice(&timeout.to_le_bytes());
        s[40..42].copy_from_slice(&flags.to_le_bytes());
        s
    };
    let fd = |userdata: u64, tag: u8, fd: u32| {
        let mut s = [0u8; 48];
        s[0..8].copy_from_slice(&userdata.to_le_bytes());
        s[8] = tag;
        s[16..20].copy_from_slice(&fd.to_le_bytes());
        s
    };
    [
        clock(1, 1, 1_000, 0),
        clock(2, 0, 0, 1),
        fd(3, 1, 0),
        fd(4, 2, 1),
        fd(5, 1, 5),
        fd(6, 2, 6),
        clock(7, 9, 5, 0),
        fd(8, 7, 0),
    ]
}

/// One decoded operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// A WASI call with raw arguments, as an engine would pass them.
    Call { func: WasiFunc, args: Vec<u64> },
    /// Writes `bytes` into dynamic path slot `slot`.
    Poke { slot: usize, bytes: Vec<u8> },
}

impl Op {
    /// Applies a poke to a memory (calls are run by the targets).
    pub fn poke(mem: &mut [u8], slot: usize, bytes: &[u8]) {
        put(mem, DYN + slot as u32 * DYN_ROOM, bytes);
    }
}

/// A decoded input: the operations to run, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    pub ops: Vec<Op>,
}

/// Decoding state: the lengths a `PathLen`/`IovCnt` pick refers to.
struct Decoder {
    last_path_len: u64,
    last_iov_count: u64,
    dyn_lens: [u64; DYN_SLOTS],
}

const DELTAS: [i64; 10] = [0, 1, -1, 5, -5, 100, -100, i64::MIN, i64::MAX, 4096];
const OFFSETS: [u64; 12] = [0, 1, 5, 100, 4095, 4096, 65536, 1 << 20, 1 << 32, i64::MAX as u64, u64::MAX, 3];
const BUF_LENS: [u64; 10] = [0, 1, 8, 24, 64, 255, 256, 1024, 4096, 0x8000];
const FDS: [u64; 16] = [3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 0, 1, 2, 9, 100, u32::MAX as u64];
const TIMES: [u64; 5] = [0, 1, 1_000_000_000, 1 << 62, u64::MAX];
const RIGHTS: [u64; 8] = [
    rights::ALL,
    rights::FD_READ,
    rights::FD_WRITE,
    rights::FD_READ | rights::FD_WRITE | rights::FD_SEEK | rights::FD_TELL,
    0,
    u64::MAX,
    rights::DIRECTORY,
    rights::FILE,
];

impl Decoder {
    fn new() -> Self {
        Decoder { last_path_len: 0, last_iov_count: 0, dyn_lens: [2; DYN_SLOTS] }
    }

    /// The value pick `b` (below `0xF8`) stands for, for a parameter of `kind`.
    fn pick(&mut self, kind: Kind, b: u8) -> u64 {
        let i = b as usize;
        match kind {
            K::Fd => FDS[i % FDS.len()],
            K::LookupFlags => (b % 3) as u64,
            K::PathPtr => {
                let table = path_offsets();
                let n = table.len() + DYN_SLOTS;
                let k = i % n;
                if k < table.len() {
                    self.last_path_len = table[k].1 as u64;
                    table[k].0 as u64
                } else {
                    let slot = k - table.len();
                    self.last_path_len = self.dyn_lens[slot];
                    (DYN + slot as u32 * DYN_ROOM) as u64
                }
            }
            // Mostly the exact length; sometimes a little off, which reads a neighbour's bytes.
            K::PathLen if b < 0xC0 => self.last_path_len,
            K::PathLen => self.last_path_len.saturating_add((b & 7) as u64).saturating_sub(3),
            K::OFlags => (b & 0x1F) as u64,
            K::Rights => RIGHTS[i % RIGHTS.len()],
            // Bit 5 is not a flag: EINVAL.
            K::FdFlags => (b & 0x3F) as u64,
            K::OutPtr if b < 0xF0 => (OUT + (i % 64) as u32 * 64) as u64,
            // Near the end of memory: a write of more than a few bytes must trap.
            K::OutPtr => MEM_SIZE as u64 - (b & 7) as u64,
            K::IovPtr => {
                let k = i % IOV_ARRAYS.len();
                self.last_iov_count = IOV_ARRAYS[k].len() as u64;
                (IOVECS + k as u32 * 64) as u64
            }
            K::IovCnt if b < 0xC0 => self.last_iov_count,
            K::IovCnt => (b & 0x0F) as u64,
            K::BufPtr => (DATA + (i % 16) as u32 * 0x800) as u64,
            K::BufLen => BUF_LENS[i % BUF_LENS.len()],
            K::Offset => OFFSETS[i % OFFSETS.len()],
            K::Delta => DELTAS[i % DELTAS.len()] as u64,
            K::Whence => (b % 4) as u64,
            K::ClockId => (b % 5) as u64,
            K::Precision => [0, 1, 1000, u64::MAX][i % 4],
            K::Timestamp => TIMES[i % TIMES.len()],
            K::FstFlags => (b & 0x1F) as u64,
            K::Advice => (b % 7) as u64,
            K::Cookie => (b % 8) as u64,
            K::SubsPtr => (SUBS + (i % 8) as u32 * 48) as u64,
            K::NSubs => (b % 4) as u64,
            K::Signal => (b % 35) as u64,
            K::ExitCode => b as u64,
            K::Small => (b & 7) as u64,
        }
    }

    fn arg(&mut self, u: &mut Unstructured<'_>, kind: Kind) -> arbitrary::Result<u64> {
        let b = u8::arbitrary(u)?;
        if b < RAW {
            return Ok(self.pick(kind, b));
        }
        let mut raw = [0u8; 8];
        for byte in &mut raw {
            *byte = u8::arbitrary(u)?;
        }
        Ok(u64::from_le_bytes(raw))
    }

    fn op(&mut self, u: &mut Unstructured<'_>) -> arbitrary::Result<Op> {
        let tag = u8::arbitrary(u)?;
        if tag >= POKE {
            let slot = (tag & 7) as usize;
            let len = (u8::arbitrary(u)? % DYN_ROOM as u8) as usize;
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                bytes.push(u8::arbitrary(u)?);
            }
            self.dyn_lens[slot] = len as u64;
            return Ok(Op::Poke { slot, bytes });
        }
        let func = WasiFunc::ALL[tag as usize % WasiFunc::ALL.len()];
        let mut args = Vec::with_capacity(9);
        for &kind in kinds(func) {
            args.push(self.arg(u, kind)?);
        }
        Ok(Op::Call { func, args })
    }
}

/// An argument byte at or above this is followed by a raw 64-bit value.
pub const RAW: u8 = 0xF8;
/// A tag byte at or above this is a poke.
pub const POKE: u8 = 0xF0;

impl<'a> Arbitrary<'a> for Program {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut d = Decoder::new();
        let mut ops = Vec::new();
        while !u.is_empty() && ops.len() < MAX_OPS {
            ops.push(d.op(u)?);
        }
        Ok(Program { ops })
    }
}

impl Program {
    /// Decodes a fuzz input (never fails: a short input is a short program).
    pub fn decode(data: &[u8]) -> Program {
        Program::arbitrary(&mut Unstructured::new(data)).unwrap_or_default()
    }
}

/// The pick byte that stands for `want` for a parameter of `kind`, given the lengths the decoder
/// would have seen (seed inputs are written with this, so they follow the decoder exactly).
pub fn pick_for(kind: Kind, want: u64) -> Option<u8> {
    (0..RAW).find(|&b| {
        let mut d = Decoder::new();
        d.pick(kind, b) == want
    })
}

/// The tag byte of a call of `func`.
pub fn tag_of(func: WasiFunc) -> u8 {
    WasiFunc::ALL.iter().position(|&f| f == func).map_or(0, |i| i as u8)
}

/// The pick byte for a path argument naming static path `path`.
pub fn pick_path(path: &[u8]) -> Option<u8> {
    let k = paths().iter().position(|p| p == path)?;
    u8::try_from(k).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_match_the_import_table() {
        for &f in WasiFunc::ALL {
            assert_eq!(kinds(f).len(), f.params().len(), "{}", f.name());
        }
    }

    #[test]
    fn regions_do_not_overlap() {
        let (end, len) = *path_offsets().last().expect("paths");
        assert!(end + len < DYN, "paths end at {:#x}", end + len);
        const {
            assert!(DYN + DYN_SLOTS as u32 * DYN_ROOM <= IOVECS);
            assert!(IOVECS + 8 * 64 <= SUBS);
            assert!(SUBS + 8 * 48 <= DATA);
        }
    }

    #[test]
    fn path_len_follows_the_path() {
        let path = pick_path(b"d/e/f").expect("in table");
        let data = [tag_of(WasiFunc::PathCreateDirectory), 0, path, 0, tag_of(WasiFunc::FdClose), RAW, 1, 0, 0, 0, 0, 0, 0, 1];
        let p = Program::decode(&data);
        assert_eq!(
            p.ops,
            [
                Op::Call { func: WasiFunc::PathCreateDirectory, args: vec![3, path_offsets()[path as usize].0 as u64, 5] },
                Op::Call { func: WasiFunc::FdClose, args: vec![1 << 56 | 1] },
            ]
        );
    }
}
