//! Tar images of a directory tree: save a filesystem to bytes and load it back (the browser keeps
//! its files this way; the CLI can seed a run from an archive).
//!
//! - Export writes directories, regular files and symlinks in a deterministic order (a sorted,
//!   parents-first walk) with relative paths, owner 0 and fixed modes, so the same tree always
//!   gives the same bytes. A file with several names is written once, its other names as hard
//!   links to the first. Names longer than a tar header holds use GNU long-name entries, so any
//!   depth round-trips. Sockets and devices of host trees are left out. Tar keeps whole seconds,
//!   so sub-second times are lost.
//! - Export and import take time and memory linear in the image: neither keeps more than one path
//!   at a time, and import never resolves a whole path (it walks down from the directory of the
//!   entry before), so an image deeper than `PATH_MAX` loads as well as a shallow one.
//! - Import refuses an entry whose path is absolute or has a `..` component ([`Errno::Perm`])
//!   instead of writing it, and reports malformed archives as [`Errno::Inval`] or [`Errno::Io`].
//!   An existing non-directory in the way of an entry is replaced (unlinked first, so a symlink
//!   planted by an earlier entry is never written through); the target [`Dir`] confines
//!   everything else, so an archive's symlinks cannot lead outside it either.
//! - The `tar` crate turns `\` in names into `/`, so names containing `\` do not survive.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Read, Write};

use tar::{Builder, EntryType, Header};

use crate::ops::{self, WalkEntry};
use crate::{Dir, Errno, FileType, Filestat, OpenOptions, Result};

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// Archive-level failures: truncated or corrupt data is the caller's input, not our I/O.
fn tar_err(err: io::Error) -> Errno {
    match err.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof => {
            Errno::Inval
        }
        _ => Errno::Io,
    }
}

/// Serializes everything beneath `dir` as a tar archive.
pub fn export(dir: &dyn Dir) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    export_to(dir, &mut out, &mut || Ok(()))?;
    Ok(out)
}

/// Writes everything beneath `dir` as a tar archive to `out`. `check` runs before each entry; an
/// error from it (a deadline passed, say) stops the export with that error.
pub fn export_to(dir: &dyn Dir, out: &mut dyn Write, check: &mut dyn FnMut() -> Result<()>) -> Result<()> {
    let mut builder = Builder::new(out);
    // Files with more than one name, by (dev, ino): the path they were first written at.
    let mut written: HashMap<(u64, u64), String> = HashMap::new();
    ops::walk(dir, &mut |entry| {
        check()?;
        append(&mut builder, entry, &mut written)
    })?;
    builder.finish().map_err(tar_err)
}

fn header(stat: &Filestat, kind: EntryType, mode: u32, size: u64) -> Header {
    let mut h = Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(stat.mtim / NANOS_PER_SEC);
    h.set_uid(0);
    h.set_gid(0);
    h
}

fn append(
    builder: &mut Builder<&mut dyn Write>,
    entry: &WalkEntry<'_>,
    written: &mut HashMap<(u64, u64), String>,
) -> Result<()> {
    let stat = &entry.stat;
    match stat.filetype {
        FileType::Directory => {
            let mut h = header(stat, EntryType::Directory, 0o755, 0);
            builder
                .append_data(&mut h, entry.path, io::empty())
                .map_err(tar_err)
        }
        FileType::RegularFile => {
            if stat.nlink > 1 {
                if let Some(first) = written.get(&(stat.dev, stat.ino)) {
                    let mut h = header(stat, EntryType::Link, 0o644, 0);
                    return builder
                        .append_link(&mut h, entry.path, first)
                        .map_err(tar_err);
                }
                written.insert((stat.dev, stat.ino), entry.path.to_owned());
            }
            let opts = OpenOptions {
                read: true,
                ..OpenOptions::default()
            };
            let file = entry.dir.open(entry.name, &opts)?.into_file()?;
            let size = file.stat()?.size;
            let mut h = header(stat, EntryType::Regular, 0o644, size);
            let mut contents = Contents { file: &*file, at: 0, size };
            builder
                .append_data(&mut h, entry.path, &mut contents)
                .map_err(tar_err)
        }
        FileType::SymbolicLink => {
            let target = entry.dir.read_link(entry.name)?;
            let mut h = header(stat, EntryType::Symlink, 0o777, 0);
            builder
                .append_link(&mut h, entry.path, target)
                .map_err(tar_err)
        }
        // Sockets and devices have no meaning in a WASI image.
        _ => Ok(()),
    }
}

