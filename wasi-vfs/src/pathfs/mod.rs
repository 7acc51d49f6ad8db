//! Directories served by a path-based filesystem API: one that names files by whole paths, as
//! Node's `fs`, memfs or a proxy to another thread do, and has no directory handles (`openat`).
//! The web library mounts such directories for the WASI polyfill: `preopens` onto real
//! directories in Node, or into a Node-`fs`-like object given as `fs`.
//!
//! Confinement is this module's work, not the API's: every path is resolved here one component
//! at a time with `lstat` and `readlink` (the shared resolver, [`crate::resolve`]), so `..` past
//! the handle, absolute symlinks and symlinks that lead out are refused as on every backing. The
//! API is then asked to act on a path with no symlink in it but possibly its last component,
//! which every call treats without following (`O_NOFOLLOW`, `lstat`, `lutimes`). What the
//! operating system checks itself (a directory moved beneath itself, `rmdir` of a non-empty
//! directory, permissions) it answers itself.
//!
//! What a path-based API cannot give is a handle on a directory: another process that swaps a
//! directory on the path for a symlink between the check and the use can lead one call out.
//! Host directories in `wrun` use `openat` through cap-std ([`crate::host`]) and have no such
//! window.

use std::any::Any;
use std::rc::Rc;

use crate::resolve::{self, Last, Lookup, Resolved};
use crate::{Dir, DirEntry, Errno, FileType, Filestat, Node, OpenOptions, Result, Timestamp};

#[cfg(all(test, unix))]
pub(crate) mod tests;

/// How [`PathApi::open`] opens a regular file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenFile {
    pub read: bool,
    pub write: bool,
    /// Create it; always with `exclusive` (the path was just found missing).
    pub create: bool,
    pub truncate: bool,
}

/// The calls a path-based filesystem answers. Paths are whole paths in the API's own namespace,
/// built by [`PathDir`] from its root; none of them has a symlink before its last component.
pub trait PathApi {
    /// An open regular file.
    type Fd;
    /// `lstat`: never follows a symlink.
    fn lstat(&self, path: &str) -> Result<Filestat>;
    fn read_link(&self, path: &str) -> Result<String>;
    /// The names in a directory, without `.` and `..`.
    fn read_dir(&self, path: &str) -> Result<Vec<String>>;
    /// Opens a file without following a symlink at `path` (`O_NOFOLLOW`; with `create`,
    /// `O_CREAT | O_EXCL`).
    fn open(&self, path: &str, how: OpenFile) -> Result<Self::Fd>;
    fn mkdir(&self, path: &str) -> Result<()>;
    fn rmdir(&self, path: &str) -> Result<()>;
    fn unlink(&self, path: &str) -> Result<()>;
    fn rename(&self, from: &str, to: &str) -> Result<()>;
    fn link(&self, from: &str, to: &str) -> Result<()>;
    fn symlink(&self, target: &str, path: &str) -> Result<()>;
    /// `lutimes`: the times of `path` itself; `None` keeps a time.
    fn set_times(&self, path: &str, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()>;
    fn read_at(&self, fd: &Self::Fd, buf: &mut [u8], offset: u64) -> Result<usize>;
    fn write_at(&self, fd: &Self::Fd, buf: &[u8], offset: u64) -> Result<usize>;
    fn fstat(&self, fd: &Self::Fd) -> Result<Filestat>;
    fn set_size(&self, fd: &Self::Fd, size: u64) -> Result<()>;
    fn set_fd_times(&self, fd: &Self::Fd, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()>;
    fn sync(&self, fd: &Self::Fd) -> Result<()>;
    fn close(&self, fd: &Self::Fd);
}

/// `dir/name`, for a `dir` that may be `/`.
fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The resolver's view of the API: directories are whole paths, a name stands for its type.
struct Paths<'a, A>(&'a A);

impl<A: PathApi> Lookup for Paths<'_, A> {
    type Dir = String;
    type Node = FileType;

