//! Host directories against the same POSIX expectations as the in-memory tree: each check runs
//! on both, so the backings cannot drift apart unnoticed.
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use super::HostDir;
use crate::mem::MemFs;
use crate::{ops, Dir, Errno, FileType, OpenOptions};

fn host() -> (tempfile::TempDir, HostDir) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = HostDir::open_ambient(tmp.path()).unwrap();
    (tmp, dir)
}

/// Runs `check` on a fresh host directory, a fresh in-memory tree and a fresh directory of a
/// path-based API (`pathfs`, over `std::fs`), and an in-memory tree reached through `remote`.
pub(super) fn both(check: impl Fn(&dyn Dir)) {
    let (_tmp, dir) = host();
    check(&dir);
    check(&*MemFs::new().root());
    let tmp = tempfile::tempdir().unwrap();
    check(&crate::pathfs::tests::std_dir(tmp.path()));
    let (_server, remote) = crate::remote::tests::served(MemFs::new().root());
    check(&remote);
}

pub(super) fn err<T>(r: crate::Result<T>) -> Errno {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn open_flags() {
    both(|root| {
        ops::write_file(root, "f", b"data").unwrap();
        root.create_dir("d").unwrap();
        root.symlink("f", "lf").unwrap();
        let excl = OpenOptions {
            exclusive: true,
            ..OpenOptions::write_create_truncate()
        };
        let nofollow = OpenOptions {
            follow: false,
            ..OpenOptions::read()
        };
        let dir = OpenOptions {
            directory: true,
            ..OpenOptions::read()
        };
        assert_eq!(err(root.open("f", &excl)), Errno::Exist);
        assert_eq!(
            err(root.open(
                "d",
                &OpenOptions {
                    write: true,
                    ..OpenOptions::read()
                }
            )),
            Errno::Isdir
        );
        assert_eq!(err(root.open("f", &dir)), Errno::Notdir);
        assert_eq!(err(root.open("lf", &nofollow)), Errno::Loop);
        root.symlink("d", "ld").unwrap();
        let dir_nofollow = OpenOptions { directory: true, ..nofollow };
        assert_eq!(err(root.open("ld", &dir_nofollow)), Errno::Notdir);
        assert!(matches!(root.open("ld", &dir).unwrap(), crate::Node::Dir(_)));
        let excl_create_dir = OpenOptions { create: true, ..dir };
        assert_eq!(err(root.open("newdir", &excl_create_dir)), Errno::Inval);
        assert_eq!(
            err(root.open("missing", &OpenOptions::read())),
            Errno::Noent
        );
        assert_eq!(err(root.open("f/", &OpenOptions::read())), Errno::Notdir);
        assert!(matches!(
            root.open("d", &OpenOptions::read()).unwrap(),
            crate::Node::Dir(_)
        ));
        // O_CREAT and O_TRUNC without write rights, as POSIX allows.
        let ro_create = OpenOptions {
            create: true,
            ..OpenOptions::read()
        };
        root.open("new", &ro_create).unwrap().into_file().unwrap();
        assert_eq!(
            root.stat_at("new", true).unwrap().filetype,
            FileType::RegularFile
        );
        let ro_trunc = OpenOptions {
            truncate: true,
            ..OpenOptions::read()
        };
        root.open("f", &ro_trunc).unwrap();
        assert_eq!(root.stat_at("f", true).unwrap().size, 0);
    });
}

#[test]
fn files_read_write_append() {
    both(|root| {
        let opts = OpenOptions {
            read: true,
            ..OpenOptions::write_create_truncate()
        };
        let f = root.open("f", &opts).unwrap().into_file().unwrap();
        f.write_at(b"hello", 0).unwrap();
        f.write_at(b"!", 7).unwrap();
        assert_eq!(f.append(b"ab").unwrap(), (2, 10));
        let mut buf = [0u8; 16];
        assert_eq!(f.read_at(&mut buf, 0).unwrap(), 10);
        assert_eq!(&buf[..10], b"hello\0\0!ab");
        assert_eq!(f.read_at(&mut buf, 100).unwrap(), 0);
        f.set_size(2).unwrap();
        assert_eq!(f.stat().unwrap().size, 2);
        f.set_times(Some(3_000_000_000), Some(5_000_000_000))
            .unwrap();
        let st = f.stat().unwrap();
        assert_eq!((st.atim, st.mtim), (3_000_000_000, 5_000_000_000));
        assert_eq!(st.filetype, FileType::RegularFile);
        let r = root
            .open("f", &OpenOptions::read())
            .unwrap()
            .into_file()
            .unwrap();
        assert_eq!(err(r.write_at(b"x", 0)), Errno::Badf);
    });
}

#[test]
fn directories_links_and_listings() {
    both(|root| {
        ops::create_dir_all(root, "d/sub").unwrap();
        for n in ["c", "a", "b"] {
            ops::write_file(root, n, b"").unwrap();
        }
        let names: Vec<_> = root
            .entries()
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, [".", "..", "a", "b", "c", "d"]);
        assert_eq!(err(root.remove_dir("d")), Errno::Notempty);
        assert_eq!(err(root.remove_dir("a")), Errno::Notdir);
        assert_eq!(err(root.remove_dir(".")), Errno::Inval);
        assert_eq!(err(root.unlink_file("d")), Errno::Isdir);
        assert_eq!(err(root.create_dir("a")), Errno::Exist);
        root.hard_link("a", false, root, "d/a2").unwrap();
        assert_eq!(root.stat_at("a", false).unwrap().nlink, 2);
        assert_eq!(err(root.hard_link("d", false, root, "d2")), Errno::Perm);
        root.symlink("a", "la").unwrap();
        root.hard_link("la", true, root, "a3").unwrap();
        assert_eq!(
            root.stat_at("a3", false).unwrap().ino,
            root.stat_at("a", false).unwrap().ino
        );
        assert_eq!(root.read_link("la").unwrap(), "a");
        assert_eq!(err(root.read_link("a")), Errno::Inval);
        // rename, POSIX style.
        assert_eq!(err(root.rename("d", root, "a")), Errno::Notdir);
        assert_eq!(err(root.rename("a", root, "d")), Errno::Isdir);
        assert_eq!(err(root.rename("d", root, "d/sub/x")), Errno::Inval);
        root.rename("b", root, "c").unwrap();
        root.create_dir("e").unwrap();
        root.rename("d/sub", root, "e").unwrap();
        assert_eq!(
            root.stat_at("e", false).unwrap().filetype,
            FileType::Directory
        );
        assert!(!ops::exists(root, "d/sub").unwrap());
        root.set_times_at("la", false, None, Some(7_000_000_000))
            .unwrap();
        assert_eq!(root.stat_at("la", false).unwrap().mtim, 7_000_000_000);
        assert_ne!(root.stat_at("la", true).unwrap().mtim, 7_000_000_000);
        root.set_times(None, Some(9_000_000_000)).unwrap();
        assert_eq!(root.stat().unwrap().mtim, 9_000_000_000);
        ops::remove_all(root, "d").unwrap();
        assert!(!ops::exists(root, "d").unwrap());
    });
}

