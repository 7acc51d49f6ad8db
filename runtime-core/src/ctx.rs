//! The per-run WASI state and the builder embedders configure it with.

use std::cell::Cell;
use std::rc::Rc;

use wasi_vfs::{Dir, Errno};

use crate::abi::{clockid, rights, Fd};
use crate::fd_table::{Descriptor, Entry, FdTable, OpenDir, OpenFile};
use crate::imports::WasiVersion;
use crate::embedder::{Clocks, EmptyInput, Entropy, InputStream, NullOutput, OutputStream, SeededEntropy, SuspendingWaiter, Waiter};

/// NUL-terminated strings laid out once, so `*_sizes_get` and `*_get` cannot disagree.
///
/// Sizes are counted in UTF-8 bytes of the encoded buffer itself (the bug browser shims have is
/// counting UTF-16 units for the size and writing UTF-8).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncodedStrings {
    /// All strings, each followed by a NUL.
    pub bytes: Vec<u8>,
    /// Start of each string inside `bytes`.
    pub offsets: Vec<u32>,
}

impl EncodedStrings {
    pub fn encode<I, S>(items: I) -> Result<Self, Errno>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut out = Self::default();
        for item in items {
            let item = item.as_ref();
            if item.contains(&0) {
                return Err(Errno::Inval);
            }
            out.offsets.push(u32::try_from(out.bytes.len()).map_err(|_| Errno::TooBig)?);
            out.bytes.extend_from_slice(item);
            out.bytes.push(0);
        }
        u32::try_from(out.bytes.len()).map_err(|_| Errno::TooBig)?;
        Ok(out)
    }
    pub fn count(&self) -> u32 {
        self.offsets.len() as u32
    }
    pub fn byte_len(&self) -> u32 {
        self.bytes.len() as u32
    }
}

/// Where time comes from.
enum TimeSource {
    Host { clocks: Box<dyn Clocks>, last_monotonic: Cell<u64>, start: u64 },
    /// Deterministic runs: virtual time that advances 1 µs per reading and jumps to the deadline
    /// when the program sleeps, so a run's output never depends on the machine's speed.
    Virtual { realtime_base: u64, monotonic: Cell<u64> },
}

/// The WASI state of one program run.
pub struct WasiCtx {
    pub(crate) args: EncodedStrings,
    pub(crate) env: EncodedStrings,
    pub(crate) fds: FdTable,
    time: TimeSource,
    pub(crate) entropy: Box<dyn Entropy>,
    pub(crate) waiter: Box<dyn Waiter>,
    /// A `poll_oneoff` that suspended, kept so its deadlines survive the retry.
    pub(crate) pending_poll: Option<crate::syscalls::poll::PendingPoll>,
    /// The buffer `fd_write` gathers a guest's bytes into, kept between calls so printing a line
    /// does not allocate.
    pub(crate) write_buf: Vec<u8>,
    /// The ABI the module's calls use (`wasi_unstable`'s differs in a few layouts).
    pub(crate) version: WasiVersion,
    /// Links to trees owned elsewhere whose answers come later ([`wasi_vfs::remote`]): a call that
    /// stopped for one suspends, and is made again once the embedder gave the answer.
    pub(crate) deferred_links: Vec<Rc<wasi_vfs::remote::Link>>,
}

impl WasiCtx {
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// Where the clocks are, for [`Self::reset_clocks`].
    pub(crate) fn clock_mark(&self) -> u64 {
        match &self.time {
            TimeSource::Host { last_monotonic, .. } => last_monotonic.get(),
            TimeSource::Virtual { monotonic, .. } => monotonic.get(),
        }
    }

    /// Puts the clocks back where [`Self::clock_mark`] saw them: a call made again (see
    /// [`crate::dispatch::call`]) reads the virtual clock as its first attempt did, so a
    /// deterministic run gives the same times however its calls were answered.
    pub(crate) fn reset_clocks(&self, mark: u64) {
        match &self.time {
            TimeSource::Host { last_monotonic, .. } => last_monotonic.set(mark),
            TimeSource::Virtual { monotonic, .. } => monotonic.set(mark),
        }
    }

    /// Reads a clock; `None` for an unknown clock id. Monotonic readings never go back.
    pub fn now(&self, id: u32) -> Option<u64> {
        let mono = || match &self.time {
            TimeSource::Host { clocks, last_monotonic, .. } => {
                let now = clocks.monotonic().max(last_monotonic.get());
                last_monotonic.set(now);
                now
            }
            TimeSource::Virtual { monotonic, .. } => {
                let now = monotonic.get() + 1_000;
                monotonic.set(now);
                now
            }
        };
        match id {
            clockid::REALTIME => Some(match &self.time {
                TimeSource::Host { clocks, .. } => clocks.realtime(),
                TimeSource::Virtual { realtime_base, .. } => realtime_base + mono(),
            }),
            clockid::MONOTONIC => Some(mono()),
            // CPU time: a single-threaded guest's CPU time is approximated by time since start.
            clockid::PROCESS_CPUTIME | clockid::THREAD_CPUTIME => {
                let start = match &self.time {
                    TimeSource::Host { start, .. } => *start,
                    TimeSource::Virtual { .. } => 0,
                };
                Some(mono().saturating_sub(start))
            }
            _ => None,
        }
    }

