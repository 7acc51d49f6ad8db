//! The overlay's precedence, copy-up and whiteout rules. The lower layer is wrapped read-only in
//! every test, so any attempt to write it fails the test with `EROFS`.
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use super::OverlayDir;
use crate::mem::MemFs;
use crate::readonly::ReadOnlyDir;
use crate::{ops, Dir, Errno, FileType, OpenOptions};

struct Setup {
    lower: MemFs,
    upper: MemFs,
    ov: OverlayDir,
}

fn setup() -> Setup {
    let lower = MemFs::new();
    let l = lower.root();
    ops::create_dir_all(&*l, "etc").unwrap();
    ops::create_dir_all(&*l, "d/sub").unwrap();
    ops::create_dir_all(&*l, "bin").unwrap();
    ops::write_file(&*l, "etc/conf", b"lower").unwrap();
    ops::write_file(&*l, "etc/other", b"other").unwrap();
    ops::write_file(&*l, "bin/tool", b"tool").unwrap();
    ops::write_file(&*l, "d/sub/deep", b"deep").unwrap();
    l.symlink("bin", "lib").unwrap();
    l.set_times_at("etc/conf", false, None, Some(42)).unwrap();
    let upper = MemFs::new();
    let ov = OverlayDir::new(Box::new(ReadOnlyDir::new(lower.root())), upper.root());
    Setup { lower, upper, ov }
}

fn names(dir: &dyn Dir) -> Vec<String> {
    dir.entries().unwrap().into_iter().map(|e| e.name).collect()
}

fn read(dir: &dyn Dir, path: &str) -> Vec<u8> {
    ops::read_file(dir, path).unwrap()
}

#[test]
fn reads_see_the_lower_layer_without_copying() {
    let s = setup();
    assert_eq!(read(&s.ov, "etc/conf"), b"lower");
    assert_eq!(read(&s.ov, "lib/tool"), b"tool");
    assert_eq!(names(&s.ov), [".", "..", "bin", "d", "etc", "lib"]);
    assert_eq!(
        s.ov.stat_at("lib", false).unwrap().filetype,
        FileType::SymbolicLink
    );
    assert_eq!(s.ov.read_link("lib").unwrap(), "bin");
    assert_eq!(names(&*s.upper.root()), [".", ".."]);
    // A lower file opened for reading cannot be written through.
    let f =
        s.ov.open("etc/conf", &OpenOptions::read())
            .unwrap()
            .into_file()
            .unwrap();
    assert_eq!(f.write_at(b"x", 0), Err(Errno::Rofs));
}

#[test]
fn writing_a_lower_file_copies_it_up() {
    let s = setup();
    let opts = OpenOptions {
        write: true,
        read: true,
        follow: true,
        ..OpenOptions::default()
    };
    let f = s.ov.open("etc/conf", &opts).unwrap().into_file().unwrap();
    assert_eq!(f.stat().unwrap().mtim, 42, "times are copied up");
    f.write_at(b"UP", 0).unwrap();
    assert_eq!(read(&s.ov, "etc/conf"), b"UPwer");
    assert_eq!(read(&*s.lower.root(), "etc/conf"), b"lower");
    assert_eq!(read(&*s.upper.root(), "etc/conf"), b"UPwer");
    // Only what was needed came up; the rest still merges from below.
    assert_eq!(names(&*s.upper.root()), [".", "..", "etc"]);
    assert_eq!(
        names(
            &*s.upper
                .root()
                .open("etc", &OpenOptions::read())
                .unwrap()
                .into_dir()
                .unwrap()
        ),
        [".", "..", "conf"]
    );
    assert_eq!(
        names(
            &*s.ov
                .open("etc", &OpenOptions::read())
                .unwrap()
                .into_dir()
                .unwrap()
        ),
        [".", "..", "conf", "other"]
    );
    // Through a symlink, and with O_TRUNC (nothing to copy).
    ops::write_file(&s.ov, "lib/tool", b"new").unwrap();
    assert_eq!(read(&s.ov, "bin/tool"), b"new");
    assert_eq!(read(&*s.lower.root(), "bin/tool"), b"tool");
}

