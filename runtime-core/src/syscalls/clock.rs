//! `clock_res_get`, `clock_time_get`.

use wasi_vfs::Errno;

use crate::ctx::WasiCtx;
use crate::error::SysResult;
use crate::memory::{GuestMemory, MemoryExt};

pub fn clock_res_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, id: u32, resolution: u32) -> SysResult<()> {
    let res = ctx.resolution(id).ok_or(Errno::Inval)?;
    mem.write_u64(resolution, res)
}

/// `precision` is a hint; every clock here is read at its best resolution.
pub fn clock_time_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, id: u32, _precision: u64, time: u32) -> SysResult<()> {
    let now = ctx.now(id).ok_or(Errno::Inval)?;
    mem.write_u64(time, now)
}
