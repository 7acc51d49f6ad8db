//! Regular files, unlinked files, timestamps, devices and the quota of the in-memory tree.
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use std::cell::Cell;
use std::rc::Rc;

use super::tests::{err, Ticker};
use super::{MemFs, ENTRY_COST};
use crate::{ops, Errno, OpenOptions};

#[test]
fn file_reads_and_writes() {
    let fs = MemFs::new();
    let root = fs.root();
    let f = root
        .open("f", &OpenOptions::write_create_truncate())
        .unwrap()
        .into_file()
        .unwrap();
    assert_eq!(f.write_at(b"hello", 0).unwrap(), 5);
    // A gap is zero-filled.
    assert_eq!(f.write_at(b"!", 7).unwrap(), 1);
    assert_eq!(f.append(b"ab").unwrap(), (2, 10));
    assert_eq!(ops::read_file(&*root, "f").unwrap(), b"hello\0\0!ab");
    let r = root
        .open("f", &OpenOptions::read())
        .unwrap()
        .into_file()
        .unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(r.read_at(&mut buf, 8).unwrap(), 2);
    assert_eq!(&buf[..2], b"ab");
    assert_eq!(r.read_at(&mut buf, 10).unwrap(), 0);
    assert_eq!(r.read_at(&mut buf, u64::MAX).unwrap(), 0);
    // The descriptor's access mode is kept.
    assert_eq!(err(r.write_at(b"x", 0)), Errno::Badf);
    assert_eq!(err(r.set_size(0)), Errno::Badf);
    let w_only = OpenOptions {
        write: true,
        follow: true,
        ..OpenOptions::default()
    };
    let w = root.open("f", &w_only).unwrap().into_file().unwrap();
    assert_eq!(err(w.read_at(&mut buf, 0)), Errno::Badf);
    assert_eq!(err(w.write_at(b"x", u64::MAX)), Errno::Fbig);
    assert_eq!(w.write_at(b"", 1 << 40).unwrap(), 0);
    w.set_size(3).unwrap();
    assert_eq!(ops::read_file(&*root, "f").unwrap(), b"hel");
    w.allocate(2, 4).unwrap();
    assert_eq!(ops::read_file(&*root, "f").unwrap(), b"hel\0\0\0");
    assert_eq!(w.stat().unwrap().size, 6);
}

#[test]
fn unlinked_files_stay_usable_while_open() {
    let fs = MemFs::new();
    let root = fs.root();
    ops::write_file(&*root, "f", b"keep").unwrap();
    let opts = OpenOptions {
        read: true,
        write: true,
        follow: true,
        ..OpenOptions::default()
    };
    let f = root.open("f", &opts).unwrap().into_file().unwrap();
    root.unlink_file("f").unwrap();
    assert_eq!(f.stat().unwrap().nlink, 0);
    f.append(b"!").unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(f.read_at(&mut buf, 0).unwrap(), 5);
    assert_eq!(&buf[..5], b"keep!");
    // A new file cannot take the open file's inode.
    ops::write_file(&*root, "g", b"other").unwrap();
    assert_ne!(root.stat_at("g", true).unwrap().ino, f.stat().unwrap().ino);
    assert_eq!(fs.used_bytes(), 10);
    drop(f);
    assert_eq!(fs.used_bytes(), 5);
}

#[test]
fn timestamps_follow_posix() {
    let fs = MemFs::with_clock(Rc::new(Ticker(Cell::new(0))));
    let root = fs.root();
    let before = root.stat().unwrap();
    ops::write_file(&*root, "f", b"x").unwrap();
    let dir_after = root.stat().unwrap();
    assert!(dir_after.mtim > before.mtim && dir_after.ctim > before.ctim);
    let f = root.stat_at("f", true).unwrap();
    let file = root
        .open(
            "f",
            &OpenOptions {
                write: true,
                ..OpenOptions::read()
            },
        )
        .unwrap();
    let file = file.into_file().unwrap();
    file.write_at(b"y", 0).unwrap();
    let f2 = file.stat().unwrap();
    assert!(f2.mtim > f.mtim && f2.ctim > f.ctim);
    // Writing a file leaves its directory alone.
    assert_eq!(root.stat().unwrap().mtim, dir_after.mtim);
    root.set_times_at("f", true, Some(7), None).unwrap();
    let f3 = root.stat_at("f", true).unwrap();
    assert_eq!((f3.atim, f3.mtim), (7, f2.mtim));
    assert!(f3.ctim > f2.ctim);
    file.set_times(None, Some(9)).unwrap();
    assert_eq!(file.stat().unwrap().mtim, 9);
    root.set_times(Some(1), Some(2)).unwrap();
    assert_eq!(
        (root.stat().unwrap().atim, root.stat().unwrap().mtim),
        (1, 2)
    );
    root.symlink("f", "l").unwrap();
    root.set_times_at("l", false, None, Some(3)).unwrap();
    assert_eq!(root.stat_at("l", false).unwrap().mtim, 3);
    assert_eq!(root.stat_at("l", true).unwrap().mtim, 9);
    let t = root.stat().unwrap().mtim;
    root.unlink_file("l").unwrap();
    assert!(root.stat().unwrap().mtim > t);
}

