//! A [`PathApi`] over `std::fs`, as Node's `fs` answers, and the escape cases on it. The POSIX
//! checks every backing shares (`host/tests.rs`, `host/tests_fuzz.rs`) run on it too.
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::rc::Rc;

use super::{OpenFile, PathApi, PathDir};
use crate::{ops, Dir, Errno, FileType, Filestat, OpenOptions, Result, Timestamp};

/// `std::fs`, path by path: what the web library's adapter does with Node's `fs`.
pub(crate) struct StdApi;

fn errno(e: std::io::Error) -> Errno {
    match e.raw_os_error() {
        Some(2) => Errno::Noent,
        Some(17) => Errno::Exist,
        Some(18) => Errno::Xdev,
        Some(20) => Errno::Notdir,
        Some(21) => Errno::Isdir,
        Some(22) => Errno::Inval,
        Some(39) => Errno::Notempty,
        Some(40) => Errno::Loop,
        Some(1) => Errno::Perm,
        Some(9) => Errno::Badf,
        Some(13) => Errno::Acces,
        _ if e.kind() == ErrorKind::NotFound => Errno::Noent,
        _ => Errno::Io,
    }
}

fn stat(m: &fs::Metadata) -> Filestat {
    let ft = m.file_type();
    let filetype = if ft.is_symlink() {
        FileType::SymbolicLink
    } else if ft.is_dir() {
        FileType::Directory
    } else if ft.is_file() {
        FileType::RegularFile
    } else {
        FileType::Unknown
    };
    let ns = |s: i64, n: i64| (s as u64).wrapping_mul(1_000_000_000).wrapping_add(n as u64);
    Filestat {
        dev: m.dev(),
        ino: m.ino(),
        filetype,
        nlink: m.nlink(),
        size: m.size(),
        atim: ns(m.atime(), m.atime_nsec()),
        mtim: ns(m.mtime(), m.mtime_nsec()),
        ctim: ns(m.ctime(), m.ctime_nsec()),
    }
}

fn time(t: Option<Timestamp>) -> Option<std::time::SystemTime> {
    t.map(|ns| std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns))
}

