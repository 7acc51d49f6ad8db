//! `clock_res_get`, `clock_time_get`.

use wasi_vfs::Errno;

use crate::ctx::WasiCtx;
use crate::error::SysResult;
use crate::memory::{GuestMemory, Out};

pub fn clock_res_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, id: u32, resolution: Out<8>) -> SysResult<()> {
    let res = ctx.resolution(id).ok_or(Errno::Inval)?;
    resolution.write_u64(mem, res)
}

/// `precision` is a hint; every clock here is read at its best resolution.
pub fn clock_time_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, id: u32, _precision: u64, time: Out<8>) -> SysResult<()> {
    let now = ctx.now(id).ok_or(Errno::Inval)?;
    time.write_u64(mem, now)
}
