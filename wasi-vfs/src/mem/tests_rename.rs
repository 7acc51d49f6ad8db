//! `rename` on the in-memory tree, case by case against POSIX.
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use std::cell::Cell;
use std::rc::Rc;

use super::tests::Ticker;
use super::MemFs;
use crate::{ops, Dir, Errno, OpenOptions};

fn setup() -> (MemFs, Box<dyn Dir>) {
    let fs = MemFs::new();
    let root = fs.root();
    ops::create_dir_all(&*root, "a/sub").unwrap();
    ops::create_dir_all(&*root, "empty").unwrap();
    ops::create_dir_all(&*root, "full/x").unwrap();
    ops::write_file(&*root, "f", b"F").unwrap();
    ops::write_file(&*root, "g", b"G").unwrap();
    (fs, root)
}

#[test]
fn file_over_file_replaces_it() {
    let (fs, root) = setup();
    root.rename("f", &*root, "g").unwrap();
    assert_eq!(ops::read_file(&*root, "g").unwrap(), b"F");
    assert!(!ops::exists(&*root, "f").unwrap());
    assert_eq!(fs.used_bytes(), 1);
}

#[test]
fn directory_moves_and_replaces_an_empty_directory() {
    let (_fs, root) = setup();
    root.rename("a", &*root, "empty").unwrap();
    assert!(ops::exists(&*root, "empty/sub").unwrap());
    assert!(!ops::exists(&*root, "a").unwrap());
    // A handle's `..` (in its listing) follows the move.
    let sub = root
        .open("empty/sub", &OpenOptions::read())
        .unwrap()
        .into_dir()
        .unwrap();
    let parent = |d: &dyn Dir| d.entries().unwrap()[1].ino;
    assert_eq!(parent(&*sub), root.stat_at("empty", true).unwrap().ino);
    root.rename("empty", &*root, "full/x/moved").unwrap();
    assert_eq!(parent(&*sub), root.stat_at("full/x/moved", true).unwrap().ino);
    assert!(ops::exists(&*root, "full/x/moved/sub").unwrap());
}

#[test]
fn posix_error_cases() {
    let (_fs, root) = setup();
    assert_eq!(
        root.rename("a", &*root, "full").err(),
        Some(Errno::Notempty)
    );
    assert_eq!(root.rename("f", &*root, "empty").err(), Some(Errno::Isdir));
    assert_eq!(root.rename("a", &*root, "f").err(), Some(Errno::Notdir));
    assert_eq!(
        root.rename("a", &*root, "a/sub/inside").err(),
        Some(Errno::Inval)
    );
    assert_eq!(
        root.rename("a", &*root, "a/inside").err(),
        Some(Errno::Inval)
    );
    assert_eq!(
        root.rename("missing", &*root, "x").err(),
        Some(Errno::Noent)
    );
    assert_eq!(
        root.rename("f", &*root, "missing/x").err(),
        Some(Errno::Noent)
    );
    assert_eq!(root.rename(".", &*root, "x").err(), Some(Errno::Busy));
    assert_eq!(root.rename("f", &*root, "..").err(), Some(Errno::Perm));
    assert_eq!(root.rename("f/", &*root, "h").err(), Some(Errno::Notdir));
    assert_eq!(root.rename("/f", &*root, "h").err(), Some(Errno::Perm));
    // Nothing moved.
    assert_eq!(ops::read_file(&*root, "f").unwrap(), b"F");
    assert!(ops::exists(&*root, "a/sub").unwrap());
}

#[test]
fn rename_to_itself_or_another_link_is_a_no_op() {
    let (_fs, root) = setup();
    root.rename("f", &*root, "f").unwrap();
    assert_eq!(
        root.rename("a", &*root, "a/sub/..").err(),
        Some(Errno::Busy)
    );
    root.rename("a", &*root, "./a").unwrap();
    root.hard_link("f", false, &*root, "f2").unwrap();
    root.rename("f", &*root, "f2").unwrap();
    assert!(ops::exists(&*root, "f").unwrap());
    assert!(ops::exists(&*root, "f2").unwrap());
}

#[test]
fn across_filesystems_or_backings_is_xdev() {
    let (_fs, root) = setup();
    let other = MemFs::new();
    assert_eq!(
        root.rename("f", &*other.root(), "f").err(),
        Some(Errno::Xdev)
    );
    let ro = crate::readonly::ReadOnlyDir::new(MemFs::new().root());
    assert_eq!(root.rename("f", &ro, "f").err(), Some(Errno::Xdev));
    // Two handles on one tree are fine.
    let a = root
        .open("a", &OpenOptions::read())
        .unwrap()
        .into_dir()
        .unwrap();
    root.rename("f", &*a, "moved").unwrap();
    assert_eq!(ops::read_file(&*root, "a/moved").unwrap(), b"F");
}

