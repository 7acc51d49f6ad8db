//! The inode arena behind [`super::MemFs`]: inodes indexed by number, a free list, and the
//! bookkeeping (link counts, open handles, quota) that decides when an inode's slot is reused.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::{Clock, Errno, FileType, Filestat, Result, Timestamp};

/// Index of an inode in the arena.
pub(crate) type Ino = usize;

/// The root directory's slot; it is never freed.
pub(crate) const ROOT: Ino = 0;

pub(crate) enum Kind {
    File(Vec<u8>),
    /// `parent` is needed for `..`; the root is its own parent. `path_len` is the length of the
    /// directory's path from the root (0 for the root), which the quota charges its entries.
    Dir {
        entries: BTreeMap<String, Ino>,
        parent: Ino,
        path_len: u64,
    },
    Symlink(String),
}

pub(crate) struct Inode {
    pub kind: Kind,
    /// Names pointing at the inode (directories: 2 + child directories, as POSIX shows them);
    /// 0 once it is unlinked.
    pub nlink: u64,
    /// Open handles. An unlinked inode lives on while a handle uses it, as on POSIX.
    pub open: usize,
    pub atim: Timestamp,
    pub mtim: Timestamp,
    pub ctim: Timestamp,
}

impl Inode {
    pub fn filetype(&self) -> FileType {
        match self.kind {
            Kind::File(_) => FileType::RegularFile,
            Kind::Dir { .. } => FileType::Directory,
            Kind::Symlink(_) => FileType::SymbolicLink,
        }
    }

    pub fn size(&self) -> u64 {
        match &self.kind {
            Kind::File(data) => data.len() as u64,
            Kind::Dir { entries, .. } => entries.len() as u64,
            Kind::Symlink(target) => target.len() as u64,
        }
    }
}

pub(crate) struct Tree {
    slots: Vec<Option<Inode>>,
    free: Vec<Ino>,
    pub dev: u64,
    clock: Rc<dyn Clock>,
    /// Upper bound on `used + meta`, if any.
    pub quota: Option<u64>,
    /// Bytes held by regular files, including unlinked ones still open.
    pub used: u64,
    /// What names cost: [`ENTRY_COST`] and the path's length for each name in a directory, and
    /// each symlink's target.
    pub meta: u64,
    /// Inodes changed since the last [`super::MemFs::take_changes`], when asked to keep count.
    pub changes: Option<Changes>,
}

/// What changed in a tree, inode by inode, for saving only that. (Flags by slot, not a set: the
/// browser core is paid for by the byte, and a B-tree set of numbers costs kilobytes.)
#[derive(Default)]
pub(crate) struct Changes {
    /// By slot: [`Changes::INODE`] (anything about it: metadata, entries, existence), and
    /// [`Changes::DATA`] (a regular file's bytes).
    flags: Vec<u8>,
    /// The slots with flags, each once.
    changed: Vec<Ino>,
}

impl Changes {
    pub const INODE: u8 = 1;
    pub const DATA: u8 = 2;

    pub fn mark(&mut self, ino: Ino, what: u8) {
        if self.flags.len() <= ino {
            self.flags.resize(ino + 1, 0);
        }
        if self.flags[ino] == 0 {
            self.changed.push(ino);
        }
        self.flags[ino] |= what;
    }

    /// Each changed slot, and whether its bytes changed.
    pub fn iter(&self) -> impl Iterator<Item = (Ino, bool)> + '_ {
        self.changed.iter().map(|&ino| (ino, self.flags[ino] & Self::DATA != 0))
    }
}

/// What each name in a directory costs against the quota, besides its path's length: about what
/// it takes in a tar image (a 512-byte header). A tree within its quota thus has an image of
/// about that size, whatever its shape: a chain of 40 000 nested directories costs what writing
/// its 40 000 ever-longer paths costs, and runs out of room like any other big tree.
pub const ENTRY_COST: u64 = 512;

impl Tree {
    pub fn new(dev: u64, clock: Rc<dyn Clock>, quota: Option<u64>) -> Self {
        let now = clock.now();
        let root = Inode {
            kind: Kind::Dir {
                entries: BTreeMap::new(),
                parent: ROOT,
                path_len: 0,
            },
            nlink: 2,
            open: 0,
            atim: now,
            mtim: now,
            ctim: now,
        };
        Tree {
            slots: vec![Some(root)],
            free: Vec::new(),
            dev,
            clock,
            quota,
            used: 0,
            meta: 0,
            changes: None,
        }
    }

