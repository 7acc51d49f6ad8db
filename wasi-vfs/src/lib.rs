//! A virtual filesystem shaped for WASI preview 1.
//!
//! The filesystem is reached through two object-safe traits, [`Dir`] and [`File`], so one WASI
//! implementation can run over very different backings:
//!
//! | backing | type | where |
//! |---|---|---|
//! | in-memory inode tree | [`mem::MemFs`] | everywhere (the browser's only writable backing) |
//! | read-only view of any directory | [`readonly::ReadOnlyDir`] | everywhere |
//! | overlay: read-only lower, writable upper | [`overlay::OverlayDir`] | everywhere |
//! | host directory, confined with cap-std | `host::HostDir` | native, feature `host` |
//! | directory of a path-based API (Node's `fs`, memfs) | [`pathfs::PathDir`] | the web library's WASI polyfill |
//! | directory of a tree another thread owns | [`remote::RemoteDir`] | the web library's runs in workers and on wasmi |
//!
//! Paths given to a [`Dir`] are *relative* to it and may never resolve outside it: `..` past the
//! directory, absolute paths and symlinks that lead out are refused with [`Errno::Perm`] (as
//! wasmtime does). Resolution is component by component, never by string-prefix checks.
//! Every directory handle is its own confinement root, on every backing, as with cap-std: `..`
//! from a handle opened below another cannot climb back to it (listings still show the real
//! parent as `..`).
//!
//! ## Why not the `vfs` crate
//!
//! `vfs` 0.13 was evaluated for the host and overlay layers and does not fit WASI preview 1: it
//! has no symlinks or hard links, no read-write file handles that outlive a path (WASI keeps
//! descriptors on files that may be renamed or unlinked), no truncate, no stable directory
//! listing order (readdir cookies must stay valid between calls), and its `MemoryFS` panics on
//! `wasm32-unknown-unknown` (it calls `SystemTime::now()`). Host directories use `cap-std`
//! instead, the capability-based library wasmtime itself uses to confine them.
//!
//! Every method takes `&self`: handles share the tree they belong to (WASI lets a program keep many
//! descriptors on one file), so backings use interior mutability. Nothing here is `Send`; a run is
//! single-threaded, in the browser and natively.
//!
//! ```
//! use wasi_vfs::{mem::MemFs, ops};
//! let fs = MemFs::new();
//! let root = fs.root();
//! ops::create_dir_all(&*root, "docs/notes").unwrap();
//! ops::write_file(&*root, "docs/notes/hello.txt", b"hi").unwrap();
//! assert_eq!(ops::read_file(&*root, "docs/notes/hello.txt").unwrap(), b"hi");
//! let image = wasi_vfs::tar_image::export(&*root).unwrap();
//! let copy = MemFs::new();
//! wasi_vfs::tar_image::import(&*copy.root(), &image).unwrap();
//! assert_eq!(ops::read_file(&*copy.root(), "docs/notes/hello.txt").unwrap(), b"hi");
//! ```

use std::any::Any;

mod errno;
pub mod mem;
pub mod ops;
pub mod overlay;
pub mod pathfs;
pub mod readonly;
pub mod remote;
mod resolve;
pub mod tar_image;
#[cfg(feature = "host")]
pub mod host;

pub use errno::Errno;

/// Result of a filesystem operation: the error is the WASI errno the guest will see.
pub type Result<T> = core::result::Result<T, Errno>;

/// Nanoseconds since the Unix epoch, as WASI timestamps are.
pub type Timestamp = u64;

/// Symlinks followed while resolving one path before giving up with [`Errno::Loop`] (Linux's value).
pub const MAX_SYMLINK_FOLLOWS: usize = 40;

/// File types, numbered as WASI's `filetype`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FileType {
    #[default]
    Unknown = 0,
    BlockDevice = 1,
    CharacterDevice = 2,
    Directory = 3,
    RegularFile = 4,
    SocketDgram = 5,
    SocketStream = 6,
    SymbolicLink = 7,
}

/// Attributes of a file, as WASI's `filestat`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: FileType,
    pub nlink: u64,
    pub size: u64,
    pub atim: Timestamp,
    pub mtim: Timestamp,
    pub ctim: Timestamp,
}

/// One directory entry. Listings include `.` and `..` first, then the children in a stable order
/// (sorted by name for the in-memory tree) so that readdir cookies stay valid between calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub ino: u64,
    pub filetype: FileType,
}

/// How [`Dir::open`] opens a path; mirrors WASI's `oflags` plus the rights that matter to a backing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    pub read: bool,
    pub write: bool,
    /// `O_CREAT`
    pub create: bool,
    /// `O_EXCL` (with `create`): fail with `EEXIST` if the path exists.
    pub exclusive: bool,
    /// `O_TRUNC`
    pub truncate: bool,
    /// `O_DIRECTORY`: fail with `ENOTDIR` unless the path is a directory.
    pub directory: bool,
    /// Follow a symlink in the last component (`LOOKUP_SYMLINK_FOLLOW`).
    pub follow: bool,
}