#[test]
fn symlinks_are_renamed_not_followed() {
    let (_fs, root) = setup();
    root.symlink("a", "la").unwrap();
    root.rename("la", &*root, "lb").unwrap();
    assert_eq!(root.read_link("lb").unwrap(), "a");
    assert!(ops::exists(&*root, "a/sub").unwrap());
    // A symlink as destination is replaced, its target untouched.
    root.rename("f", &*root, "lb").unwrap();
    assert_eq!(ops::read_file(&*root, "lb").unwrap(), b"F");
    assert!(ops::exists(&*root, "a/sub").unwrap());
}

#[test]
fn open_handles_survive_being_replaced() {
    let (_fs, root) = setup();
    let g = root
        .open("g", &OpenOptions::read())
        .unwrap()
        .into_file()
        .unwrap();
    root.rename("f", &*root, "g").unwrap();
    let mut buf = [0u8; 1];
    g.read_at(&mut buf, 0).unwrap();
    assert_eq!(&buf, b"G");
    assert_eq!(g.stat().unwrap().nlink, 0);
}

#[test]
fn rename_stamps_both_directories() {
    let fs = MemFs::with_clock(Rc::new(Ticker(Cell::new(0))));
    let root = fs.root();
    root.create_dir("a").unwrap();
    root.create_dir("b").unwrap();
    ops::write_file(&*root, "a/f", b"").unwrap();
    let a = root.stat_at("a", true).unwrap().mtim;
    let b = root.stat_at("b", true).unwrap().mtim;
    let f = root.stat_at("a/f", true).unwrap().ctim;
    root.rename("a/f", &*root, "b/f").unwrap();
    assert!(root.stat_at("a", true).unwrap().mtim > a);
    assert!(root.stat_at("b", true).unwrap().mtim > b);
    assert!(root.stat_at("b/f", true).unwrap().ctim > f);
}

#[test]
fn into_a_removed_directory_is_noent() {
    let (_fs, root) = setup();
    let empty = root.open("empty", &OpenOptions::read()).unwrap().into_dir().unwrap();
    root.remove_dir("empty").unwrap();
    assert_eq!(root.rename("a", &*empty, "a").err(), Some(Errno::Noent));
    assert_eq!(root.rename("f", &*empty, "f").err(), Some(Errno::Noent));
    assert_eq!(root.hard_link("f", false, &*empty, "f").err(), Some(Errno::Noent));
    assert!(ops::exists(&*root, "a/sub").unwrap());
}

#[test]
fn a_confined_subtree_cannot_be_left() {
    let fs = MemFs::new();
    let root = fs.root();
    ops::create_dir_all(&*root, "home/user/docs").unwrap();
    ops::write_file(&*root, "secret", b"s").unwrap();
    let home = fs.confined_dir("/home").unwrap();
    assert_eq!(home.stat_at("..", false), Err(Errno::Perm));
    assert_eq!(home.stat_at("user/../../secret", false), Err(Errno::Perm));
    assert!(home.stat_at("user/docs/..", false).is_ok());
    // Directories opened through it are confined to themselves; their listing's `..` is real.
    let user = home.open("user", &crate::OpenOptions::read()).unwrap().into_dir().unwrap();
    assert_eq!(user.stat_at("..", false), Err(Errno::Perm));
    assert_eq!(user.entries().unwrap()[1].ino, home.stat().unwrap().ino);
    // A symlink pointing out is refused too.
    home.symlink("../secret", "out").unwrap();
    assert_eq!(home.stat_at("out", true), Err(Errno::Perm));
    // `..` in a listing of the confined root is the root itself.
    let entries = home.entries().unwrap();
    assert_eq!(entries[1].name, "..");
    assert_eq!(entries[0].ino, entries[1].ino);
    assert_eq!(fs.confined_dir("secret").err(), Some(Errno::Notdir));
    assert_eq!(fs.confined_dir("nope").err(), Some(Errno::Noent));
}

/// `renameat` resolves both paths' directories before it looks at either last component, as a
/// host directory does (found by the differential fuzzer): a missing directory in one path wins
/// over a `..` in the other; a `..` above the start is then an escape; other dots are EBUSY.
#[test]
fn rename_resolves_both_directories_before_the_dots() {
    let fs = MemFs::new();
    let root = fs.root();
    root.create_dir("d").unwrap();
    for (from, to, want) in [
        ("..", "e/f", Errno::Noent),
        ("..", "x", Errno::Perm),
        ("x", "..", Errno::Perm),
        ("d", "..", Errno::Perm),
        ("d/..", "x", Errno::Busy),
        (".", "x", Errno::Busy),
    ] {
        assert_eq!(root.rename(from, &*root, to), Err(want), "rename({from:?}, {to:?})");
    }
}