impl PathApi for StdApi {
    type Fd = fs::File;
    fn lstat(&self, path: &str) -> Result<Filestat> {
        fs::symlink_metadata(path).map(|m| stat(&m)).map_err(errno)
    }
    fn read_link(&self, path: &str) -> Result<String> {
        let target = fs::read_link(path).map_err(errno)?;
        target.into_os_string().into_string().map_err(|_| Errno::Ilseq)
    }
    fn read_dir(&self, path: &str) -> Result<Vec<String>> {
        fs::read_dir(path).map_err(errno)?.map(|e| Ok(e.map_err(errno)?.file_name().to_string_lossy().into_owned())).collect()
    }
    fn open(&self, path: &str, how: OpenFile) -> Result<fs::File> {
        // O_NOFOLLOW's value differs between architectures; in a test nothing races this check.
        if !how.create && fs::symlink_metadata(path).map_err(errno)?.file_type().is_symlink() {
            return Err(Errno::Loop);
        }
        // std refuses O_CREAT and O_TRUNC without write access, which POSIX (and Node) allow.
        const O_CREAT_EXCL: i32 = 0o300;
        const O_TRUNC: i32 = 0o1000;
        let flags = if how.create { O_CREAT_EXCL } else { 0 } | if how.truncate { O_TRUNC } else { 0 };
        fs::OpenOptions::new().read(how.read || !how.write).write(how.write).custom_flags(flags).mode(0o666).open(path).map_err(errno)
    }
    fn mkdir(&self, path: &str) -> Result<()> {
        fs::create_dir(path).map_err(errno)
    }
    fn rmdir(&self, path: &str) -> Result<()> {
        fs::remove_dir(path).map_err(errno)
    }
    fn unlink(&self, path: &str) -> Result<()> {
        fs::remove_file(path).map_err(errno)
    }
    fn rename(&self, from: &str, to: &str) -> Result<()> {
        fs::rename(from, to).map_err(errno)
    }
    fn link(&self, from: &str, to: &str) -> Result<()> {
        fs::hard_link(from, to).map_err(errno)
    }
    fn symlink(&self, target: &str, path: &str) -> Result<()> {
        std::os::unix::fs::symlink(target, path).map_err(errno)
    }
    fn set_times(&self, path: &str, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        if !fs::symlink_metadata(path).map_err(errno)?.file_type().is_symlink() {
            let f = fs::File::open(path).map_err(errno)?;
            return self.set_fd_times(&f, atim, mtim);
        }
        // std has no lutimes: touch -h sets a symlink's own times.
        for (flag, t) in [("-a", atim), ("-m", mtim)] {
            if let Some(ns) = t {
                let date = format!("@{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000);
                let ok = std::process::Command::new("touch").args(["-h", flag, "-d", &date, path]).status().map_err(errno)?;
                if !ok.success() {
                    return Err(Errno::Io);
                }
            }
        }
        Ok(())
    }
    fn read_at(&self, fd: &fs::File, buf: &mut [u8], offset: u64) -> Result<usize> {
        fd.read_at(buf, offset).map_err(errno)
    }
    fn write_at(&self, fd: &fs::File, buf: &[u8], offset: u64) -> Result<usize> {
        fd.write_at(buf, offset).map_err(errno)
    }
    fn fstat(&self, fd: &fs::File) -> Result<Filestat> {
        fd.metadata().map(|m| stat(&m)).map_err(errno)
    }
    fn set_size(&self, fd: &fs::File, size: u64) -> Result<()> {
        fd.set_len(size).map_err(errno)
    }
    fn set_fd_times(&self, fd: &fs::File, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        let mut times = fs::FileTimes::new();
        if let Some(a) = time(atim) {
            times = times.set_accessed(a);
        }
        if let Some(m) = time(mtim) {
            times = times.set_modified(m);
        }
        fd.set_times(times).map_err(errno)
    }
    fn sync(&self, fd: &fs::File) -> Result<()> {
        fd.sync_all().map_err(errno)
    }
    fn close(&self, _fd: &fs::File) {}
}

/// A [`PathDir`] on `dir` through [`StdApi`].
pub(crate) fn std_dir(dir: &Path) -> PathDir<StdApi> {
    PathDir::open(Rc::new(StdApi), dir.to_str().unwrap()).unwrap()
}

fn err<T>(r: Result<T>) -> Errno {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

/// `outer/` holds the confined `root/` (with `a/f`), a `secret` file and an empty `outside/`.
struct World {
    tmp: tempfile::TempDir,
    root: PathDir<StdApi>,
}

impl World {
    fn new() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let outer = tmp.path();
        fs::create_dir_all(outer.join("root/a")).unwrap();
        fs::write(outer.join("root/a/f"), b"inside").unwrap();
        fs::write(outer.join("secret"), b"secret").unwrap();
        fs::create_dir(outer.join("outside")).unwrap();
        let root = std_dir(&outer.join("root"));
        World { tmp, root }
    }

    fn link(&self, target: &str, name: &str) {
        std::os::unix::fs::symlink(target, self.tmp.path().join("root").join(name)).unwrap();
    }

    fn assert_outside_untouched(&self) {
        let outer = self.tmp.path();
        let mut names: Vec<_> = fs::read_dir(outer).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["outside", "root", "secret"]);
        assert_eq!(fs::read(outer.join("secret")).unwrap(), b"secret");
        assert_eq!(fs::read_dir(outer.join("outside")).unwrap().count(), 0);
    }
}

