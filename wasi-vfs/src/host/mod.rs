//! Host directories, confined with cap-std (native only, feature `host`).
//!
//! cap-std resolves every path component by component beneath its directory handle and refuses
//! whatever would leave it: `..` past the handle, absolute paths, symlinks with absolute targets
//! or leading out. Those refusals come back as `PermissionDenied`, which the crate's errno mapping
//! turns into [`Errno::Perm`], as in wasmtime.
//!
//! Differences from [`crate::mem::MemFs`], inherited from cap-std (and so from wasmtime):
//! - [`Dir::symlink`] refuses absolute targets ([`Errno::Perm`]) rather than planting a link
//!   that host programs outside the sandbox would follow (the in-memory tree stores them, for
//!   archives; guests cannot make one on either, see `path_symlink`);
//! - the `..` entry of a listing reports the directory's own inode number, since the parent of a
//!   confinement root may not be looked at.

use std::any::Any;
use std::os::unix::fs::DirEntryExt;
use std::path::Path;

use cap_fs_ext::{
    DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt, SystemTimeSpec,
};
use cap_std::fs::{Dir as CapDir, OpenOptions as CapOpenOptions};

use crate::{Dir, DirEntry, Errno, Filestat, Node, OpenOptions, Result, Timestamp};

mod file;

pub use file::HostFile;
use file::{cap_filestat, filetype, system_time};

/// A directory of the host filesystem, confined to itself.
pub struct HostDir {
    dir: CapDir,
}

impl HostDir {
    /// Opens the host directory at `path` (ambient authority: the embedder chooses what to
    /// expose).
    pub fn open_ambient(path: &Path) -> Result<Self> {
        let dir = CapDir::open_ambient_dir(path, cap_std::ambient_authority())?;
        Ok(HostDir { dir })
    }

    /// Wraps a cap-std directory the embedder already holds.
    pub fn from_cap_std(dir: CapDir) -> Self {
        HostDir { dir }
    }
}

/// Checks a path string before cap-std sees it, with the in-memory tree's own rules (empty,
/// absolute, NUL, longer than `PATH_MAX`, a name longer than `NAME_MAX`), so both backings refuse
/// a malformed path the same way and before anything else: cap-std would report some of these
/// less precisely, and others only after resolving part of the path.
fn check(path: &str) -> Result<&str> {
    crate::resolve::components(path)?;
    Ok(path)
}

fn follow(yes: bool) -> FollowSymlinks {
    if yes {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    }
}

fn time_spec(ts: Option<Timestamp>) -> Option<SystemTimeSpec> {
    ts.map(|t| SystemTimeSpec::Absolute(cap_std::time::SystemTime::from_std(system_time(t))))
}

/// `linkat`/`symlinkat` to a new name with a trailing slash: Linux looks the name up without
/// creating anything, so an existing entry is EEXIST and a missing one ENOENT. cap-std drops the
/// slash (and would create the link, or say ENOTDIR).
fn new_name_with_slash(dir: &HostDir, path: &str) -> Result<()> {
    if !path.ends_with('/') {
        return Ok(());
    }
    dir.stat_at(path.trim_end_matches('/'), false)?;
    Err(Errno::Exist)
}

/// The directory holding the last component of `path` (`.` for a single name).
fn parent(path: &str) -> &str {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) => "/",
        Some((dir, _)) => dir,
        None => ".",
    }
}

