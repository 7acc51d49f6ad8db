//! `fd_readdir`.
//!
//! The listing is snapshotted when a program starts at cookie 0; cookie `n` is simply index `n` in
//! that snapshot. So cookies stay stable between calls, any buffer size works (the last entry is
//! cut off when it does not fit, and the program asks again from its cookie, as wasi-libc does),
//! and walking thousands of entries with a tiny buffer stays linear.

use wasi_vfs::Errno;

use crate::abi::{self, layout::DIRENT_SIZE, rights};
use crate::ctx::WasiCtx;
use crate::error::SysResult;
use crate::fd_table::Descriptor;
use crate::memory::{GuestMemory, MemoryExt, Out};

pub fn fd_readdir(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, buf: u32, buf_len: u32, cookie: u64, bufused: Out<4>) -> SysResult<()> {
    mem.check(buf, u64::from(buf_len))?;
    let entry = ctx.fds.get_mut(fd)?;
    let allowed = entry.require(rights::FD_READDIR);
    let Descriptor::Dir(dir) = &mut entry.desc else {
        return Err(Errno::Notdir.into());
    };
    allowed?;
    if cookie == 0 || dir.listing.is_none() {
        dir.listing = Some(dir.dir.entries()?);
    }
    let listing = dir.listing.as_deref().unwrap_or_default();
    let cap = buf_len as usize;
    let mut out: Vec<u8> = Vec::with_capacity(cap.min(64 * 1024));
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, e) in listing.iter().enumerate().skip(start) {
        if out.len() >= cap {
            break;
        }
        let header = abi::encode_dirent(i as u64 + 1, e.ino, e.name.len() as u32, e.filetype);
        let room = cap - out.len();
        out.extend_from_slice(&header[..room.min(DIRENT_SIZE)]);
        let room = cap - out.len();
        out.extend_from_slice(&e.name.as_bytes()[..room.min(e.name.len())]);
    }
    mem.write_bytes(buf, &out)?;
    bufused.write_u32(mem, out.len() as u32)
}