#[test]
fn filesystems_have_their_own_dev_and_clones_share_the_tree() {
    let a = MemFs::new();
    let b = MemFs::new();
    assert_ne!(a.dev(), b.dev());
    assert_eq!(a.root().stat().unwrap().dev, a.dev());
    let a2 = a.clone();
    ops::write_file(&*a2.root(), "f", b"shared").unwrap();
    assert_eq!(ops::read_file(&*a.root(), "f").unwrap(), b"shared");
    assert!(!ops::exists(&*b.root(), "f").unwrap());
}

#[test]
fn quota_bounds_file_bytes() {
    // Room for the names "a" and "b" and 10 bytes.
    let fs = MemFs::with_quota(2 * (ENTRY_COST + 1) + 10);
    let root = fs.root();
    ops::write_file(&*root, "a", b"12345").unwrap();
    let f = root
        .open("b", &OpenOptions::write_create_truncate())
        .unwrap()
        .into_file()
        .unwrap();
    f.write_at(b"12345", 0).unwrap();
    assert_eq!(err(f.write_at(b"6", 5)), Errno::Nospc);
    assert_eq!(err(f.set_size(6)), Errno::Nospc);
    assert_eq!(err(f.write_at(b"x", 1 << 40)), Errno::Nospc);
    // Overwriting in place does not grow.
    f.write_at(b"abcde", 0).unwrap();
    assert_eq!(fs.used_bytes(), 10);
    root.unlink_file("a").unwrap();
    f.write_at(b"67890", 5).unwrap();
    // Truncating frees space.
    ops::write_file(&*root, "b", b"").unwrap();
    assert_eq!(fs.used_bytes(), 0);
    fs.set_quota(None);
    f.set_size(1000).unwrap();
    // A quota lowered below what is used lets files shrink, not grow.
    fs.set_quota(Some(10));
    f.set_size(999).unwrap();
    assert_eq!(err(f.set_size(1000)), Errno::Nospc);
}

#[test]
fn quota_counts_names_and_their_paths() {
    let fs = MemFs::with_quota(1 << 20);
    let root = fs.root();
    root.create_dir("dir").unwrap();
    assert_eq!(fs.size_bytes(), ENTRY_COST + 3);
    ops::write_file(&*root, "dir/f", b"xy").unwrap();
    assert_eq!(fs.size_bytes(), 2 * ENTRY_COST + 3 + 5 + 2);
    root.symlink("target", "dir/l").unwrap();
    assert_eq!(fs.size_bytes(), 3 * ENTRY_COST + 3 + 5 + 2 + 5 + 6);
    root.hard_link("dir/f", false, &*root, "g").unwrap();
    assert_eq!(fs.size_bytes(), 4 * ENTRY_COST + 3 + 5 + 2 + 5 + 6 + 1);
    // Renaming a directory moves the paths of everything beneath it.
    root.rename("dir", &*root, "longer").unwrap();
    assert_eq!(fs.size_bytes(), 4 * ENTRY_COST + 6 + 8 + 2 + 8 + 6 + 1);
    ops::remove_all(&*root, "longer").unwrap();
    root.unlink_file("g").unwrap();
    assert_eq!((fs.size_bytes(), fs.used_bytes()), (0, 0));
}

#[test]
fn a_deep_chain_runs_out_of_room_like_a_big_tree() {
    // Each level costs ENTRY_COST and its path: a chain of n levels about n * 512 + n^2.
    let fs = MemFs::with_quota(1 << 20);
    let mut dir = fs.root();
    let mut depth = 0;
    let err = loop {
        match dir.create_dir("d") {
            Ok(()) => depth += 1,
            Err(e) => break e,
        }
        dir = ops::open_dir_nofollow(&*dir, "d").unwrap();
    };
    assert_eq!(err, Errno::Nospc);
    assert!((700..1100).contains(&depth), "depth {depth}");
    assert!(fs.size_bytes() <= 1 << 20);
    // A rename that would lengthen every path beneath is refused, and changes nothing.
    let root = fs.root();
    let before = fs.size_bytes();
    root.create_dir(&"x".repeat(200)).unwrap_or(());
    let grown = fs.size_bytes();
    assert_eq!(root.rename("d", &*root, &"y".repeat(255)), Err(Errno::Nospc));
    assert_eq!(fs.size_bytes(), grown);
    assert!(ops::exists(&*root, "d").unwrap());
    assert!(grown >= before);
}