    /// Clock resolution in nanoseconds; `None` for an unknown clock id.
    pub fn resolution(&self, id: u32) -> Option<u64> {
        if id > clockid::THREAD_CPUTIME {
            return None;
        }
        Some(match &self.time {
            TimeSource::Host { clocks, .. } => clocks.resolution().max(1),
            TimeSource::Virtual { .. } => 1_000,
        })
    }

    /// Waits for `deadline` (monotonic ns) or input. Virtual time just jumps to the deadline.
    pub(crate) fn wait(&mut self, deadline: Option<u64>, input: bool) -> crate::embedder::Wake {
        self.flush_outputs();
        if let (TimeSource::Virtual { monotonic, .. }, Some(d)) = (&self.time, deadline) {
            monotonic.set(monotonic.get().max(d));
            return crate::embedder::Wake::Retry;
        }
        self.waiter.wait(deadline, input)
    }

    /// Flushes every output stream: before waiting (so a prompt shows before the program blocks on
    /// input) and when the run ends.
    pub fn flush_outputs(&mut self) {
        let fds: Vec<Fd> = self.fds.open_fds().collect();
        for fd in fds {
            if let Ok(Entry { desc: Descriptor::Output(out), .. }) = self.fds.get_mut(fd) {
                // A failing flush at this point has nobody to report to; the data is the stream's.
                let _ = out.flush();
            }
        }
    }

    /// The descriptor table, for embedders that inspect or add descriptors.
    pub fn fds(&mut self) -> &mut FdTable {
        &mut self.fds
    }

    pub(crate) fn entry(&self, fd: Fd) -> Result<&Entry, Errno> {
        self.fds.get(fd)
    }

    /// An open directory holding `right`.
    pub(crate) fn dir(&self, fd: Fd, right: u64) -> Result<&OpenDir, Errno> {
        let entry = self.fds.get(fd)?;
        match &entry.desc {
            Descriptor::Dir(d) => {
                entry.require(right)?;
                Ok(d)
            }
            _ => Err(Errno::Notdir),
        }
    }

    /// An open regular file holding `right`.
    pub(crate) fn file(&mut self, fd: Fd, right: u64) -> Result<(&mut OpenFile, u16), Errno> {
        let entry = self.fds.get_mut(fd)?;
        let flags = entry.flags;
        let rights = entry.rights_base;
        match &mut entry.desc {
            Descriptor::File(f) => {
                if rights & right != right {
                    // A right missing because of how the file was opened is EBADF, as POSIX says
                    // for writing a read-only descriptor; one dropped by fd_fdstat_set_rights is
                    // ENOTCAPABLE.
                    let by_mode = (right & rights::WRITE_LIKE != 0 && !f.writable)
                        || (right & rights::FD_READ != 0 && !f.readable);
                    return Err(if by_mode { Errno::Badf } else { Errno::Notcapable });
                }
                Ok((f, flags))
            }
            Descriptor::Dir(_) => Err(Errno::Isdir),
            _ => Err(Errno::Spipe),
        }
    }
}

/// Configures a [`WasiCtx`]: arguments, environment, stdio, preopened directories, time and
/// randomness.
pub struct WasiCtxBuilder {
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    stdin: Box<dyn InputStream>,
    stdout: Box<dyn OutputStream>,
    stderr: Box<dyn OutputStream>,
    preopens: Vec<(String, Box<dyn Dir>)>,
    clocks: Option<Box<dyn Clocks>>,
    entropy: Option<Box<dyn Entropy>>,
    waiter: Box<dyn Waiter>,
    deterministic_seed: Option<u64>,
    version: WasiVersion,
    deferred_links: Vec<Rc<wasi_vfs::remote::Link>>,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        Self {
            args: Vec::new(),
            env: Vec::new(),
            stdin: Box::new(EmptyInput),
            stdout: Box::new(NullOutput),
            stderr: Box::new(NullOutput),
            preopens: Vec::new(),
            clocks: None,
            entropy: None,
            waiter: Box::new(SuspendingWaiter),
            deterministic_seed: None,
            version: WasiVersion::Preview1,
            deferred_links: Vec::new(),
        }
    }
}

/// 2000-01-01T00:00:00Z, the wall clock of deterministic runs.
const DETERMINISTIC_EPOCH_NS: u64 = 946_684_800 * 1_000_000_000;