impl OpenOptions {
    pub fn read() -> Self {
        Self { read: true, follow: true, ..Self::default() }
    }
    pub fn write_create_truncate() -> Self {
        Self { write: true, create: true, truncate: true, follow: true, ..Self::default() }
    }
}

/// What opening a path gives: a file or a directory handle.
pub enum Node {
    File(Box<dyn File>),
    Dir(Box<dyn Dir>),
}

impl Node {
    pub fn into_dir(self) -> Result<Box<dyn Dir>> {
        match self {
            Node::Dir(d) => Ok(d),
            Node::File(_) => Err(Errno::Notdir),
        }
    }
    pub fn into_file(self) -> Result<Box<dyn File>> {
        match self {
            Node::File(f) => Ok(f),
            Node::Dir(_) => Err(Errno::Isdir),
        }
    }
}

/// An open directory. All paths are relative to it and confined to it.
pub trait Dir {
    /// For backings to recognise their own kind in two-directory operations (rename, link);
    /// different backings give [`Errno::Xdev`].
    fn as_any(&self) -> &dyn Any;

    /// Opens (and with `create`, creates) the file or directory at `path`.
    fn open(&self, path: &str, opts: &OpenOptions) -> Result<Node>;
    /// `mkdir`: `EEXIST` if anything is already there.
    fn create_dir(&self, path: &str) -> Result<()>;
    /// `rmdir`: `ENOTEMPTY` unless empty, `ENOTDIR` on a non-directory.
    fn remove_dir(&self, path: &str) -> Result<()>;
    /// `unlink`: `EISDIR` on a directory; removes a symlink itself, not its target.
    fn unlink_file(&self, path: &str) -> Result<()>;
    /// POSIX `rename`: replaces a file, or an empty directory with a directory; `EXDEV` across
    /// backings.
    fn rename(&self, from: &str, to_dir: &dyn Dir, to: &str) -> Result<()>;
    /// `linkat`: a new name for an existing file (`EPERM` on directories).
    fn hard_link(&self, from: &str, follow: bool, to_dir: &dyn Dir, to: &str) -> Result<()>;
    /// `symlinkat`: create `path` pointing at `target`. The in-memory tree stores any target (an
    /// imported archive may hold absolute ones, which resolution then refuses to follow); a host
    /// directory refuses absolute targets with `EPERM`, and so does `path_symlink` for a guest on
    /// every backing.
    fn symlink(&self, target: &str, path: &str) -> Result<()>;
    /// `readlinkat`: `EINVAL` if `path` is not a symlink.
    fn read_link(&self, path: &str) -> Result<String>;
    /// `fstatat`
    fn stat_at(&self, path: &str, follow: bool) -> Result<Filestat>;
    /// `utimensat`; `None` leaves a time unchanged.
    fn set_times_at(
        &self,
        path: &str,
        follow: bool,
        atim: Option<Timestamp>,
        mtim: Option<Timestamp>,
    ) -> Result<()>;
    /// `fstat` of the directory itself.
    fn stat(&self) -> Result<Filestat>;
    /// `futimens` of the directory itself.
    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()>;
    /// The whole listing: `.`, `..`, then children in a stable order.
    fn entries(&self) -> Result<Vec<DirEntry>>;
    /// `fsync` of the directory.
    fn sync(&self) -> Result<()> {
        Ok(())
    }
}

/// An open regular file. Offsets are explicit; the descriptor's position lives in the WASI layer.
pub trait File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize>;
    /// Writes at `offset`, extending (zero-filling any gap) as needed.
    fn write_at(&self, buf: &[u8], offset: u64) -> Result<usize>;
    /// Writes at the current end of file, atomically; returns the bytes written and the new size.
    fn append(&self, buf: &[u8]) -> Result<(usize, u64)>;
    fn stat(&self) -> Result<Filestat>;
    /// `ftruncate`: shrinks or zero-extends.
    fn set_size(&self, size: u64) -> Result<()>;
    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()>;
    /// `posix_fallocate`: makes sure `offset + len` bytes exist.
    fn allocate(&self, offset: u64, len: u64) -> Result<()> {
        let end = offset.checked_add(len).ok_or(Errno::Fbig)?;
        if end > self.stat()?.size {
            self.set_size(end)?;
        }
        Ok(())
    }
    fn sync(&self) -> Result<()> {
        Ok(())
    }
}

/// A clock for the timestamps a backing stamps on its own (in-memory files). The embedder gives
/// one; the default reads zero so runs are reproducible unless asked otherwise.
pub trait Clock {
    fn now(&self) -> Timestamp;
}

/// A clock that always reads the same instant (deterministic runs).
#[derive(Clone, Copy, Debug, Default)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}
