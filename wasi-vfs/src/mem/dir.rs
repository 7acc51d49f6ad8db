//! Directory handles on the in-memory tree: `openat`, `mkdirat`, `unlinkat` and friends.

use std::any::Any;
use std::collections::BTreeMap;

use super::file::MemFile;
use super::path::{walk, walk_parent, Last};
use super::tree::{Ino, Kind, Tree, ENTRY_COST};
use super::MemFs;
use crate::{Dir, DirEntry, Errno, Filestat, Node, OpenOptions, Result, Timestamp};

/// A directory handle on a [`MemFs`].
pub struct MemDir {
    pub(super) fs: MemFs,
    pub(super) ino: Ino,
    /// The top of the tree this handle was reached from (the root, or the directory of a
    /// [`MemFs::confined_dir`]): its listing's `..` is itself, as `/`'s is. Paths never climb
    /// above the handle itself, wherever it is: each directory descriptor is a capability for
    /// what lies beneath it (as with `openat` in wasmtime and on `wrun --dir`).
    pub(super) top: Ino,
}

impl MemDir {
    pub(super) fn open_handle(fs: &MemFs, ino: Ino, top: Ino) -> Self {
        fs.retain(ino);
        MemDir {
            fs: fs.clone(),
            ino,
            top,
        }
    }

    /// The filesystem this handle belongs to.
    pub fn fs(&self) -> &MemFs {
        &self.fs
    }

    /// Resolves `path` for `open` and returns the inode to hand out, creating or truncating it
    /// as the options ask.
    fn open_ino(&self, path: &str, opts: &OpenOptions) -> Result<Ino> {
        if opts.create && opts.directory {
            // Linux refuses O_CREAT|O_DIRECTORY with EINVAL rather than guess which to make, and
            // does so before it looks at the path.
            return Err(Errno::Inval);
        }
        let mut t = self.fs.tree.borrow_mut();
        // O_CREAT|O_EXCL never follows a last symlink: the link itself exists, so EEXIST
        // (POSIX says so "regardless of the contents of the symbolic link").
        let excl = opts.create && opts.exclusive;
        let follow = (opts.follow || path.ends_with('/')) && !excl;
        if opts.create && path.ends_with('/') {
            // O_CREAT with a trailing slash after a name is EISDIR on Linux whatever the name
            // names (a file, a directory, a symlink loop, nothing), once its directory is found,
            // before the name is looked at. A path ending in `./` or `../` names a directory
            // that exists: EEXIST with O_EXCL, EISDIR without (below).
            let p = walk_parent(&t, self.ino, path)?;
            if p.trailing_slash && matches!(p.last, Last::Name(_)) {
                return Err(Errno::Isdir);
            }
        }
        let w = walk(&t, self.ino, path, follow)?;
        let Some(ino) = w.ino else {
            if !opts.create {
                return Err(Errno::Noent);
            }
            let name = w.name(Errno::Exist)?.to_owned();
            return create_in(&mut t, w.parent, name, Kind::File(Vec::new()));
        };
        if opts.create && opts.exclusive {
            return Err(Errno::Exist);
        }
        match &t.get(ino)?.kind {
            // Only reached with `follow == false`: O_NOFOLLOW on a symlink gives ELOOP on Linux.
            Kind::Symlink(_) if opts.directory => Err(Errno::Notdir),
            Kind::Symlink(_) => Err(Errno::Loop),
            Kind::Dir { .. } if opts.write || opts.truncate || opts.create => Err(Errno::Isdir),
            Kind::Dir { .. } => Ok(ino),
            Kind::File(_) if opts.directory || w.trailing_slash => Err(Errno::Notdir),
            Kind::File(data) => {
                let old = data.len() as u64;
                if opts.truncate && old > 0 {
                    t.charge(old, 0)?;
                    let now = t.now();
                    t.data_changed(ino);
                    let inode = t.get_mut(ino)?;
                    inode.kind = Kind::File(Vec::new());
                    inode.mtim = now;
                    inode.ctim = now;
                }
                Ok(ino)
            }
        }
    }

    /// Resolves `path` to an existing inode, following the last symlink if asked (or if the path
    /// ends in `/`), and checks a trailing slash names a directory.
    fn existing(&self, t: &Tree, path: &str, follow: bool) -> Result<Ino> {
        let w = walk(t, self.ino, path, follow || path.ends_with('/'))?;
        let ino = w.ino.ok_or(Errno::Noent)?;
        if w.trailing_slash && !matches!(t.get(ino)?.kind, Kind::Dir { .. }) {
            return Err(Errno::Notdir);
        }
        Ok(ino)
    }
}

