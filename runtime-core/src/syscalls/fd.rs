//! Descriptor I/O: `fd_close`, `fd_read`, `fd_pread`, `fd_write`, `fd_pwrite`, `fd_seek`,
//! `fd_tell`, `fd_renumber`, `fd_sync`, `fd_datasync`.

use std::task::Poll;

use wasi_vfs::Errno;

use crate::abi::{fdflags, rights, whence};
use crate::ctx::WasiCtx;
use crate::error::{SysError, SysResult};
use crate::fd_table::Descriptor;
use crate::embedder::Wake;
use crate::memory::{GuestMemory, IoVecs, MemoryExt, Out};

/// Largest single transfer; bigger requests complete partially, as POSIX allows, so the host
/// buffer stays bounded whatever iovecs a guest passes.
const MAX_TRANSFER: u64 = 16 * 1024 * 1024;

/// Checks every iovec (trapping on a bad one) and returns them with the bytes they cover, capped.
fn iovecs(mem: &dyn GuestMemory, iovs: u32, iovs_len: u32) -> SysResult<(IoVecs, usize)> {
    let list = mem.read_iovecs(iovs, iovs_len)?;
    let mut total = 0u64;
    for &(ptr, len) in list.iter() {
        mem.check(ptr, u64::from(len))?;
        total += u64::from(len);
    }
    Ok((list, total.min(MAX_TRANSFER) as usize))
}

/// Copies `data` into the iovecs in order.
fn scatter(mem: &mut dyn GuestMemory, list: &[(u32, u32)], mut data: &[u8]) -> SysResult<()> {
    for &(ptr, len) in list {
        if data.is_empty() {
            break;
        }
        let n = (len as usize).min(data.len());
        mem.write_bytes(ptr, &data[..n])?;
        data = &data[n..];
    }
    Ok(())
}

/// Copies `data` into the iovecs, starting `skip` bytes into them (what earlier pieces filled).
fn scatter_at(mem: &mut dyn GuestMemory, list: &[(u32, u32)], mut skip: usize, mut data: &[u8]) -> SysResult<()> {
    for &(ptr, len) in list {
        if data.is_empty() {
            break;
        }
        let len = len as usize;
        if skip >= len {
            skip -= len;
            continue;
        }
        let n = (len - skip).min(data.len());
        mem.write_bytes(ptr + skip as u32, &data[..n])?;
        data = &data[n..];
        skip = 0;
    }
    Ok(())
}

/// Collects up to `total` bytes from the iovecs into `out` (emptied first). Empty iovecs may come
/// anywhere: wasi-libc's stdio writes `[empty buffer, data]` on every unbuffered `fputs`.
fn gather(mem: &dyn GuestMemory, list: &[(u32, u32)], total: usize, out: &mut Vec<u8>) -> SysResult<()> {
    out.clear();
    out.reserve(total);
    for &(ptr, len) in list {
        if out.len() == total {
            break;
        }
        let n = (len as usize).min(total - out.len());
        let start = out.len();
        out.resize(start + n, 0);
        mem.read_into(ptr, &mut out[start..])?;
    }
    Ok(())
}

/// Checks the ciovecs at `iovs` and collects the bytes they cover (capped) into `out`: in one
/// step where the memory offers it, else iovec by iovec.
fn gather_iovecs(mem: &dyn GuestMemory, iovs: u32, iovs_len: u32, out: &mut Vec<u8>) -> SysResult<()> {
    if mem.try_gather(iovs, iovs_len, MAX_TRANSFER as usize, out) {
        return Ok(());
    }
    let (list, total) = iovecs(mem, iovs, iovs_len)?;
    gather(mem, &list, total, out)
}

/// Largest gather buffer kept between `fd_write` calls; a bigger one is freed after its call.
const KEPT_WRITE_BUF: usize = 64 * 1024;

pub fn fd_close(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32) -> SysResult<()> {
    let mut entry = ctx.fds.remove(fd)?;
    if let Descriptor::Output(out) = &mut entry.desc {
        out.flush()?;
    }
    Ok(())
}

