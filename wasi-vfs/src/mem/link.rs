//! `renameat` and `linkat` on the in-memory tree: the two operations that join two directories.

use super::dir::detach;
use super::path::{components, walk, walk_parent, Last};
use super::tree::{Ino, Kind, Tree, ENTRY_COST};
use crate::{Errno, Result};

fn is_dir(t: &Tree, ino: Ino) -> Result<bool> {
    Ok(matches!(t.get(ino)?.kind, Kind::Dir { .. }))
}

/// POSIX `rename(2)` between `from` (relative to directory `src_dir`) and `to` (relative to
/// `dst_dir`) in one tree. Neither path may climb above its directory.
pub(super) fn rename(t: &mut Tree, src_dir: Ino, from: &str, dst_dir: Ino, to: &str) -> Result<()> {
    // Malformed paths (empty, absolute, NUL, too long) are refused before either is resolved,
    // as a host directory does (Linux copies both names in, checking their length, first).
    components(from)?;
    components(to)?;
    // Both paths' directories are resolved before either last component is looked at, as Linux
    // does: an escape in `to` is EPERM even when `from` does not exist, and a missing directory
    // in `to` is ENOENT even when `from` is `..` (EBUSY, below).
    let src = walk_parent(t, src_dir, from)?;
    let dst = walk_parent(t, dst_dir, to)?;
    // Then a last `..` naming what lies above the starting directory is an escape, as on a host
    // directory (cap-std); any other `.` or `..` is EBUSY.
    if (src.last == Last::DotDot && src.parent == src_dir) || (dst.last == Last::DotDot && dst.parent == dst_dir) {
        return Err(Errno::Perm);
    }
    // Linux answers EBUSY for renaming `.` or `..`, or onto them.
    let src_name = src.name(Errno::Busy)?.to_owned();
    let dst_name = dst.name(Errno::Busy)?.to_owned();
    let src_ino = src.ino.ok_or(Errno::Noent)?;
    let src_is_dir = is_dir(t, src_ino)?;
    if (src.trailing_slash || dst.trailing_slash) && !src_is_dir {
        return Err(Errno::Notdir);
    }
    // Linux checks the two ancestries before the types of the two ends: moving a directory
    // beneath itself is EINVAL, replacing an ancestor of the source is ENOTEMPTY.
    if src_is_dir && t.is_within(dst.parent, src_ino)? {
        // Moving a directory beneath itself would cut the subtree off the tree.
        return Err(Errno::Inval);
    }
    if let Some(old) = dst.ino {
        if old != src_ino && is_dir(t, old)? && t.is_within(src.parent, old)? {
            return Err(Errno::Notempty);
        }
    }
    if dst.ino == Some(src_ino) {
        // Two names for one inode (or the same name): POSIX says rename does nothing.
        return Ok(());
    }
    if let Some(old) = dst.ino {
        match (src_is_dir, &t.get(old)?.kind) {
            (true, Kind::Dir { entries, .. }) if !entries.is_empty() => {
                return Err(Errno::Notempty)
            }
            (true, Kind::Dir { .. }) => {}
            (true, _) => return Err(Errno::Notdir),
            (false, Kind::Dir { .. }) => return Err(Errno::Isdir),
            (false, _) => {}
        }
    }
    if t.get(dst.parent)?.nlink == 0 {
        return Err(Errno::Noent);
    }
    // The quota first, before anything moves: the name's new path, and for a directory the new
    // paths of every name beneath it.
    let old_cost = t.entry_cost(src.parent, &src_name)?;
    let new_cost = t.entry_cost(dst.parent, &dst_name)?;
    let (old_len, new_len) = (old_cost - ENTRY_COST, new_cost - ENTRY_COST);
    let beneath = if src_is_dir && old_len != new_len { t.names_beneath(src_ino, None)? } else { 0 };
    t.charge_meta(old_cost + beneath * old_len, new_cost + beneath * new_len)?;
    if beneath > 0 {
        t.names_beneath(src_ino, Some(new_len))?;
    } else if let Kind::Dir { path_len, .. } = &mut t.get_mut(src_ino)?.kind {
        *path_len = new_len;
    }
    if let Some(old) = dst.ino {
        detach(t, dst.parent, &dst_name, old)?;
    }
    t.children_mut(src.parent)?.remove(&src_name);
    t.children_mut(dst.parent)?.insert(dst_name, src_ino);
    if src_is_dir && src.parent != dst.parent {
        if let Kind::Dir { parent, .. } = &mut t.get_mut(src_ino)?.kind {
            *parent = dst.parent;
        }
        let old_parent = t.get_mut(src.parent)?;
        old_parent.nlink = old_parent.nlink.saturating_sub(1);
        t.get_mut(dst.parent)?.nlink += 1;
    }
    t.touch_dir(src.parent)?;
    t.touch_dir(dst.parent)?;
    t.touch_ctime(src_ino)
}

/// POSIX `linkat(2)`: a new name `to` (relative to `dst_dir`) for the file at `from`.
pub(super) fn hard_link(
    t: &mut Tree,
    src_dir: Ino,
    from: &str,
    follow: bool,
    dst_dir: Ino,
    to: &str,
) -> Result<()> {
    components(from)?;
    components(to)?;
    let src = walk(t, src_dir, from, follow || from.ends_with('/'))?;
    let src_ino = src.ino.ok_or(Errno::Noent)?;
    let src_is_dir = is_dir(t, src_ino)?;
    if src.trailing_slash && !src_is_dir {
        return Err(Errno::Notdir);
    }
    // The new name is looked up before the source's type matters, as Linux does: a missing
    // parent is ENOENT even when the source is a directory.
    let dst = walk(t, dst_dir, to, false)?;
    if dst.ino.is_some() {
        return Err(Errno::Exist);
    }
    if dst.trailing_slash {
        return Err(Errno::Noent);
    }
    let name = dst.name(Errno::Exist)?.to_owned();
    if t.get(dst.parent)?.nlink == 0 {
        return Err(Errno::Noent);
    }
    if src_is_dir {
        return Err(Errno::Perm);
    }
    let cost = t.entry_cost(dst.parent, &name)?;
    t.charge_meta(0, cost)?;
    t.children_mut(dst.parent)?.insert(name, src_ino);
    t.get_mut(src_ino)?.nlink += 1;
    t.touch_ctime(src_ino)?;
    t.touch_dir(dst.parent)
}
