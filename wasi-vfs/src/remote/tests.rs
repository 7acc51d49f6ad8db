//! Remote directories over an in-process owner: answered at once (the POSIX checks every
//! backing shares run on that too, from `host/tests.rs`), and answered later, with the calls
//! made again as the web library's worker runs make them.
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use std::cell::RefCell;
use std::rc::Rc;

use super::{FsServer, Link, RemoteDir, Transport};
use crate::mem::MemFs;
use crate::{ops, Dir, Errno, OpenOptions, Result};

struct InProcess(Rc<RefCell<FsServer>>);

impl Transport for InProcess {
    fn call(&self, request: &[u8]) -> Option<Vec<u8>> {
        Some(self.0.borrow_mut().serve(request))
    }
}

/// `root` served to a client through a link that answers at once.
pub(crate) fn served(root: Box<dyn Dir>) -> (Rc<RefCell<FsServer>>, RemoteDir) {
    let server = Rc::new(RefCell::new(FsServer::new()));
    let handle = server.borrow_mut().add_root(root);
    let link = Link::immediate(Box::new(InProcess(server.clone())));
    (server, RemoteDir::new(link, handle))
}

/// A client whose every answer comes later, and the owner's server.
fn deferred(root: Box<dyn Dir>) -> (FsServer, Rc<Link>, RemoteDir) {
    let mut server = FsServer::new();
    let handle = server.add_root(root);
    let link = Link::deferred();
    (server, link.clone(), RemoteDir::new(link, handle))
}

/// Makes `call` as an engine makes a WASI call on a deferred link: again after each answer.
/// Returns its result and how many times it ran.
fn replayed<T>(server: &mut FsServer, link: &Link, call: impl Fn() -> Result<T>) -> (Result<T>, usize) {
    let mut runs = 0;
    loop {
        runs += 1;
        let r = call();
        match link.waiting() {
            Some(message) => link.answer(server.serve(&message)),
            None => {
                link.call_ended();
                return (r, runs);
            }
        }
    }
}

#[test]
fn writes_reach_the_owner_tree_at_once() {
    let fs = MemFs::new();
    let (_server, dir) = served(fs.root());
    ops::create_dir_all(&dir, "a/b").unwrap();
    ops::write_file(&dir, "a/b/f.txt", b"written remotely").unwrap();
    assert_eq!(ops::read_file(&*fs.root(), "a/b/f.txt").unwrap(), b"written remotely");
    // And the other way round: the owner's own writes are seen by the client.
    ops::write_file(&*fs.root(), "a/owner.txt", b"by the owner").unwrap();
    assert_eq!(ops::read_file(&dir, "a/owner.txt").unwrap(), b"by the owner");
    let names: Vec<_> = dir.open("a", &OpenOptions::read()).unwrap().into_dir().unwrap().entries().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, [".", "..", "b", "owner.txt"]);
}

#[test]
fn two_clients_of_one_owner_see_each_other() {
    let fs = MemFs::new();
    let (_s1, one) = served(fs.root());
    let (_s2, two) = served(fs.root());
    let f = one.open("log", &OpenOptions::write_create_truncate()).unwrap().into_file().unwrap();
    f.append(b"one\n").unwrap();
    let g = two.open("log", &OpenOptions { write: true, follow: true, ..OpenOptions::default() }).unwrap().into_file().unwrap();
    g.append(b"two\n").unwrap();
    f.append(b"one again\n").unwrap();
    assert_eq!(ops::read_file(&two, "log").unwrap(), b"one\ntwo\none again\n");
}

#[test]
fn closed_handles_are_released_with_the_next_request() {
    let (server, dir) = served(MemFs::new().root());
    ops::write_file(&dir, "f", b"x").unwrap();
    assert_eq!(ops::read_file(&dir, "f").unwrap(), b"x");
    dir.stat().unwrap();
    // Only the root is left open.
    assert_eq!(server.borrow().open_handles(), 1);
}