    /// A tree of the inodes `slots` (loaded from a save, see `saved.rs`): the root in slot 0, a
    /// directory's entries naming inodes that exist, its parent a directory. What the quota
    /// counts and each directory's path length are worked out again; no handle is open.
    pub fn from_slots(dev: u64, clock: Rc<dyn Clock>, quota: Option<u64>, slots: Vec<Option<Inode>>) -> Result<Self> {
        if !matches!(slots.first(), Some(Some(Inode { kind: Kind::Dir { .. }, .. }))) {
            return Err(Errno::Io);
        }
        let mut t = Tree { free: (0..slots.len()).filter(|&i| slots[i].is_none()).rev().collect(), slots, dev, clock, quota, used: 0, meta: 0, changes: None };
        for inode in t.slots.iter().flatten() {
            match &inode.kind {
                Kind::File(data) => t.used += data.len() as u64,
                Kind::Symlink(target) => t.meta += target.len() as u64,
                Kind::Dir { entries, parent, .. } => {
                    if !matches!(t.slots.get(*parent), Some(Some(Inode { kind: Kind::Dir { .. }, .. }))) {
                        return Err(Errno::Io);
                    }
                    if entries.values().any(|&e| !matches!(t.slots.get(e), Some(Some(_))) || e == ROOT) {
                        return Err(Errno::Io);
                    }
                }
            }
        }
        // Path lengths from the root down; each directory is reached once (by its one name).
        let mut stack = vec![(ROOT, 0u64)];
        let mut seen = vec![false; t.slots.len()];
        while let Some((dir, len)) = stack.pop() {
            if std::mem::replace(&mut seen[dir], true) {
                return Err(Errno::Io); // a directory reachable twice: not a tree
            }
            let Some(Some(Inode { kind: Kind::Dir { entries, path_len, .. }, .. })) = t.slots.get_mut(dir) else { continue };
            *path_len = len;
            let names: Vec<(String, Ino)> = entries.iter().map(|(n, &i)| (n.clone(), i)).collect();
            for (name, child) in names {
                let child_len = len + u64::from(len > 0) + name.len() as u64;
                t.meta += ENTRY_COST + child_len;
                if matches!(t.slots[child], Some(Inode { kind: Kind::Dir { .. }, .. })) {
                    stack.push((child, child_len));
                }
            }
        }
        Ok(t)
    }

