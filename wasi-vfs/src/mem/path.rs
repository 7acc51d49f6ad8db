//! Path resolution in the in-memory tree, one component at a time (never by string prefixes), so
//! that `..` and symlinks are checked where they occur.

use super::tree::{Ino, Kind, Tree};
use crate::{Errno, Result, MAX_SYMLINK_FOLLOWS};

/// Linux's `PATH_MAX`, which counts the terminating NUL: a path (or symlink target) of this many
/// bytes is already too long.
pub(crate) const PATH_MAX: usize = 4096;
/// Longest file name (Linux's `NAME_MAX`).
pub(crate) const NAME_MAX: usize = 255;

/// What the last component of a path was.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Last {
    Name(String),
    Dot,
    DotDot,
}

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
        match &self.last {
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

/// Resolves `path` from directory `start`. Symlinks are followed in every component but the
/// last, which is followed only if `follow_last` (callers pass `true` for a trailing slash where
/// POSIX follows). The walk may not climb above `start`, the directory handle's own directory,
/// even through a symlink: [`Errno::Perm`].
pub(crate) fn walk(tree: &Tree, start: Ino, path: &str, follow_last: bool) -> Result<Walk> {
    let mut stack = components(path)?;
    let mut trailing_slash = path.ends_with('/');
    let mut cur = start;
    let mut follows = 0usize;
    while let Some(comp) = stack.pop() {
        let last = stack.is_empty();
        match comp {
            "." => {}
            ".." => {
                if cur == start {
                    return Err(Errno::Perm);
                }
                cur = tree.parent(cur)?;
                if last {
                    return Ok(Walk {
                        parent: cur,
                        last: Last::DotDot,
                        ino: Some(cur),
                        trailing_slash,
                    });
                }
                continue;
            }
            name => {
                let Some(&child) = tree.children(cur)?.get(name) else {
                    if last {
                        let last = Last::Name(name.to_owned());
                        return Ok(Walk {
                            parent: cur,
                            last,
                            ino: None,
                            trailing_slash,
                        });
                    }
                    return Err(Errno::Noent);
                };
                match &tree.get(child)?.kind {
                    Kind::Symlink(target) if !last || follow_last => {
                        follows += 1;
                        if follows > MAX_SYMLINK_FOLLOWS {
                            return Err(Errno::Loop);
                        }
                        let target_parts = components(target)?;
                        if last {
                            trailing_slash |= target.ends_with('/');
                        }
                        // The target is resolved from the symlink's own directory, `cur`.
                        stack.extend(target_parts);
                    }
                    Kind::Dir { .. } if !last => cur = child,
                    _ if !last => return Err(Errno::Notdir),
                    _ => {
                        let last = Last::Name(name.to_owned());
                        return Ok(Walk {
                            parent: cur,
                            last,
                            ino: Some(child),
                            trailing_slash,
                        });
                    }
                }
                continue;
            }
        }
        if last {
            return Ok(Walk {
                parent: cur,
                last: Last::Dot,
                ino: Some(cur),
                trailing_slash,
            });
        }
    }
    // Only reached when `components` found nothing but slashes, which it refuses as absolute;
    // answering "." keeps this total without a panic.
    Ok(Walk {
        parent: cur,
        last: Last::Dot,
        ino: Some(cur),
        trailing_slash,
    })
}