#[test]
fn new_entries_go_up_and_listings_merge() {
    let s = setup();
    ops::write_file(&s.ov, "etc/new", b"n").unwrap();
    s.ov.create_dir("d/sub/made").unwrap();
    s.ov.symlink("conf", "etc/ln").unwrap();
    let etc =
        s.ov.open("etc", &OpenOptions::read())
            .unwrap()
            .into_dir()
            .unwrap();
    assert_eq!(names(&*etc), [".", "..", "conf", "ln", "new", "other"]);
    assert_eq!(read(&*etc, "ln"), b"lower");
    assert_eq!(names(&*s.upper.root()), [".", "..", "d", "etc"]);
    assert_eq!(s.ov.create_dir("etc").err(), Some(Errno::Exist));
    let excl = OpenOptions {
        exclusive: true,
        ..OpenOptions::write_create_truncate()
    };
    assert_eq!(s.ov.open("etc/conf", &excl).err(), Some(Errno::Exist));
}

#[test]
fn deleting_lower_entries_leaves_whiteouts() {
    let s = setup();
    s.ov.unlink_file("etc/conf").unwrap();
    assert_eq!(s.ov.stat_at("etc/conf", false), Err(Errno::Noent));
    assert_eq!(
        names(
            &*s.ov
                .open("etc", &OpenOptions::read())
                .unwrap()
                .into_dir()
                .unwrap()
        ),
        [".", "..", "other"]
    );
    assert_eq!(s.ov.whiteouts(), ["etc/conf"]);
    assert_eq!(read(&*s.lower.root(), "etc/conf"), b"lower");
    // Making it again shows the new one only.
    ops::write_file(&s.ov, "etc/conf", b"again").unwrap();
    assert_eq!(read(&s.ov, "etc/conf"), b"again");
    s.ov.unlink_file("etc/conf").unwrap();
    assert_eq!(s.ov.stat_at("etc/conf", false), Err(Errno::Noent));
    // Symlinks are removed, not followed.
    s.ov.unlink_file("lib").unwrap();
    assert_eq!(read(&s.ov, "bin/tool"), b"tool");
}

#[test]
fn removed_directories_come_back_opaque() {
    let s = setup();
    assert_eq!(s.ov.remove_dir("d"), Err(Errno::Notempty));
    assert_eq!(s.ov.remove_dir("etc/conf"), Err(Errno::Notdir));
    assert_eq!(s.ov.unlink_file("d"), Err(Errno::Isdir));
    ops::remove_all(&s.ov, "d").unwrap();
    assert!(!ops::exists(&s.ov, "d").unwrap());
    assert_eq!(
        s.ov.whiteouts(),
        ["d"],
        "the directory's whiteout covers its children's"
    );
    s.ov.create_dir("d").unwrap();
    assert_eq!(
        names(
            &*s.ov
                .open("d", &OpenOptions::read())
                .unwrap()
                .into_dir()
                .unwrap()
        ),
        [".", ".."]
    );
    assert!(!ops::exists(&s.ov, "d/sub/deep").unwrap());
    assert!(ops::exists(&*s.lower.root(), "d/sub/deep").unwrap());
}

#[test]
fn upper_wins_over_lower() {
    let s = setup();
    let u = s.upper.root();
    ops::write_file(&*u, "d", b"upper file over a lower dir").unwrap();
    ops::create_dir_all(&*u, "etc/conf").unwrap();
    assert_eq!(
        s.ov.stat_at("d", false).unwrap().filetype,
        FileType::RegularFile
    );
    assert_eq!(s.ov.stat_at("d/sub", false), Err(Errno::Notdir));
    assert_eq!(
        s.ov.stat_at("etc/conf", false).unwrap().filetype,
        FileType::Directory
    );
    // Deleting the upper file must not uncover the lower directory.
    s.ov.unlink_file("d").unwrap();
    assert!(!ops::exists(&s.ov, "d").unwrap());
}

