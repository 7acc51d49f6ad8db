//! `args_get`, `args_sizes_get`, `environ_get`, `environ_sizes_get`.
//!
//! Both pairs share one encoding ([`EncodedStrings`]) made when the run starts, so the sizes a
//! program allocates for are exactly the bytes it is given, whatever the script of the arguments.

use crate::ctx::{EncodedStrings, WasiCtx};
use crate::error::SysResult;
use crate::memory::{GuestMemory, MemoryExt};

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

fn write_sizes(mem: &mut dyn GuestMemory, s: &EncodedStrings, count_ptr: u32, size_ptr: u32) -> SysResult<()> {
    mem.write_u32(count_ptr, s.count())?;
    mem.write_u32(size_ptr, s.byte_len())
}

pub fn args_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, argv: u32, argv_buf: u32) -> SysResult<()> {
    write_strings(mem, &ctx.args, argv, argv_buf)
}

pub fn args_sizes_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, argc: u32, argv_buf_size: u32) -> SysResult<()> {
    write_sizes(mem, &ctx.args, argc, argv_buf_size)
}

pub fn environ_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, environ: u32, environ_buf: u32) -> SysResult<()> {
    write_strings(mem, &ctx.env, environ, environ_buf)
}

pub fn environ_sizes_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, count: u32, size: u32) -> SysResult<()> {
    write_sizes(mem, &ctx.env, count, size)
}
