//! `poll_oneoff`: clock subscriptions (relative and absolute) and fd read/write readiness.
//!
//! The call first looks at what is ready now. If nothing is, it asks the embedder to wait for the
//! earliest deadline or for input. An embedder that cannot block answers "suspend": the call then
//! returns [`SysError::WouldBlock`] having written nothing, and is called again later. Deadlines of
//! relative clocks are remembered across those retries, so a suspended `sleep(1)` still ends one
//! second after it began.

use std::task::Poll;

use wasi_vfs::Errno;

use crate::abi::{self, clockid, eventrwflags, eventtype, layout, subclockflags};
use crate::ctx::WasiCtx;
use crate::error::{SysError, SysResult};
use crate::fd_table::Descriptor;
use crate::embedder::Wake;
use crate::memory::{GuestMemory, MemoryExt, Out};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Fires when the monotonic clock reaches this instant.
    Clock(u64),
    Read(u32),
    Write(u32),
}

/// A poll the embedder suspended: its subscriptions (as bytes) and their absolute deadlines.
#[derive(Clone, Debug, Default)]
pub struct PendingPoll {
    raw: Vec<u8>,
    kinds: Vec<(u64, Kind)>,
}

fn parse(ctx: &WasiCtx, raw: &[u8]) -> SysResult<Vec<(u64, Kind)>> {
    let u64_at = |c: &[u8], o: usize| u64::from_le_bytes(c[o..o + 8].try_into().unwrap_or([0; 8]));
    let u32_at = |c: &[u8], o: usize| u32::from_le_bytes(c[o..o + 4].try_into().unwrap_or([0; 4]));
    let mut out = Vec::with_capacity(raw.len() / layout::SUBSCRIPTION_SIZE as usize);
    for sub in raw.chunks_exact(layout::SUBSCRIPTION_SIZE as usize) {
        let userdata = u64_at(sub, 0);
        let kind = match sub[8] {
            eventtype::CLOCK => {
                let id = u32_at(sub, 16);
                let timeout = u64_at(sub, 24);
                let flags = u16::from_le_bytes([sub[40], sub[41]]);
                let now = ctx.now(id).ok_or(Errno::Inval)?;
                let mono = ctx.now(clockid::MONOTONIC).ok_or(Errno::Inval)?;
                let remaining = if flags & subclockflags::ABSTIME != 0 {
                    timeout.saturating_sub(now)
                } else {
                    timeout
                };
                Kind::Clock(mono.saturating_add(remaining))
            }
            eventtype::FD_READ => Kind::Read(u32_at(sub, 16)),
            eventtype::FD_WRITE => Kind::Write(u32_at(sub, 16)),
            _ => return Err(Errno::Inval.into()),
        };
        out.push((userdata, kind));
    }
    Ok(out)
}

/// Readiness of one fd subscription: `Some((errno, nbytes, flags))` when it has an event now.
fn fd_readiness(ctx: &mut WasiCtx, fd: u32, read: bool) -> Option<(Errno, u64, u16)> {
    let Ok(entry) = ctx.fds.get_mut(fd) else {
        return Some((Errno::Badf, 0, 0));
    };
    if entry.require(abi::rights::POLL_FD_READWRITE).is_err() {
        return Some((Errno::Notcapable, 0, 0));
    }
    match (&mut entry.desc, read) {
        (Descriptor::File(f), true) => {
            let size = f.file.stat().map(|s| s.size).unwrap_or(0);
            Some((Errno::Success, size.saturating_sub(f.pos), 0))
        }
        (Descriptor::File(_), false) | (Descriptor::Output(_), false) => Some((Errno::Success, 0, 0)),
        (Descriptor::Input(input), true) => match input.readiness() {
            Poll::Ready(0) => Some((Errno::Success, 0, eventrwflags::HANGUP)),
            Poll::Ready(n) => Some((Errno::Success, n, 0)),
            Poll::Pending => None,
        },
        _ => Some((Errno::Badf, 0, 0)),
    }
}

pub fn poll_oneoff(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, in_ptr: u32, out_ptr: u32, nsubscriptions: u32, nevents: Out<4>) -> SysResult<()> {
    poll_with(ctx, mem, in_ptr, out_ptr, nsubscriptions, nevents, layout::SUBSCRIPTION_SIZE, std::convert::identity)
}

/// `poll_oneoff` over subscriptions of `sub_size` bytes, which `to_preview1` turns into
/// preview 1's layout (`wasi_unstable`'s clock subscriptions are 8 bytes longer).
#[allow(clippy::too_many_arguments)]
pub(crate) fn poll_with(
    ctx: &mut WasiCtx,
    mem: &mut dyn GuestMemory,
    in_ptr: u32,
    out_ptr: u32,
    nsubscriptions: u32,
    nevents: Out<4>,
    sub_size: u32,
    to_preview1: fn(Vec<u8>) -> Vec<u8>,
) -> SysResult<()> {
    let size = u64::from(nsubscriptions) * u64::from(sub_size);
    mem.check(in_ptr, size)?;
    mem.check(out_ptr, u64::from(nsubscriptions) * layout::EVENT_SIZE as u64)?;
    if nsubscriptions == 0 {
        return Err(Errno::Inval.into());
    }
    let raw = to_preview1(mem.read_bytes(in_ptr, size as u32)?);
    let subs = match ctx.pending_poll.take() {
        Some(p) if p.raw == raw => p.kinds,
        _ => parse(ctx, &raw)?,
    };
    loop {
        let now = ctx.now(clockid::MONOTONIC).unwrap_or(0);
        let mut events = Vec::new();
        let mut earliest: Option<u64> = None;
        let mut wants_input = false;
        for &(userdata, kind) in &subs {
            let ready = match kind {
                Kind::Clock(deadline) if now >= deadline => Some((eventtype::CLOCK, Errno::Success, 0, 0)),
                Kind::Clock(deadline) => {
                    earliest = Some(earliest.map_or(deadline, |e| e.min(deadline)));
                    None
                }
                Kind::Read(fd) => {
                    let r = fd_readiness(ctx, fd, true).map(|(e, n, f)| (eventtype::FD_READ, e, n, f));
                    wants_input |= r.is_none();
                    r
                }
                Kind::Write(fd) => fd_readiness(ctx, fd, false).map(|(e, n, f)| (eventtype::FD_WRITE, e, n, f)),
            };
            if let Some((kind, errno, nbytes, flags)) = ready {
                events.extend_from_slice(&abi::encode_event(userdata, errno, kind, nbytes, flags));
            }
        }
        if !events.is_empty() {
            mem.write_bytes(out_ptr, &events)?;
            return nevents.write_u32(mem, (events.len() / layout::EVENT_SIZE) as u32);
        }
        match ctx.wait(earliest, wants_input) {
            Wake::Retry => {}
            Wake::Suspend => {
                ctx.pending_poll = Some(PendingPoll { raw, kinds: subs });
                return Err(SysError::WouldBlock);
            }
            Wake::Interrupted => return Err(SysError::Interrupted),
        }
    }
}
