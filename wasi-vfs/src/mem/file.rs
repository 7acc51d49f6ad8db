//! Regular-file handles on the in-memory tree.

use super::tree::{Ino, Kind, Tree};
use super::MemFs;
use crate::{Errno, File, Filestat, Result, Timestamp};

/// An open regular file on a [`MemFs`]. It keeps the inode alive after an unlink.
///
/// The handle remembers whether it was opened for reading and writing and refuses the other
/// kind of access with [`Errno::Badf`], as a POSIX descriptor does (`set_size` counts as a
/// write, `set_times` as neither).
pub struct MemFile {
    fs: MemFs,
    ino: Ino,
    readable: bool,
    writable: bool,
}

impl MemFile {
    pub(super) fn open_handle(fs: &MemFs, ino: Ino, readable: bool, writable: bool) -> Self {
        fs.retain(ino);
        MemFile {
            fs: fs.clone(),
            ino,
            readable,
            writable,
        }
    }

    fn check_writable(&self) -> Result<()> {
        if self.writable {
            Ok(())
        } else {
            Err(Errno::Badf)
        }
    }
}

impl Drop for MemFile {
    fn drop(&mut self) {
        self.fs.release(self.ino);
    }
}

fn data(t: &Tree, ino: Ino) -> Result<&Vec<u8>> {
    match &t.get(ino)?.kind {
        Kind::File(data) => Ok(data),
        _ => Err(Errno::Badf),
    }
}

fn data_mut(t: &mut Tree, ino: Ino) -> Result<&mut Vec<u8>> {
    t.data_changed(ino);
    match &mut t.get_mut(ino)?.kind {
        Kind::File(data) => Ok(data),
        _ => Err(Errno::Badf),
    }
}

/// Resizes the file to `new_len` bytes (zero-filling), within the quota and without aborting on
/// an allocation failure: a guest asking for a huge file gets `ENOSPC`, not a dead host.
fn resize(t: &mut Tree, ino: Ino, new_len: u64) -> Result<()> {
    let len = usize::try_from(new_len).map_err(|_| Errno::Fbig)?;
    let old_len = data(t, ino)?.len();
    if len == old_len {
        return Ok(());
    }
    // Book first so a size over the quota never reaches the allocator.
    t.charge(old_len as u64, new_len)?;
    let grown = if len > old_len { grow(data_mut(t, ino)?, len) } else { Ok(()) };
    if let Err(e) = grown {
        t.charge(new_len, old_len as u64)?;
        return Err(e);
    }
    data_mut(t, ino)?.resize(len, 0);
    Ok(())
}

/// A jump this far past a file's end (`ftruncate`, a write far past the end) takes fresh zeroed
/// memory instead of zero-filling: the allocator gets it from the system already zero, so the
/// host neither spends time on it nor holds it in RAM until the program writes there.
const SPARSE_JUMP: usize = 1 << 20;

/// Makes room for `data` to grow to `len` bytes, failing with `ENOSPC` rather than aborting.
fn grow(data: &mut Vec<u8>, len: usize) -> Result<()> {
    if len - data.len() >= SPARSE_JUMP && len / 2 > data.len() {
        let mut fresh = zeroed(len)?;
        fresh[..data.len()].copy_from_slice(data);
        *data = fresh;
        return Ok(());
    }
    data.try_reserve_exact(len - data.len()).map_err(|_| Errno::Nospc)
}

/// `len` zero bytes from the allocator's zeroed memory (calloc), or `ENOSPC`.
fn zeroed(len: usize) -> Result<Vec<u8>> {
    let layout = std::alloc::Layout::array::<u8>(len).map_err(|_| Errno::Nospc)?;
    if layout.size() == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: `layout` has a non-zero size. A non-null result is a fresh allocation from the
    // global allocator of exactly `len` bytes with `u8`'s alignment, all zero (so initialized),
    // which is what `Vec::from_raw_parts` needs for a length and capacity of `len`.
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout);
        if ptr.is_null() {
            return Err(Errno::Nospc);
        }
        Ok(Vec::from_raw_parts(ptr, len, len))
    }
}

fn touch_modified(t: &mut Tree, ino: Ino) -> Result<()> {
    let now = t.now();
    let inode = t.get_mut(ino)?;
    inode.mtim = now;
    inode.ctim = now;
    Ok(())
}

impl File for MemFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        if !self.readable {
            return Err(Errno::Badf);
        }
        let t = self.fs.tree.borrow();
        let data = data(&t, self.ino)?;
        let Some(start) = usize::try_from(offset).ok().filter(|&s| s < data.len()) else {
            return Ok(0);
        };
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> Result<usize> {
        self.check_writable()?;
        if buf.is_empty() {
            // pwrite of nothing does not extend the file, even past its end.
            return Ok(0);
        }
        let end = offset.checked_add(buf.len() as u64).ok_or(Errno::Fbig)?;
        let start = usize::try_from(offset).map_err(|_| Errno::Fbig)?;
        let mut t = self.fs.tree.borrow_mut();
        if end > data(&t, self.ino)?.len() as u64 {
            resize(&mut t, self.ino, end)?;
        }
        data_mut(&mut t, self.ino)?[start..start + buf.len()].copy_from_slice(buf);
        touch_modified(&mut t, self.ino)?;
        Ok(buf.len())
    }

    fn append(&self, buf: &[u8]) -> Result<(usize, u64)> {
        let size = data(&self.fs.tree.borrow(), self.ino)?.len() as u64;
        let n = self.write_at(buf, size)?;
        Ok((n, size + n as u64))
    }

    fn stat(&self) -> Result<Filestat> {
        self.fs.tree.borrow().stat(self.ino)
    }

    fn set_size(&self, size: u64) -> Result<()> {
        self.check_writable()?;
        let mut t = self.fs.tree.borrow_mut();
        resize(&mut t, self.ino, size)?;
        touch_modified(&mut t, self.ino)
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        let mut t = self.fs.tree.borrow_mut();
        let now = t.now();
        let inode = t.get_mut(self.ino)?;
        if let Some(a) = atim {
            inode.atim = a;
        }
        if let Some(m) = mtim {
            inode.mtim = m;
        }
        inode.ctim = now;
        Ok(())
    }
}
