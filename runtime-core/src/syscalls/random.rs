//! `random_get`.

use crate::ctx::WasiCtx;
use crate::error::SysResult;
use crate::memory::{GuestMemory, MemoryExt};

/// Filled in 64 KiB chunks: the browser's `crypto.getRandomValues` refuses more per call, and it
/// bounds the host buffer whatever length the guest asks for.
const CHUNK: u32 = 64 * 1024;

pub fn random_get(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, buf: u32, len: u32) -> SysResult<()> {
    mem.check(buf, u64::from(len))?;
    let mut chunk = vec![0u8; len.min(CHUNK) as usize];
    let mut done = 0u32;
    while done < len {
        let n = (len - done).min(CHUNK);
        let part = &mut chunk[..n as usize];
        ctx.entropy.fill(part)?;
        mem.write_bytes(buf + done, part)?;
        done += n;
    }
    Ok(())
}