    /// Every live inode's slot, for a whole save.
    pub fn live(&self) -> impl Iterator<Item = (Ino, &Inode)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| s.as_ref().map(|inode| (i, inode)))
    }

    /// The inode in slot `ino`, if live.
    pub fn slot(&self, ino: Ino) -> Option<&Inode> {
        self.slots.get(ino)?.as_ref()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The inode in slot `ino`. A handle's inode always exists (it is kept while open), so a
    /// missing one is reported as a stale handle rather than trusted.
    pub fn get(&self, ino: Ino) -> Result<&Inode> {
        self.slots
            .get(ino)
            .and_then(Option::as_ref)
            .ok_or(Errno::Badf)
    }

    /// The inode in slot `ino`, to change it (counted as a change, see [`Tree::changes`]).
    pub fn get_mut(&mut self, ino: Ino) -> Result<&mut Inode> {
        if let Some(c) = &mut self.changes {
            c.mark(ino, Changes::INODE);
        }
        self.get_uncounted_mut(ino)
    }

    /// Like [`Tree::get_mut`], for what is not saved (the count of open handles).
    pub fn get_uncounted_mut(&mut self, ino: Ino) -> Result<&mut Inode> {
        self.slots
            .get_mut(ino)
            .and_then(Option::as_mut)
            .ok_or(Errno::Badf)
    }

    /// The children of directory `ino`, or `ENOTDIR`.
    pub fn children(&self, ino: Ino) -> Result<&BTreeMap<String, Ino>> {
        match &self.get(ino)?.kind {
            Kind::Dir { entries, .. } => Ok(entries),
            _ => Err(Errno::Notdir),
        }
    }

    pub fn children_mut(&mut self, ino: Ino) -> Result<&mut BTreeMap<String, Ino>> {
        match &mut self.get_mut(ino)?.kind {
            Kind::Dir { entries, .. } => Ok(entries),
            _ => Err(Errno::Notdir),
        }
    }

    /// `..` of directory `ino` (the root's is itself).
    pub fn parent(&self, ino: Ino) -> Result<Ino> {
        match &self.get(ino)?.kind {
            Kind::Dir { parent, .. } => Ok(*parent),
            _ => Err(Errno::Notdir),
        }
    }

    /// Allocates an inode with timestamps of now, reusing a freed slot when there is one.
    pub fn alloc(&mut self, kind: Kind) -> Ino {
        let now = self.now();
        let nlink = if matches!(kind, Kind::Dir { .. }) {
            2
        } else {
            1
        };
        let inode = Inode {
            kind,
            nlink,
            open: 0,
            atim: now,
            mtim: now,
            ctim: now,
        };
        let ino = match self.free.pop() {
            Some(ino) => {
                self.slots[ino] = Some(inode);
                ino
            }
            None => {
                self.slots.push(Some(inode));
                self.slots.len() - 1
            }
        };
        self.data_changed(ino);
        ino
    }

    /// Counts a change of a regular file's bytes (and so of the inode).
    pub fn data_changed(&mut self, ino: Ino) {
        if let Some(c) = &mut self.changes {
            c.mark(ino, Changes::INODE | Changes::DATA);
        }
    }

    /// Frees `ino` if nothing refers to it any more: no name and no open handle.
    pub fn release_if_unused(&mut self, ino: Ino) {
        if ino == ROOT {
            return;
        }
        let unused = matches!(self.get(ino), Ok(inode) if inode.nlink == 0 && inode.open == 0);
        if unused {
            if let Some(Some(Inode {
                kind: Kind::File(data),
                ..
            })) = self.slots.get(ino)
            {
                self.used = self.used.saturating_sub(data.len() as u64);
            }
            if let Some(Some(Inode {
                kind: Kind::Symlink(target),
                ..
            })) = self.slots.get(ino)
            {
                self.meta = self.meta.saturating_sub(target.len() as u64);
            }
            self.slots[ino] = None;
            self.free.push(ino);
            if let Some(c) = &mut self.changes {
                c.mark(ino, Changes::INODE);
            }
        }
    }

    /// Marks the directory `dir` as changed (an entry was added, removed or renamed).
    pub fn touch_dir(&mut self, dir: Ino) -> Result<()> {
        let now = self.now();
        let inode = self.get_mut(dir)?;
        inode.mtim = now;
        inode.ctim = now;
        Ok(())
    }

    /// Marks the inode's metadata as changed.
    pub fn touch_ctime(&mut self, ino: Ino) -> Result<()> {
        let now = self.now();
        self.get_mut(ino)?.ctim = now;
        Ok(())
    }

    /// Checks that a regular file may change size from `old` to `new` bytes under the quota,
    /// and books the change. Shrinking is always allowed, even past a quota lowered since.
    pub fn charge(&mut self, old: u64, new: u64) -> Result<()> {
        let used = self.used.saturating_sub(old).checked_add(new).ok_or(Errno::Nospc)?;
        self.check_quota(old, new, used.saturating_add(self.meta))?;
        self.used = used;
        Ok(())
    }

    /// Like [`Tree::charge`], for what names cost (see [`Tree::meta`]).
    pub fn charge_meta(&mut self, old: u64, new: u64) -> Result<()> {
        let meta = self.meta.saturating_sub(old).checked_add(new).ok_or(Errno::Nospc)?;
        self.check_quota(old, new, meta.saturating_add(self.used))?;
        self.meta = meta;
        Ok(())
    }

    fn check_quota(&self, old: u64, new: u64, total: u64) -> Result<()> {
        match self.quota {
            Some(q) if new > old && total > q => Err(Errno::Nospc),
            _ => Ok(()),
        }
    }

    /// The length of the path from the root of the entry `name` in directory `dir`.
    pub fn path_len_of(&self, dir: Ino, name: &str) -> Result<u64> {
        let base = match &self.get(dir)?.kind {
            Kind::Dir { path_len, .. } => *path_len,
            _ => return Err(Errno::Notdir),
        };
        Ok(base + u64::from(base > 0) + name.len() as u64)
    }

    /// What the entry `name` in directory `dir` costs against the quota.
    pub fn entry_cost(&self, dir: Ino, name: &str) -> Result<u64> {
        Ok(ENTRY_COST + self.path_len_of(dir, name)?)
    }

    /// How many names lie beneath directory `dir`, at any depth (hard links counted once per
    /// name, as an image writes them), and sets each directory's path length below it as if `dir`
    /// had `new_len`, when given.
    pub fn names_beneath(&mut self, dir: Ino, new_len: Option<u64>) -> Result<u64> {
        let mut count = 0u64;
        let mut stack = vec![(dir, new_len)];
        while let Some((ino, len)) = stack.pop() {
            let Kind::Dir { entries, path_len, .. } = &mut self.get_mut(ino)?.kind else {
                continue;
            };
            if let Some(len) = len {
                *path_len = len;
            }
            count += entries.len() as u64;
            let children: Vec<(Ino, u64)> = entries.iter().map(|(name, &child)| (child, name.len() as u64)).collect();
            for (child, name_len) in children {
                if matches!(self.get(child)?.kind, Kind::Dir { .. }) {
                    stack.push((child, len.map(|l| l + u64::from(l > 0) + name_len)));
                }
            }
        }
        Ok(count)
    }

    pub fn stat(&self, ino: Ino) -> Result<Filestat> {
        let inode = self.get(ino)?;
        Ok(Filestat {
            dev: self.dev,
            // Reported inode numbers start at 1: some C libraries skip directory entries whose
            // `d_ino` is 0.
            ino: ino as u64 + 1,
            filetype: inode.filetype(),
            nlink: inode.nlink,
            size: inode.size(),
            atim: inode.atim,
            mtim: inode.mtim,
            ctim: inode.ctim,
        })
    }

    /// Whether `ino` is `ancestor` or lies beneath it (used to refuse moving a directory into
    /// its own subtree). Bounded by the number of inodes so a corrupted parent chain cannot loop.
    pub fn is_within(&self, mut ino: Ino, ancestor: Ino) -> Result<bool> {
        for _ in 0..self.slots.len() {
            if ino == ancestor {
                return Ok(true);
            }
            let parent = self.parent(ino)?;
            if parent == ino {
                // The root, or a removed directory (its own parent): the chain ends here.
                return Ok(false);
            }
            ino = parent;
        }
        Err(Errno::Loop)
    }
}
