//! Descriptor attributes: `fd_advise`, `fd_allocate`, `fd_fdstat_get`, `fd_fdstat_set_flags`,
//! `fd_fdstat_set_rights`, `fd_filestat_get`, `fd_filestat_set_size`, `fd_filestat_set_times`,
//! `fd_prestat_get`, `fd_prestat_dir_name`.

use wasi_vfs::{Errno, FileType, Filestat};

use crate::abi::{self, advice, clockid, fdflags, fstflags, preopentype, rights};
use crate::ctx::WasiCtx;
use crate::error::SysResult;
use crate::fd_table::Descriptor;
use crate::memory::{GuestMemory, MemoryExt, Out};

/// Turns `fst_flags` and the two times into what to set; `*_NOW` reads the realtime clock.
/// Asking for a time and "now" together is `EINVAL`, as in POSIX `utimensat`.
pub(crate) fn resolve_times(ctx: &WasiCtx, atim: u64, mtim: u64, flags: u32) -> SysResult<(Option<u64>, Option<u64>)> {
    let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
    let all = fstflags::ATIM | fstflags::ATIM_NOW | fstflags::MTIM | fstflags::MTIM_NOW;
    if flags & !all != 0
        || (flags & fstflags::ATIM != 0 && flags & fstflags::ATIM_NOW != 0)
        || (flags & fstflags::MTIM != 0 && flags & fstflags::MTIM_NOW != 0)
    {
        return Err(Errno::Inval.into());
    }
    let now = || ctx.now(clockid::REALTIME).unwrap_or(0);
    let pick = |set: u16, set_now: u16, value: u64| {
        if flags & set != 0 {
            Some(value)
        } else if flags & set_now != 0 {
            Some(now())
        } else {
            None
        }
    };
    Ok((pick(fstflags::ATIM, fstflags::ATIM_NOW, atim), pick(fstflags::MTIM, fstflags::MTIM_NOW, mtim)))
}

pub fn fd_advise(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32, _offset: u64, _len: u64, advice: u32) -> SysResult<()> {
    if advice > u32::from(advice::MAX) {
        return Err(Errno::Inval.into());
    }
    // Advice is a hint with nothing to tune in these backings; it is validated and accepted.
    match ctx.file(fd, rights::FD_ADVISE) {
        Ok(_) => Ok(()),
        Err(Errno::Isdir) => Err(Errno::Badf.into()),
        Err(e) => Err(e.into()),
    }
}

pub fn fd_allocate(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32, offset: u64, len: u64) -> SysResult<()> {
    let (f, _) = match ctx.file(fd, rights::FD_ALLOCATE) {
        Err(Errno::Isdir) => return Err(Errno::Badf.into()),
        other => other?,
    };
    if !f.writable {
        return Err(Errno::Badf.into());
    }
    if len == 0 {
        return Err(Errno::Inval.into());
    }
    Ok(f.file.allocate(offset, len)?)
}

pub fn fd_fdstat_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, stat: Out<{ abi::layout::FDSTAT_SIZE }>) -> SysResult<()> {
    let e = ctx.entry(fd)?;
    let bytes = abi::encode_fdstat(e.filetype(), e.flags, e.rights_base, e.rights_inheriting);
    stat.write(mem, &bytes)
}

pub fn fd_fdstat_set_flags(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32, flags: u32) -> SysResult<()> {
    let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::Inval.into());
    }
    let e = ctx.fds.get_mut(fd)?;
    e.require(rights::FD_FDSTAT_SET_FLAGS)?;
    // The sync flags ask for durability the in-memory tree always has and a host file gets from
    // fd_sync; they are kept so fd_fdstat_get reports them back.
    e.flags = flags;
    Ok(())
}

/// Rights can only be dropped, never gained (`ENOTCAPABLE`).
pub fn fd_fdstat_set_rights(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32, base: u64, inheriting: u64) -> SysResult<()> {
    let e = ctx.fds.get_mut(fd)?;
    if base & !e.rights_base != 0 || inheriting & !e.rights_inheriting != 0 {
        return Err(Errno::Notcapable.into());
    }
    e.rights_base = base;
    e.rights_inheriting = inheriting;
    Ok(())
}

pub fn fd_filestat_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, buf: Out<{ abi::layout::FILESTAT_SIZE }>) -> SysResult<()> {
    buf.write(mem, &abi::encode_filestat(&fd_filestat(ctx, fd)?))
}

/// What `fd_filestat_get` reports, before it is encoded (`wasi_unstable` lays it out otherwise).
pub(crate) fn fd_filestat(ctx: &mut WasiCtx, fd: u32) -> SysResult<Filestat> {
    let e = ctx.entry(fd)?;
    e.require(rights::FD_FILESTAT_GET)?;
    Ok(match &e.desc {
        Descriptor::File(f) => f.file.stat()?,
        Descriptor::Dir(d) => d.dir.stat()?,
        Descriptor::Input(_) | Descriptor::Output(_) => Filestat {
            filetype: match e.filetype() {
                FileType::Unknown => FileType::CharacterDevice,
                t => t,
            },
            nlink: 1,
            ..Filestat::default()
        },
    })
}

pub fn fd_filestat_set_size(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32, size: u64) -> SysResult<()> {
    let (f, _) = match ctx.file(fd, rights::FD_FILESTAT_SET_SIZE) {
        Err(Errno::Isdir) => return Err(Errno::Badf.into()),
        other => other?,
    };
    if !f.writable {
        return Err(Errno::Badf.into());
    }
    if size > i64::MAX as u64 {
        return Err(Errno::Fbig.into());
    }
    Ok(f.file.set_size(size)?)
}

pub fn fd_filestat_set_times(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32, atim: u64, mtim: u64, flags: u32) -> SysResult<()> {
    let (a, m) = resolve_times(ctx, atim, mtim, flags)?;
    let e = ctx.entry(fd)?;
    e.require(rights::FD_FILESTAT_SET_TIMES)?;
    match &e.desc {
        Descriptor::File(f) => f.file.set_times(a, m)?,
        Descriptor::Dir(d) => d.dir.set_times(a, m)?,
        _ => return Err(Errno::Badf.into()),
    }
    Ok(())
}

fn preopen_name(ctx: &WasiCtx, fd: u32) -> SysResult<&str> {
    match &ctx.entry(fd)?.desc {
        Descriptor::Dir(d) => d.preopen.as_deref().ok_or_else(|| Errno::Badf.into()),
        _ => Err(Errno::Badf.into()),
    }
}

pub fn fd_prestat_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, buf: Out<{ abi::layout::PRESTAT_SIZE }>) -> SysResult<()> {
    let len = preopen_name(ctx, fd)?.len() as u32;
    let mut out = [0u8; abi::layout::PRESTAT_SIZE];
    out[0] = preopentype::DIR;
    out[4..8].copy_from_slice(&len.to_le_bytes());
    buf.write(mem, &out)
}

pub fn fd_prestat_dir_name(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, path: u32, path_len: u32) -> SysResult<()> {
    mem.check(path, u64::from(path_len))?;
    let name = preopen_name(ctx, fd)?;
    if name.len() > path_len as usize {
        return Err(Errno::Nametoolong.into());
    }
    let name = name.as_bytes().to_vec();
    mem.write_bytes(path, &name)
}