#[test]
fn cross_backing_operations_are_xdev() {
    let (_tmp, dir) = host();
    ops::write_file(&dir, "f", b"").unwrap();
    let mem = MemFs::new();
    assert_eq!(err(dir.rename("f", &*mem.root(), "f")), Errno::Xdev);
    assert_eq!(
        err(dir.hard_link("f", false, &*mem.root(), "f")),
        Errno::Xdev
    );
    assert_eq!(err(mem.root().rename("x", &dir, "f")), Errno::Xdev);
    let (_tmp2, other) = host();
    // Two host directories on one filesystem can rename between each other.
    dir.rename("f", &other, "g").unwrap();
    assert!(ops::exists(&other, "g").unwrap());
}

#[test]
fn tar_images_round_trip_through_the_host() {
    let (_tmp, dir) = host();
    ops::create_dir_all(&dir, "a/b").unwrap();
    ops::write_file(&dir, "a/b/f", b"host").unwrap();
    dir.symlink("b/f", "a/l").unwrap();
    dir.set_times_at("a/b/f", false, None, Some(11_000_000_000))
        .unwrap();
    let image = crate::tar_image::export(&dir).unwrap();
    let mem = MemFs::new();
    crate::tar_image::import(&*mem.root(), &image).unwrap();
    assert_eq!(ops::read_file(&*mem.root(), "a/l").unwrap(), b"host");
    assert_eq!(
        mem.root().stat_at("a/b/f", false).unwrap().mtim,
        11_000_000_000
    );
    let (_tmp2, back) = host();
    crate::tar_image::import(&back, &image).unwrap();
    assert_eq!(image, crate::tar_image::export(&back).unwrap());
}

