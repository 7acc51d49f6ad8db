//! The native embedder's side of runtime-core's embedder traits: system clocks, OS randomness,
//! streamed stdio, and a waiter that simply blocks the thread.

use std::cell::RefCell;
use std::io::{IsTerminal, Read, Write};
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::task::Poll;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use runtime_core::embedder::{Clocks, Entropy, InputStream, OutputStream, Waiter, Wake};
use runtime_core::Errno;

/// `SystemTime` for realtime, `Instant` for monotonic.
pub struct SystemClocks {
    origin: Instant,
}

impl SystemClocks {
    /// Clocks whose monotonic time starts now.
    pub fn new() -> Self {
        Self { origin: Instant::now() }
    }
}

impl Default for SystemClocks {
    fn default() -> Self {
        Self::new()
    }
}

impl Clocks for SystemClocks {
    fn realtime(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
    }
    fn monotonic(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }
}

/// Wall-clock time for timestamps the in-memory tree stamps itself (`--fs` images).
pub struct FsClock;

impl wasi_vfs::Clock for FsClock {
    fn now(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
    }
}

/// The operating system's CSPRNG.
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        getrandom::getrandom(buf).map_err(|_| Errno::Io)
    }
}

/// Host stdin, read by a background thread so the guest can poll it with a timeout.
///
/// The thread starts on first use; a program that never reads stdin never touches it.
#[derive(Clone)]
pub struct Stdin {
    state: Rc<RefCell<StdinState>>,
}

struct StdinState {
    rx: Option<Receiver<Vec<u8>>>,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    terminal: bool,
}

impl Default for Stdin {
    fn default() -> Self {
        Self::new()
    }
}

impl Stdin {
    /// The process's stdin; nothing is read until the guest asks.
    pub fn new() -> Self {
        let terminal = std::io::stdin().is_terminal();
        Self { state: Rc::new(RefCell::new(StdinState { rx: None, buf: Vec::new(), pos: 0, eof: false, terminal })) }
    }

    fn receiver(state: &mut StdinState) -> &Receiver<Vec<u8>> {
        state.rx.get_or_insert_with(|| {
            let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(4);
            std::thread::spawn(move || {
                let mut stdin = std::io::stdin().lock();
                loop {
                    let mut chunk = vec![0u8; 64 * 1024];
                    match stdin.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            chunk.truncate(n);
                            if tx.send(chunk).is_err() {
                                break;
                            }
                        }
                    }
                }
                // Dropping the sender tells the reader: end of input.
            });
            rx
        })
    }

    /// Moves whatever has arrived into the buffer, waiting up to `timeout` (forever if `None`).
    fn fill(&self, timeout: Option<Duration>) {
        let mut st = self.state.borrow_mut();
        if st.pos < st.buf.len() || st.eof {
            return;
        }
        let rx = Self::receiver(&mut st);
        let got = match timeout {
            Some(t) if t.is_zero() => rx.try_recv().map_err(|e| e == TryRecvError::Disconnected),
            Some(t) => rx.recv_timeout(t).map_err(|e| e == RecvTimeoutError::Disconnected),
            None => rx.recv().map_err(|_| true),
        };
        match got {
            Ok(chunk) => {
                st.buf = chunk;
                st.pos = 0;
            }
            Err(disconnected) => st.eof |= disconnected,
        }
    }
}

impl InputStream for Stdin {
    fn read(&mut self, buf: &mut [u8]) -> Poll<Result<usize, Errno>> {
        self.read_in_place(buf.len(), &mut |data| buf[..data.len()].copy_from_slice(data))
    }
    fn read_in_place(&mut self, max: usize, take: &mut dyn FnMut(&[u8])) -> Poll<Result<usize, Errno>> {
        self.fill(Some(Duration::ZERO));
        let mut st = self.state.borrow_mut();
        if st.pos < st.buf.len() {
            let n = (st.buf.len() - st.pos).min(max);
            take(&st.buf[st.pos..st.pos + n]);
            st.pos += n;
            Poll::Ready(Ok(n))
        } else if st.eof {
            Poll::Ready(Ok(0))
        } else {
            Poll::Pending
        }
    }
    fn readiness(&mut self) -> Poll<u64> {
        self.fill(Some(Duration::ZERO));
        let st = self.state.borrow();
        if st.pos < st.buf.len() {
            Poll::Ready((st.buf.len() - st.pos) as u64)
        } else if st.eof {
            Poll::Ready(0)
        } else {
            Poll::Pending
        }
    }
    fn is_terminal(&self) -> bool {
        self.state.borrow().terminal
    }
}

