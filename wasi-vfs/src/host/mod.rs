//! Host directories, confined with cap-std (native only, feature `host`).
//!
//! cap-std resolves every path component by component beneath its directory handle and refuses
//! whatever would leave it: `..` past the handle, absolute paths, symlinks with absolute targets
//! or leading out. Those refusals come back as `PermissionDenied`, which the crate's errno mapping
//! turns into [`Errno::Perm`], as in wasmtime.
//!
//! Differences from [`crate::mem::MemFs`], inherited from cap-std (and so from wasmtime):
//! - every `HostDir` is its own confinement root: `..` from a subdirectory handle cannot climb
//!   to the directory it was opened from;
//! - [`Dir::symlink`] refuses absolute targets ([`Errno::Perm`]) rather than planting a link
//!   that host programs outside the sandbox would follow;
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

/// Checks what cap-std would otherwise report less precisely.
fn check(path: &str) -> Result<&str> {
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    if path.starts_with('/') {
        return Err(Errno::Perm);
    }
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
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
            if opts.create {
                return Err(Errno::Inval);
            }
            if opts.write || opts.truncate {
                return Err(Errno::Isdir);
            }
            let dir = if follow_last {
                self.dir.open_dir(path)?
            } else {
                self.dir.open_dir_nofollow(path)?
            };
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
        self.open_node(check(path)?, opts)
    }

    fn create_dir(&self, path: &str) -> Result<()> {
        Ok(self.dir.create_dir(check(path)?)?)
    }

    fn remove_dir(&self, path: &str) -> Result<()> {
        if last_component(check(path)?) == "." {
            return Err(Errno::Inval);
        }
        Ok(self.dir.remove_dir(path)?)
    }

    fn unlink_file(&self, path: &str) -> Result<()> {
        Ok(self.dir.remove_file(check(path)?)?)
    }

    fn rename(&self, from: &str, to_dir: &dyn Dir, to: &str) -> Result<()> {
        let other = to_dir
            .as_any()
            .downcast_ref::<HostDir>()
            .ok_or(Errno::Xdev)?;
        Ok(self.dir.rename(check(from)?, &other.dir, check(to)?)?)
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
            return Ok(self.dir.hard_link(target, &other.dir, to)?);
        }
        Ok(self.dir.hard_link(from, &other.dir, to)?)
    }

    fn symlink(&self, target: &str, path: &str) -> Result<()> {
        if target.is_empty() {
            return Err(Errno::Noent);
        }
        Ok(self.dir.symlink(target, check(path)?)?)
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
        let meta = if follow {
            self.dir.metadata(path)?
        } else {
            self.dir.symlink_metadata(path)?
        };
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
        Ok(self.dir.try_clone()?.into_std_file().sync_all()?)
    }
}

#[cfg(test)]
mod tests;