/// A file's bytes as the header announced them: exactly `size` bytes, streamed, so a file of any
/// size costs one buffer. Should the file change meanwhile, it is cut or zero-padded to `size`
/// rather than let the header and the data disagree.
struct Contents<'a> {
    file: &'a dyn crate::File,
    at: u64,
    size: u64,
}

impl Read for Contents<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min((self.size - self.at) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = match self.file.read_at(&mut buf[..want], self.at) {
            Ok(0) => {
                buf[..want].fill(0);
                want
            }
            Ok(n) => n,
            Err(e) => return Err(io::Error::other(e)),
        };
        self.at += n as u64;
        Ok(n)
    }
}

/// Checks an archive path and makes it a plain relative path (`a/b`): empty for the root itself
/// (`./`), [`Errno::Perm`] for anything that would leave the target directory. A path that is
/// already plain is returned as it is, without a copy.
fn sanitize(raw: &[u8]) -> Result<Cow<'_, str>> {
    let path = std::str::from_utf8(raw).map_err(|_| Errno::Inval)?;
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
    if path.starts_with('/') {
        return Err(Errno::Perm);
    }
    let mut plain = true;
    for part in path.split('/') {
        match part {
            ".." => return Err(Errno::Perm),
            "" | "." => plain = false,
            _ => {}
        }
    }
    if plain {
        return Ok(Cow::Borrowed(path));
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    Ok(Cow::Owned(parts.join("/")))
}

/// `path` split into its directory (`""` for the top) and its last name.
fn split_last(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// How many leading bytes `a` and `b` share, compared a block at a time (deep archives repeat
/// long prefixes entry after entry).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// One directory on the cursor's chain: its handle, where its name ends in the cursor's path,
/// and the modification time its archive entry gave it (set when the cursor leaves it, as
/// filling it changed it).
struct Level {
    dir: Box<dyn Dir>,
    end: usize,
    mtime: Option<u64>,
}

/// The chain of directories holding the entry unpacked last. Entries of one directory follow
/// each other in an archive written parents first (ours, GNU tar's), so their parents' handles
/// are reused and a path is never resolved whole: an image deeper than `PATH_MAX` loads, in time
/// linear in its size. (In an archive that comes back to a directory it left, that directory's
/// time is the later one.)
struct Cursor<'a> {
    root: &'a dyn Dir,
    path: String,
    levels: Vec<Level>,
}

impl<'a> Cursor<'a> {
    fn new(root: &'a dyn Dir) -> Self {
        Cursor { root, path: String::new(), levels: Vec::new() }
    }

    fn top(&self) -> &dyn Dir {
        self.levels.last().map_or(self.root, |l| &*l.dir)
    }

    /// The directory at the plain path `path`, creating what is missing (as `mkdir -p`,
    /// following a symlink to a directory; the root [`Dir`] confines where it may lead).
    fn enter(&mut self, path: &str) -> Result<&dyn Dir> {
        let shared = common_prefix(self.path.as_bytes(), path.as_bytes());
        let at_boundary = path.len() == shared || path.as_bytes()[shared] == b'/';
        let keep = self.levels.partition_point(|l| l.end < shared || (l.end == shared && at_boundary));
        self.leave_to(keep)?;
        let start = self.levels.last().map_or(0, |l| l.end);
        let rest = &path[start..];
        for name in rest.split('/').filter(|n| !n.is_empty()) {
            let parent = self.top();
            match parent.create_dir(name) {
                Ok(()) | Err(Errno::Exist) => {}
                Err(e) => return Err(e),
            }
            // Something else in the way is EEXIST, as `mkdir -p` reports it.
            let dir = parent.open(name, &DIR_FOLLOW).map_err(|e| if e == Errno::Notdir { Errno::Exist } else { e })?;
            if !self.path.is_empty() {
                self.path.push('/');
            }
            self.path.push_str(name);
            self.levels.push(Level { dir: dir.into_dir()?, end: self.path.len(), mtime: None });
        }
        Ok(self.top())
    }

    /// Records the modification time of the directory the cursor is in.
    fn set_mtime(&mut self, mtime: u64) {
        if let Some(level) = self.levels.last_mut() {
            level.mtime = Some(mtime);
        }
    }

