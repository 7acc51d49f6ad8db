//! An overlay: a read-only lower directory seen through a writable upper one (a container image
//! under a scratch layer, or a host directory under an in-memory one).
//!
//! Precedence and rules:
//! - **Upper wins.** A name present in the upper layer is what the merged view shows; the lower
//!   entry of the same name shows through only where both are directories, whose contents merge.
//! - **The lower layer is never written.** Changing a lower entry (opening it for writing or
//!   truncation, `set_times`, renaming or linking it) first *copies it up*: the upper layer gets
//!   the parent directories it needs and a copy of the entry, and the change applies there.
//!   Renaming a directory copies up its whole merged subtree.
//! - **Deletions of lower entries are whiteouts**, kept in memory in a set shared by every handle
//!   of the overlay, keyed by the path from the overlay root (`a/b`). A whiteout hides the lower
//!   entry and everything beneath it; an upper directory made at a whited-out path is therefore
//!   *opaque* (no lower contents show through it). [`OverlayDir::whiteouts`] lists them, for an
//!   embedder that wants to persist the overlay.
//! - **Listings** merge both layers minus whiteouts: `.`, `..`, then the names sorted.
//! - **Paths** are resolved by the overlay, component by component through the merged view, and
//!   confined to the directory handle they start from (`..` above it is [`Errno::Perm`], as in
//!   the in-memory tree); the layers only see canonical paths.
//!
//! Limits, kept on purpose for simplicity: directory handles remember their path from the
//! overlay root, so a handle on a directory that is later renamed follows the old path (and
//! reports `ENOENT` once nothing is there); the lower layer is assumed not to change underneath;
//! inode numbers come from whichever layer holds the entry, so the two layers' numbers may
//! collide; a copied-up hard link becomes a separate file.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use crate::{Dir, DirEntry, Errno, Filestat, Node, OpenOptions, Result, Timestamp};

mod copy_up;
mod ops_impl;
mod resolve;

#[cfg(test)]
mod tests;

/// What every handle of one overlay shares.
struct State {
    lower: Box<dyn Dir>,
    upper: Box<dyn Dir>,
    whiteouts: RefCell<BTreeSet<String>>,
}

/// A directory of an overlay (see the module docs for the rules).
pub struct OverlayDir {
    state: Rc<State>,
    /// This directory's path from the overlay root, as components.
    rel: Vec<String>,
}

impl OverlayDir {
    /// The root of an overlay of `upper` over `lower`. `lower` is only read; `upper` takes every
    /// change.
    pub fn new(lower: Box<dyn Dir>, upper: Box<dyn Dir>) -> Self {
        let state = State {
            lower,
            upper,
            whiteouts: RefCell::new(BTreeSet::new()),
        };
        OverlayDir {
            state: Rc::new(state),
            rel: Vec::new(),
        }
    }

    /// The whited-out paths (relative to the overlay root), sorted.
    pub fn whiteouts(&self) -> Vec<String> {
        self.state.whiteouts.borrow().iter().cloned().collect()
    }

    fn same_overlay<'a>(&self, other: &'a dyn Dir) -> Result<&'a OverlayDir> {
        match other.as_any().downcast_ref::<OverlayDir>() {
            Some(o) if Rc::ptr_eq(&self.state, &o.state) => Ok(o),
            _ => Err(Errno::Xdev),
        }
    }
}

impl Dir for OverlayDir {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn open(&self, path: &str, opts: &OpenOptions) -> Result<Node> {
        self.open_impl(path, opts)
    }

    fn create_dir(&self, path: &str) -> Result<()> {
        let mut r = self.state.resolve(&self.rel, path, false)?;
        if r.entry.is_some() {
            return Err(Errno::Exist);
        }
        r.name(Errno::Exist)?;
        self.state.ensure_upper_dirs(&mut r.frames)?;
        self.state.upper.create_dir(&r.path())
    }

    fn remove_dir(&self, path: &str) -> Result<()> {
        self.remove_dir_impl(path)
    }

    fn unlink_file(&self, path: &str) -> Result<()> {
        self.unlink_impl(path)
    }

    fn rename(&self, from: &str, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let other = self.same_overlay(to_dir)?;
        self.rename_impl(from, &other.rel, to)
    }

    fn hard_link(&self, from: &str, follow: bool, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let other = self.same_overlay(to_dir)?;
        self.hard_link_impl(from, follow, &other.rel, to)
    }

    fn symlink(&self, target: &str, path: &str) -> Result<()> {
        let mut r = self.state.resolve(&self.rel, path, false)?;
        if r.entry.is_some() {
            return Err(Errno::Exist);
        }
        if r.trailing_slash {
            return Err(Errno::Noent);
        }
        r.name(Errno::Exist)?;
        self.state.ensure_upper_dirs(&mut r.frames)?;
        self.state.upper.symlink(target, &r.path())
    }

    fn read_link(&self, path: &str) -> Result<String> {
        let r = self.state.resolve(&self.rel, path, path.ends_with('/'))?;
        let entry = r.entry.ok_or(Errno::Noent)?;
        self.state.layer_of(&entry).read_link(&r.path())
    }

    fn stat_at(&self, path: &str, follow: bool) -> Result<Filestat> {
        Ok(self.existing(path, follow)?.1)
    }

    fn set_times_at(
        &self,
        path: &str,
        follow: bool,
        atim: Option<Timestamp>,
        mtim: Option<Timestamp>,
    ) -> Result<()> {
        self.set_times_impl(path, follow, atim, mtim)
    }

    fn stat(&self) -> Result<Filestat> {
        self.stat_at(".", false)
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.set_times_impl(".", false, atim, mtim)
    }

    fn entries(&self) -> Result<Vec<DirEntry>> {
        let r = self.state.resolve(&self.rel, ".", false)?;
        let dot = r.entry.ok_or(Errno::Noent)?.stat();
        let parent = r.frames.len().checked_sub(2).and_then(|i| r.frames.get(i));
        let dotdot = parent.map_or(dot, |(_, e)| e.stat());
        let mut out = vec![
            DirEntry {
                name: ".".into(),
                ino: dot.ino,
                filetype: dot.filetype,
            },
            DirEntry {
                name: "..".into(),
                ino: dotdot.ino,
                filetype: dotdot.filetype,
            },
        ];
        for (name, entry) in self.state.children(&r.frames)? {
            let st = entry.stat();
            out.push(DirEntry {
                name,
                ino: st.ino,
                filetype: st.filetype,
            });
        }
        Ok(out)
    }

    fn sync(&self) -> Result<()> {
        self.state.upper.sync()
    }
}