pub fn fd_read(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, iovs: u32, iovs_len: u32, nread: Out<4>) -> SysResult<()> {
    let (list, total) = iovecs(mem, iovs, iovs_len)?;
    // A file's bytes are read into `buf`, then copied to the guest; a stream's go straight there.
    let mut buf = Vec::new();
    let n = loop {
        let entry = ctx.fds.get_mut(fd)?;
        let nonblock = entry.flags & fdflags::NONBLOCK != 0;
        let rights_base = entry.rights_base;
        match &mut entry.desc {
            Descriptor::File(f) => {
                if !f.readable {
                    return Err(Errno::Badf.into());
                }
                if rights_base & rights::FD_READ == 0 {
                    return Err(Errno::Notcapable.into());
                }
                check_range(f.pos, total)?;
                buf.resize(total, 0);
                let n = f.file.read_at(&mut buf, f.pos)?;
                f.pos += n as u64;
                scatter(mem, &list, &buf[..n])?;
                break n;
            }
            Descriptor::Input(input) => {
                if rights_base & rights::FD_READ == 0 {
                    return Err(Errno::Notcapable.into());
                }
                if total == 0 {
                    break 0;
                }
                if let Some(read) = input.read_to_guest(&*mem, iovs, iovs_len) {
                    break read?;
                }
                // The iovecs were all checked: copying into them cannot fail (memories only grow).
                let mut at = 0;
                let mut failed = None;
                let read = input.read_in_place(total, &mut |data| {
                    if let Err(e) = scatter_at(mem, &list, at, data) {
                        failed.get_or_insert(e);
                    }
                    at += data.len();
                });
                match read {
                    Poll::Ready(r) => {
                        let n = r?;
                        if let Some(e) = failed {
                            return Err(e);
                        }
                        debug_assert_eq!(n, at, "a stream reported other than what it handed over");
                        break at;
                    }
                    Poll::Pending if nonblock => return Err(Errno::Again.into()),
                    Poll::Pending => {}
                }
            }
            Descriptor::Dir(_) => return Err(Errno::Isdir.into()),
            Descriptor::Output(_) => return Err(Errno::Badf.into()),
        }
        // Nothing written to the guest yet, so suspending and calling again is safe.
        match ctx.wait(None, true) {
            Wake::Retry => {}
            Wake::Suspend => return Err(SysError::WouldBlock),
            Wake::Interrupted => return Err(SysError::Interrupted),
        }
    };
    nread.write_u32(mem, n as u32)
}

/// File offsets are `off_t` on every host, signed: a transfer starting or ending past `i64::MAX`
/// is `EINVAL` there (Linux's `rw_verify_area`). Checked here so every backing answers alike (the
/// in-memory tree would otherwise succeed, reading nothing).
fn check_range(offset: u64, len: usize) -> SysResult<()> {
    match offset.checked_add(len as u64) {
        Some(end) if end <= i64::MAX as u64 => Ok(()),
        _ => Err(Errno::Inval.into()),
    }
}

pub fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nread: Out<4>,
) -> SysResult<()> {
    let (list, total) = iovecs(mem, iovs, iovs_len)?;
    let (f, _) = ctx.file(fd, rights::FD_READ | rights::FD_SEEK)?;
    if !f.readable {
        return Err(Errno::Badf.into());
    }
    check_range(offset, total)?;
    let mut buf = vec![0u8; total];
    let n = f.file.read_at(&mut buf, offset)?;
    scatter(mem, &list, &buf[..n])?;
    nread.write_u32(mem, n as u32)
}

pub fn fd_write(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, iovs: u32, iovs_len: u32, nwritten: Out<4>) -> SysResult<()> {
    if let Some(written) = write_in_place(ctx, mem, fd, iovs, iovs_len) {
        return nwritten.write_u32(mem, written? as u32);
    }
    let mut data = std::mem::take(&mut ctx.write_buf);
    gather_iovecs(mem, iovs, iovs_len, &mut data)?;
    let written = write_at_position(ctx, fd, &data);
    if data.capacity() <= KEPT_WRITE_BUF {
        ctx.write_buf = data;
    }
    nwritten.write_u32(mem, written? as u32)
}

/// `fd_write` to a stream that takes the bytes where they lie (see
/// [`crate::embedder::OutputStream::write_in_place`]); `None` for every other case, which the
/// general path answers (errors included, in its order: a bad iovec traps before a bad descriptor).
fn write_in_place(ctx: &mut WasiCtx, mem: &dyn GuestMemory, fd: u32, iovs: u32, iovs_len: u32) -> Option<SysResult<usize>> {
    let entry = ctx.fds.get_mut(fd).ok()?;
    if entry.rights_base & rights::FD_WRITE == 0 {
        return None;
    }
    let Descriptor::Output(out) = &mut entry.desc else { return None };
    out.write_in_place(mem, iovs, iovs_len, MAX_TRANSFER as usize).map(|r| r.map_err(SysError::from))
}

