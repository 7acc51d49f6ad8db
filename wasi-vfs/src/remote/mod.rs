//! Directories whose tree lives elsewhere: every call is a request to the tree's owner, which
//! answers it on its own handles ([`FsServer`]). The web library gives a program that runs in a
//! worker (or in another WebAssembly instance on the page) its `FileSystem` this way, so there is
//! one live tree: what a program writes is in it at once, a killed program's closed files stay,
//! and programs running at the same time see each other's writes.
//!
//! A [`Link`] carries the requests. Its transport either answers at once (the owner is on the
//! same thread, or the thread can block while it answers), or never: the link then keeps the
//! request and the call fails with `EIO`, the embedder sees [`Link::waiting`], stops the WASI
//! call as if it had not happened, sends the request, waits for the answer (suspending the
//! guest), gives it to [`Link::answer`] and makes the same call again. The call then runs from the
//! start: the requests it made before are answered from what the link kept, in order, and the
//! one that waited gets its answer. This relies on what every WASI call here does anyway: it
//! reads its arguments, makes its filesystem calls, and only then changes the descriptor table
//! or guest memory, so a call stopped at a request has changed nothing (`poll_oneoff` on a file
//! writes its events before the suspension is seen; the call made again writes them anew). A
//! replay that asks something else than the first attempt did gets `EIO` rather than another
//! call's answer.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use wire::{errno_from, write_options, Op, Reader, Writer};

use crate::{Dir, DirEntry, Errno, File, Filestat, Node, OpenOptions, Result, Timestamp};

mod server;
pub(crate) mod wire;

#[cfg(test)]
pub(crate) mod tests;

pub use server::FsServer;

/// Carries a request to the owner; `None`: the answer comes later, through [`Link::answer`].
pub trait Transport {
    fn call(&self, request: &[u8]) -> Option<Vec<u8>>;
}

/// The way to one owner, shared by every directory and file a run opened through it.
pub struct Link {
    transport: Option<Box<dyn Transport>>,
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    /// This WASI call's requests (the op's bytes) and their answers, replayed when it is made again.
    answered: Vec<(Vec<u8>, Vec<u8>)>,
    /// How many of `answered` this attempt has used.
    replayed: usize,
    /// The request waiting for an answer: the op's bytes, and the whole message to send.
    waiting: Option<(Vec<u8>, Vec<u8>)>,
    /// Handles to close, sent with the next request.
    closed: Vec<u32>,
    /// Handles let go of during this call: closed when it ends, forgotten if it is made again
    /// (the replay opens them anew, under the same numbers).
    dropped: Vec<u32>,
}

impl Link {
    /// A link whose transport answers every request at once.
    pub fn immediate(transport: Box<dyn Transport>) -> Rc<Link> {
        Rc::new(Link { transport: Some(transport), state: RefCell::default() })
    }

    /// A link whose every answer comes later (see the module's docs).
    pub fn deferred() -> Rc<Link> {
        Rc::new(Link { transport: None, state: RefCell::default() })
    }

    /// Whether a call stopped for an answer (see [`Self::waiting`]).
    pub fn is_waiting(&self) -> bool {
        self.state.borrow().waiting.is_some()
    }

    /// The message to send to the owner, if a call stopped for one.
    pub fn waiting(&self) -> Option<Vec<u8>> {
        self.state.borrow().waiting.as_ref().map(|(_, message)| message.clone())
    }

    /// The owner's answer to [`Self::waiting`]'s message: the call can now be made again.
    pub fn answer(&self, answer: Vec<u8>) {
        let mut s = self.state.borrow_mut();
        if let Some((op, _)) = s.waiting.take() {
            s.answered.push((op, answer));
        }
        s.replayed = 0;
        s.dropped.clear();
    }

    /// The WASI call ended (it did not stop for an answer): forget its answers.
    pub fn call_ended(&self) {
        let mut s = self.state.borrow_mut();
        if s.waiting.is_some() {
            return;
        }
        s.answered.clear();
        s.replayed = 0;
        let dropped = std::mem::take(&mut s.dropped);
        s.closed.extend(dropped);
    }

