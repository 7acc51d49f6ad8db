//! Round trips, determinism and hostile archives for [`super`].
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use tar::{EntryType, Header};

use super::{export, import};
use crate::mem::MemFs;
use crate::{ops, Dir, Errno, FileType};

const SEC: u64 = 1_000_000_000;

fn sample(root: &dyn Dir) {
    ops::create_dir_all(root, "docs/notes").unwrap();
    ops::create_dir_all(root, "empty").unwrap();
    ops::write_file(root, "docs/notes/hello.txt", b"hi").unwrap();
    ops::write_file(root, "top.bin", &[0, 1, 2, 255]).unwrap();
    root.symlink("docs/notes/hello.txt", "link").unwrap();
    root.symlink("/abs/target", "abs").unwrap();
    root.hard_link("top.bin", false, root, "docs/hard").unwrap();
    let long = format!("{}/{}", "d".repeat(120), "f".repeat(120));
    ops::create_dir_all(root, &"d".repeat(120)).unwrap();
    ops::write_file(root, &long, b"long").unwrap();
    root.set_times_at("top.bin", false, None, Some(5 * SEC + 123))
        .unwrap();
    root.set_times_at("link", false, None, Some(6 * SEC))
        .unwrap();
    root.set_times_at("docs/notes", false, None, Some(7 * SEC))
        .unwrap();
}

