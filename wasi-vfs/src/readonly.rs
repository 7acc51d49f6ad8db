//! A read-only view of any directory: reads pass through, every change is refused with
//! [`Errno::Rofs`], and everything opened through the view is read-only too.

use std::any::Any;

use crate::{Dir, DirEntry, Errno, File, Filestat, Node, OpenOptions, Result, Timestamp};

/// A directory seen read-only (a `ro` mount). Directories opened through it are wrapped too, so
/// the whole subtree stays read-only.
pub struct ReadOnlyDir(pub Box<dyn Dir>);

/// A file opened through a [`ReadOnlyDir`]. The WASI layer already refuses writes on a
/// descriptor without write rights; this answers [`Errno::Rofs`] should one get through.
pub struct ReadOnlyFile(pub Box<dyn File>);

impl ReadOnlyDir {
    pub fn new(inner: Box<dyn Dir>) -> Self {
        ReadOnlyDir(inner)
    }
}

/// Wraps whatever was opened so it stays read-only.
pub(crate) fn wrap(node: Node) -> Node {
    match node {
        Node::File(f) => Node::File(Box::new(ReadOnlyFile(f))),
        Node::Dir(d) => Node::Dir(Box::new(ReadOnlyDir(d))),
    }
}

impl Dir for ReadOnlyDir {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn open(&self, path: &str, opts: &OpenOptions) -> Result<Node> {
        if opts.write || opts.create || opts.truncate {
            return Err(Errno::Rofs);
        }
        self.0.open(path, opts).map(wrap)
    }

    fn create_dir(&self, _path: &str) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn remove_dir(&self, _path: &str) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn unlink_file(&self, _path: &str) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn rename(&self, _from: &str, _to_dir: &dyn Dir, _to: &str) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn hard_link(&self, _from: &str, _follow: bool, _to_dir: &dyn Dir, _to: &str) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn symlink(&self, _target: &str, _path: &str) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn read_link(&self, path: &str) -> Result<String> {
        self.0.read_link(path)
    }

    fn stat_at(&self, path: &str, follow: bool) -> Result<Filestat> {
        self.0.stat_at(path, follow)
    }

    fn set_times_at(
        &self,
        _path: &str,
        _follow: bool,
        _atim: Option<Timestamp>,
        _mtim: Option<Timestamp>,
    ) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn stat(&self) -> Result<Filestat> {
        self.0.stat()
    }

    fn set_times(&self, _atim: Option<Timestamp>, _mtim: Option<Timestamp>) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn entries(&self) -> Result<Vec<DirEntry>> {
        self.0.entries()
    }

    fn sync(&self) -> Result<()> {
        self.0.sync()
    }
}

impl File for ReadOnlyFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        self.0.read_at(buf, offset)
    }

    fn write_at(&self, _buf: &[u8], _offset: u64) -> Result<usize> {
        Err(Errno::Rofs)
    }

    fn append(&self, _buf: &[u8]) -> Result<(usize, u64)> {
        Err(Errno::Rofs)
    }

    fn stat(&self) -> Result<Filestat> {
        self.0.stat()
    }

    fn set_size(&self, _size: u64) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn set_times(&self, _atim: Option<Timestamp>, _mtim: Option<Timestamp>) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn allocate(&self, _offset: u64, _len: u64) -> Result<()> {
        Err(Errno::Rofs)
    }

    fn sync(&self) -> Result<()> {
        self.0.sync()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is the test failing
mod tests {
    use super::*;
    use crate::{mem::MemFs, ops};

    fn setup() -> (MemFs, ReadOnlyDir) {
        let fs = MemFs::new();
        let root = fs.root();
        ops::create_dir_all(&*root, "d/e").unwrap();
        ops::write_file(&*root, "d/f", b"data").unwrap();
        root.symlink("f", "d/l").unwrap();
        (fs.clone(), ReadOnlyDir::new(fs.root()))
    }

    #[test]
    fn reads_pass_through() {
        let (_fs, ro) = setup();
        assert_eq!(ops::read_file(&ro, "d/f").unwrap(), b"data");
        assert_eq!(ops::read_file(&ro, "d/l").unwrap(), b"data");
        assert_eq!(ro.read_link("d/l").unwrap(), "f");
        assert_eq!(ro.stat_at("d/f", false).unwrap().size, 4);
        let names: Vec<_> = ro.entries().unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(names, [".", "..", "d"]);
    }

    #[test]
    fn every_change_is_refused() {
        let (fs, ro) = setup();
        assert_eq!(ro.create_dir("x").err(), Some(Errno::Rofs));
        assert_eq!(ro.remove_dir("d/e").err(), Some(Errno::Rofs));
        assert_eq!(ro.unlink_file("d/f").err(), Some(Errno::Rofs));
        assert_eq!(ro.rename("d/f", &ro, "g").err(), Some(Errno::Rofs));
        assert_eq!(
            ro.hard_link("d/f", false, &ro, "g").err(),
            Some(Errno::Rofs)
        );
        assert_eq!(ro.symlink("f", "g").err(), Some(Errno::Rofs));
        assert_eq!(
            ro.set_times_at("d/f", true, Some(1), None).err(),
            Some(Errno::Rofs)
        );
        assert_eq!(ro.set_times(Some(1), None).err(), Some(Errno::Rofs));
        for opts in [
            OpenOptions::write_create_truncate(),
            OpenOptions {
                write: true,
                ..OpenOptions::read()
            },
            OpenOptions {
                truncate: true,
                ..OpenOptions::read()
            },
            OpenOptions {
                create: true,
                ..OpenOptions::read()
            },
        ] {
            assert_eq!(ro.open("d/f", &opts).err(), Some(Errno::Rofs));
        }
        // Nothing changed underneath.
        assert_eq!(ops::read_file(&*fs.root(), "d/f").unwrap(), b"data");
        assert!(!ops::exists(&*fs.root(), "x").unwrap());
    }

    #[test]
    fn opened_nodes_stay_read_only() {
        let (_fs, ro) = setup();
        let f = ro
            .open("d/f", &OpenOptions::read())
            .unwrap()
            .into_file()
            .unwrap();
        let mut buf = [0; 4];
        assert_eq!(f.read_at(&mut buf, 0).unwrap(), 4);
        assert_eq!(f.write_at(b"x", 0).err(), Some(Errno::Rofs));
        assert_eq!(f.append(b"x").err(), Some(Errno::Rofs));
        assert_eq!(f.set_size(0).err(), Some(Errno::Rofs));
        assert_eq!(f.allocate(0, 10).err(), Some(Errno::Rofs));
        assert_eq!(f.set_times(None, Some(5)).err(), Some(Errno::Rofs));

        let d = ro
            .open("d", &OpenOptions::read())
            .unwrap()
            .into_dir()
            .unwrap();
        assert_eq!(d.create_dir("new").err(), Some(Errno::Rofs));
        assert_eq!(d.unlink_file("f").err(), Some(Errno::Rofs));
        let sub = d
            .open("e", &OpenOptions::read())
            .unwrap()
            .into_dir()
            .unwrap();
        assert_eq!(sub.create_dir("new").err(), Some(Errno::Rofs));
        assert!(sub.as_any().is::<ReadOnlyDir>());
    }
}