    fn release(&self, handle: u32) {
        let mut s = self.state.borrow_mut();
        if self.transport.is_some() {
            s.closed.push(handle);
        } else {
            s.dropped.push(handle);
        }
    }

    /// Sends `op` (an op and its arguments) and gives back the answer's result part.
    fn ask(&self, op: &[u8]) -> Result<Vec<u8>> {
        let mut s = self.state.borrow_mut();
        if s.waiting.is_some() {
            return Err(Errno::Io);
        }
        if s.replayed < s.answered.len() {
            let i = s.replayed;
            if !same_request(&s.answered[i].0, op) {
                return Err(Errno::Io);
            }
            s.replayed += 1;
            return result(&s.answered[i].1);
        }
        let mut message = Writer::default();
        message.u32(s.closed.len() as u32);
        for h in std::mem::take(&mut s.closed) {
            message.u32(h);
        }
        message.0.extend_from_slice(op);
        match &self.transport {
            Some(t) => {
                drop(s);
                result(&t.call(&message.0).ok_or(Errno::Io)?)
            }
            None => {
                s.waiting = Some((op.to_vec(), message.0));
                Err(Errno::Io)
            }
        }
    }
}

/// Whether a replayed request asks what the first attempt asked. Times set to "now" are read
/// from the host's clock again on each attempt: the owner set the first attempt's.
fn same_request(first: &[u8], again: &[u8]) -> bool {
    const TIMES: usize = 18; // two times of a flag byte and 8 bytes each, at the end
    let sets_times = matches!(first.first(), Some(&op) if op == Op::SetTimes as u8 || op == Op::SetTimesAt as u8);
    if !sets_times || first.len() != again.len() || first.len() < TIMES {
        return first == again;
    }
    let end = first.len() - TIMES;
    first[..end] == again[..end] && first[end] == again[end] && first[end + 9] == again[end + 9]
}

/// An answer's result, or its errno.
fn result(answer: &[u8]) -> Result<Vec<u8>> {
    let mut r = Reader(answer);
    match r.u32()? {
        0 => Ok(r.0.to_vec()),
        e => Err(errno_from(e as u16)),
    }
}

/// One of the owner's handles, as its directories and files hold it: closed (with the next
/// request) when dropped.
struct Handle {
    link: Rc<Link>,
    number: u32,
}

impl Handle {
    /// A request for `op` on this handle; its arguments follow.
    fn op(&self, op: Op) -> Writer {
        let mut w = Writer::default();
        w.u8(op as u8).u32(self.number);
        w
    }

    /// Sends a request and gives back its answer's result.
    fn ask(&self, request: &Writer) -> Result<Vec<u8>> {
        self.link.ask(&request.0)
    }

    /// Sends a request whose answer has no result.
    fn done(&self, request: &Writer) -> Result<()> {
        self.ask(request).map(drop)
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.link.release(self.number);
    }
}

/// A directory of the owner's tree.
pub struct RemoteDir(Handle);

/// A regular file of the owner's tree.
pub struct RemoteFile(Handle);

impl RemoteDir {
    /// The directory the owner's [`FsServer::add_root`] numbered `handle`.
    pub fn new(link: Rc<Link>, handle: u32) -> RemoteDir {
        RemoteDir(Handle { link, number: handle })
    }

    /// The handle of `other` if it is a directory of the same owner (else `EXDEV`).
    fn same_owner(&self, other: &dyn Dir) -> Result<u32> {
        match other.as_any().downcast_ref::<RemoteDir>() {
            Some(d) if Rc::ptr_eq(&d.0.link, &self.0.link) => Ok(d.0.number),
            _ => Err(Errno::Xdev),
        }
    }
}

