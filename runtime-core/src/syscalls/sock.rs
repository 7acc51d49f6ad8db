//! `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown`.
//!
//! No sockets are ever preopened here, so — as in wasmtime without `--tcplisten` — a call on an
//! open descriptor gets `ENOTSOCK` and on anything else `EBADF`. Pointers are still checked, so an
//! out-of-bounds argument traps exactly as it would with sockets present.

use crate::ctx::WasiCtx;
use crate::error::SysResult;
use crate::memory::{GuestMemory, MemoryExt, Out};
use wasi_vfs::Errno;

fn not_a_socket(ctx: &WasiCtx, fd: u32) -> SysResult<()> {
    ctx.entry(fd)?;
    Err(Errno::Notsock.into())
}

// No descriptor is a socket here, so nothing is ever written to the outputs; they are still
// checked (by the import table), as a call that could write them would.
pub fn sock_accept(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32, _flags: u32, _result_fd: Out<4>) -> SysResult<()> {
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
    _ro_datalen: Out<4>,
    _ro_flags: Out<2>,
) -> SysResult<()> {
    mem.read_iovecs(ri_data, ri_data_len)?;
    not_a_socket(ctx, fd)
}

pub fn sock_send(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    fd: u32,
    si_data: u32,
    si_data_len: u32,
    _si_flags: u32,
    _so_datalen: Out<4>,
) -> SysResult<()> {
    mem.read_iovecs(si_data, si_data_len)?;
    not_a_socket(ctx, fd)
}

pub fn sock_shutdown(ctx: &mut WasiCtx, _mem: &mut dyn GuestMemory, fd: u32, how: u32) -> SysResult<()> {
    ctx.entry(fd)?;
    if how & !u32::from(crate::abi::sdflags::ALL) != 0 {
        return Err(Errno::Inval.into());
    }
    Err(Errno::Notsock.into())
}
