//! Path operations relative to a directory descriptor: `path_open`, `path_create_directory`,
//! `path_remove_directory`, `path_unlink_file`, `path_rename`, `path_link`, `path_symlink`,
//! `path_readlink`, `path_filestat_get`, `path_filestat_set_times`.
//!
//! Confinement (no `..` past a preopen, no absolute paths or symlinks out) is the filesystem's job
//! ([`wasi_vfs::Dir`]); this layer checks rights, decodes arguments and maps flags.

use wasi_vfs::{Errno, Node, OpenOptions};

use crate::abi::{self, fdflags, lookupflags, oflags, rights};
use crate::ctx::WasiCtx;
use crate::error::SysResult;
use crate::fd_table::{Descriptor, Entry, OpenDir, OpenFile};
use crate::memory::{GuestMemory, MemoryExt, Out};
use crate::syscalls::fd_attrs::resolve_times;

fn follows(flags: u32) -> bool {
    flags & lookupflags::SYMLINK_FOLLOW != 0
}

#[allow(clippy::too_many_arguments)]
pub fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    dirfd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    rights_base: u64,
    _rights_inheriting: u64,
    fdflags: u32,
    opened_fd: Out<4>,
) -> SysResult<()> {
    let path = mem.read_str(path, path_len)?;
    let oflags = u16::try_from(oflags).map_err(|_| Errno::Inval)?;
    let fdflags = u16::try_from(fdflags).map_err(|_| Errno::Inval)?;
    if oflags & !oflags::ALL != 0 || fdflags & !fdflags::ALL != 0 {
        return Err(Errno::Inval.into());
    }
    let mut needed = rights::PATH_OPEN;
    if oflags & oflags::CREAT != 0 {
        needed |= rights::PATH_CREATE_FILE;
    }
    if oflags & oflags::TRUNC != 0 {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    let dir = ctx.dir(dirfd, needed)?;
    let parent_inheriting = ctx.entry(dirfd)?.rights_inheriting;

    // The access mode comes from the rights asked for, as wasi-libc encodes O_RDONLY/O_WRONLY/O_RDWR.
    let write = rights_base & rights::WRITE_LIKE != 0 || fdflags & fdflags::APPEND != 0;
    let read = rights_base & (rights::FD_READ | rights::FD_READDIR) != 0 || !write;
    let opts = OpenOptions {
        read,
        write,
        create: oflags & oflags::CREAT != 0,
        exclusive: oflags & oflags::EXCL != 0,
        truncate: oflags & oflags::TRUNC != 0,
        directory: oflags & oflags::DIRECTORY != 0,
        follow: follows(dirflags),
    };
    let node = dir.dir.open(&path, &opts)?;
    // Rights follow the access mode rather than the request: wasi-libc asks for broad sets, and
    // like wasmtime we enforce read/write by how the file was opened. fd_fdstat_set_rights can
    // then only take rights away.
    let entry = match node {
        Node::File(file) => {
            let mut base = rights::FILE & parent_inheriting;
            if !read {
                base &= !rights::FD_READ;
            }
            if !write {
                base &= !(rights::WRITE_LIKE);
            }
            Entry::new(Descriptor::File(OpenFile { file, pos: 0, readable: read, writable: write }), base, 0, fdflags)
        }
        Node::Dir(dir) => Entry::new(
            Descriptor::Dir(OpenDir { dir, preopen: None, listing: None }),
            rights::DIRECTORY & parent_inheriting,
            (rights::DIRECTORY | rights::FILE) & parent_inheriting,
            fdflags,
        ),
    };
    let fd = ctx.fds.insert(entry)?;
    opened_fd.write_u32(mem, fd)
}

pub fn path_create_directory(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, path: u32, path_len: u32) -> SysResult<()> {
    let path = mem.read_str(path, path_len)?;
    Ok(ctx.dir(fd, rights::PATH_CREATE_DIRECTORY)?.dir.create_dir(&path)?)
}

pub fn path_remove_directory(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, path: u32, path_len: u32) -> SysResult<()> {
    let path = mem.read_str(path, path_len)?;
    Ok(ctx.dir(fd, rights::PATH_REMOVE_DIRECTORY)?.dir.remove_dir(&path)?)
}

pub fn path_unlink_file(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, path: u32, path_len: u32) -> SysResult<()> {
    let path = mem.read_str(path, path_len)?;
    Ok(ctx.dir(fd, rights::PATH_UNLINK_FILE)?.dir.unlink_file(&path)?)
}

#[allow(clippy::too_many_arguments)]
pub fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    fd: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> SysResult<()> {
    let old = mem.read_str(old_path, old_path_len)?;
    let new = mem.read_str(new_path, new_path_len)?;
    let from = ctx.dir(fd, rights::PATH_RENAME_SOURCE)?;
    let to = ctx.dir(new_fd, rights::PATH_RENAME_TARGET)?;
    Ok(from.dir.rename(&old, &*to.dir, &new)?)
}

#[allow(clippy::too_many_arguments)]
pub fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> SysResult<()> {
    let old = mem.read_str(old_path, old_path_len)?;
    let new = mem.read_str(new_path, new_path_len)?;
    let from = ctx.dir(old_fd, rights::PATH_LINK_SOURCE)?;
    let to = ctx.dir(new_fd, rights::PATH_LINK_TARGET)?;
    Ok(from.dir.hard_link(&old, follows(old_flags), &*to.dir, &new)?)
}

pub fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    old_path: u32,
    old_path_len: u32,
    fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> SysResult<()> {
    let target = mem.read_str(old_path, old_path_len)?;
    let path = mem.read_str(new_path, new_path_len)?;
    let dir = ctx.dir(fd, rights::PATH_SYMLINK)?;
    // A link to an absolute path could only lead out of the sandbox: wasmtime (cap-std) refuses
    // to make one, and so does every backing here, the in-memory tree included (which could
    // store it, and an imported archive may hold one, but following it is refused anyway).
    if target.starts_with('/') {
        return Err(Errno::Perm.into());
    }
    Ok(dir.dir.symlink(&target, &path)?)
}

#[allow(clippy::too_many_arguments)]
pub fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    fd: u32,
    path: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    bufused: Out<4>,
) -> SysResult<()> {
    let path = mem.read_str(path, path_len)?;
    mem.check(buf, u64::from(buf_len))?;
    let target = ctx.dir(fd, rights::PATH_READLINK)?.dir.read_link(&path)?;
    // Like readlink(2), a short buffer gets a truncated target.
    let bytes = target.as_bytes();
    let n = bytes.len().min(buf_len as usize);
    mem.write_bytes(buf, &bytes[..n])?;
    bufused.write_u32(mem, n as u32)
}

pub fn path_filestat_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, flags: u32, path: u32, path_len: u32, buf: Out<{ abi::layout::FILESTAT_SIZE }>) -> SysResult<()> {
    let st = path_filestat(ctx, mem, fd, flags, path, path_len)?;
    buf.write(mem, &abi::encode_filestat(&st))
}

/// What `path_filestat_get` reports, before it is encoded (`wasi_unstable` lays it out otherwise).
pub(crate) fn path_filestat(ctx: &mut WasiCtx, mem: &dyn GuestMemory, fd: u32, flags: u32, path: u32, path_len: u32) -> SysResult<wasi_vfs::Filestat> {
    let path = mem.read_str(path, path_len)?;
    Ok(ctx.dir(fd, rights::PATH_FILESTAT_GET)?.dir.stat_at(&path, follows(flags))?)
}

#[allow(clippy::too_many_arguments)]
pub fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> SysResult<()> {
    let path = mem.read_str(path, path_len)?;
    let (a, m) = resolve_times(ctx, atim, mtim, fst_flags)?;
    Ok(ctx.dir(fd, rights::PATH_FILESTAT_SET_TIMES)?.dir.set_times_at(&path, follows(flags), a, m)?)
}