/// `fd_write`'s work once the bytes are gathered: at the descriptor's position, or its end.
fn write_at_position(ctx: &mut WasiCtx, fd: u32, data: &[u8]) -> SysResult<usize> {
    let entry = ctx.fds.get_mut(fd)?;
    if entry.rights_base & rights::FD_WRITE == 0 {
        return Err(match entry.desc {
            Descriptor::File(ref f) if !f.writable => Errno::Badf,
            Descriptor::Input(_) => Errno::Badf,
            Descriptor::Dir(_) => Errno::Isdir,
            _ => Errno::Notcapable,
        }
        .into());
    }
    let append = entry.flags & fdflags::APPEND != 0;
    Ok(match &mut entry.desc {
        Descriptor::File(f) => {
            if !f.writable {
                return Err(Errno::Badf.into());
            }
            if append {
                let (n, end) = f.file.append(data)?;
                f.pos = end;
                n
            } else {
                check_range(f.pos, data.len())?;
                let n = f.file.write_at(data, f.pos)?;
                f.pos += n as u64;
                n
            }
        }
        Descriptor::Output(out) => out.write(data)?,
        Descriptor::Dir(_) => return Err(Errno::Isdir.into()),
        Descriptor::Input(_) => return Err(Errno::Badf.into()),
    })
}

pub fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nwritten: Out<4>,
) -> SysResult<()> {
    let mut data = Vec::new();
    gather_iovecs(mem, iovs, iovs_len, &mut data)?;
    let (f, _) = ctx.file(fd, rights::FD_WRITE | rights::FD_SEEK)?;
    if !f.writable {
        return Err(Errno::Badf.into());
    }
    check_range(offset, data.len())?;
    let n = f.file.write_at(&data, offset)?;
    nwritten.write_u32(mem, n as u32)
}

pub fn fd_seek(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, offset: i64, whence: u32, newoffset: Out<8>) -> SysResult<()> {
    // Seeking to where we are is how libc's `lseek(fd, 0, SEEK_CUR)` asks for the position;
    // it needs only FD_TELL.
    let right = if offset == 0 && whence == u32::from(whence::CUR) { rights::FD_TELL } else { rights::FD_SEEK };
    let (f, _) = match ctx.file(fd, right) {
        Err(Errno::Isdir) => return Err(Errno::Badf.into()),
        other => other?,
    };
    let base: i128 = match u8::try_from(whence).map_err(|_| Errno::Inval)? {
        whence::SET => 0,
        whence::CUR => i128::from(f.pos),
        whence::END => i128::from(f.file.stat()?.size),
        _ => return Err(Errno::Inval.into()),
    };
    let target = base + i128::from(offset);
    let pos = u64::try_from(target).map_err(|_| Errno::Inval)?;
    if pos > i64::MAX as u64 {
        return Err(Errno::Inval.into());
    }
    f.pos = pos;
    newoffset.write_u64(mem, pos)
}

pub fn fd_tell(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, offset: Out<8>) -> SysResult<()> {
    let (f, _) = match ctx.file(fd, rights::FD_TELL) {
        Err(Errno::Isdir) => return Err(Errno::Badf.into()),
        other => other?,
    };
    let pos = f.pos;
    offset.write_u64(mem, pos)
}

pub fn fd_renumber(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, from: u32, to: u32) -> SysResult<()> {
    Ok(ctx.fds.renumber(from, to)?)
}

fn sync(ctx: &mut WasiCtx, fd: u32, right: u64) -> SysResult<()> {
    let entry = ctx.fds.get_mut(fd)?;
    let allowed = entry.require(right);
    match &mut entry.desc {
        Descriptor::File(f) => {
            allowed?;
            f.file.sync()?;
        }
        // Directories carry FD_SYNC but not FD_DATASYNC; fsync and fdatasync are one for them.
        Descriptor::Dir(d) => d.dir.sync()?,
        // As on Linux, streams cannot be synced; the data is already the stream's.
        Descriptor::Output(_) | Descriptor::Input(_) => return Err(Errno::Inval.into()),
    }
    Ok(())
}

pub fn fd_sync(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32) -> SysResult<()> {
    sync(ctx, fd, rights::FD_SYNC)
}