impl Drop for MemDir {
    fn drop(&mut self) {
        self.fs.release(self.ino);
    }
}

/// Creates `name` in directory `parent` as a new inode of `kind`, charging the name (and a
/// symlink's target) to the quota first.
pub(super) fn create_in(t: &mut Tree, parent: Ino, name: String, mut kind: Kind) -> Result<Ino> {
    if t.get(parent)?.nlink == 0 {
        // The directory was removed while a handle on it stayed open (Linux says ENOENT).
        return Err(Errno::Noent);
    }
    let own_path_len = t.path_len_of(parent, &name)?;
    let target_len = match &kind {
        Kind::Symlink(target) => target.len() as u64,
        _ => 0,
    };
    t.charge_meta(0, ENTRY_COST + own_path_len + target_len)?;
    if let Kind::Dir { path_len, .. } = &mut kind {
        *path_len = own_path_len;
    }
    let is_dir = matches!(kind, Kind::Dir { .. });
    let ino = t.alloc(kind);
    t.children_mut(parent)?.insert(name, ino);
    if is_dir {
        t.get_mut(parent)?.nlink += 1;
    }
    t.touch_dir(parent)?;
    Ok(ino)
}

/// Removes the entry `name` (naming `ino`) from `parent`, dropping the inode's link count.
pub(super) fn detach(t: &mut Tree, parent: Ino, name: &str, ino: Ino) -> Result<()> {
    let cost = t.entry_cost(parent, name)?;
    t.charge_meta(cost, 0)?;
    t.children_mut(parent)?.remove(name);
    let now = t.now();
    let inode = t.get_mut(ino)?;
    inode.ctim = now;
    if let Kind::Dir { parent: up, .. } = &mut inode.kind {
        // A removed directory is its own parent, so `..` from a handle still open on it cannot
        // reach a slot that may since have been reused.
        *up = ino;
        inode.nlink = 0;
        let p = t.get_mut(parent)?;
        p.nlink = p.nlink.saturating_sub(1);
    } else {
        inode.nlink = inode.nlink.saturating_sub(1);
    }
    t.touch_dir(parent)?;
    t.release_if_unused(ino);
    Ok(())
}

fn set_times(
    t: &mut Tree,
    ino: Ino,
    atim: Option<Timestamp>,
    mtim: Option<Timestamp>,
) -> Result<()> {
    let now = t.now();
    let inode = t.get_mut(ino)?;
    if let Some(a) = atim {
        inode.atim = a;
    }
    if let Some(m) = mtim {
        inode.mtim = m;
    }
    inode.ctim = now;
    Ok(())
}

impl Dir for MemDir {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn open(&self, path: &str, opts: &OpenOptions) -> Result<Node> {
        let ino = self.open_ino(path, opts)?;
        let is_dir = matches!(self.fs.tree.borrow().get(ino)?.kind, Kind::Dir { .. });
        Ok(if is_dir {
            Node::Dir(Box::new(MemDir::open_handle(&self.fs, ino, self.top)))
        } else {
            // O_RDONLY is zero on POSIX: a descriptor asking for neither right can still read.
            let readable = opts.read || !opts.write;
            Node::File(Box::new(MemFile::open_handle(
                &self.fs, ino, readable, opts.write,
            )))
        })
    }

    fn create_dir(&self, path: &str) -> Result<()> {
        let mut t = self.fs.tree.borrow_mut();
        let w = walk(&t, self.ino, path, false)?;
        if w.ino.is_some() {
            return Err(Errno::Exist);
        }
        let name = w.name(Errno::Exist)?.to_owned();
        let kind = Kind::Dir {
            entries: BTreeMap::new(),
            parent: w.parent,
            // Set by `create_in`.
            path_len: 0,
        };
        create_in(&mut t, w.parent, name, kind).map(drop)
    }