#[test]
fn a_call_made_again_gets_its_answers_in_order() {
    let fs = MemFs::new();
    let (mut server, link, dir) = deferred(fs.root());
    // One "WASI call" that makes four requests: each makes it run once more.
    let (r, runs) = replayed(&mut server, &link, || {
        dir.create_dir("d")?;
        let f = dir.open("d/f", &OpenOptions::write_create_truncate())?.into_file()?;
        f.write_at(b"hello", 0)?;
        f.stat()
    });
    assert_eq!(r.unwrap().size, 5);
    assert_eq!(runs, 5);
    assert_eq!(ops::read_file(&*fs.root(), "d/f").unwrap(), b"hello");
    // The file opened in the first attempts was not closed under the replay; it is closed now
    // that the call ended, with the next request.
    let (r, _) = replayed(&mut server, &link, || dir.stat_at("d/f", true));
    assert_eq!(r.unwrap().size, 5);
    assert_eq!(server.open_handles(), 1);
    // A failure is an answer too.
    let (r, runs) = replayed(&mut server, &link, || dir.create_dir("d"));
    assert_eq!((r, runs), (Err(Errno::Exist), 2));
}

#[test]
fn a_replay_that_asks_something_else_gets_eio() {
    let (mut server, link, dir) = deferred(MemFs::new().root());
    let attempt = std::cell::Cell::new(0);
    let (r, _) = replayed(&mut server, &link, || {
        attempt.set(attempt.get() + 1);
        dir.create_dir(if attempt.get() == 1 { "one" } else { "two" })?;
        dir.stat()
    });
    assert_eq!(r.unwrap_err(), Errno::Io);
}

#[test]
fn the_owner_refuses_bad_messages_without_panicking() {
    let mut server = FsServer::new();
    let root = server.add_root(MemFs::new().root());
    let errno = |answer: Vec<u8>| u32::from_le_bytes([answer[0], answer[1], answer[2], answer[3]]);
    // Empty, truncated, an unknown op, a handle that is not there, a huge count of closes.
    assert_eq!(errno(server.serve(&[])), Errno::Inval as u32);
    assert_eq!(errno(server.serve(&[0, 0, 0, 0, 1])), Errno::Inval as u32);
    assert_eq!(errno(server.serve(&[0, 0, 0, 0, 200, 1, 0, 0, 0])), Errno::Inval as u32);
    assert_eq!(errno(server.serve(&[0, 0, 0, 0, 11, 99, 0, 0, 0])), Errno::Badf as u32);
    assert_eq!(errno(server.serve(&[255, 255, 255, 255])), Errno::Inval as u32);
    // A read asking for 4 GiB of a 1-byte file allocates what the file has.
    let mut open = vec![0, 0, 0, 0, 1];
    open.extend_from_slice(&root.to_le_bytes());
    open.extend_from_slice(&1u32.to_le_bytes());
    open.push(b'f');
    open.push(0b0100_0111); // read, write, create, follow
    let answer = server.serve(&open);
    assert_eq!(errno(answer.clone()), 0);
    let file = u32::from_le_bytes([answer[4], answer[5], answer[6], answer[7]]);
    let mut write = vec![0, 0, 0, 0, 16];
    write.extend_from_slice(&file.to_le_bytes());
    write.extend_from_slice(&1u32.to_le_bytes());
    write.push(b'x');
    write.extend_from_slice(&0u64.to_le_bytes());
    assert_eq!(errno(server.serve(&write)), 0);
    let mut read = vec![0, 0, 0, 0, 15];
    read.extend_from_slice(&file.to_le_bytes());
    read.extend_from_slice(&u32::MAX.to_le_bytes());
    read.extend_from_slice(&0u64.to_le_bytes());
    let answer = server.serve(&read);
    assert_eq!(&answer[..], &[0, 0, 0, 0, 1, 0, 0, 0, b'x']);
    // Every byte string of a few bytes, on every op: an answer, never a panic.
    for op in 0..=20u8 {
        for tail in [&[][..], &[1], &[1, 0, 0, 0], &[1, 0, 0, 0, 5, 0, 0, 0, b'a']] {
            let mut m = vec![0, 0, 0, 0, op];
            m.extend_from_slice(tail);
            assert!(server.serve(&m).len() >= 4);
        }
    }
}