pub fn fd_datasync(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32) -> SysResult<()> {
    sync(ctx, fd, rights::FD_DATASYNC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedder::BytesInput;

    /// Reads stdin into `iovecs` (pointer, length) laid out at 0 in a 4 KiB memory.
    fn read_stdin(input: &[u8], iovecs: &[(u32, u32)]) -> (Vec<u8>, SysResult<()>) {
        let mut b = WasiCtx::builder();
        b.deterministic(0);
        b.stdin(Box::new(BytesInput::new(input.to_vec())));
        let mut ctx = b.build().unwrap_or_else(|e| panic!("{e}"));
        let mut mem = vec![0u8; 4096];
        for (i, &(ptr, len)) in iovecs.iter().enumerate() {
            mem[i * 8..i * 8 + 4].copy_from_slice(&ptr.to_le_bytes());
            mem[i * 8 + 4..i * 8 + 8].copy_from_slice(&len.to_le_bytes());
        }
        let nread = Out::checked(3000, &mem).unwrap_or_else(|_| panic!("in bounds"));
        let r = fd_read(&mut ctx, &mut mem, 0, 0, iovecs.len() as u32, nread);
        (mem, r)
    }

    /// Hands its bytes over three at a time, in one read.
    struct InPieces(Vec<u8>);
    impl crate::embedder::InputStream for InPieces {
        fn read(&mut self, _buf: &mut [u8]) -> Poll<Result<usize, Errno>> {
            unreachable!("fd_read reads in place")
        }
        fn read_in_place(&mut self, max: usize, take: &mut dyn FnMut(&[u8])) -> Poll<Result<usize, Errno>> {
            let n = self.0.len().min(max);
            for piece in self.0[..n].chunks(3) {
                take(piece);
            }
            self.0.drain(..n);
            Poll::Ready(Ok(n))
        }
        fn readiness(&mut self) -> Poll<u64> {
            Poll::Ready(self.0.len() as u64)
        }
    }

    #[test]
    fn pieces_of_a_read_continue_where_the_last_ended() {
        let mut b = WasiCtx::builder();
        b.deterministic(0);
        b.stdin(Box::new(InPieces(b"abcdefghij".to_vec())));
        let mut ctx = b.build().unwrap_or_else(|e| panic!("{e}"));
        let mut mem = vec![0u8; 4096];
        // Iovecs of 4, 0 and 5 bytes: pieces of 3 straddle their ends.
        for (i, (ptr, len)) in [(100u32, 4u32), (200, 0), (300, 5)].into_iter().enumerate() {
            mem[i * 8..i * 8 + 4].copy_from_slice(&ptr.to_le_bytes());
            mem[i * 8 + 4..i * 8 + 8].copy_from_slice(&len.to_le_bytes());
        }
        let nread = Out::checked(3000, &mem).unwrap_or_else(|_| panic!("in bounds"));
        assert!(fd_read(&mut ctx, &mut mem, 0, 0, 3, nread).is_ok());
        assert_eq!((&mem[100..104], &mem[300..306]), (&b"abcd"[..], &b"efghi\0"[..]));
        assert_eq!(mem[3000], 9);
    }

    #[test]
    fn stdin_goes_straight_into_the_iovecs_in_order() {
        // An empty iovec between, and more room than input: 7 bytes over 3 + 0 + 10.
        let (mem, r) = read_stdin(b"abcdefg", &[(100, 3), (200, 0), (300, 10)]);
        assert!(r.is_ok());
        assert_eq!(&mem[100..103], b"abc");
        assert_eq!(&mem[300..305], b"defg\0");
        assert_eq!(u32::from_le_bytes([mem[3000], mem[3001], mem[3002], mem[3003]]), 7);
        // Less room than input: the read stops where the iovecs end.
        let (mem, r) = read_stdin(b"abcdefg", &[(100, 2), (200, 3)]);
        assert!(r.is_ok());
        assert_eq!((&mem[100..102], &mem[200..203]), (&b"ab"[..], &b"cde"[..]));
        assert_eq!(mem[3000], 5);
        // An iovec outside memory traps before anything is read.
        let (mem, r) = read_stdin(b"abc", &[(100, 2), (4095, 2)]);
        assert!(matches!(r, Err(SysError::Trap(_))));
        assert_eq!(&mem[100..102], b"\0\0");
    }
}
