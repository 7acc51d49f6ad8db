//! The browser's side of runtime-core's embedder traits: `performance`/`Date` clocks,
//! `crypto.getRandomValues`, stdout/stderr delivered to JS callbacks, stdin fed from JS, and a
//! waiter that never blocks (it records what the guest waits for and asks to suspend).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::Poll;

use runtime_core::embedder::{Clocks, Entropy, InputStream, OutputStream, Waiter, Wake, FLUSH_BYTES, FLUSH_INTERVAL_MS};
use runtime_core::{Errno, GuestMemory};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<(), JsValue>;
}

/// `performance.now()` for monotonic time, and the wall clock as `Date.now()` at the start plus
/// the monotonic time since: the best resolution the page gives (browsers coarsen it, to 5 µs or
/// 100 µs without cross-origin isolation) for both.
pub struct BrowserClocks {
    wall_at_start_ms: f64,
    perf_at_start_ms: f64,
}

impl BrowserClocks {
    pub fn new() -> Self {
        Self { wall_at_start_ms: js_sys::Date::now(), perf_at_start_ms: performance_now() }
    }
}

impl Clocks for BrowserClocks {
    fn realtime(&self) -> u64 {
        ((self.wall_at_start_ms + (performance_now() - self.perf_at_start_ms)) * 1e6) as u64
    }
    fn monotonic(&self) -> u64 {
        (performance_now() * 1e6) as u64
    }
    fn resolution(&self) -> u64 {
        1_000
    }
}

/// `crypto.getRandomValues` (runtime-core already hands it at most 64 KiB at a time, its limit).
pub struct BrowserEntropy;

impl Entropy for BrowserEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        get_random_values(buf).map_err(|_| Errno::Io)
    }
}

/// Output delivered to a JS callback as `Uint8Array` chunks.
///
/// A terminal gets every write at once. Otherwise writes are gathered and delivered as the native
/// `wrun` delivers them ([`runtime_core::embedder::FLUSH_BYTES`]): output streams while a program
/// runs, without a JS call per line.
pub struct JsOutput {
    callback: Option<js_sys::Function>,
    buf: Vec<u8>,
    terminal: bool,
    /// Deliver every write at once, as to a terminal (without reporting one to the program).
    every_write: bool,
    last_flush: f64,
    writes_since_clock: u32,
    /// Everything written, when the caller asked to collect it (the `run()` result), up to
    /// `limit` bytes.
    pub collected: Option<Rc<RefCell<Vec<u8>>>>,
    limit: usize,
    /// This build's memory, where the bytes to deliver are.
    core_memory: JsValue,
}

const FLUSH_MS: f64 = FLUSH_INTERVAL_MS as f64;

impl JsOutput {
    /// `limit` bounds what is collected: a program writing gigabytes must not take the page's
    /// memory with it.
    pub fn new(callback: Option<js_sys::Function>, terminal: bool, every_write: bool, collected: Option<Rc<RefCell<Vec<u8>>>>, limit: usize) -> Self {
        Self { callback, buf: Vec::new(), terminal, every_write, last_flush: performance_now(), writes_since_clock: 0, collected, limit, core_memory: wasm_bindgen::memory() }
    }

    /// Keeps `data` for the result, within the limit. Past it, with a callback receiving the
    /// output nothing is lost and collecting just stops; without one the output would be lost,
    /// so the program is told as a full disk tells it: a short write, then `ENOSPC`.
    fn collect(&mut self, data: &[u8]) -> Result<usize, Errno> {
        let Some(c) = &self.collected else { return Ok(data.len()) };
        let mut c = c.borrow_mut();
        let room = self.limit.saturating_sub(c.len());
        if data.len() <= room {
            c.extend_from_slice(data);
            return Ok(data.len());
        }
        if self.callback.is_some() {
            drop(c);
            self.collected = None;
            return Ok(data.len());
        }
        if room == 0 {
            return Err(Errno::Nospc);
        }
        c.extend_from_slice(&data[..room]);
        Ok(room)
    }

