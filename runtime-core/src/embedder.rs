//! What the embedder supplies: clocks, randomness, stdio streams and a way to wait.
//!
//! The core never calls the operating system: natively these come from `std`, in the browser from
//! `performance.now()`, `crypto.getRandomValues` and JS callbacks. Blocking is expressed as
//! [`Poll::Pending`] and [`Wake::Suspend`] so an embedder that cannot block a thread can pause the
//! guest instead (wasmi resumable calls, JSPI) and retry the call.

use std::task::Poll;

use wasi_vfs::Errno;

use crate::memory::GuestMemory;

/// Wall-clock and monotonic time, in nanoseconds.
pub trait Clocks {
    /// Nanoseconds since the Unix epoch.
    fn realtime(&self) -> u64;
    /// Nanoseconds since an arbitrary fixed point. The core clamps it so it never goes back.
    fn monotonic(&self) -> u64;
    /// Resolution in nanoseconds.
    fn resolution(&self) -> u64 {
        1
    }
}

/// A source of random bytes for `random_get`.
pub trait Entropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno>;
}

/// A readable byte stream (stdin, or a pipe the embedder provides).
pub trait InputStream {
    /// Reads what is available now. `Ready(Ok(0))` is end of input; `Pending` means no data yet.
    fn read(&mut self, buf: &mut [u8]) -> Poll<Result<usize, Errno>>;
    /// As `read`, at most `max` bytes, handed to `take` where they are rather than copied into a
    /// buffer first: a stream that holds its bytes (a browser's stdin queue) lets `fd_read` copy
    /// them once, straight into the guest. `take` may be called several times, in order, and only
    /// for a read that returns `Ready(Ok(n))`, with `n` bytes in all: a `Pending` or an error
    /// hands nothing over (the call may be made again, and must find the same input).
    fn read_in_place(&mut self, max: usize, take: &mut dyn FnMut(&[u8])) -> Poll<Result<usize, Errno>> {
        let mut buf = vec![0u8; max];
        let read = self.read(&mut buf);
        if let Poll::Ready(Ok(n)) = read {
            take(&buf[..n]);
        }
        read
    }
    /// `fd_read`'s bytes put where the guest asked, by a stream that can copy them there itself
    /// in one step (a page's `Uint8Array` straight into the guest's JS memory): the `count`
    /// iovecs at `iovs` in `mem`, already checked to lie in memory. `None` (the default) leaves
    /// the call to `read_in_place`, which is also the answer when nothing is there to read now.
    fn read_to_guest(&mut self, _mem: &dyn GuestMemory, _iovs: u32, _count: u32) -> Option<Result<usize, Errno>> {
        None
    }
    /// Bytes readable without waiting: `Ready(n)` (0 at end of input, which is also "ready"), or
    /// `Pending`.
    fn readiness(&mut self) -> Poll<u64>;
    /// Whether this is a terminal (reported as a character device, so tools colour their output).
    fn is_terminal(&self) -> bool {
        false
    }
}

/// A writable byte stream (stdout, stderr).
pub trait OutputStream {
    /// Writes and returns how many bytes were taken (all of them, for a blocking stream).
    fn write(&mut self, data: &[u8]) -> Result<usize, Errno>;
    /// `fd_write`'s bytes where they lie: the `count` ciovecs at `iovs` in `mem`, for a stream
    /// that can take them from there in one step (a browser's callback, handed a copy made
    /// straight from guest memory). `None` to have them gathered and given to `write` instead,
    /// which is also the answer whenever any iovec is outside memory or they total more than
    /// `max` (the general path then traps, or writes in part, as it always does).
    fn write_in_place(&mut self, _mem: &dyn GuestMemory, _iovs: u32, _count: u32, _max: usize) -> Option<Result<usize, Errno>> {
        None
    }
    fn flush(&mut self) -> Result<(), Errno> {
        Ok(())
    }
    fn is_terminal(&self) -> bool {
        false
    }
}

