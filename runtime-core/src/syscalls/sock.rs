//! `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown`.
//!
//! No sockets are ever preopened here, so — as in wasmtime without `--tcplisten` — a call on an
//! open descriptor gets `ENOTSOCK` and on anything else `EBADF`. Pointers are still checked, so an
//! out-of-bounds argument traps exactly as it would with sockets present.

use crate::ctx::WasiCtx;
use crate::error::SysResult;
use crate::memory::{GuestMemory, MemoryExt};
use wasi_vfs::Errno;

fn not_a_socket(ctx: &WasiCtx, fd: u32) -> SysResult<()> {
    ctx.entry(fd)?;
    Err(Errno::Notsock.into())
}

pub fn sock_accept(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, fd: u32, _flags: u32, result_fd: u32) -> SysResult<()> {
    mem.check(result_fd, 4)?;
    not_a_socket(ctx, fd)
}

#[allow(clippy::too_many_arguments)]
pub fn sock_recv(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    fd: u32,
    ri_data: u32,
    ri_data_len: u32,
    _ri_flags: u32,
    ro_datalen: u32,
    ro_flags: u32,
) -> SysResult<()> {
    mem.read_iovecs(ri_data, ri_data_len)?;
    mem.check(ro_datalen, 4)?;
    mem.check(ro_flags, 2)?;
    not_a_socket(ctx, fd)
}

pub fn sock_send(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    fd: u32,
    si_data: u32,
    si_data_len: u32,
    _si_flags: u32,
    so_datalen: u32,
) -> SysResult<()> {
    mem.read_iovecs(si_data, si_data_len)?;
    mem.check(so_datalen, 4)?;
    not_a_socket(ctx, fd)
}

pub fn sock_shutdown(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32, how: u32) -> SysResult<()> {
    ctx.entry(fd)?;
    if how & !u32::from(crate::abi::sdflags::ALL) != 0 {
        return Err(Errno::Inval.into());
    }
    Err(Errno::Notsock.into())
}