    fn lookup(&self, dirs: &[String], name: &str) -> Result<Option<FileType>> {
        let dir = dirs.last().ok_or(Errno::Noent)?;
        match self.0.lstat(&join(dir, name)) {
            Ok(st) => Ok(Some(st.filetype)),
            Err(Errno::Noent) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn filetype(&self, node: &FileType) -> Result<FileType> {
        Ok(*node)
    }

    fn read_link(&self, dirs: &[String], name: &str, _node: &FileType) -> Result<String> {
        self.0.read_link(&join(dirs.last().ok_or(Errno::Noent)?, name))
    }

    fn enter(&self, dirs: &[String], name: &str, _node: FileType) -> String {
        join(dirs.last().map_or("", String::as_str), name)
    }

    fn node_of(&self, _dir: &String) -> FileType {
        FileType::Directory
    }
}

/// Where a path led: the whole path it names (the directory itself for `.` and `..`).
struct Target {
    path: String,
    last: Last,
    filetype: Option<FileType>,
    trailing_slash: bool,
}

impl Target {
    fn from(r: Resolved<String, FileType>) -> Target {
        let dir = r.dirs.last().cloned().unwrap_or_default();
        let path = match &r.last {
            Last::Name(name) => join(&dir, name),
            Last::Dot | Last::DotDot => dir,
        };
        Target { path, last: r.last, filetype: r.node, trailing_slash: r.trailing_slash }
    }

    /// The path as the operating system should see it: with its trailing slash, so that a
    /// rename or mkdir that POSIX allows only for directories is checked there.
    fn with_slash(&self) -> String {
        if self.trailing_slash && matches!(self.last, Last::Name(_)) {
            format!("{}/", self.path)
        } else {
            self.path.clone()
        }
    }
}

/// A directory handle on a [`PathApi`]. Paths never climb above the handle.
pub struct PathDir<A: PathApi> {
    api: Rc<A>,
    path: String,
}

impl<A: PathApi + 'static> PathDir<A> {
    /// The directory at `path` in `api` (which must exist), as a confinement root.
    pub fn open(api: Rc<A>, path: &str) -> Result<Self> {
        if api.lstat(path)?.filetype != FileType::Directory {
            return Err(Errno::Notdir);
        }
        Ok(PathDir { api, path: path.to_owned() })
    }

    fn resolve(&self, path: &str, follow_last: bool) -> Result<Target> {
        resolve::resolve(&Paths(&*self.api), vec![self.path.clone()], path, follow_last).map(Target::from)
    }

    fn resolve_parent(&self, path: &str) -> Result<Target> {
        resolve::resolve_parent(&Paths(&*self.api), vec![self.path.clone()], path).map(Target::from)
    }

    /// An existing path, following a last symlink if asked or if the path ends in `/`; a
    /// trailing slash must name a directory.
    fn existing(&self, path: &str, follow: bool) -> Result<Target> {
        let t = self.resolve(path, follow || path.ends_with('/'))?;
        match t.filetype {
            None => Err(Errno::Noent),
            Some(ft) if t.trailing_slash && ft != FileType::Directory => Err(Errno::Notdir),
            Some(_) => Ok(t),
        }
    }

    fn same_api<'a>(&self, other: &'a dyn Dir) -> Result<&'a PathDir<A>> {
        let other = other.as_any().downcast_ref::<PathDir<A>>().ok_or(Errno::Xdev)?;
        if Rc::ptr_eq(&self.api, &other.api) {
            Ok(other)
        } else {
            Err(Errno::Xdev)
        }
    }
}

