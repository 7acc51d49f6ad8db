//! The tree every WASI target starts from, and whole-tree snapshots to compare backings with.

use wasi_vfs::{ops, Dir, FileType};

/// Seeds `dir` with files, directories and symlinks the static paths of [`crate::calls`] name:
/// `a`, `b` (empty), `d/e/f`, `l -> a`, `d/l -> ../a`, `dl -> d`, a loop, a dangling link, and
/// with `absolute`, `abs -> /etc/passwd` (a host directory refuses to make absolute links).
pub fn seed(dir: &dyn Dir, absolute: bool) -> wasi_vfs::Result<()> {
    ops::write_file(dir, "a", b"hello\n")?;
    ops::write_file(dir, "b", b"")?;
    ops::create_dir_all(dir, "d/e")?;
    ops::write_file(dir, "d/e/f", b"0123456789")?;
    dir.symlink("a", "l")?;
    dir.symlink("../a", "d/l")?;
    dir.symlink("d", "dl")?;
    dir.symlink("loop", "loop")?;
    dir.symlink("nothing", "dangling")?;
    if absolute {
        dir.symlink("/etc/passwd", "abs")?;
    }
    Ok(())
}

/// One entry of a [`snapshot`]: path, type, and contents (file data or symlink target).
pub type Entry = (String, FileType, Vec<u8>);

/// Everything beneath `dir`, in walk order, without times or inode numbers: what two backings
/// given the same calls must agree on.
pub fn snapshot(dir: &dyn Dir) -> wasi_vfs::Result<Vec<Entry>> {
    let mut out = Vec::new();
    ops::walk(dir, &mut |e| {
        let contents = match e.stat.filetype {
            FileType::RegularFile => ops::read_file(e.dir, e.name)?,
            FileType::SymbolicLink => e.dir.read_link(e.name)?.into_bytes(),
            _ => Vec::new(),
        };
        out.push((e.path.to_owned(), e.stat.filetype, contents));
        Ok(())
    })?;
    Ok(out)
}
