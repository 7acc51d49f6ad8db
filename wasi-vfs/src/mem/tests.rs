//! Path resolution, open semantics, files and timestamps of the in-memory tree.
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use std::cell::Cell;

use super::MemFs;
use crate::{ops, Clock, Dir, Errno, FileType, OpenOptions, MAX_SYMLINK_FOLLOWS};

/// A clock that ticks by one on every reading, to see which operations stamp times.
pub(super) struct Ticker(pub Cell<u64>);

impl Clock for Ticker {
    fn now(&self) -> u64 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }
}

pub(super) fn err<T>(r: crate::Result<T>) -> Errno {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn names(dir: &dyn Dir) -> Vec<String> {
    dir.entries().unwrap().into_iter().map(|e| e.name).collect()
}

fn open_dir(dir: &dyn Dir, path: &str) -> Box<dyn Dir> {
    dir.open(path, &OpenOptions::read())
        .unwrap()
        .into_dir()
        .unwrap()
}

#[test]
fn entries_are_sorted_with_dot_entries_first() {
    let fs = MemFs::new();
    let root = fs.root();
    for name in ["b", "a", "c"] {
        ops::write_file(&*root, name, b"").unwrap();
    }
    root.create_dir("0dir").unwrap();
    assert_eq!(names(&*root), [".", "..", "0dir", "a", "b", "c"]);
    let entries = root.entries().unwrap();
    // `..` of the root is the root itself.
    assert_eq!(entries[0].ino, entries[1].ino);
    assert_eq!(entries[2].filetype, FileType::Directory);
    assert_eq!(entries[3].filetype, FileType::RegularFile);
    let sub = open_dir(&*root, "0dir");
    let sub_entries = sub.entries().unwrap();
    assert_eq!(sub_entries[1].ino, entries[0].ino);
    assert_eq!(sub_entries.len(), 2);
}

#[test]
fn path_errors() {
    let fs = MemFs::new();
    let root = fs.root();
    ops::write_file(&*root, "f", b"x").unwrap();
    root.create_dir("d").unwrap();
    assert_eq!(err(root.stat_at("", true)), Errno::Noent);
    assert_eq!(err(root.stat_at("/d", true)), Errno::Perm);
    assert_eq!(err(root.stat_at("..", true)), Errno::Perm);
    assert_eq!(err(root.stat_at("d/../..", true)), Errno::Perm);
    assert_eq!(err(root.stat_at("f/", true)), Errno::Notdir);
    assert_eq!(err(root.stat_at("f/x", true)), Errno::Notdir);
    assert_eq!(err(root.stat_at("f/.", true)), Errno::Notdir);
    assert_eq!(err(root.stat_at("missing/x", true)), Errno::Noent);
    assert_eq!(
        err(root.stat_at(&"n".repeat(256), true)),
        Errno::Nametoolong
    );
    assert_eq!(
        err(root.stat_at(&"d/".repeat(3000), true)),
        Errno::Nametoolong
    );
    assert_eq!(err(root.stat_at("a\0b", true)), Errno::Inval);
    assert_eq!(
        root.stat_at("./d//./", true).unwrap().filetype,
        FileType::Directory
    );
    assert_eq!(
        root.stat_at("d/../f", true).unwrap().filetype,
        FileType::RegularFile
    );
}

#[test]
fn dotdot_may_not_climb_above_the_handle_a_path_starts_from() {
    // Each directory handle is a capability for what lies beneath it (wasmtime's `openat`, and
    // a host directory under wrun): the wasi-testsuite checks this with a handle below a preopen.
    let fs = MemFs::new();
    let root = fs.root();
    ops::create_dir_all(&*root, "a/b/c").unwrap();
    ops::write_file(&*root, "top", b"t").unwrap();
    assert_eq!(ops::read_file(&*root, "a/b/../../top").unwrap(), b"t");
    let b = open_dir(&*root, "a/b");
    assert_eq!(err(b.stat_at("..", true)), Errno::Perm);
    assert_eq!(err(b.stat_at("../../top", true)), Errno::Perm);
    assert_eq!(b.stat_at("c/..", true).unwrap().ino, b.stat().unwrap().ino);
    // Nor through a symlink that points up, though the same link works from above.
    b.symlink("../../top", "up").unwrap();
    assert_eq!(err(b.stat_at("up", true)), Errno::Perm);
    assert_eq!(ops::read_file(&*root, "a/b/up").unwrap(), b"t");
    // Its listing's `..` is still its real parent.
    let a_ino = root.stat_at("a", true).unwrap().ino;
    assert_eq!(b.entries().unwrap()[1].ino, a_ino);
}

#[test]
fn symlinks_resolve_from_their_own_directory() {
    let fs = MemFs::new();
    let root = fs.root();
    ops::create_dir_all(&*root, "a/b").unwrap();
    ops::write_file(&*root, "a/target", b"T").unwrap();
    root.symlink("../target", "a/b/link").unwrap();
    root.symlink("a/b", "dirlink").unwrap();
    assert_eq!(ops::read_file(&*root, "a/b/link").unwrap(), b"T");
    assert_eq!(ops::read_file(&*root, "dirlink/link").unwrap(), b"T");
    assert_eq!(
        root.stat_at("a/b/link", false).unwrap().filetype,
        FileType::SymbolicLink
    );
    assert_eq!(
        root.stat_at("dirlink/", false).unwrap().filetype,
        FileType::Directory
    );
    assert_eq!(root.read_link("a/b/link").unwrap(), "../target");
    assert_eq!(err(root.read_link("a/target")), Errno::Inval);
}

#[test]
fn symlinks_may_not_escape_or_loop() {
    let fs = MemFs::new();
    let root = fs.root();
    root.create_dir("d").unwrap();
    root.symlink("/etc/passwd", "abs").unwrap();
    root.symlink("../../etc", "d/up").unwrap();
    root.symlink("loop2", "loop1").unwrap();
    root.symlink("loop1", "loop2").unwrap();
    root.symlink("self", "self").unwrap();
    assert_eq!(err(root.stat_at("abs", true)), Errno::Perm);
    assert_eq!(err(ops::write_file(&*root, "abs", b"x")), Errno::Perm);
    assert_eq!(err(root.stat_at("d/up", true)), Errno::Perm);
    assert_eq!(err(ops::write_file(&*root, "d/up/x", b"x")), Errno::Perm);
    assert_eq!(err(root.stat_at("loop1", true)), Errno::Loop);
    assert_eq!(err(root.stat_at("self/x", false)), Errno::Loop);
    // Not following the last component sees the link itself.
    assert_eq!(
        root.stat_at("abs", false).unwrap().filetype,
        FileType::SymbolicLink
    );
}

#[test]
fn symlink_chains_stop_at_the_limit() {
    let fs = MemFs::new();
    let root = fs.root();
    ops::write_file(&*root, "l0", b"end").unwrap();
    for i in 1..=MAX_SYMLINK_FOLLOWS + 1 {
        root.symlink(&format!("l{}", i - 1), &format!("l{i}"))
            .unwrap();
    }
    assert_eq!(
        ops::read_file(&*root, &format!("l{MAX_SYMLINK_FOLLOWS}")).unwrap(),
        b"end"
    );
    let over = format!("l{}", MAX_SYMLINK_FOLLOWS + 1);
    assert_eq!(err(ops::read_file(&*root, &over)), Errno::Loop);
}

#[test]
fn open_flags_follow_openat() {
    let fs = MemFs::new();
    let root = fs.root();
    ops::write_file(&*root, "f", b"data").unwrap();
    root.create_dir("d").unwrap();
    root.symlink("f", "lf").unwrap();
    root.symlink("d", "ld").unwrap();
    root.symlink("missing", "dangling").unwrap();
    let excl = OpenOptions {
        exclusive: true,
        ..OpenOptions::write_create_truncate()
    };
    let write = OpenOptions {
        write: true,
        follow: true,
        ..OpenOptions::default()
    };
    let dir = OpenOptions {
        directory: true,
        ..OpenOptions::read()
    };
    let nofollow = OpenOptions {
        follow: false,
        ..OpenOptions::read()
    };
    let trunc = OpenOptions {
        truncate: true,
        ..OpenOptions::read()
    };
    assert_eq!(err(root.open("f", &excl)), Errno::Exist);
    assert_eq!(err(root.open("d", &excl)), Errno::Exist);
    assert_eq!(err(root.open("d", &write)), Errno::Isdir);
    assert_eq!(err(root.open("d", &trunc)), Errno::Isdir);
    assert_eq!(err(root.open("f", &dir)), Errno::Notdir);
    assert_eq!(err(root.open("f/", &OpenOptions::read())), Errno::Notdir);
    assert_eq!(err(root.open("lf", &nofollow)), Errno::Loop);
    assert_eq!(
        err(root.open(
            "ld",
            &OpenOptions {
                directory: true,
                ..nofollow
            }
        )),
        Errno::Notdir
    );
    assert_eq!(
        err(root.open("missing", &OpenOptions::read())),
        Errno::Noent
    );
    assert_eq!(
        err(root.open("new/", &OpenOptions::write_create_truncate())),
        Errno::Isdir
    );
    // A trailing slash after `.` or `..` names a directory that exists: EEXIST with O_EXCL, as
    // on Linux (found by the differential fuzzer), EISDIR without.
    assert_eq!(err(root.open("d/../", &excl)), Errno::Exist);
    assert_eq!(err(root.open("d/./", &excl)), Errno::Exist);
    assert_eq!(err(root.open("d/../", &OpenOptions::write_create_truncate())), Errno::Isdir);
    // EISDIR comes once the directory is found, before the name is looked at: a symlink loop
    // there is not followed; a missing directory is still ENOENT.
    root.symlink("selfloop", "selfloop").unwrap();
    assert_eq!(err(root.open("selfloop/", &OpenOptions::write_create_truncate())), Errno::Isdir);
    assert_eq!(err(root.open("nodir/x/", &OpenOptions::write_create_truncate())), Errno::Noent);
    let create_dir = OpenOptions {
        create: true,
        ..dir
    };
    assert_eq!(err(root.open("newdir", &create_dir)), Errno::Inval);
    assert!(matches!(
        root.open("ld", &dir).unwrap(),
        crate::Node::Dir(_)
    ));
    // Following a dangling symlink with O_CREAT creates its target, as Linux does.
    ops::write_file(&*root, "dangling", b"via link").unwrap();
    assert_eq!(ops::read_file(&*root, "missing").unwrap(), b"via link");
    // O_TRUNC empties an existing file.
    root.open("lf", &trunc).unwrap();
    assert_eq!(root.stat_at("f", true).unwrap().size, 0);
}

#[test]
fn removed_directory_handles_fail_cleanly() {
    let fs = MemFs::new();
    let root = fs.root();
    root.create_dir("d").unwrap();
    let d = open_dir(&*root, "d");
    root.remove_dir("d").unwrap();
    assert_eq!(d.stat().unwrap().nlink, 0);
    assert_eq!(err(ops::write_file(&*d, "x", b"")), Errno::Noent);
    assert_eq!(err(d.create_dir("x")), Errno::Noent);
    assert_eq!(names(&*d), [".", ".."]);
    // The slot is not reused while the handle lives.
    root.create_dir("e").unwrap();
    assert_ne!(root.stat_at("e", true).unwrap().ino, d.stat().unwrap().ino);
}

#[test]
fn remove_and_unlink_errors() {
    let fs = MemFs::new();
    let root = fs.root();
    ops::create_dir_all(&*root, "d/sub").unwrap();
    ops::write_file(&*root, "f", b"").unwrap();
    root.symlink("d", "ld").unwrap();
    assert_eq!(err(root.remove_dir("d")), Errno::Notempty);
    assert_eq!(err(root.remove_dir("f")), Errno::Notdir);
    assert_eq!(err(root.remove_dir("ld")), Errno::Notdir);
    assert_eq!(err(root.remove_dir(".")), Errno::Inval);
    assert_eq!(err(root.remove_dir("missing")), Errno::Noent);
    assert_eq!(err(root.unlink_file("d")), Errno::Isdir);
    assert_eq!(err(root.unlink_file("f/")), Errno::Notdir);
    assert_eq!(err(root.create_dir("f")), Errno::Exist);
    assert_eq!(err(root.create_dir(".")), Errno::Exist);
    assert_eq!(err(root.symlink("x", "f")), Errno::Exist);
    assert_eq!(err(root.symlink("", "new")), Errno::Noent);
    // unlink removes a symlink, not its target.
    root.unlink_file("ld").unwrap();
    assert!(ops::exists(&*root, "d/sub").unwrap());
    root.remove_dir("d/sub/").unwrap();
    root.remove_dir("d").unwrap();
    assert_eq!(names(&*root), [".", "..", "f"]);
}

#[test]
fn hard_links_share_the_inode() {
    let fs = MemFs::new();
    let root = fs.root();
    ops::write_file(&*root, "f", b"one").unwrap();
    root.create_dir("d").unwrap();
    root.symlink("f", "lf").unwrap();
    root.hard_link("f", false, &*root, "d/g").unwrap();
    let st = root.stat_at("f", true).unwrap();
    assert_eq!(st.nlink, 2);
    assert_eq!(root.stat_at("d/g", true).unwrap().ino, st.ino);
    ops::write_file(&*root, "d/g", b"two").unwrap();
    assert_eq!(ops::read_file(&*root, "f").unwrap(), b"two");
    assert_eq!(err(root.hard_link("d", false, &*root, "d2")), Errno::Perm);
    assert_eq!(err(root.hard_link("f", false, &*root, "d/g")), Errno::Exist);
    assert_eq!(
        err(root.hard_link("missing", false, &*root, "x")),
        Errno::Noent
    );
    // With follow the link names the target; without, the symlink itself.
    root.hard_link("lf", true, &*root, "h").unwrap();
    assert_eq!(root.stat_at("h", false).unwrap().ino, st.ino);
    root.hard_link("lf", false, &*root, "l2").unwrap();
    assert_eq!(
        root.stat_at("l2", false).unwrap().filetype,
        FileType::SymbolicLink
    );
    root.unlink_file("f").unwrap();
    assert_eq!(root.stat_at("d/g", true).unwrap().nlink, 2);
    let other = MemFs::new();
    assert_eq!(
        err(root.hard_link("h", false, &*other.root(), "x")),
        Errno::Xdev
    );
}

#[test]
fn directory_link_counts() {
    let fs = MemFs::new();
    let root = fs.root();
    assert_eq!(root.stat().unwrap().nlink, 2);
    root.create_dir("a").unwrap();
    root.create_dir("b").unwrap();
    assert_eq!(root.stat().unwrap().nlink, 4);
    root.rename("b", &*root, "a/b").unwrap();
    assert_eq!(root.stat().unwrap().nlink, 3);
    assert_eq!(root.stat_at("a", true).unwrap().nlink, 3);
    root.remove_dir("a/b").unwrap();
    assert_eq!(root.stat_at("a", true).unwrap().nlink, 2);
}