    fn remove_dir(&self, path: &str) -> Result<()> {
        let mut t = self.fs.tree.borrow_mut();
        let w = walk(&t, self.ino, path, false)?;
        let name = match &w.last {
            Last::Name(name) => name.clone(),
            Last::Dot => return Err(Errno::Inval),
            Last::DotDot => return Err(Errno::Notempty),
        };
        let ino = w.ino.ok_or(Errno::Noent)?;
        match &t.get(ino)?.kind {
            Kind::Dir { entries, .. } if !entries.is_empty() => return Err(Errno::Notempty),
            Kind::Dir { .. } => {}
            _ => return Err(Errno::Notdir),
        }
        detach(&mut t, w.parent, &name, ino)
    }

    fn unlink_file(&self, path: &str) -> Result<()> {
        let mut t = self.fs.tree.borrow_mut();
        let w = walk(&t, self.ino, path, false)?;
        let name = w.name(Errno::Isdir)?.to_owned();
        let ino = w.ino.ok_or(Errno::Noent)?;
        if matches!(t.get(ino)?.kind, Kind::Dir { .. }) {
            return Err(Errno::Isdir);
        }
        if w.trailing_slash {
            return Err(Errno::Notdir);
        }
        detach(&mut t, w.parent, &name, ino)
    }

    fn rename(&self, from: &str, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let other = to_dir
            .as_any()
            .downcast_ref::<MemDir>()
            .ok_or(Errno::Xdev)?;
        if !self.fs.same_tree(&other.fs) {
            return Err(Errno::Xdev);
        }
        super::link::rename(
            &mut self.fs.tree.borrow_mut(),
            self.ino,
            from,
            other.ino,
            to,
        )
    }

    fn hard_link(&self, from: &str, follow: bool, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let other = to_dir
            .as_any()
            .downcast_ref::<MemDir>()
            .ok_or(Errno::Xdev)?;
        if !self.fs.same_tree(&other.fs) {
            return Err(Errno::Xdev);
        }
        let mut t = self.fs.tree.borrow_mut();
        super::link::hard_link(&mut t, self.ino, from, follow, other.ino, to)
    }

    fn symlink(&self, target: &str, path: &str) -> Result<()> {
        crate::resolve::check_symlink_target(target)?;
        let mut t = self.fs.tree.borrow_mut();
        let w = walk(&t, self.ino, path, false)?;
        if w.ino.is_some() {
            return Err(Errno::Exist);
        }
        if w.trailing_slash {
            return Err(Errno::Noent);
        }
        let name = w.name(Errno::Exist)?.to_owned();
        create_in(&mut t, w.parent, name, Kind::Symlink(target.to_owned())).map(drop)
    }

    fn read_link(&self, path: &str) -> Result<String> {
        let t = self.fs.tree.borrow();
        let ino = self.existing(&t, path, false)?;
        match &t.get(ino)?.kind {
            Kind::Symlink(target) => Ok(target.clone()),
            _ => Err(Errno::Inval),
        }
    }

    fn stat_at(&self, path: &str, follow: bool) -> Result<Filestat> {
        let t = self.fs.tree.borrow();
        let ino = self.existing(&t, path, follow)?;
        t.stat(ino)
    }

    fn set_times_at(
        &self,
        path: &str,
        follow: bool,
        atim: Option<Timestamp>,
        mtim: Option<Timestamp>,
    ) -> Result<()> {
        let mut t = self.fs.tree.borrow_mut();
        let ino = self.existing(&t, path, follow)?;
        set_times(&mut t, ino, atim, mtim)
    }

    fn stat(&self) -> Result<Filestat> {
        self.fs.tree.borrow().stat(self.ino)
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        set_times(&mut self.fs.tree.borrow_mut(), self.ino, atim, mtim)
    }

    fn entries(&self) -> Result<Vec<DirEntry>> {
        let t = self.fs.tree.borrow();
        let dot = t.stat(self.ino)?;
        // The top of the handle's tree is its own parent, as `/` is.
        let parent = if self.ino == self.top { self.ino } else { t.parent(self.ino)? };
        let dotdot = t.stat(parent)?;
        let children = t.children(self.ino)?;
        let mut out = Vec::with_capacity(children.len() + 2);
        out.push(DirEntry {
            name: ".".into(),
            ino: dot.ino,
            filetype: dot.filetype,
        });
        out.push(DirEntry {
            name: "..".into(),
            ino: dotdot.ino,
            filetype: dotdot.filetype,
        });
        for (name, &ino) in children {
            let st = t.stat(ino)?;
            out.push(DirEntry {
                name: name.clone(),
                ino: st.ino,
                filetype: st.filetype,
            });
        }
        Ok(out)
    }
}