impl Dir for RemoteDir {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn open(&self, path: &str, opts: &OpenOptions) -> Result<Node> {
        let mut w = self.0.op(Op::Open);
        w.str(path);
        write_options(&mut w, opts);
        let answer = self.0.ask(&w)?;
        let mut r = Reader(&answer);
        let handle = Handle { link: self.0.link.clone(), number: r.u32()? };
        Ok(if r.flag()? { Node::Dir(Box::new(RemoteDir(handle))) } else { Node::File(Box::new(RemoteFile(handle))) })
    }

    fn create_dir(&self, path: &str) -> Result<()> {
        self.0.done(self.0.op(Op::CreateDir).str(path))
    }

    fn remove_dir(&self, path: &str) -> Result<()> {
        self.0.done(self.0.op(Op::RemoveDir).str(path))
    }

    fn unlink_file(&self, path: &str) -> Result<()> {
        self.0.done(self.0.op(Op::UnlinkFile).str(path))
    }

    fn rename(&self, from: &str, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let to_dir = self.same_owner(to_dir)?;
        self.0.done(self.0.op(Op::Rename).str(from).u32(to_dir).str(to))
    }

    fn hard_link(&self, from: &str, follow: bool, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let to_dir = self.same_owner(to_dir)?;
        self.0.done(self.0.op(Op::HardLink).str(from).u8(follow as u8).u32(to_dir).str(to))
    }

    fn symlink(&self, target: &str, path: &str) -> Result<()> {
        self.0.done(self.0.op(Op::Symlink).str(target).str(path))
    }

    fn read_link(&self, path: &str) -> Result<String> {
        let answer = self.0.ask(self.0.op(Op::ReadLink).str(path))?;
        Ok(Reader(&answer).str()?.to_owned())
    }

    fn stat_at(&self, path: &str, follow: bool) -> Result<Filestat> {
        let answer = self.0.ask(self.0.op(Op::StatAt).str(path).u8(follow as u8))?;
        Reader(&answer).stat()
    }

    fn set_times_at(&self, path: &str, follow: bool, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.0.done(self.0.op(Op::SetTimesAt).str(path).u8(follow as u8).time(atim).time(mtim))
    }

    fn stat(&self) -> Result<Filestat> {
        Reader(&self.0.ask(&self.0.op(Op::Stat))?).stat()
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.0.done(self.0.op(Op::SetTimes).time(atim).time(mtim))
    }

    fn entries(&self) -> Result<Vec<DirEntry>> {
        Reader(&self.0.ask(&self.0.op(Op::Entries))?).entries()
    }

    fn sync(&self) -> Result<()> {
        self.0.done(&self.0.op(Op::Sync))
    }
}

impl File for RemoteFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        let answer = self.0.ask(self.0.op(Op::ReadAt).u32(len).u64(offset))?;
        let data = Reader(&answer).bytes()?;
        let n = data.len().min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        Ok(n)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> Result<usize> {
        let answer = self.0.ask(self.0.op(Op::WriteAt).bytes(buf).u64(offset))?;
        Ok(Reader(&answer).u64()? as usize)
    }

    fn append(&self, buf: &[u8]) -> Result<(usize, u64)> {
        let answer = self.0.ask(self.0.op(Op::Append).bytes(buf))?;
        let mut r = Reader(&answer);
        Ok((r.u64()? as usize, r.u64()?))
    }

    fn stat(&self) -> Result<Filestat> {
        Reader(&self.0.ask(&self.0.op(Op::Stat))?).stat()
    }

    fn set_size(&self, size: u64) -> Result<()> {
        self.0.done(self.0.op(Op::SetSize).u64(size))
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.0.done(self.0.op(Op::SetTimes).time(atim).time(mtim))
    }

    fn allocate(&self, offset: u64, len: u64) -> Result<()> {
        self.0.done(self.0.op(Op::Allocate).u64(offset).u64(len))
    }

    fn sync(&self) -> Result<()> {
        self.0.done(&self.0.op(Op::Sync))
    }
}