    fn deliver(&mut self) -> Result<(), Errno> {
        if !self.terminal && !self.every_write {
            // Only gathered output waits for the clock (a call into JS).
            self.last_flush = performance_now();
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        // Copied out by the call, then cleared: the buffer keeps its capacity for the next write.
        let sent = self.send(&self.buf);
        self.buf.clear();
        sent
    }

    fn send(&self, bytes: &[u8]) -> Result<(), Errno> {
        match &self.callback {
            // A callback that throws is the page's bug, but the guest sees a broken pipe rather
            // than the runtime crashing.
            Some(cb) if !crate::memory::deliver_copy(&self.core_memory, cb, bytes) => Err(Errno::Pipe),
            _ => Ok(()),
        }
    }
}

impl OutputStream for JsOutput {
    fn write_in_place(&mut self, mem: &dyn GuestMemory, iovs: u32, count: u32, max: usize) -> Option<Result<usize, Errno>> {
        // Only where `write` would hand the bytes straight on: nothing collected or gathered.
        if !(self.terminal || self.every_write) || !self.buf.is_empty() || self.collected.is_some() {
            return None;
        }
        let callback = self.callback.as_ref()?;
        let memory = mem.host_memory()?.downcast_ref::<js_sys::WebAssembly::Memory>()?;
        match crate::memory::deliver_from_guest(memory, iovs, count, max, callback) {
            crate::memory::Delivered::Bytes(n) => Some(Ok(n)),
            // A callback that throws is the page's bug, but the guest sees a broken pipe.
            crate::memory::Delivered::Threw => Some(Err(Errno::Pipe)),
            crate::memory::Delivered::NotHere => None,
        }
    }
    fn write(&mut self, data: &[u8]) -> Result<usize, Errno> {
        if self.callback.is_none() {
            return self.collect(data);
        }
        self.collect(data)?;
        if (self.terminal || self.every_write) && self.buf.is_empty() {
            // Each write goes out as it is: straight from the data, nothing gathered.
            self.send(data)?;
            return Ok(data.len());
        }
        self.buf.extend_from_slice(data);
        self.writes_since_clock += 1;
        // Reading the clock is a call into JS: look at it every 32 writes, not on each one.
        let check_clock = self.writes_since_clock >= 32;
        if check_clock {
            self.writes_since_clock = 0;
        }
        if self.terminal || self.every_write || self.buf.len() >= FLUSH_BYTES || (check_clock && performance_now() - self.last_flush >= FLUSH_MS) {
            self.deliver()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> Result<(), Errno> {
        self.deliver()
    }
    fn is_terminal(&self) -> bool {
        self.terminal
    }
}

/// A piece of stdin: bytes the core holds, or a page's `Uint8Array`, read where it lies (into a
/// guest on the page's engine, each byte is then copied once: from the page into the guest).
enum Chunk {
    Held(Vec<u8>),
    /// The array and its length when it was given (what counts, however it changes since).
    Page(js_sys::Uint8Array, usize),
}

impl Chunk {
    fn len(&self) -> usize {
        match self {
            Chunk::Held(bytes) => bytes.len(),
            Chunk::Page(_, len) => *len,
        }
    }
    /// Whether its bytes are still there: a page's buffer the page transferred (detached) or
    /// shrank since it gave it has lost them, and reading it is `EIO`.
    fn intact(&self) -> bool {
        match self {
            Chunk::Held(_) => true,
            Chunk::Page(array, len) => array.length() as usize >= *len,
        }
    }
}

/// Bytes the page has written to the program's stdin, and whether it closed it.
#[derive(Default)]
pub struct StdinQueue {
    chunks: VecDeque<Chunk>,
    /// How much of the front chunk was read already. (Removing read bytes from the chunk moved
    /// the rest each time: a run given 8 MiB of stdin moved half a gigabyte in 64 KiB reads.)
    front_read: usize,
    /// Bytes written and not read yet.
    unread: usize,
    closed: bool,
}

impl StdinQueue {
    pub fn push(&mut self, data: Vec<u8>) {
        self.push_chunk(Chunk::Held(data));
    }
    /// Queues the page's `data` to be read where it is: the page must not change it meanwhile.
    pub fn push_page(&mut self, data: js_sys::Uint8Array) {
        let len = data.length() as usize;
        self.push_chunk(Chunk::Page(data, len));
    }
    fn push_chunk(&mut self, chunk: Chunk) {
        if chunk.len() > 0 && !self.closed {
            self.unread += chunk.len();
            self.chunks.push_back(chunk);
        }
    }
    pub fn close(&mut self) {
        self.closed = true;
    }
    /// Bytes written and not read yet: the page keeps what it has not given yet until this runs
    /// low, so a program reading a long stream holds a bounded part of it.
    pub fn unread(&self) -> usize {
        self.unread
    }
    /// Copies what is there into `buf`, up to the end of the front chunk.
    #[cfg(test)]
    fn read_into(&mut self, buf: &mut [u8]) -> usize {
        self.take(buf.len(), &mut |data| buf[..data.len()].copy_from_slice(data))
    }
    /// Hands `take` what is there, at most `max` bytes, up to the end of the front chunk (a
    /// page's chunk is copied out first: the guest's memory is not the page's to fill).
    fn take(&mut self, max: usize, take: &mut dyn FnMut(&[u8])) -> usize {
        let Some(front) = self.chunks.front() else { return 0 };
        let n = (front.len() - self.front_read).min(max);
        match front {
            Chunk::Held(bytes) => take(&bytes[self.front_read..self.front_read + n]),
            Chunk::Page(array, _) => {
                let mut bytes = vec![0; n];
                array.subarray(self.front_read as u32, (self.front_read + n) as u32).copy_to(&mut bytes);
                take(&bytes);
            }
        }
        self.consumed(n);
        n
    }
    /// Copies what the front chunk has, if it is the page's, straight into the iovecs of the
    /// guest's JS memory: how many bytes, `None` where the general path must do it.
    fn fill_guest(&mut self, memory: &js_sys::WebAssembly::Memory, iovs: u32, count: u32) -> Option<Result<usize, Errno>> {
        let front = self.chunks.front()?;
        let Chunk::Page(array, len) = front else { return None };
        if !front.intact() {
            return Some(Err(Errno::Io));
        }
        let n = crate::memory::fill_guest_iovecs(memory, iovs, count, array, self.front_read, *len)?;
        self.consumed(n);
        Some(Ok(n))
    }
    /// `n` bytes of the front chunk were read.
    fn consumed(&mut self, n: usize) {
        self.front_read += n;
        self.unread -= n;
        if self.chunks.front().is_some_and(|front| self.front_read == front.len()) {
            self.chunks.pop_front();
            self.front_read = 0;
        }
    }
}

/// The program's stdin, reading from a [`StdinQueue`] shared with the session.
pub struct JsStdin {
    pub queue: Rc<RefCell<StdinQueue>>,
    pub terminal: bool,
}

impl InputStream for JsStdin {
    fn read(&mut self, buf: &mut [u8]) -> Poll<Result<usize, Errno>> {
        self.read_in_place(buf.len(), &mut |data| buf[..data.len()].copy_from_slice(data))
    }
    fn read_in_place(&mut self, max: usize, take: &mut dyn FnMut(&[u8])) -> Poll<Result<usize, Errno>> {
        let mut q = self.queue.borrow_mut();
        let Some(front) = q.chunks.front() else {
            return if q.closed { Poll::Ready(Ok(0)) } else { Poll::Pending };
        };
        if !front.intact() {
            return Poll::Ready(Err(Errno::Io));
        }
        Poll::Ready(Ok(q.take(max, take)))
    }
    fn read_to_guest(&mut self, mem: &dyn GuestMemory, iovs: u32, count: u32) -> Option<Result<usize, Errno>> {
        let memory = mem.host_memory()?.downcast_ref::<js_sys::WebAssembly::Memory>()?;
        self.queue.borrow_mut().fill_guest(memory, iovs, count)
    }
    fn readiness(&mut self) -> Poll<u64> {
        let q = self.queue.borrow();
        let n = q.unread;
        if n > 0 || q.closed {
            Poll::Ready(n as u64)
        } else {
            Poll::Pending
        }
    }
    fn is_terminal(&self) -> bool {
        self.terminal
    }
}

/// What a suspended call waits for, read by JS to know when to call again.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WaitRequest {
    /// Monotonic deadline in nanoseconds.
    pub deadline: Option<u64>,
    pub input: bool,
}

/// Never blocks: records the request and asks the call to suspend.
pub struct RecordingWaiter {
    pub last: Rc<RefCell<WaitRequest>>,
}

impl Waiter for RecordingWaiter {
    fn wait(&mut self, deadline: Option<u64>, input: bool) -> Wake {
        *self.last.borrow_mut() = WaitRequest { deadline, input };
        Wake::Suspend
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_queue_reads_across_chunks_in_order() {
        let mut q = StdinQueue::default();
        q.push(b"hello ".to_vec());
        q.push(Vec::new()); // ignored
        q.push(b"world".to_vec());
        assert_eq!(q.unread, 11);
        let mut buf = [0u8; 4];
        let mut got = Vec::new();
        loop {
            let n = q.read_into(&mut buf);
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"hello world");
        assert_eq!((q.unread, q.chunks.len(), q.front_read), (0, 0, 0));
        q.close();
        q.push(b"late".to_vec());
        assert_eq!(q.unread, 0, "nothing is queued after close");
    }
}