impl WasiCtxBuilder {
    /// Adds one argument (the first is the program name). Bytes, so non-UTF-8 host arguments pass.
    pub fn arg(&mut self, arg: impl AsRef<[u8]>) -> &mut Self {
        self.args.push(arg.as_ref().to_vec());
        self
    }
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<[u8]>>(&mut self, args: I) -> &mut Self {
        for a in args {
            self.arg(a);
        }
        self
    }
    /// Adds one `KEY=VALUE` environment variable.
    pub fn env(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Self {
        let mut kv = key.as_ref().to_vec();
        kv.push(b'=');
        kv.extend_from_slice(value.as_ref());
        self.env.push(kv);
        self
    }
    pub fn stdin(&mut self, s: Box<dyn InputStream>) -> &mut Self {
        self.stdin = s;
        self
    }
    pub fn stdout(&mut self, s: Box<dyn OutputStream>) -> &mut Self {
        self.stdout = s;
        self
    }
    pub fn stderr(&mut self, s: Box<dyn OutputStream>) -> &mut Self {
        self.stderr = s;
        self
    }
    /// Preopens `dir` under `guest_path`; preopens get descriptors 3, 4, ... in this order.
    pub fn preopen(&mut self, guest_path: impl Into<String>, dir: Box<dyn Dir>) -> &mut Self {
        self.preopens.push((guest_path.into(), dir));
        self
    }
    pub fn clocks(&mut self, c: Box<dyn Clocks>) -> &mut Self {
        self.clocks = Some(c);
        self
    }
    pub fn entropy(&mut self, e: Box<dyn Entropy>) -> &mut Self {
        self.entropy = Some(e);
        self
    }
    /// How this embedder waits; the default never blocks and asks to suspend instead.
    pub fn waiter(&mut self, w: Box<dyn Waiter>) -> &mut Self {
        self.waiter = w;
        self
    }
    /// Fixed virtual clocks and `random_get` seeded with `seed`: the same program and input give the
    /// same output on every run and machine.
    pub fn deterministic(&mut self, seed: u64) -> &mut Self {
        self.deterministic_seed = Some(seed);
        self
    }

    /// The WASI the module imports (see [`crate::unstable`]); preview 1 unless told otherwise.
    pub fn version(&mut self, version: WasiVersion) -> &mut Self {
        self.version = version;
        self
    }

    /// Directories preopened through `link` get their answers later: a call that waits for one
    /// ends in [`crate::dispatch::CallOutcome::Suspend`], and the embedder gives
    /// [`wasi_vfs::remote::Link::waiting`]'s message to the owner, its reply to `answer`, then makes
    /// the call again.
    pub fn deferred_link(&mut self, link: Rc<wasi_vfs::remote::Link>) -> &mut Self {
        self.deferred_links.push(link);
        self
    }

    /// Builds the context. Fails with `E2BIG`/`EINVAL` when args or env cannot be encoded, and
    /// `EINVAL` when no clock or entropy was given outside deterministic mode.
    pub fn build(self) -> Result<WasiCtx, Errno> {
        let args = EncodedStrings::encode(&self.args)?;
        let env = EncodedStrings::encode(&self.env)?;
        let (time, entropy): (TimeSource, Box<dyn Entropy>) = match self.deterministic_seed {
            Some(seed) => (
                TimeSource::Virtual { realtime_base: DETERMINISTIC_EPOCH_NS, monotonic: Cell::new(0) },
                Box::new(SeededEntropy::new(seed)),
            ),
            None => {
                let clocks = self.clocks.ok_or(Errno::Inval)?;
                let start = clocks.monotonic();
                (
                    TimeSource::Host { clocks, last_monotonic: Cell::new(start), start },
                    self.entropy.ok_or(Errno::Inval)?,
                )
            }
        };
        let mut fds = FdTable::new();
        fds.insert(Entry::stdin(self.stdin))?;
        fds.insert(Entry::stdout(self.stdout))?;
        fds.insert(Entry::stdout(self.stderr))?;
        for (path, dir) in self.preopens {
            fds.insert(Entry::preopen(dir, path))?;
        }
        Ok(WasiCtx { args, env, fds, time, entropy, waiter: self.waiter, pending_poll: None, write_buf: Vec::new(), version: self.version, deferred_links: self.deferred_links })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_strings_count_utf8_bytes() {
        let e = EncodedStrings::encode(["prog", "héllo", "日本"]).unwrap();
        assert_eq!(e.count(), 3);
        assert_eq!(e.byte_len(), 5 + 7 + 7);
        assert_eq!(e.offsets, vec![0, 5, 12]);
        assert_eq!(&e.bytes[5..12], "héllo\0".as_bytes());
        assert_eq!(EncodedStrings::encode(["a\0b"]), Err(Errno::Inval));
    }

    #[test]
    fn virtual_monotonic_clock_only_moves_forward() {
        let mut b = WasiCtx::builder();
        b.deterministic(1);
        let mut ctx = b.build().unwrap();
        let a = ctx.now(clockid::MONOTONIC).unwrap();
        let b2 = ctx.now(clockid::MONOTONIC).unwrap();
        assert!(b2 > a);
        ctx.wait(Some(a + 5_000_000_000), false);
        assert!(ctx.now(clockid::MONOTONIC).unwrap() >= a + 5_000_000_000);
        assert_eq!(ctx.now(99), None);
    }
}
