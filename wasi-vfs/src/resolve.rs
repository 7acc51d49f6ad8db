//! Path resolution, written once for every tree that resolves paths itself (the in-memory tree and
//! the overlay's merged view; host directories leave it to cap-std).
//!
//! A path is taken one component at a time, never by string prefixes: `..` and symlinks are
//! checked where they occur. `..` may climb back to the directory the walk started from but not
//! above it, even through a symlink ([`Errno::Perm`]): each directory handle is a capability for
//! what lies beneath it. Symlink targets are resolved from the link's own directory, at most
//! [`MAX_SYMLINK_FOLLOWS`] of them; an absolute target is refused like an absolute path.

use std::borrow::Cow;

use crate::{Errno, FileType, Result, MAX_SYMLINK_FOLLOWS};

/// Linux's `PATH_MAX`, which counts the terminating NUL: a path (or symlink target) of this many
/// bytes is already too long.
pub(crate) const PATH_MAX: usize = 4096;
/// Longest file name (Linux's `NAME_MAX`).
pub(crate) const NAME_MAX: usize = 255;

/// What a tree answers while a path is resolved in it. `dirs` is the way down so far, never
/// empty; the last of them is the directory a name is looked up in.
pub(crate) trait Lookup {
    /// A directory on the way down.
    type Dir;
    /// What a name stands for.
    type Node: Copy;
    /// What `name` names in the last of `dirs`, if anything.
    fn lookup(&self, dirs: &[Self::Dir], name: &str) -> Result<Option<Self::Node>>;
    /// Its type, not following a symlink.
    fn filetype(&self, node: &Self::Node) -> Result<FileType>;
    /// The target of the symlink `node`, named `name` in the last of `dirs`.
    fn read_link(&self, dirs: &[Self::Dir], name: &str, node: &Self::Node) -> Result<String>;
    /// The directory `node`, named `name` in the last of `dirs`, to walk on into.
    fn enter(&self, dirs: &[Self::Dir], name: &str, node: Self::Node) -> Self::Dir;
    /// What a directory on the way stands for (the answer for a path ending in `.` or `..`).
    fn node_of(&self, dir: &Self::Dir) -> Self::Node;
}

/// What the last component of a path was.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Last {
    Name(String),
    Dot,
    DotDot,
}

/// Where a path leads.
#[derive(Debug)]
pub(crate) struct Resolved<D, N> {
    /// The directories from where the walk may climb back to, down to the one holding the last
    /// component (for `.` and `..`, down to the directory named). Never empty.
    pub dirs: Vec<D>,
    pub last: Last,
    /// What the path names, if it exists.
    pub node: Option<N>,
    /// The path (or the symlink it ended on) had a trailing `/`: it must name a directory.
    pub trailing_slash: bool,
}

impl Last {
    /// The name to create, unlink or rename; `.` and `..` give `err`.
    pub fn name(&self, err: Errno) -> Result<&str> {
        match self {
            Last::Name(name) => Ok(name),
            Last::Dot | Last::DotDot => Err(err),
        }
    }
}

/// Checks a path string and splits it into its components, reversed (a stack, next on top).
/// Empty components (`a//b`, a trailing `/`) are dropped.
pub(crate) fn components(path: &str) -> Result<Vec<&str>> {
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    if path.starts_with('/') {
        // WASI has no root to start from: absolute paths would escape the directory.
        return Err(Errno::Perm);
    }
    if path.len() >= PATH_MAX {
        return Err(Errno::Nametoolong);
    }
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
    let mut parts = Vec::new();
    for part in path.split('/').rev() {
        if part.len() > NAME_MAX {
            return Err(Errno::Nametoolong);
        }
        if !part.is_empty() {
            parts.push(part);
        }
    }
    Ok(parts)
}

