//! Guest memory, reached by copies only.
//!
//! In a browser the guest's memory is a JS `WebAssembly.Memory` whose `ArrayBuffer` is replaced
//! whenever it grows, so the core never holds a `&mut [u8]` into it across a call: it copies ranges
//! in and out through [`GuestMemory`]. Natively the engine adapter hands a slice, which implements
//! the trait directly.
//!
//! Every access is bounds-checked with 64-bit arithmetic; an out-of-bounds pointer or length is a
//! trap ("shall trap", WASI preview 1 `pointer` semantics), never a wrap-around.

use crate::error::{SysError, SysResult};

/// Ranged copies in and out of a guest's linear memory.
pub trait GuestMemory {
    /// Current size in bytes.
    fn size(&self) -> u64;
    /// Copies `out.len()` bytes starting at `offset` into `out`. The range is already checked.
    fn copy_out(&self, offset: u32, out: &mut [u8]);
    /// Copies `data` into memory at `offset`. The range is already checked.
    fn copy_in(&mut self, offset: u32, data: &[u8]);
    /// Whether the first `end` bytes are all inside memory. Memories only grow, so an
    /// implementation whose size is costly to read may answer from a size it saw before and
    /// read it again only when that is too small.
    fn reaches(&self, end: u64) -> bool {
        end <= self.size()
    }
    /// `fd_write`'s common case in one step, for an implementation whose every copy is costly to
    /// start (a browser's crosses from the core into JS): reads the `count` ciovecs at `iovs` and
    /// copies the bytes they cover, in order, into `out` (its length set to theirs), when every
    /// range lies in memory and they fit in `out`'s capacity and `max`. Returns false, having
    /// changed nothing the caller relies on, for the caller to take the general path (which
    /// gives any trap).
    fn try_gather(&self, _iovs: u32, _count: u32, _max: usize, _out: &mut Vec<u8>) -> bool {
        false
    }
    /// The engine's own handle on this memory (a browser's `WebAssembly.Memory`), for an
    /// embedder's streams that take bytes straight from it ([`crate::embedder::OutputStream::write_in_place`]).
    fn host_memory(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// A borrowed memory (what native engines hand out for the duration of one host call).
impl GuestMemory for &mut [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn copy_out(&self, offset: u32, out: &mut [u8]) {
        let start = offset as usize;
        out.copy_from_slice(&self[start..start + out.len()]);
    }
    fn copy_in(&mut self, offset: u32, data: &[u8]) {
        let start = offset as usize;
        self[start..start + data.len()].copy_from_slice(data);
    }
}

/// An owned memory (tests, fuzzing).
impl GuestMemory for Vec<u8> {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn copy_out(&self, offset: u32, out: &mut [u8]) {
        let start = offset as usize;
        out.copy_from_slice(&self[start..start + out.len()]);
    }
    fn copy_in(&mut self, offset: u32, data: &[u8]) {
        let start = offset as usize;
        self[start..start + data.len()].copy_from_slice(data);
    }
}

/// A guest pointer where a call writes a result of `N` bytes. The import table checks it when it
/// decodes the call's arguments, so by the time a handler runs every fixed-size output is known
/// to be in bounds ("shall trap"): a call never traps halfway, after some of its effects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Out<const N: usize>(u32);

impl<const N: usize> Out<N> {
    /// Checks that `N` bytes at `ptr` lie in `mem`.
    pub fn checked(ptr: u32, mem: &dyn GuestMemory) -> SysResult<Self> {
        mem.check(ptr, N as u64)?;
        Ok(Out(ptr))
    }
    /// Writes the result. (Memories only grow, so the range checked at decoding still holds.)
    pub fn write(self, mem: &mut dyn GuestMemory, bytes: &[u8; N]) -> SysResult<()> {
        mem.write_bytes(self.0, bytes)
    }
}

impl Out<4> {
    pub fn write_u32(self, mem: &mut dyn GuestMemory, v: u32) -> SysResult<()> {
        self.write(mem, &v.to_le_bytes())
    }
}

impl Out<8> {
    pub fn write_u64(self, mem: &mut dyn GuestMemory, v: u64) -> SysResult<()> {
        self.write(mem, &v.to_le_bytes())
    }
}

fn out_of_bounds(offset: u32, len: u64) -> SysError {
    SysError::Trap(format!("out of bounds memory access: {len} bytes at {offset:#x}"))
}

/// Checked accessors over any [`GuestMemory`].
pub trait MemoryExt: GuestMemory {
    /// Traps unless `offset..offset+len` lies inside memory.
    fn check(&self, offset: u32, len: u64) -> SysResult<()> {
        match (offset as u64).checked_add(len) {
            Some(end) if self.reaches(end) => Ok(()),
            _ => Err(out_of_bounds(offset, len)),
        }
    }
    fn read_bytes(&self, offset: u32, len: u32) -> SysResult<Vec<u8>> {
        // Checked before allocating, so a guest cannot make the host allocate more than its memory.
        self.check(offset, len as u64)?;
        let mut buf = vec![0u8; len as usize];
        self.copy_out(offset, &mut buf);
        Ok(buf)
    }
    fn read_into(&self, offset: u32, out: &mut [u8]) -> SysResult<()> {
        self.check(offset, out.len() as u64)?;
        self.copy_out(offset, out);
        Ok(())
    }
    fn write_bytes(&mut self, offset: u32, data: &[u8]) -> SysResult<()> {
        self.check(offset, data.len() as u64)?;
        self.copy_in(offset, data);
        Ok(())
    }
    fn read_u8(&self, offset: u32) -> SysResult<u8> {
        let mut b = [0u8; 1];
        self.read_into(offset, &mut b)?;
        Ok(b[0])
    }
    fn read_u16(&self, offset: u32) -> SysResult<u16> {
        let mut b = [0u8; 2];
        self.read_into(offset, &mut b)?;
        Ok(u16::from_le_bytes(b))
    }
    fn read_u32(&self, offset: u32) -> SysResult<u32> {
        let mut b = [0u8; 4];
        self.read_into(offset, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn read_u64(&self, offset: u32) -> SysResult<u64> {
        let mut b = [0u8; 8];
        self.read_into(offset, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn write_u8(&mut self, offset: u32, v: u8) -> SysResult<()> {
        self.write_bytes(offset, &[v])
    }
    fn write_u32(&mut self, offset: u32, v: u32) -> SysResult<()> {
        self.write_bytes(offset, &v.to_le_bytes())
    }
    fn write_u64(&mut self, offset: u32, v: u64) -> SysResult<()> {
        self.write_bytes(offset, &v.to_le_bytes())
    }
    /// Reads a path or name: bad UTF-8 is `ILSEQ`; an embedded NUL is `INVAL` (no POSIX path can
    /// hold one).
    fn read_str(&self, offset: u32, len: u32) -> SysResult<String> {
        let bytes = self.read_bytes(offset, len)?;
        let s = String::from_utf8(bytes).map_err(|_| wasi_vfs::Errno::Ilseq)?;
        if s.contains('\0') {
            return Err(wasi_vfs::Errno::Inval.into());
        }
        Ok(s)
    }
    /// Reads an array of `iovec`/`ciovec` (`{ buf: u32, buf_len: u32 }`). A few are read without
    /// allocating: this runs on every `fd_write`, once per line a program prints.
    fn read_iovecs(&self, offset: u32, count: u32) -> SysResult<IoVecs> {
        let bytes = count.checked_mul(8).ok_or_else(|| out_of_bounds(offset, u64::from(count) * 8))?;
        self.check(offset, u64::from(bytes))?;
        let parse = |c: &[u8]| (u32::from_le_bytes([c[0], c[1], c[2], c[3]]), u32::from_le_bytes([c[4], c[5], c[6], c[7]]));
        let count = count as usize;
        if count <= INLINE_IOVECS {
            let mut raw = [0u8; INLINE_IOVECS * 8];
            self.copy_out(offset, &mut raw[..count * 8]);
            let mut list = [(0, 0); INLINE_IOVECS];
            for (slot, c) in list.iter_mut().zip(raw[..count * 8].chunks_exact(8)) {
                *slot = parse(c);
            }
            return Ok(IoVecs::Inline { list, len: count });
        }
        let mut raw = vec![0u8; count * 8];
        self.copy_out(offset, &mut raw);
        Ok(IoVecs::Heap(raw.chunks_exact(8).map(parse).collect()))
    }
}

/// How many iovecs [`MemoryExt::read_iovecs`] keeps without allocating.
const INLINE_IOVECS: usize = 4;

/// A call's iovecs as `(pointer, length)` pairs.
pub enum IoVecs {
    Inline { list: [(u32, u32); INLINE_IOVECS], len: usize },
    Heap(Vec<(u32, u32)>),
}

impl std::ops::Deref for IoVecs {
    type Target = [(u32, u32)];
    fn deref(&self) -> &[(u32, u32)] {
        match self {
            IoVecs::Inline { list, len } => &list[..*len],
            IoVecs::Heap(v) => v,
        }
    }
}

impl<M: GuestMemory + ?Sized> MemoryExt for M {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_little_endian() {
        let mut mem = vec![0u8; 16];
        mem.write_u32(4, 0xdead_beef).unwrap();
        assert_eq!(mem.read_u32(4).unwrap(), 0xdead_beef);
        assert_eq!(&mem[4..8], &[0xef, 0xbe, 0xad, 0xde]);
    }

    #[test]
    fn out_of_bounds_traps_without_wrapping() {
        let m = vec![0u8; 16];
        assert!(matches!(m.read_u32(13), Err(SysError::Trap(_))));
        assert!(matches!(m.read_bytes(u32::MAX, 2), Err(SysError::Trap(_))));
        assert!(matches!(m.read_iovecs(0, u32::MAX), Err(SysError::Trap(_))));
        assert!(m.read_bytes(16, 0).is_ok());
    }

    #[test]
    fn iovecs_inline_and_on_the_heap_read_alike() {
        let mut mem = vec![0u8; 128];
        for i in 0..6u32 {
            mem.write_u32(i * 8, 100 + i).unwrap();
            mem.write_u32(i * 8 + 4, i).unwrap();
        }
        let few = mem.read_iovecs(0, 2).unwrap();
        assert!(matches!(few, IoVecs::Inline { .. }));
        assert_eq!(&*few, &[(100, 0), (101, 1)]);
        let many = mem.read_iovecs(0, 6).unwrap();
        assert!(matches!(many, IoVecs::Heap(_)));
        assert_eq!(many.len(), 6);
        assert_eq!(many[5], (105, 5));
        assert!(mem.read_iovecs(0, 0).unwrap().is_empty());
        assert!(matches!(mem.read_iovecs(120, 2), Err(SysError::Trap(_))));
    }

    #[test]
    fn strings_are_checked() {
        let m = b"ok\xffa\0b".to_vec();
        assert_eq!(m.read_str(0, 2).unwrap(), "ok");
        assert_eq!(m.read_str(0, 3), Err(SysError::Errno(wasi_vfs::Errno::Ilseq)));
        assert_eq!(m.read_str(3, 3), Err(SysError::Errno(wasi_vfs::Errno::Inval)));
    }
}