    /// Leaves every directory below the first `keep`, deepest first, giving each its time.
    fn leave_to(&mut self, keep: usize) -> Result<()> {
        while self.levels.len() > keep {
            let Some(level) = self.levels.pop() else { break };
            if let Some(mtime) = level.mtime {
                level.dir.set_times(None, Some(mtime))?;
            }
        }
        self.path.truncate(self.levels.last().map_or(0, |l| l.end));
        Ok(())
    }
}

/// Makes room for a new non-directory `name` in `dir` by removing whatever non-directory is there.
fn prepare(dir: &dyn Dir, name: &str) -> Result<()> {
    match dir.stat_at(name, false) {
        Ok(st) if st.filetype == FileType::Directory => Err(Errno::Isdir),
        Ok(_) => dir.unlink_file(name),
        Err(Errno::Noent) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Unpacks the tar archive `bytes` into `dir`, merging with what is there.
pub fn import(dir: &dyn Dir, bytes: &[u8]) -> Result<()> {
    import_from(dir, bytes)
}

/// Unpacks a tar archive read from `reader` into `dir`, merging with what is there. Memory stays
/// bounded by the largest entry, whatever the archive's size.
pub fn import_from(dir: &dyn Dir, reader: impl Read) -> Result<()> {
    let mut archive = tar::Archive::new(reader);
    let mut cursor = Cursor::new(dir);
    for entry in archive.entries().map_err(tar_err)? {
        let mut entry = entry.map_err(tar_err)?;
        let raw_path = entry.path_bytes().into_owned();
        let path = sanitize(&raw_path)?;
        if path.is_empty() {
            continue;
        }
        let (parents, name) = split_last(&path);
        let kind = entry.header().entry_type();
        let mtime = entry
            .header()
            .mtime()
            .map_err(tar_err)?
            .saturating_mul(NANOS_PER_SEC);
        match kind {
            EntryType::Directory => {
                cursor.enter(&path)?;
                cursor.set_mtime(mtime);
                continue;
            }
            EntryType::Regular | EntryType::Continuous => {
                let parent = cursor.enter(parents)?;
                prepare(parent, name)?;
                let opts = OpenOptions {
                    write: true,
                    create: true,
                    exclusive: true,
                    ..Default::default()
                };
                let file = parent.open(name, &opts)?.into_file()?;
                let mut buf = vec![0u8; 64 * 1024];
                let mut offset = 0u64;
                loop {
                    let n = entry.read(&mut buf).map_err(tar_err)?;
                    if n == 0 {
                        break;
                    }
                    ops::write_all_at(&*file, &buf[..n], offset)?;
                    offset += n as u64;
                }
            }
            EntryType::Symlink => {
                let target = entry.link_name_bytes().ok_or(Errno::Inval)?;
                let target = std::str::from_utf8(&target)
                    .map_err(|_| Errno::Inval)?
                    .to_owned();
                let parent = cursor.enter(parents)?;
                prepare(parent, name)?;
                parent.symlink(&target, name)?;
            }
            EntryType::Link => {
                let raw_target = entry.link_name_bytes().ok_or(Errno::Inval)?.into_owned();
                let target = sanitize(&raw_target)?;
                if target.is_empty() {
                    return Err(Errno::Inval);
                }
                let (target_parents, target_name) = split_last(&target);
                let source = open_existing_dir(dir, target_parents)?;
                let parent = cursor.enter(parents)?;
                prepare(parent, name)?;
                source.hard_link(target_name, false, parent, name)?;
            }
            // Devices, FIFOs and unknown kinds cannot be represented; extension headers are
            // consumed by the iterator.
            _ => continue,
        }
        cursor.enter(parents)?.set_times_at(name, false, None, Some(mtime))?;
    }
    cursor.leave_to(0)
}

/// The existing directory at the plain path `path` from `root`, opened one name at a time.
fn open_existing_dir(root: &dyn Dir, path: &str) -> Result<Box<dyn Dir>> {
    let mut dir = ops::open_dir_nofollow(root, ".")?;
    for name in path.split('/').filter(|n| !n.is_empty()) {
        dir = dir.open(name, &DIR_FOLLOW)?.into_dir()?;
    }
    Ok(dir)
}

/// Opening a directory, following a symlink to one.
const DIR_FOLLOW: OpenOptions = OpenOptions {
    read: true,
    write: false,
    create: false,
    exclusive: false,
    truncate: false,
    directory: true,
    follow: true,
};

#[cfg(test)]
#[path = "tar_image_tests.rs"]
mod tests;