/// Blocks the thread: until stdin has data, or the deadline passes.
pub struct BlockingWaiter {
    pub stdin: Stdin,
    pub clocks: SystemClocks,
    /// `--timeout`: a program waiting past it is stopped (the engine's own interruption only
    /// reaches running guest code, not a guest blocked in a host call).
    pub run_deadline: Option<Instant>,
}

impl Waiter for BlockingWaiter {
    fn wait(&mut self, deadline: Option<u64>, input: bool) -> Wake {
        let mut timeout = deadline.map(|d| Duration::from_nanos(d.saturating_sub(self.clocks.monotonic())));
        if let Some(run) = self.run_deadline {
            let left = run.saturating_duration_since(Instant::now());
            timeout = Some(timeout.map_or(left, |t| t.min(left)));
        }
        if input {
            self.stdin.fill(timeout);
        } else if let Some(t) = timeout {
            std::thread::sleep(t);
        }
        match self.run_deadline {
            Some(run) if Instant::now() >= run => Wake::Interrupted,
            _ => Wake::Retry,
        }
    }
}

/// How long written output may sit in the buffer before it is flushed anyway, so a slow program's
/// progress still streams when stdout is a pipe.
const FLUSH_AFTER: Duration = Duration::from_millis(runtime_core::embedder::FLUSH_INTERVAL_MS);

/// Buffered host stdout or stderr, as [`runtime_core::embedder::FLUSH_BYTES`] says for every
/// embedder: a terminal gets every write at once; a pipe or file gets 64 KiB chunks, flushed at
/// the latest after [`FLUSH_AFTER`], before the program waits for input, and when it ends.
pub struct Output {
    inner: Rc<RefCell<OutputState>>,
    /// Flushed first, so stdout and stderr keep their order when both go to one place.
    before: Option<Rc<RefCell<OutputState>>>,
}

pub struct OutputState {
    sink: Box<dyn Write>,
    buf: Vec<u8>,
    terminal: bool,
    last_flush: Instant,
}

impl OutputState {
    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            self.sink.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.last_flush = Instant::now();
        self.sink.flush()
    }
}

const BUF_SIZE: usize = runtime_core::embedder::FLUSH_BYTES;

impl Output {
    /// The host's stdout and stderr, stderr flushing stdout before it writes.
    pub fn stdio() -> (Output, Output) {
        let out = Rc::new(RefCell::new(OutputState {
            sink: Box::new(std::io::stdout()),
            buf: Vec::with_capacity(BUF_SIZE),
            terminal: std::io::stdout().is_terminal(),
            last_flush: Instant::now(),
        }));
        let err = Rc::new(RefCell::new(OutputState {
            sink: Box::new(std::io::stderr()),
            buf: Vec::new(),
            terminal: std::io::stderr().is_terminal(),
            last_flush: Instant::now(),
        }));
        (Output { inner: out.clone(), before: None }, Output { inner: err, before: Some(out) })
    }
}

fn io_errno(e: std::io::Error) -> Errno {
    match e.kind() {
        std::io::ErrorKind::BrokenPipe => Errno::Pipe,
        _ => Errno::Io,
    }
}

impl OutputStream for Output {
    fn write(&mut self, data: &[u8]) -> Result<usize, Errno> {
        if let Some(before) = &self.before {
            before.borrow_mut().flush().map_err(io_errno)?;
        }
        let mut st = self.inner.borrow_mut();
        if st.terminal || self.before.is_some() {
            st.sink.write_all(data).map_err(io_errno)?;
            st.sink.flush().map_err(io_errno)?;
            return Ok(data.len());
        }
        if st.buf.len() + data.len() > BUF_SIZE {
            st.flush().map_err(io_errno)?;
        }
        if data.len() >= BUF_SIZE {
            st.sink.write_all(data).map_err(io_errno)?;
        } else {
            st.buf.extend_from_slice(data);
            if st.last_flush.elapsed() >= FLUSH_AFTER {
                st.flush().map_err(io_errno)?;
            }
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> Result<(), Errno> {
        self.inner.borrow_mut().flush().map_err(io_errno)
    }
    fn is_terminal(&self) -> bool {
        self.inner.borrow().terminal
    }
}