/// Output bound for a pipe or a file (a terminal gets every write at once) is gathered and
/// delivered when this many bytes wait, when [`FLUSH_INTERVAL_MS`] have passed since the last
/// delivery, before the program waits for input, and when it ends: one policy, natively (one
/// system call per chunk instead of per line) and in the browser (one JS call per chunk).
pub const FLUSH_BYTES: usize = 64 * 1024;
/// See [`FLUSH_BYTES`]: how stale gathered output may get while a program keeps writing.
pub const FLUSH_INTERVAL_MS: u64 = 20;

/// What came of a request to wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// Something may have changed (input arrived or the deadline passed): look again.
    Retry,
    /// This embedder cannot block here: the call reports `WouldBlock`, the embedder suspends the
    /// guest and calls again once input arrives or the deadline passes.
    Suspend,
    /// The run's own time limit passed while waiting: the call ends the run.
    Interrupted,
}

/// Waiting for input or time, for `poll_oneoff` and blocking reads.
pub trait Waiter {
    /// Waits until the monotonic clock reaches `deadline` (if any) or, when `input` is true, until
    /// an input stream may have become ready. May return early; the core re-checks.
    fn wait(&mut self, deadline: Option<u64>, input: bool) -> Wake;
}

/// A waiter for embedders that never block: always asks to suspend.
#[derive(Clone, Copy, Debug, Default)]
pub struct SuspendingWaiter;

impl Waiter for SuspendingWaiter {
    fn wait(&mut self, _deadline: Option<u64>, _input: bool) -> Wake {
        Wake::Suspend
    }
}

/// Deterministic randomness: SplitMix64 from a seed, for reproducible runs.
#[derive(Clone, Debug)]
pub struct SeededEntropy {
    state: u64,
}

impl SeededEntropy {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Entropy for SeededEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

/// An input stream that is always at end of input (stdin of a run given no input).
#[derive(Clone, Copy, Debug, Default)]
pub struct EmptyInput;

impl InputStream for EmptyInput {
    fn read(&mut self, _buf: &mut [u8]) -> Poll<Result<usize, Errno>> {
        Poll::Ready(Ok(0))
    }
    fn read_in_place(&mut self, _max: usize, _take: &mut dyn FnMut(&[u8])) -> Poll<Result<usize, Errno>> {
        Poll::Ready(Ok(0))
    }
    fn readiness(&mut self) -> Poll<u64> {
        Poll::Ready(0)
    }
}

/// An input stream over bytes known up front.
#[derive(Clone, Debug, Default)]
pub struct BytesInput {
    data: Vec<u8>,
    pos: usize,
}

impl BytesInput {
    pub fn new(data: impl Into<Vec<u8>>) -> Self {
        Self { data: data.into(), pos: 0 }
    }
}

impl InputStream for BytesInput {
    fn read(&mut self, buf: &mut [u8]) -> Poll<Result<usize, Errno>> {
        self.read_in_place(buf.len(), &mut |data| buf[..data.len()].copy_from_slice(data))
    }
    fn read_in_place(&mut self, max: usize, take: &mut dyn FnMut(&[u8])) -> Poll<Result<usize, Errno>> {
        let rest = &self.data[self.pos..];
        let n = rest.len().min(max);
        take(&rest[..n]);
        self.pos += n;
        Poll::Ready(Ok(n))
    }
    fn readiness(&mut self) -> Poll<u64> {
        Poll::Ready((self.data.len() - self.pos) as u64)
    }
}

/// An output stream that collects everything written (tests, and `run()` results).
#[derive(Clone, Debug, Default)]
pub struct CollectOutput {
    pub data: std::rc::Rc<std::cell::RefCell<Vec<u8>>>,
}

impl OutputStream for CollectOutput {
    fn write(&mut self, data: &[u8]) -> Result<usize, Errno> {
        self.data.borrow_mut().extend_from_slice(data);
        Ok(data.len())
    }
}

/// An output stream that discards everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullOutput;

impl OutputStream for NullOutput {
    fn write(&mut self, data: &[u8]) -> Result<usize, Errno> {
        Ok(data.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_entropy_is_reproducible_and_not_constant() {
        let (mut a, mut b) = (SeededEntropy::new(7), SeededEntropy::new(7));
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        a.fill(&mut x).unwrap();
        b.fill(&mut y).unwrap();
        assert_eq!(x, y);
        assert_ne!(x, [0u8; 13]);
    }
}
