//! An in-memory filesystem: an inode arena shared by every handle opened on it.
//!
//! - Inodes live in a `Vec` indexed by number (the root is slot 0); freed slots are reused.
//! - Directories keep their children in a `BTreeMap`, so listings are sorted and stable.
//! - An inode is freed only when it has no name *and* no open handle, so a file keeps working
//!   after it is unlinked, as on POSIX.
//! - Paths are confined to the directory handle they start from: `..` may climb back to it but
//!   not past it ([`crate::Errno::Perm`]), through symlinks too. Each directory descriptor is
//!   a capability for what lies beneath it, as in wasmtime and on a host directory.
//! - Timestamps come from the [`Clock`] given at creation (zero by default, for reproducible
//!   runs). Reads do not update `atim` (like a `noatime` mount) so a run stays deterministic.
//! - An optional quota bounds the tree's size ([`crate::Errno::Nospc`] beyond it): the bytes its
//!   regular files hold, plus for every name [`ENTRY_COST`] (512) and the length of its path from
//!   the root, plus symlink targets. That is about the size of the tree's tar image, so a tree
//!   within its quota can always be saved, whatever its shape; and a size is charged before any
//!   memory is touched.
//!
//! ```
//! use wasi_vfs::{mem::{MemFs, ENTRY_COST}, ops, Errno};
//! let fs = MemFs::with_quota(ENTRY_COST + 1 + 4);
//! let root = fs.root();
//! ops::write_file(&*root, "a", b"1234").unwrap();
//! assert_eq!(ops::write_file(&*root, "a", b"12345"), Err(Errno::Nospc));
//! assert_eq!(root.create_dir("b"), Err(Errno::Nospc));
//! ```

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Clock, Dir, FixedClock};

mod dir;
mod file;
mod link;
pub(crate) mod path;
mod saved;
mod tree;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_files;
#[cfg(test)]
mod tests_rename;

pub use dir::MemDir;
pub use file::MemFile;
pub use saved::SavedInode;
pub use tree::ENTRY_COST;
use tree::{Ino, Tree, ROOT};

/// Device numbers handed to filesystems, so two trees never report the same `(dev, ino)`.
static NEXT_DEV: AtomicU64 = AtomicU64::new(1);

/// An in-memory filesystem. Cloning it gives another handle on the same tree.
#[derive(Clone)]
pub struct MemFs {
    tree: Rc<RefCell<Tree>>,
}

impl Default for MemFs {
    fn default() -> Self {
        Self::new()
    }
}

impl MemFs {
    /// An empty filesystem whose timestamps all read zero.
    pub fn new() -> Self {
        Self::build(Rc::new(FixedClock(0)), None)
    }

    /// An empty filesystem stamping times from `clock`.
    pub fn with_clock(clock: Rc<dyn Clock>) -> Self {
        Self::build(clock, None)
    }

    /// An empty filesystem of at most `bytes` bytes (counted as the module documentation says).
    pub fn with_quota(bytes: u64) -> Self {
        Self::build(Rc::new(FixedClock(0)), Some(bytes))
    }

    fn build(clock: Rc<dyn Clock>, quota: Option<u64>) -> Self {
        let dev = NEXT_DEV.fetch_add(1, Ordering::Relaxed);
        MemFs {
            tree: Rc::new(RefCell::new(Tree::new(dev, clock, quota))),
        }
    }

    /// Changes the quota (`None` removes it). Files already larger stay as they are; they only
    /// cannot grow.
    pub fn set_quota(&self, bytes: Option<u64>) {
        self.tree.borrow_mut().quota = bytes;
    }

    /// Bytes held by regular files, including unlinked files still open.
    pub fn used_bytes(&self) -> u64 {
        self.tree.borrow().used
    }

    /// The size the quota counts: [`MemFs::used_bytes`] plus what names and symlinks cost.
    pub fn size_bytes(&self) -> u64 {
        let t = self.tree.borrow();
        t.used + t.meta
    }

    /// The device number this filesystem reports in [`crate::Filestat::dev`].
    pub fn dev(&self) -> u64 {
        self.tree.borrow().dev
    }

    /// A handle on the root directory.
    pub fn root(&self) -> Box<dyn Dir> {
        Box::new(MemDir::open_handle(self, ROOT, ROOT))
    }

    /// A handle on the directory at `path` (from the root) that is confined to it: `..` cannot
    /// climb above it, exactly as the root handle cannot climb above the root. This is what a
    /// preopen of a subtree must be, or a program could reach the whole tree through `..`.
    pub fn confined_dir(&self, path: &str) -> crate::Result<Box<dyn Dir>> {
        let p = path.trim_start_matches('/');
        let ino = if p.is_empty() || p == "." {
            ROOT
        } else {
            let t = self.tree.borrow();
            let w = path::walk(&t, ROOT, p, true)?;
            let ino = w.ino.ok_or(crate::Errno::Noent)?;
            if !matches!(t.get(ino)?.kind, tree::Kind::Dir { .. }) {
                return Err(crate::Errno::Notdir);
            }
            ino
        };
        Ok(Box::new(MemDir::open_handle(self, ino, ino)))
    }

    /// Whether two handles are on the same tree (renames and links need that).
    fn same_tree(&self, other: &MemFs) -> bool {
        Rc::ptr_eq(&self.tree, &other.tree)
    }

    /// Counts a new handle on `ino`, keeping it alive.
    fn retain(&self, ino: Ino) {
        if let Ok(inode) = self.tree.borrow_mut().get_uncounted_mut(ino) {
            inode.open += 1;
        }
    }

    /// Forgets a handle on `ino`, freeing it if that was the last use of an unlinked inode.
    fn release(&self, ino: Ino) {
        // Handles are dropped outside tree operations, so the tree is free; if it ever were
        // not, leaking the inode is better than panicking in a destructor.
        if let Ok(mut tree) = self.tree.try_borrow_mut() {
            if let Ok(inode) = tree.get_uncounted_mut(ino) {
                inode.open = inode.open.saturating_sub(1);
            }
            tree.release_if_unused(ino);
        }
    }
}