/// Checks a symlink target before it is stored: empty is `ENOENT`, too long `ENAMETOOLONG`, a NUL
/// `EINVAL`, as Linux's `symlinkat` answers.
pub(crate) fn check_symlink_target(target: &str) -> Result<()> {
    if target.is_empty() {
        return Err(Errno::Noent);
    }
    if target.len() >= PATH_MAX {
        return Err(Errno::Nametoolong);
    }
    if target.contains('\0') {
        return Err(Errno::Inval);
    }
    Ok(())
}

/// Resolves `path` from the last of `dirs`, which may climb back to the last of them but not
/// above. Symlinks are followed in every component but the last, which is followed only if
/// `follow_last` (callers pass `true` for a trailing slash where POSIX follows).
pub(crate) fn resolve<L: Lookup>(tree: &L, dirs: Vec<L::Dir>, path: &str, follow_last: bool) -> Result<Resolved<L::Dir, L::Node>> {
    resolve_in(tree, dirs, path, follow_last, true)
}

/// Like [`resolve`] with `follow_last == false`, for calls that look up only the directory
/// holding the last component, as Linux's `renameat` does: a last `.` or `..` is reported as
/// such without being walked (so a `..` at the top is not yet an escape; the caller refuses it).
pub(crate) fn resolve_parent<L: Lookup>(tree: &L, dirs: Vec<L::Dir>, path: &str) -> Result<Resolved<L::Dir, L::Node>> {
    resolve_in(tree, dirs, path, false, false)
}

fn resolve_in<L: Lookup>(tree: &L, mut dirs: Vec<L::Dir>, path: &str, follow_last: bool, walk_last_dots: bool) -> Result<Resolved<L::Dir, L::Node>> {
    let floor = dirs.len();
    if floor == 0 {
        return Err(Errno::Noent);
    }
    // Components of `path` are borrowed; those of symlink targets, read as the walk goes, owned.
    let mut stack: Vec<Cow<'_, str>> = components(path)?.into_iter().map(Cow::Borrowed).collect();
    let mut trailing_slash = path.ends_with('/');
    let mut follows = 0usize;
    let here = |tree: &L, dirs: Vec<L::Dir>, last, trailing_slash| {
        let node = dirs.last().map(|d| tree.node_of(d));
        Ok(Resolved { dirs, last, node, trailing_slash })
    };
    while let Some(comp) = stack.pop() {
        let last = stack.is_empty();
        match &*comp {
            "." => {
                if last {
                    return here(tree, dirs, Last::Dot, trailing_slash);
                }
            }
            ".." if last && !walk_last_dots => return here(tree, dirs, Last::DotDot, trailing_slash),
            ".." => {
                if dirs.len() == floor {
                    return Err(Errno::Perm);
                }
                dirs.pop();
                if last {
                    return here(tree, dirs, Last::DotDot, trailing_slash);
                }
            }
            _ => {
                let Some(node) = tree.lookup(&dirs, &comp)? else {
                    if last {
                        return Ok(Resolved { dirs, last: Last::Name(comp.into_owned()), node: None, trailing_slash });
                    }
                    return Err(Errno::Noent);
                };
                match tree.filetype(&node)? {
                    FileType::SymbolicLink if !last || follow_last => {
                        follows += 1;
                        if follows > MAX_SYMLINK_FOLLOWS {
                            return Err(Errno::Loop);
                        }
                        let target = tree.read_link(&dirs, &comp, &node)?;
                        if last {
                            trailing_slash |= target.ends_with('/');
                        }
                        // The target is resolved from the symlink's own directory.
                        stack.extend(components(&target)?.into_iter().map(|c| Cow::Owned(c.to_owned())));
                    }
                    FileType::Directory if !last => {
                        let child = tree.enter(&dirs, &comp, node);
                        dirs.push(child);
                    }
                    _ if !last => return Err(Errno::Notdir),
                    _ => return Ok(Resolved { dirs, last: Last::Name(comp.into_owned()), node: Some(node), trailing_slash }),
                }
            }
        }
    }
    // Only reached when `components` found nothing but slashes, which it refuses as absolute;
    // answering "." keeps this total without a panic.
    here(tree, dirs, Last::Dot, trailing_slash)
}
