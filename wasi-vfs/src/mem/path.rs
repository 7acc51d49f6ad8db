//! Path resolution in the in-memory tree: the shared resolver ([`crate::resolve`]) over inodes.

use super::tree::{Ino, Kind, Tree};
use crate::resolve::{self, Lookup};
use crate::{Errno, FileType, Result};

pub(crate) use crate::resolve::{components, Last};

/// Where a path leads.
#[derive(Debug)]
pub(crate) struct Walk {
    /// The directory holding the last component; for `.`/`..`, the directory named.
    pub parent: Ino,
    pub last: Last,
    /// The inode the path names, if it exists.
    pub ino: Option<Ino>,
    /// The path (or the symlink it ended on) had a trailing `/`: it must name a directory.
    pub trailing_slash: bool,
}

impl Walk {
    /// The name to create, unlink or rename; `.` and `..` give `err`.
    pub fn name(&self, err: Errno) -> Result<&str> {
        self.last.name(err)
    }
}

impl Lookup for Tree {
    type Dir = Ino;
    type Node = Ino;

    fn lookup(&self, dirs: &[Ino], name: &str) -> Result<Option<Ino>> {
        let dir = dirs.last().copied().ok_or(Errno::Noent)?;
        Ok(self.children(dir)?.get(name).copied())
    }

    fn filetype(&self, node: &Ino) -> Result<FileType> {
        Ok(self.get(*node)?.filetype())
    }

    fn read_link(&self, _dirs: &[Ino], _name: &str, node: &Ino) -> Result<String> {
        match &self.get(*node)?.kind {
            Kind::Symlink(target) => Ok(target.clone()),
            _ => Err(Errno::Inval),
        }
    }

    fn enter(&self, _dirs: &[Ino], _name: &str, node: Ino) -> Ino {
        node
    }

    fn node_of(&self, dir: &Ino) -> Ino {
        *dir
    }
}

/// Resolves `path` from directory `start`, which the walk may not climb above (see
/// [`crate::resolve`]). The last component is followed if it is a symlink only if `follow_last`.
pub(crate) fn walk(tree: &Tree, start: Ino, path: &str, follow_last: bool) -> Result<Walk> {
    let r = resolve::resolve(tree, vec![start], path, follow_last)?;
    let parent = r.dirs.last().copied().unwrap_or(start);
    Ok(Walk { parent, last: r.last, ino: r.node, trailing_slash: r.trailing_slash })
}

/// Resolves the directory holding the last component of `path`, as `renameat` does (see
/// [`resolve::resolve_parent`]).
pub(crate) fn walk_parent(tree: &Tree, start: Ino, path: &str) -> Result<Walk> {
    let r = resolve::resolve_parent(tree, vec![start], path)?;
    let parent = r.dirs.last().copied().unwrap_or(start);
    Ok(Walk { parent, last: r.last, ino: r.node, trailing_slash: r.trailing_slash })
}
