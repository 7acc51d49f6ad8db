//! Tar images of a directory tree: save a filesystem to bytes and load it back (the browser keeps
//! its files this way; the CLI can seed a run from an archive).
//!
//! - Export writes directories, regular files and symlinks in a deterministic order (a sorted,
//!   parents-first walk) with relative paths, owner 0 and fixed modes, so the same tree always
//!   gives the same bytes. Hard links come out as separate regular files; sockets and devices of
//!   host trees are left out. Tar keeps whole seconds, so sub-second times are lost.
//! - Import refuses an entry whose path is absolute or has a `..` component ([`Errno::Perm`])
//!   instead of writing it, and reports malformed archives as [`Errno::Inval`] or [`Errno::Io`].
//!   An existing non-directory in the way of an entry is replaced (unlinked first, so a symlink
//!   planted by an earlier entry is never written through); the target [`Dir`] confines
//!   everything else, so an archive's symlinks cannot lead outside it either.
//! - The `tar` crate turns `\` in names into `/`, so names containing `\` do not survive.

use std::io::{self, Read};

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
    let mut builder = Builder::new(Vec::new());
    ops::walk(dir, &mut |entry| append(&mut builder, entry))?;
    builder.into_inner().map_err(tar_err)
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

fn append(builder: &mut Builder<Vec<u8>>, entry: &WalkEntry<'_>) -> Result<()> {
    let stat = &entry.stat;
    match stat.filetype {
        FileType::Directory => {
            let mut h = header(stat, EntryType::Directory, 0o755, 0);
            builder
                .append_data(&mut h, entry.path, io::empty())
                .map_err(tar_err)
        }
        FileType::RegularFile => {
            let opts = OpenOptions {
                read: true,
                ..OpenOptions::default()
            };
            let file = entry.dir.open(entry.name, &opts)?.into_file()?;
            // Read first and size the header from what was read, so a file changing under us
            // cannot make the header and the data disagree.
            let mut data = Vec::new();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = file.read_at(&mut buf, data.len() as u64)?;
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
            }
            let mut h = header(stat, EntryType::Regular, 0o644, data.len() as u64);
            builder
                .append_data(&mut h, entry.path, data.as_slice())
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

/// Checks an archive path and makes it a plain relative path: `None` for the root itself
/// (`./`), [`Errno::Perm`] for anything that would leave the target directory.
fn sanitize(raw: &[u8]) -> Result<Option<String>> {
    let path = std::str::from_utf8(raw).map_err(|_| Errno::Inval)?;
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
    if path.starts_with('/') {
        return Err(Errno::Perm);
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(Errno::Perm),
            name => parts.push(name),
        }
    }
    Ok(if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    })
}

/// Makes room for a new non-directory at `path`: creates its parents and removes whatever
/// non-directory is already there.
fn prepare(dir: &dyn Dir, path: &str) -> Result<()> {
    if let Some((parent, _)) = path.rsplit_once('/') {
        ops::create_dir_all(dir, parent)?;
    }
    match dir.stat_at(path, false) {
        Ok(st) if st.filetype == FileType::Directory => Err(Errno::Isdir),
        Ok(_) => dir.unlink_file(path),
        Err(Errno::Noent) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Unpacks the tar archive `bytes` into `dir`, merging with what is there.
pub fn import(dir: &dyn Dir, bytes: &[u8]) -> Result<()> {
    let mut archive = tar::Archive::new(bytes);
    let mut dir_times = Vec::new();
    for entry in archive.entries().map_err(tar_err)? {
        let mut entry = entry.map_err(tar_err)?;
        let Some(path) = sanitize(&entry.path_bytes())? else {
            continue;
        };
        let kind = entry.header().entry_type();
        let mtime = entry
            .header()
            .mtime()
            .map_err(tar_err)?
            .saturating_mul(NANOS_PER_SEC);
        match kind {
            EntryType::Directory => {
                ops::create_dir_all(dir, &path)?;
                dir_times.push((path, mtime));
                continue;
            }
            EntryType::Regular | EntryType::Continuous => {
                prepare(dir, &path)?;
                let opts = OpenOptions {
                    write: true,
                    create: true,
                    exclusive: true,
                    ..Default::default()
                };
                let file = dir.open(&path, &opts)?.into_file()?;
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
                prepare(dir, &path)?;
                dir.symlink(&target, &path)?;
            }
            EntryType::Link => {
                let target = entry.link_name_bytes().ok_or(Errno::Inval)?;
                let target = sanitize(&target)?.ok_or(Errno::Inval)?;
                prepare(dir, &path)?;
                dir.hard_link(&target, false, dir, &path)?;
            }
            // Devices, FIFOs and unknown kinds cannot be represented; extension headers are
            // consumed by the iterator.
            _ => continue,
        }
        dir.set_times_at(&path, false, None, Some(mtime))?;
    }
    // Directory times last, deepest first: filling a directory changed its mtime.
    for (path, mtime) in dir_times.iter().rev() {
        dir.set_times_at(path, false, None, Some(*mtime))?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "tar_image_tests.rs"]
mod tests;