impl<A: PathApi + 'static> Dir for PathDir<A> {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn open(&self, path: &str, opts: &OpenOptions) -> Result<Node> {
        // The same order of checks as the in-memory tree (and Linux): see `MemDir::open_ino`.
        if opts.create && opts.directory {
            return Err(Errno::Inval);
        }
        let excl = opts.create && opts.exclusive;
        if opts.create && path.ends_with('/') {
            let p = self.resolve_parent(path)?;
            if p.trailing_slash && matches!(p.last, Last::Name(_)) {
                return Err(Errno::Isdir);
            }
        }
        let t = self.resolve(path, (opts.follow || path.ends_with('/')) && !excl)?;
        let Some(filetype) = t.filetype else {
            if !opts.create {
                return Err(Errno::Noent);
            }
            t.last.name(Errno::Exist)?;
            let how = OpenFile { read: opts.read || !opts.write, write: opts.write, create: true, truncate: false };
            return Ok(Node::File(Box::new(PathFile { fd: self.api.open(&t.path, how)?, api: self.api.clone() })));
        };
        if excl {
            return Err(Errno::Exist);
        }
        match filetype {
            FileType::SymbolicLink if opts.directory => Err(Errno::Notdir),
            FileType::SymbolicLink => Err(Errno::Loop),
            FileType::Directory if opts.write || opts.truncate || opts.create => Err(Errno::Isdir),
            FileType::Directory => Ok(Node::Dir(Box::new(PathDir { api: self.api.clone(), path: t.path }))),
            _ if opts.directory || t.trailing_slash => Err(Errno::Notdir),
            // A FIFO or socket would block the open (and the page with it) or cannot be read.
            FileType::Unknown | FileType::SocketDgram | FileType::SocketStream => Err(Errno::Nxio),
            _ => {
                // O_RDONLY is zero on POSIX: a descriptor asking for neither right can still read.
                let how = OpenFile { read: opts.read || !opts.write, write: opts.write, create: false, truncate: opts.truncate };
                Ok(Node::File(Box::new(PathFile { fd: self.api.open(&t.path, how)?, api: self.api.clone() })))
            }
        }
    }

    fn create_dir(&self, path: &str) -> Result<()> {
        let t = self.resolve(path, false)?;
        if t.filetype.is_some() {
            return Err(Errno::Exist);
        }
        t.last.name(Errno::Exist)?;
        self.api.mkdir(&t.path)
    }

    fn remove_dir(&self, path: &str) -> Result<()> {
        let t = self.resolve(path, false)?;
        match t.last {
            Last::Name(_) => {}
            Last::Dot => return Err(Errno::Inval),
            Last::DotDot => return Err(Errno::Notempty),
        }
        match t.filetype {
            None => Err(Errno::Noent),
            Some(FileType::Directory) => self.api.rmdir(&t.path),
            Some(_) => Err(Errno::Notdir),
        }
    }

    fn unlink_file(&self, path: &str) -> Result<()> {
        let t = self.resolve(path, false)?;
        t.last.name(Errno::Isdir)?;
        match t.filetype {
            None => Err(Errno::Noent),
            Some(FileType::Directory) => Err(Errno::Isdir),
            Some(_) if t.trailing_slash => Err(Errno::Notdir),
            Some(_) => self.api.unlink(&t.path),
        }
    }

    fn rename(&self, from: &str, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let other = self.same_api(to_dir)?;
        // As the in-memory tree (`mem::link::rename`): both directories first, then the dots.
        resolve::components(from)?;
        resolve::components(to)?;
        let src = self.resolve_parent(from)?;
        let dst = other.resolve_parent(to)?;
        if (src.last == Last::DotDot && src.path == self.path) || (dst.last == Last::DotDot && dst.path == other.path) {
            return Err(Errno::Perm);
        }
        src.last.name(Errno::Busy)?;
        dst.last.name(Errno::Busy)?;
        let src_type = src.filetype.ok_or(Errno::Noent)?;
        if (src.trailing_slash || dst.trailing_slash) && src_type != FileType::Directory {
            return Err(Errno::Notdir);
        }
        self.api.rename(&src.with_slash(), &dst.with_slash())
    }

    fn hard_link(&self, from: &str, follow: bool, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let other = self.same_api(to_dir)?;
        resolve::components(from)?;
        resolve::components(to)?;
        let src = self.existing(from, follow)?;
        let dst = other.resolve(to, false)?;
        if dst.filetype.is_some() {
            return Err(Errno::Exist);
        }
        if dst.trailing_slash {
            return Err(Errno::Noent);
        }
        dst.last.name(Errno::Exist)?;
        if src.filetype == Some(FileType::Directory) {
            return Err(Errno::Perm);
        }
        self.api.link(&src.path, &dst.path)
    }

    fn symlink(&self, target: &str, path: &str) -> Result<()> {
        crate::resolve::check_symlink_target(target)?;
        // A real directory's symlinks are followed by every other program on the machine: one
        // pointing at an absolute path would be a way out for them (and a host directory refuses
        // it too, see `Dir::symlink`).
        if target.starts_with('/') {
            return Err(Errno::Perm);
        }
        let t = self.resolve(path, false)?;
        if t.filetype.is_some() {
            return Err(Errno::Exist);
        }
        if t.trailing_slash {
            return Err(Errno::Noent);
        }
        t.last.name(Errno::Exist)?;
        self.api.symlink(target, &t.path)
    }

    fn read_link(&self, path: &str) -> Result<String> {
        let t = self.existing(path, false)?;
        if t.filetype != Some(FileType::SymbolicLink) {
            return Err(Errno::Inval);
        }
        self.api.read_link(&t.path)
    }

    fn stat_at(&self, path: &str, follow: bool) -> Result<Filestat> {
        self.api.lstat(&self.existing(path, follow)?.path)
    }

    fn set_times_at(&self, path: &str, follow: bool, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.api.set_times(&self.existing(path, follow)?.path, atim, mtim)
    }

    fn stat(&self) -> Result<Filestat> {
        self.api.lstat(&self.path)
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.api.set_times(&self.path, atim, mtim)
    }

    fn entries(&self) -> Result<Vec<DirEntry>> {
        let dot = self.api.lstat(&self.path)?;
        // The real parent, as a host directory lists it (its own entry at the filesystem's top).
        let dotdot = self.api.lstat(&join(&self.path, "..")).unwrap_or(dot);
        let mut names = self.api.read_dir(&self.path)?;
        names.sort_unstable();
        let mut out = Vec::with_capacity(names.len() + 2);
        out.push(DirEntry { name: ".".into(), ino: dot.ino, filetype: dot.filetype });
        out.push(DirEntry { name: "..".into(), ino: dotdot.ino, filetype: dotdot.filetype });
        for name in names {
            // A name removed since the listing was read is left out, as readdir would.
            if let Ok(st) = self.api.lstat(&join(&self.path, &name)) {
                out.push(DirEntry { name, ino: st.ino, filetype: st.filetype });
            }
        }
        Ok(out)
    }
}

/// An open file on a [`PathApi`]; closed when dropped.
pub struct PathFile<A: PathApi> {
    api: Rc<A>,
    fd: A::Fd,
}

impl<A: PathApi> crate::File for PathFile<A> {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        self.api.read_at(&self.fd, buf, offset)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> Result<usize> {
        self.api.write_at(&self.fd, buf, offset)
    }

    fn append(&self, buf: &[u8]) -> Result<(usize, u64)> {
        // A run is single-threaded, so the end found here is still the end when written to (a
        // path-based API has no O_APPEND write at an explicit offset).
        let end = self.api.fstat(&self.fd)?.size;
        let n = self.api.write_at(&self.fd, buf, end)?;
        Ok((n, end + n as u64))
    }

    fn stat(&self) -> Result<Filestat> {
        self.api.fstat(&self.fd)
    }

    fn set_size(&self, size: u64) -> Result<()> {
        self.api.set_size(&self.fd, size)
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.api.set_fd_times(&self.fd, atim, mtim)
    }

    fn sync(&self) -> Result<()> {
        self.api.sync(&self.fd)
    }
}

impl<A: PathApi> Drop for PathFile<A> {
    fn drop(&mut self) {
        self.api.close(&self.fd);
    }
}