fn listing(root: &dyn Dir) -> Vec<(String, FileType, u64, u64)> {
    let mut out = Vec::new();
    ops::walk(root, &mut |e| {
        out.push((
            e.path.to_owned(),
            e.stat.filetype,
            e.stat.size,
            e.stat.mtim / SEC,
        ));
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn round_trip_keeps_tree_contents_and_mtimes() {
    let fs = MemFs::new();
    let root = fs.root();
    sample(&*root);
    let image = export(&*root).unwrap();
    let copy = MemFs::new();
    let croot = copy.root();
    import(&*croot, &image).unwrap();
    assert_eq!(listing(&*root), listing(&*croot));
    assert_eq!(ops::read_file(&*croot, "link").unwrap(), b"hi");
    assert_eq!(croot.read_link("abs").unwrap(), "/abs/target");
    assert_eq!(
        ops::read_file(&*croot, "docs/hard").unwrap(),
        [0, 1, 2, 255]
    );
    // Tar keeps whole seconds.
    assert_eq!(croot.stat_at("top.bin", false).unwrap().mtim, 5 * SEC);
    assert_eq!(croot.stat_at("docs/notes", false).unwrap().mtim, 7 * SEC);
    assert_eq!(croot.stat_at("link", false).unwrap().mtim, 6 * SEC);
}

#[test]
fn export_is_deterministic_and_relative() {
    let a = MemFs::new();
    sample(&*a.root());
    let b = MemFs::new();
    sample(&*b.root());
    let image = export(&*a.root()).unwrap();
    assert_eq!(image, export(&*b.root()).unwrap());
    let mut archive = tar::Archive::new(image.as_slice());
    let paths: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| String::from_utf8(e.unwrap().path_bytes().into_owned()).unwrap())
        .collect();
    assert!(paths.iter().all(|p| !p.starts_with('/')));
    let pos = |p: &str| paths.iter().position(|x| x == p).unwrap();
    assert!(pos("docs") < pos("docs/hard") && pos("docs/hard") < pos("docs/notes"));
    assert!(pos("docs/notes") < pos("docs/notes/hello.txt") && pos("empty") < pos("link"));
}

/// Builds an archive by hand, since `tar::Builder` refuses the hostile paths under test.
fn raw_archive(entries: &[(&str, EntryType, &str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, kind, link, data) in entries {
        let mut h = Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        let gnu = h.as_gnu_mut().unwrap();
        gnu.name[..path.len()].copy_from_slice(path.as_bytes());
        gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

#[test]
fn import_refuses_escaping_paths() {
    for path in ["/etc/passwd", "../up", "a/../../up", "a/.."] {
        let fs = MemFs::new();
        let image = raw_archive(&[
            ("ok", EntryType::Regular, "", b"1"),
            (path, EntryType::Regular, "", b"x"),
        ]);
        assert_eq!(import(&*fs.root(), &image), Err(Errno::Perm), "{path}");
        let names = fs.root().entries().unwrap().len();
        assert_eq!(names, 3, "{path}: only `.`, `..` and `ok`");
    }
    let fs = MemFs::new();
    let image = raw_archive(&[("l", EntryType::Link, "../x", b"")]);
    assert_eq!(import(&*fs.root(), &image), Err(Errno::Perm));
}

#[test]
fn import_does_not_write_through_planted_symlinks() {
    let fs = MemFs::new();
    let root = fs.root();
    ops::write_file(&*root, "real", b"keep").unwrap();
    // A symlink leading out, then a file beneath it: the walk refuses to leave the root.
    let image = raw_archive(&[
        ("out", EntryType::Symlink, "../..", b""),
        ("out/x", EntryType::Regular, "", b"evil"),
    ]);
    assert_eq!(import(&*root, &image), Err(Errno::Perm));
    // A symlink to a sibling, then a file of the same name: the file replaces the link.
    let image = raw_archive(&[
        ("l", EntryType::Symlink, "real", b""),
        ("l", EntryType::Regular, "", b"new"),
    ]);
    import(&*root, &image).unwrap();
    assert_eq!(ops::read_file(&*root, "real").unwrap(), b"keep");
    assert_eq!(ops::read_file(&*root, "l").unwrap(), b"new");
    assert_eq!(
        root.stat_at("l", false).unwrap().filetype,
        FileType::RegularFile
    );
}

#[test]
fn import_merges_links_and_dot_prefixes() {
    let fs = MemFs::new();
    let root = fs.root();
    let image = raw_archive(&[
        ("./", EntryType::Directory, "", b""),
        ("./a/b/f", EntryType::Regular, "", b"data"),
        ("./a/h", EntryType::Link, "./a/b/f", b""),
        ("./dev", EntryType::Char, "", b""),
    ]);
    import(&*root, &image).unwrap();
    assert_eq!(ops::read_file(&*root, "a/h").unwrap(), b"data");
    assert_eq!(root.stat_at("a/h", false).unwrap().nlink, 2);
    assert!(!ops::exists(&*root, "dev").unwrap());
    // A file cannot replace a directory.
    let image = raw_archive(&[("a", EntryType::Regular, "", b"")]);
    assert_eq!(import(&*root, &image), Err(Errno::Isdir));
}

#[test]
fn malformed_archives_are_errors_not_panics() {
    let good = {
        let fs = MemFs::new();
        sample(&*fs.root());
        export(&*fs.root()).unwrap()
    };
    let mut garbage = vec![0xA5u8; 2048];
    garbage[0] = b'x';
    let mut bad_sum = good.clone();
    bad_sum[148] ^= 0x1;
    let inputs: Vec<Vec<u8>> = vec![
        garbage,
        bad_sum,
        good[..700].to_vec(),
        good[..good.len() / 2].to_vec(),
        raw_archive(&[("big", EntryType::Regular, "", b"")])
            .into_iter()
            .enumerate()
            .map(|(i, b)| if (124..136).contains(&i) { b'7' } else { b })
            .collect(),
    ];
    for (i, input) in inputs.iter().enumerate() {
        let fs = MemFs::new();
        match import(&*fs.root(), input) {
            Ok(()) => {}
            Err(e) => assert!(matches!(e, Errno::Inval | Errno::Io), "input {i}: {e:?}"),
        }
    }
    // Truncations at every block boundary either import a prefix or fail cleanly.
    for cut in (0..good.len()).step_by(512) {
        let fs = MemFs::new();
        let r = import(&*fs.root(), &good[..cut]);
        assert!(
            matches!(r, Ok(()) | Err(Errno::Inval | Errno::Io)),
            "cut {cut}: {r:?}"
        );
    }
}

/// A chain deeper than `PATH_MAX` (as a guest builds it, one level below the last) exports and
/// imports back: import walks down from the entry before instead of resolving each whole path.
#[test]
fn trees_deeper_than_path_max_round_trip() {
    let fs = MemFs::new();
    let mut dir = fs.root();
    for _ in 0..5000 {
        dir.create_dir("d").unwrap();
        dir = ops::open_dir_nofollow(&*dir, "d").unwrap();
    }
    ops::write_file(&*dir, "leaf", b"bottom").unwrap();
    dir.symlink(&"t".repeat(300), "link").unwrap();
    let image = export(&*fs.root()).unwrap();
    let copy = MemFs::new();
    import(&*copy.root(), &image).unwrap();
    assert_eq!(listing(&*fs.root()), listing(&*copy.root()));
    assert_eq!(export(&*copy.root()).unwrap(), image);
}

/// A file with many names is written once; its other names are hard links to it, so an image is
/// not larger than the tree (a 64 KiB file with 100 names once exported as 6.4 MB).
#[test]
fn hard_links_are_written_once() {
    let fs = MemFs::new();
    let root = fs.root();
    ops::write_file(&*root, "data", &[7u8; 64 * 1024]).unwrap();
    root.create_dir("sub").unwrap();
    for i in 0..100 {
        root.hard_link("data", false, &*root, &format!("sub/name{i}")).unwrap();
    }
    let image = export(&*root).unwrap();
    assert!(image.len() < 64 * 1024 + 101 * 1536, "{} bytes", image.len());
    let copy = MemFs::new();
    let croot = copy.root();
    import(&*croot, &image).unwrap();
    let a = croot.stat_at("data", false).unwrap();
    let b = croot.stat_at("sub/name99", false).unwrap();
    assert_eq!((a.ino, a.nlink), (b.ino, 101));
    assert_eq!(ops::read_file(&*croot, "sub/name42").unwrap(), vec![7u8; 64 * 1024]);
}

/// `export_to` stops at the first entry its check refuses, with the check's error.
#[test]
fn export_stops_when_its_check_fails() {
    let fs = MemFs::new();
    let root = fs.root();
    for i in 0..10 {
        ops::write_file(&*root, &format!("f{i}"), b"x").unwrap();
    }
    let mut seen = 0;
    let mut out = Vec::new();
    let r = super::export_to(&*root, &mut out, &mut || {
        seen += 1;
        if seen > 3 { Err(Errno::Timedout) } else { Ok(()) }
    });
    assert_eq!(r, Err(Errno::Timedout));
    assert_eq!(seen, 4);
}
