//! Whole-file and whole-tree helpers over any [`Dir`], for embedders (the JS filesystem API, the
//! CLI, tar images, overlay copy-up). They only use the traits, so they work on every backing.
//!
//! Deep trees are handled with explicit stacks of directory handles rather than recursion or
//! ever-longer path strings, so a tree deeper than `PATH_MAX` or the native stack still works.

use crate::{Dir, Errno, File, FileType, Filestat, OpenOptions, Result};

/// Chunk size for copies: large enough to be cheap, small enough not to matter in a browser.
const CHUNK: usize = 64 * 1024;

/// Reads the whole file at `path` (following symlinks).
pub fn read_file(dir: &dyn Dir, path: &str) -> Result<Vec<u8>> {
    let file = dir.open(path, &OpenOptions::read())?.into_file()?;
    let mut out = Vec::new();
    let mut buf = vec![0; CHUNK];
    loop {
        let n = file.read_at(&mut buf, out.len() as u64)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Writes `data` as the whole content of the file at `path`, creating or truncating it.
pub fn write_file(dir: &dyn Dir, path: &str, data: &[u8]) -> Result<()> {
    let file = dir
        .open(path, &OpenOptions::write_create_truncate())?
        .into_file()?;
    write_all_at(&*file, data, 0)
}

/// Writes all of `buf` at `offset`, retrying short writes.
pub fn write_all_at(file: &dyn File, mut buf: &[u8], mut offset: u64) -> Result<()> {
    while !buf.is_empty() {
        let n = file.write_at(buf, offset)?;
        if n == 0 {
            return Err(Errno::Io);
        }
        buf = buf.get(n..).ok_or(Errno::Io)?;
        offset += n as u64;
    }
    Ok(())
}

/// Copies the contents of `src` into `dst` from offset 0; returns the bytes copied.
pub fn copy_contents(src: &dyn File, dst: &dyn File) -> Result<u64> {
    let mut buf = vec![0; CHUNK];
    let mut offset = 0u64;
    loop {
        let n = src.read_at(&mut buf, offset)?;
        if n == 0 {
            return Ok(offset);
        }
        write_all_at(dst, &buf[..n], offset)?;
        offset += n as u64;
    }
}

/// Creates `path` and every missing parent, like `mkdir -p`. Existing directories (or symlinks
/// to them) are fine; anything else in the way gives [`Errno::Exist`].
pub fn create_dir_all(dir: &dyn Dir, path: &str) -> Result<()> {
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    if path.starts_with('/') {
        return Err(Errno::Perm);
    }
    let mut prefix = String::with_capacity(path.len());
    for (i, comp) in path.split('/').enumerate() {
        if i > 0 {
            prefix.push('/');
        }
        prefix.push_str(comp);
        if comp.is_empty() || comp == "." || comp == ".." {
            continue;
        }
        match dir.create_dir(&prefix) {
            Ok(()) => {}
            Err(Errno::Exist) => {
                if dir.stat_at(&prefix, true)?.filetype != FileType::Directory {
                    return Err(Errno::Exist);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether `path` names something (following symlinks). A missing path, or one going through a
/// non-directory, is `false`; other failures (escapes, loops) are errors.
pub fn exists(dir: &dyn Dir, path: &str) -> Result<bool> {
    match dir.stat_at(path, true) {
        Ok(_) => Ok(true),
        Err(Errno::Noent | Errno::Notdir) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Opens the directory at `path` without following a symlink there.
pub fn open_dir_nofollow(dir: &dyn Dir, path: &str) -> Result<Box<dyn Dir>> {
    let opts = OpenOptions {
        read: true,
        directory: true,
        ..OpenOptions::default()
    };
    dir.open(path, &opts)?.into_dir()
}

/// Child names of a directory listing, without `.` and `..`, sorted.
fn child_names(dir: &dyn Dir) -> Result<Vec<String>> {
    let mut names: Vec<String> = dir
        .entries()?
        .into_iter()
        .map(|e| e.name)
        .filter(|n| n != "." && n != "..")
        .collect();
    names.sort();
    Ok(names)
}

/// Removes `path` and, if it is a directory, everything beneath it (symlinks are removed, not
/// followed), like `rm -r`.
pub fn remove_all(dir: &dyn Dir, path: &str) -> Result<()> {
    if dir.stat_at(path, false)?.filetype != FileType::Directory {
        return dir.unlink_file(path);
    }
    clear_dir(open_dir_nofollow(dir, path)?)?;
    dir.remove_dir(path)
}

/// A directory being emptied: its handle, the names left in it, its name in its parent.
struct Frame {
    dir: Box<dyn Dir>,
    names: Vec<String>,
    name: Option<String>,
}

impl Frame {
    fn new(dir: Box<dyn Dir>, name: Option<String>) -> Result<Self> {
        let mut names = child_names(&*dir)?;
        names.reverse();
        Ok(Frame { dir, names, name })
    }
}

/// Empties the directory `top` (depth first), leaving it in place.
fn clear_dir(top: Box<dyn Dir>) -> Result<()> {
    let mut stack = vec![Frame::new(top, None)?];
    while let Some(frame) = stack.last_mut() {
        let Some(name) = frame.names.pop() else {
            let Some(done) = stack.pop() else { break };
            if let (Some(name), Some(parent)) = (done.name, stack.last()) {
                drop(done.dir);
                parent.dir.remove_dir(&name)?;
            }
            continue;
        };
        if frame.dir.stat_at(&name, false)?.filetype == FileType::Directory {
            let child = open_dir_nofollow(&*frame.dir, &name)?;
            let child = Frame::new(child, Some(name))?;
            stack.push(child);
        } else {
            frame.dir.unlink_file(&name)?;
        }
    }
    Ok(())
}

/// One entry met by [`walk`].
pub struct WalkEntry<'a> {
    /// The directory holding the entry, to open or read it by `name`.
    pub dir: &'a dyn Dir,
    /// The entry's name in `dir`.
    pub name: &'a str,
    /// The entry's path from the walk's root, `/`-separated.
    pub path: &'a str,
    /// The entry's attributes, not following a symlink.
    pub stat: Filestat,
}

/// Visits everything beneath `dir` (not `dir` itself): parents before children, names sorted
/// within each directory, symlinks not followed. The order is deterministic.
///
/// One path buffer serves every level (each level remembers only where its prefix ends), so a
/// walk holds memory linear in the depth, not in the sum of the paths along it.
pub fn walk(dir: &dyn Dir, visit: &mut dyn FnMut(&WalkEntry<'_>) -> Result<()>) -> Result<()> {
    struct Level {
        dir: Box<dyn Dir>,
        prefix_len: usize,
        names: Vec<String>,
    }
    let open_level = |dir: Box<dyn Dir>, prefix_len: usize| -> Result<Level> {
        let mut names = child_names(&*dir)?;
        names.reverse();
        Ok(Level { dir, prefix_len, names })
    };
    let mut path = String::new();
    let mut stack = vec![open_level(open_dir_nofollow(dir, ".")?, 0)?];
    while let Some(level) = stack.last_mut() {
        let Some(name) = level.names.pop() else {
            stack.pop();
            continue;
        };
        let stat = level.dir.stat_at(&name, false)?;
        path.truncate(level.prefix_len);
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&name);
        visit(&WalkEntry {
            dir: &*level.dir,
            name: &name,
            path: &path,
            stat,
        })?;
        if stat.filetype == FileType::Directory {
            let child = open_dir_nofollow(&*level.dir, &name)?;
            let child = open_level(child, path.len())?;
            stack.push(child);
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is the test failing
mod tests {
    use super::*;
    use crate::mem::MemFs;

    #[test]
    fn create_dir_all_and_exists() {
        let fs = MemFs::new();
        let root = fs.root();
        create_dir_all(&*root, "a/b/c").unwrap();
        create_dir_all(&*root, "a/b/c/").unwrap();
        root.symlink("a/b", "lb").unwrap();
        create_dir_all(&*root, "lb/c/d").unwrap();
        assert!(exists(&*root, "a/b/c/d").unwrap());
        write_file(&*root, "file", b"").unwrap();
        assert_eq!(create_dir_all(&*root, "file/x"), Err(Errno::Exist));
        assert_eq!(create_dir_all(&*root, "/abs"), Err(Errno::Perm));
        assert_eq!(create_dir_all(&*root, ""), Err(Errno::Noent));
        assert!(!exists(&*root, "file/x").unwrap());
        assert!(!exists(&*root, "nothing").unwrap());
        root.symlink("loop", "loop").unwrap();
        assert_eq!(exists(&*root, "loop"), Err(Errno::Loop));
    }

    /// Builds a chain of `depth` nested directories named `d` through handles, deeper than any
    /// single path may be.
    fn deep_tree(root: &dyn Dir, depth: usize) {
        root.create_dir("d").unwrap();
        let mut cur = open_dir_nofollow(root, "d").unwrap();
        for _ in 1..depth {
            cur.create_dir("d").unwrap();
            write_file(&*cur, "f", b"x").unwrap();
            cur = open_dir_nofollow(&*cur, "d").unwrap();
        }
    }

    #[test]
    fn walk_and_remove_all_handle_trees_deeper_than_path_max() {
        let fs = MemFs::new();
        let root = fs.root();
        deep_tree(&*root, 3000);
        let mut count = 0;
        let mut longest = 0;
        walk(&*root, &mut |e| {
            count += 1;
            longest = longest.max(e.path.len());
            Ok(())
        })
        .unwrap();
        assert_eq!(count, 3000 + 2999);
        assert!(longest > 4096);
        remove_all(&*root, "d").unwrap();
        assert_eq!(root.entries().unwrap().len(), 2);
        assert_eq!(fs.used_bytes(), 0);
    }

    #[test]
    fn walk_is_sorted_parents_first_and_does_not_follow_symlinks() {
        let fs = MemFs::new();
        let root = fs.root();
        create_dir_all(&*root, "b/x").unwrap();
        write_file(&*root, "a", b"").unwrap();
        write_file(&*root, "b/x/y", b"").unwrap();
        root.symlink("b", "c").unwrap();
        let mut seen = Vec::new();
        walk(&*root, &mut |e| {
            seen.push((e.path.to_owned(), e.stat.filetype));
            Ok(())
        })
        .unwrap();
        let paths: Vec<_> = seen.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["a", "b", "b/x", "b/x/y", "c"]);
        assert_eq!(seen[4].1, FileType::SymbolicLink);
        // remove_all removes the link, not what it points at.
        remove_all(&*root, "c").unwrap();
        assert!(exists(&*root, "b/x/y").unwrap());
    }
}