#[test]
fn rename_copies_up_and_whites_out() {
    let s = setup();
    s.ov.rename("etc/conf", &s.ov, "conf2").unwrap();
    assert_eq!(read(&s.ov, "conf2"), b"lower");
    assert!(!ops::exists(&s.ov, "etc/conf").unwrap());
    // A merged directory moves with both layers' contents.
    ops::write_file(&s.ov, "d/up", b"u").unwrap();
    s.ov.rename("d", &s.ov, "e").unwrap();
    assert_eq!(read(&s.ov, "e/sub/deep"), b"deep");
    assert_eq!(read(&s.ov, "e/up"), b"u");
    assert!(!ops::exists(&s.ov, "d").unwrap());
    // Onto a lower file, and the POSIX refusals.
    s.ov.rename("conf2", &s.ov, "etc/other").unwrap();
    assert_eq!(read(&s.ov, "etc/other"), b"lower");
    assert_eq!(s.ov.rename("e", &s.ov, "e/sub/x"), Err(Errno::Inval));
    assert_eq!(s.ov.rename("e", &s.ov, "etc"), Err(Errno::Notempty));
    assert_eq!(s.ov.rename("bin", &s.ov, "etc/other"), Err(Errno::Notdir));
    assert_eq!(s.ov.rename("etc/other", &s.ov, "bin"), Err(Errno::Isdir));
    assert_eq!(s.ov.rename("etc/other", &s.ov, "etc/other"), Ok(()));
    assert_eq!(s.ov.rename("missing", &s.ov, "x"), Err(Errno::Noent));
    let other = MemFs::new();
    assert_eq!(
        s.ov.rename("bin/tool", &*other.root(), "x"),
        Err(Errno::Xdev)
    );
    let o2 = setup();
    assert_eq!(s.ov.rename("bin/tool", &o2.ov, "x"), Err(Errno::Xdev));
    assert_eq!(read(&*s.lower.root(), "d/sub/deep"), b"deep");
}

#[test]
fn dir_handles_and_confinement() {
    let s = setup();
    let sub =
        s.ov.open("d/sub", &OpenOptions::read())
            .unwrap()
            .into_dir()
            .unwrap();
    assert_eq!(read(&*sub, "deep"), b"deep");
    assert_eq!(read(&s.ov, "d/sub/../../etc/conf"), b"lower");
    // A handle is a capability for what lies beneath it: `..` never climbs above it.
    assert_eq!(sub.stat_at("..", false), Err(Errno::Perm));
    assert_eq!(sub.stat_at("../../etc/conf", false), Err(Errno::Perm));
    sub.symlink("../../etc/conf", "up").unwrap();
    assert_eq!(sub.stat_at("up", true), Err(Errno::Perm));
    assert_eq!(read(&s.ov, "d/sub/up"), b"lower");
    sub.unlink_file("up").unwrap();
    assert_eq!(s.ov.stat_at("/etc", false), Err(Errno::Perm));
    ops::write_file(&*sub, "made", b"m").unwrap();
    assert_eq!(read(&*s.upper.root(), "d/sub/made"), b"m");
    sub.rename("made", &s.ov, "top").unwrap();
    assert_eq!(read(&s.ov, "top"), b"m");
    let e = sub.entries().unwrap();
    assert_eq!(
        e.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        [".", "..", "deep"]
    );
}

#[test]
fn times_links_and_symlink_loops() {
    let s = setup();
    s.ov.set_times_at("bin/tool", true, None, Some(7)).unwrap();
    assert_eq!(s.ov.stat_at("lib/tool", true).unwrap().mtim, 7);
    assert_ne!(s.lower.root().stat_at("bin/tool", true).unwrap().mtim, 7);
    s.ov.set_times_at("d/sub", true, None, Some(9)).unwrap();
    assert_eq!(s.ov.stat_at("d/sub", true).unwrap().mtim, 9);
    assert_eq!(read(&s.ov, "d/sub/deep"), b"deep");
    s.ov.hard_link("etc/other", false, &s.ov, "hl").unwrap();
    assert_eq!(s.ov.stat_at("hl", false).unwrap().nlink, 2);
    assert_eq!(s.ov.hard_link("etc", false, &s.ov, "x"), Err(Errno::Perm));
    s.ov.symlink("loop", "loop").unwrap();
    assert_eq!(s.ov.stat_at("loop", true), Err(Errno::Loop));
    s.ov.symlink("../../..", "etc/out").unwrap();
    assert_eq!(s.ov.stat_at("etc/out/x", true), Err(Errno::Perm));
    let trunc = OpenOptions {
        truncate: true,
        write: true,
        follow: true,
        ..OpenOptions::default()
    };
    s.ov.open("etc/other", &trunc).unwrap();
    assert_eq!(s.ov.stat_at("etc/other", true).unwrap().size, 0);
}

#[test]
fn tar_export_sees_the_merged_tree() {
    let s = setup();
    s.ov.unlink_file("etc/other").unwrap();
    ops::write_file(&s.ov, "bin/more", b"+").unwrap();
    let copy = MemFs::new();
    crate::tar_image::import(&*copy.root(), &crate::tar_image::export(&s.ov).unwrap()).unwrap();
    assert_eq!(read(&*copy.root(), "bin/more"), b"+");
    assert_eq!(read(&*copy.root(), "d/sub/deep"), b"deep");
    assert!(!ops::exists(&*copy.root(), "etc/other").unwrap());
}