#[test]
fn dotdot_absolute_paths_and_symlinks_out_are_refused() {
    let w = World::new();
    let secret = w.tmp.path().join("secret");
    w.link(secret.to_str().unwrap(), "abs");
    w.link("../secret", "rel");
    w.link("a/../../outside", "reldir");
    w.link("loop", "loop");
    let root = &w.root;
    for path in ["..", "../secret", "a/../../secret", "a/../..", "/etc/passwd", "abs", "rel", "reldir/x"] {
        let e = err(root.open(path, &OpenOptions::read()));
        assert!(matches!(e, Errno::Perm | Errno::Noent), "{path}: {e:?}");
        let e = err(root.open(path, &OpenOptions::write_create_truncate()));
        assert!(matches!(e, Errno::Perm | Errno::Noent), "create {path}: {e:?}");
        assert!(root.stat_at(path, true).is_err(), "stat {path}");
    }
    assert_eq!(err(root.open("loop", &OpenOptions::read())), Errno::Loop);
    assert_eq!(err(root.create_dir("reldir/new")), Errno::Perm);
    assert_eq!(err(root.rename("a/f", root, "reldir/f")), Errno::Perm);
    assert_eq!(err(root.hard_link("a/f", false, root, "../f")), Errno::Perm);
    assert_eq!(err(root.symlink("/etc", "newabs")), Errno::Perm);
    // The symlinks themselves can be read, listed and removed.
    assert_eq!(root.read_link("rel").unwrap(), "../secret");
    assert!(root.entries().unwrap().iter().any(|e| e.name == "abs" && e.filetype == FileType::SymbolicLink));
    root.unlink_file("abs").unwrap();
    w.assert_outside_untouched();
}

#[test]
fn a_subdirectory_handle_is_its_own_root() {
    let w = World::new();
    let a = w.root.open("a", &OpenOptions::read()).unwrap().into_dir().unwrap();
    assert_eq!(ops::read_file(&*a, "f").unwrap(), b"inside");
    assert_eq!(err(a.open("../a/f", &OpenOptions::read())), Errno::Perm);
    // `..` back down into itself is fine while it never climbs above the handle.
    assert_eq!(ops::read_file(&*a, "./f").unwrap(), b"inside");
    w.assert_outside_untouched();
}

#[test]
fn files_read_write_and_list_as_on_disk() {
    let w = World::new();
    let root = &w.root;
    ops::write_file(root, "a/g", b"hello").unwrap();
    assert_eq!(fs::read(w.tmp.path().join("root/a/g")).unwrap(), b"hello");
    let f = root.open("a/g", &OpenOptions { read: true, write: true, follow: true, ..OpenOptions::default() }).unwrap().into_file().unwrap();
    assert_eq!(f.append(b" world").unwrap(), (6, 11));
    f.set_size(5).unwrap();
    f.set_times(Some(1_000_000_000), Some(2_000_000_000)).unwrap();
    let st = f.stat().unwrap();
    assert_eq!((st.size, st.mtim, st.filetype), (5, 2_000_000_000, FileType::RegularFile));
    drop(f);
    root.symlink("a/g", "lg").unwrap();
    assert_eq!(ops::read_file(root, "lg").unwrap(), b"hello");
    let names: Vec<_> = root.entries().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, [".", "..", "a", "lg"]);
    root.rename("lg", root, "a/lg2").unwrap();
    assert_eq!(ops::read_file(root, "a/lg2").unwrap_err(), Errno::Noent, "a relative link resolves from its new directory");
    root.unlink_file("a/lg2").unwrap();
    assert_eq!(err(root.remove_dir("a")), Errno::Notempty);
    w.assert_outside_untouched();
}

#[test]
fn fifos_are_not_opened() {
    let w = World::new();
    let fifo = w.tmp.path().join("root/fifo");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    // Opening a FIFO for reading would wait for a writer forever.
    assert_eq!(err(w.root.open("fifo", &OpenOptions::read())), Errno::Nxio);
    assert_eq!(w.root.stat_at("fifo", false).unwrap().filetype, FileType::Unknown);
}
