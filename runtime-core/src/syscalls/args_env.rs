//! `args_get`, `args_sizes_get`, `environ_get`, `environ_sizes_get`.
//!
//! Both pairs share one encoding ([`EncodedStrings`]) made when the run starts, so the sizes a
//! program allocates for are exactly the bytes it is given, whatever the script of the arguments.

use crate::ctx::{EncodedStrings, WasiCtx};
use crate::error::SysResult;
use crate::memory::{GuestMemory, MemoryExt, Out};

fn write_strings(mem: &mut dyn GuestMemory, s: &EncodedStrings, ptrs: u32, buf: u32) -> SysResult<()> {
    // Both ranges are checked before anything is written.
    mem.check(ptrs, u64::from(s.count()) * 4)?;
    mem.check(buf, u64::from(s.byte_len()))?;
    mem.write_bytes(buf, &s.bytes)?;
    let mut table = Vec::with_capacity(s.offsets.len() * 4);
    for off in &s.offsets {
        table.extend_from_slice(&buf.wrapping_add(*off).to_le_bytes());
    }
    mem.write_bytes(ptrs, &table)
}

fn write_sizes(mem: &mut dyn GuestMemory, s: &EncodedStrings, count: Out<4>, size: Out<4>) -> SysResult<()> {
    count.write_u32(mem, s.count())?;
    size.write_u32(mem, s.byte_len())
}

pub fn args_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, argv: u32, argv_buf: u32) -> SysResult<()> {
    write_strings(mem, &ctx.args, argv, argv_buf)
}

pub fn args_sizes_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, argc: Out<4>, argv_buf_size: Out<4>) -> SysResult<()> {
    write_sizes(mem, &ctx.args, argc, argv_buf_size)
}

pub fn environ_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, environ: u32, environ_buf: u32) -> SysResult<()> {
    write_strings(mem, &ctx.env, environ, environ_buf)
}

pub fn environ_sizes_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, count: Out<4>, size: Out<4>) -> SysResult<()> {
    write_sizes(mem, &ctx.env, count, size)
}