/// The last component of `path`, ignoring trailing slashes.
fn last_component(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

impl HostDir {
    fn cap_options(opts: &OpenOptions, follow_last: bool) -> CapOpenOptions {
        let mut o = CapOpenOptions::new();
        // O_RDONLY is zero: a descriptor asking for neither right still opens for reading.
        o.read(opts.read || !opts.write)
            .write(opts.write)
            .truncate(opts.truncate);
        if opts.create && opts.exclusive {
            o.create_new(true);
        } else {
            o.create(opts.create);
        }
        o.follow(follow(follow_last));
        o.maybe_dir(true);
        o
    }

    fn open_node(&self, path: &str, opts: &OpenOptions) -> Result<Node> {
        let follow_last = opts.follow || path.ends_with('/');
        if opts.directory {
            // The path is resolved first, as Linux does: a missing path is ENOENT, a file
            // ENOTDIR, an escape EPERM; only a directory opened for writing is EISDIR.
            let dir = if follow_last {
                self.dir.open_dir(path)?
            } else {
                self.dir.open_dir_nofollow(path)?
            };
            if opts.write || opts.truncate {
                return Err(Errno::Isdir);
            }
            return Ok(Node::Dir(Box::new(HostDir { dir })));
        }
        let mut opts = *opts;
        if (opts.create || opts.truncate) && !opts.write {
            // POSIX allows O_CREAT and O_TRUNC on a read-only open; std does not. Create or
            // truncate through a short-lived writable open, then open as asked.
            let writable = OpenOptions {
                write: true,
                read: false,
                ..opts
            };
            self.dir
                .open_with(path, &Self::cap_options(&writable, follow_last))?;
            opts = OpenOptions {
                create: false,
                exclusive: false,
                truncate: false,
                ..opts
            };
        }
        let file = self
            .dir
            .open_with(path, &Self::cap_options(&opts, follow_last))?;
        if file.metadata()?.is_dir() {
            let dir = CapDir::from_std_file(file.into_std());
            return Ok(Node::Dir(Box::new(HostDir { dir })));
        }
        Ok(Node::File(Box::new(HostFile {
            file: file.into_std(),
        })))
    }
}

impl Dir for HostDir {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn open(&self, path: &str, opts: &OpenOptions) -> Result<Node> {
        if opts.directory && opts.create {
            // As Linux (and the in-memory tree): refused before the path is looked at.
            return Err(Errno::Inval);
        }
        self.open_node(check(path)?, opts)
    }

    fn create_dir(&self, path: &str) -> Result<()> {
        Ok(self.dir.create_dir(check(path)?)?)
    }

    fn remove_dir(&self, path: &str) -> Result<()> {
        // `rmdir` of `.` is EINVAL and of `..` ENOTEMPTY on Linux, once the path up to them has
        // been resolved (`a/.` with `a` a file is ENOTDIR); cap-std says EINVAL for both.
        let last = last_component(check(path)?);
        if last == "." || last == ".." {
            let trimmed = path.trim_end_matches('/');
            let before = &trimmed[..trimmed.len() - last.len()];
            if !before.is_empty() {
                // What precedes must be a directory (`a/.` with `a` a file is ENOTDIR).
                self.stat_at(before, true)?;
            }
            if last == ".." {
                // And `..` must stay inside (EPERM at the root).
                self.stat_at(path, true)?;
            }
            return Err(if last == "." { Errno::Inval } else { Errno::Notempty });
        }
        // cap-std treats `d/` as `d/.` (EINVAL); rmdir never follows a last symlink, so the slash
        // adds nothing once it is known to name a directory, which `remove_dir` checks.
        Ok(self.dir.remove_dir(path.trim_end_matches('/'))?)
    }

    fn unlink_file(&self, path: &str) -> Result<()> {
        let path = check(path)?;
        if path.ends_with('/') {
            // unlink never succeeds with a trailing slash: EISDIR for a directory, ENOTDIR for
            // anything else, a symlink to a directory included (cap-std followed it).
            let is_dir = self.dir.symlink_metadata(path.trim_end_matches('/'))?.is_dir();
            return Err(if is_dir { Errno::Isdir } else { Errno::Notdir });
        }
        Ok(self.dir.remove_file(path)?)
    }

    fn rename(&self, from: &str, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let other = to_dir
            .as_any()
            .downcast_ref::<HostDir>()
            .ok_or(Errno::Xdev)?;
        let (from, to) = (check(from)?, check(to)?);
        let dots = |p: &str| matches!(last_component(p), "." | "..");
        if from.ends_with('/') || to.ends_with('/') || dots(from) || dots(to) {
            // What cap-std gets wrong, in Linux's order: both parents are looked up first (so an
            // escape or a missing parent is reported as such); renaming `.` or `..`, or onto
            // them, is EBUSY (a `..` that climbs out of the root, EPERM, as the in-memory tree
            // says); a trailing slash on either path says the source is a directory (ENOTDIR
            // otherwise), where cap-std drops it and would move a file.
            for (dir, path) in [(self, from), (other, to)] {
                if !dir.dir.metadata(parent(path))?.is_dir() {
                    return Err(Errno::Notdir);
                }
            }
            if dots(from) || dots(to) {
                if last_component(from) == ".." {
                    self.stat_at(from, true)?;
                }
                if last_component(to) == ".." {
                    other.stat_at(to, true)?;
                }
                return Err(Errno::Busy);
            }
            if !self.dir.symlink_metadata(from.trim_end_matches('/'))?.is_dir() {
                return Err(Errno::Notdir);
            }
        }
        Ok(self.dir.rename(from, &other.dir, to)?)
    }

    fn hard_link(&self, from: &str, follow: bool, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let other = to_dir
            .as_any()
            .downcast_ref::<HostDir>()
            .ok_or(Errno::Xdev)?;
        let (from, to) = (check(from)?, check(to)?);
        if follow {
            // linkat(AT_SYMLINK_FOLLOW): link what the path leads to, resolved within `self`.
            let target = self.dir.canonicalize(from)?;
            new_name_with_slash(other, to)?;
            return Ok(self.dir.hard_link(target, &other.dir, to)?);
        }
        // Linux resolves the old path completely before it looks at the new one; cap-std resolves
        // both parents first, so a missing source would be reported as an error of `to`.
        self.stat_at(from, false)?;
        new_name_with_slash(other, to)?;
        Ok(self.dir.hard_link(from, &other.dir, to)?)
    }

    fn symlink(&self, target: &str, path: &str) -> Result<()> {
        // The target is checked first, as the in-memory tree does.
        if target.is_empty() {
            return Err(Errno::Noent);
        }
        if target.len() >= crate::resolve::PATH_MAX {
            return Err(Errno::Nametoolong);
        }
        if target.contains('\0') {
            return Err(Errno::Inval);
        }
        let path = check(path)?;
        new_name_with_slash(self, path)?;
        Ok(self.dir.symlink(target, path)?)
    }

    fn read_link(&self, path: &str) -> Result<String> {
        let target = self.dir.read_link_contents(check(path)?)?;
        target
            .into_os_string()
            .into_string()
            .map_err(|_| Errno::Ilseq)
    }

    fn stat_at(&self, path: &str, follow: bool) -> Result<Filestat> {
        let path = check(path)?;
        // A trailing slash follows a last symlink and must name a directory (POSIX); cap-std's
        // `symlink_metadata` drops it and would describe the file `a` for `a/`.
        let trailing_slash = path.ends_with('/');
        let meta = if follow || trailing_slash {
            self.dir.metadata(path)?
        } else {
            self.dir.symlink_metadata(path)?
        };
        if trailing_slash && !meta.is_dir() {
            return Err(Errno::Notdir);
        }
        Ok(cap_filestat(&meta))
    }

    fn set_times_at(
        &self,
        path: &str,
        follow: bool,
        atim: Option<Timestamp>,
        mtim: Option<Timestamp>,
    ) -> Result<()> {
        let path = check(path)?;
        if atim.is_none() && mtim.is_none() {
            // Linux's utimensat succeeds without even looking the path up when both times are
            // omitted; the path must still exist, as it must for the in-memory tree.
            return self.stat_at(path, follow).map(drop);
        }
        let (a, m) = (time_spec(atim), time_spec(mtim));
        if follow {
            Ok(self.dir.set_times(path, a, m)?)
        } else {
            Ok(self.dir.set_symlink_times(path, a, m)?)
        }
    }

    fn stat(&self) -> Result<Filestat> {
        Ok(cap_filestat(&self.dir.dir_metadata()?))
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        Ok(self.dir.set_times(".", time_spec(atim), time_spec(mtim))?)
    }

    fn entries(&self) -> Result<Vec<DirEntry>> {
        let dot = self.stat()?;
        let mut children = Vec::new();
        for entry in self.dir.entries()? {
            let entry = entry?;
            // WASI names are UTF-8; wasmtime answers EILSEQ for a host name that is not.
            let name = entry.file_name().into_string().map_err(|_| Errno::Ilseq)?;
            let ft = filetype(&entry.file_type()?);
            children.push(DirEntry {
                name,
                ino: entry.ino(),
                filetype: ft,
            });
        }
        // Sorted, so that readdir cookies (indices) mean the same entry between calls.
        children.sort_by(|a, b| a.name.cmp(&b.name));
        let mut out = Vec::with_capacity(children.len() + 2);
        out.push(DirEntry {
            name: ".".into(),
            ino: dot.ino,
            filetype: dot.filetype,
        });
        out.push(DirEntry {
            name: "..".into(),
            ino: dot.ino,
            filetype: dot.filetype,
        });
        out.extend(children);
        Ok(out)
    }

    fn sync(&self) -> Result<()> {
        // cap-std may hold a directory as an `O_PATH` descriptor, which fsync refuses (EBADF);
        // a read-only open of the directory itself can be synced.
        Ok(self.dir.open(".")?.sync_all()?)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fuzz;
