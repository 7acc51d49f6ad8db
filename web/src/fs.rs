//! `FileSystem`: the in-memory tree pages read and write, mount into runs, and save as tar.

use runtime_core::vfs::{self, mem::MemFs, ops, Dir, FileType};
use wasm_bindgen::prelude::*;

use crate::errors::fs_error;

/// An in-memory filesystem. Paths are absolute (`/home/user/a.txt`) or relative to the root.
#[wasm_bindgen]
#[derive(Clone)]
pub struct FileSystem {
    fs: MemFs,
    /// Refuses every change with `EROFS` (a persistent tree another tab writes), for the page
    /// and for programs alike.
    read_only: std::rc::Rc<std::cell::Cell<bool>>,
}

/// `Date.now()` for the times files are stamped with (millisecond resolution).
#[cfg(target_arch = "wasm32")]
struct DateClock;

#[cfg(target_arch = "wasm32")]
impl vfs::Clock for DateClock {
    fn now(&self) -> vfs::Timestamp {
        (js_sys::Date::now() * 1e6) as u64
    }
}

fn rel(path: &str) -> &str {
    let p = path.trim_start_matches('/');
    if p.is_empty() {
        "."
    } else {
        p
    }
}

impl FileSystem {
    pub fn memfs(&self) -> &MemFs {
        &self.fs
    }
    fn root(&self) -> Box<dyn Dir> {
        self.fs.root()
    }
    /// The directory at `path`, confined to itself: what a preopen of a subtree must be.
    pub fn open_dir(&self, path: &str) -> Result<Box<dyn Dir>, JsValue> {
        let dir = self.fs.confined_dir(path).map_err(|e| fs_error(e, "opendir", path))?;
        Ok(if self.read_only.get() { Box::new(vfs::readonly::ReadOnlyDir::new(dir)) } else { dir })
    }

    /// `EROFS` for a change to a read-only tree.
    fn writable(&self, op: &str, path: &str) -> Result<(), JsValue> {
        if self.read_only.get() {
            return Err(fs_error(vfs::Errno::Rofs, op, path));
        }
        Ok(())
    }
}

/// Inodes as the page saves them: `[ino, record | undefined, bytes | undefined, isFile]` each
/// (see `wasi_vfs::mem::saved`).
#[cfg(feature = "runner")]
fn saved_to_js(saved: Vec<vfs::mem::SavedInode>) -> js_sys::Array {
    saved
        .into_iter()
        .map(|s| {
            let bytes = |b: Option<Vec<u8>>| b.map_or(JsValue::UNDEFINED, |b| js_sys::Uint8Array::from(&b[..]).into());
            let row = js_sys::Array::of3(&JsValue::from(s.ino as f64), &bytes(s.meta), &bytes(s.data));
            row.push(&JsValue::from(s.is_file));
            JsValue::from(row)
        })
        .collect()
}

impl Default for FileSystem {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl FileSystem {
    #[wasm_bindgen(constructor)]
    pub fn new() -> FileSystem {
        #[cfg(target_arch = "wasm32")]
        let fs = MemFs::with_clock(std::rc::Rc::new(DateClock));
        #[cfg(not(target_arch = "wasm32"))]
        let fs = MemFs::new();
        FileSystem { fs, read_only: Default::default() }
    }

    /// A tree from what `saveAll`/`takeChanges` gave: `[ino, record, bytes?]` rows. Throws
    /// `EIO` for rows that are not a tree.
    #[cfg(feature = "runner")]
    pub fn load(rows: js_sys::Array) -> Result<FileSystem, JsValue> {
        let mut inodes = Vec::with_capacity(rows.length() as usize);
        for row in rows.iter() {
            let row = js_sys::Array::from(&row);
            let bytes = |v: JsValue| v.dyn_into::<js_sys::Uint8Array>().ok().map(|a| a.to_vec());
            let ino = row.get(0).as_f64().unwrap_or(-1.0);
            let meta = bytes(row.get(1));
            match (ino >= 0.0, meta) {
                (true, Some(meta)) => inodes.push((ino as u64, meta, bytes(row.get(2)))),
                _ => return Err(fs_error(vfs::Errno::Io, "load", "/")),
            }
        }
        #[cfg(target_arch = "wasm32")]
        let clock: std::rc::Rc<dyn vfs::Clock> = std::rc::Rc::new(DateClock);
        #[cfg(not(target_arch = "wasm32"))]
        let clock: std::rc::Rc<dyn vfs::Clock> = std::rc::Rc::new(vfs::FixedClock(0));
        let fs = MemFs::load(clock, inodes).map_err(|e| fs_error(e, "load", "/"))?;
        Ok(FileSystem { fs, read_only: Default::default() })
    }

    /// Every inode as rows to save (see `load`); from now on `takeChanges` gives what changed.
    #[cfg(feature = "runner")]
    #[wasm_bindgen(js_name = saveAll)]
    pub fn save_all(&self) -> js_sys::Array {
        saved_to_js(self.fs.save_all())
    }

    /// The inodes changed since the last `saveAll`/`takeChanges` (a row without a record: gone).
    #[cfg(feature = "runner")]
    #[wasm_bindgen(js_name = takeChanges)]
    pub fn take_changes(&self) -> js_sys::Array {
        saved_to_js(self.fs.take_changes())
    }

    /// Refuses (or allows again) every change, by the page and by programs, with `EROFS`.
    #[wasm_bindgen(js_name = setReadOnly)]
    pub fn set_read_only(&self, yes: bool) {
        self.read_only.set(yes);
    }

    /// Caps the tree's size (files' bytes, plus 512 bytes and the path's length per name, about the
    /// size of its tar image); growing past it fails with `ENOSPC` in the program.
    #[wasm_bindgen(js_name = setQuota)]
    pub fn set_quota(&self, bytes: f64) {
        self.fs.set_quota(Some(bytes as u64));
    }

    /// Bytes held by files.
    #[wasm_bindgen(js_name = usedBytes)]
    pub fn used_bytes(&self) -> f64 {
        self.fs.used_bytes() as f64
    }

    /// Creates a directory (and its parents with `recursive`).
    pub fn mkdir(&self, path: &str, recursive: Option<bool>) -> Result<(), JsValue> {
        self.writable("mkdir", path)?;
        let r = if recursive.unwrap_or(false) {
            ops::create_dir_all(&*self.root(), rel(path))
        } else {
            self.root().create_dir(rel(path))
        };
        r.map_err(|e| fs_error(e, "mkdir", path))
    }

    /// Writes a whole file, creating or replacing it.
    #[wasm_bindgen(js_name = writeFile)]
    pub fn write_file(&self, path: &str, data: &[u8]) -> Result<(), JsValue> {
        self.writable("open", path)?;
        ops::write_file(&*self.root(), rel(path), data).map_err(|e| fs_error(e, "open", path))
    }

    /// Reads a whole file.
    #[wasm_bindgen(js_name = readFile)]
    pub fn read_file(&self, path: &str) -> Result<Vec<u8>, JsValue> {
        ops::read_file(&*self.root(), rel(path)).map_err(|e| fs_error(e, "open", path))
    }

    /// Names in a directory, sorted, without `.` and `..`.
    pub fn readdir(&self, path: &str) -> Result<Vec<String>, JsValue> {
        let dir = self.open_dir(path)?;
        let entries = dir.entries().map_err(|e| fs_error(e, "scandir", path))?;
        Ok(entries.into_iter().filter(|e| e.name != "." && e.name != "..").map(|e| e.name).collect())
    }

    /// Attributes of a path (symlinks followed unless `lstat`).
    pub fn stat(&self, path: &str, lstat: Option<bool>) -> Result<Vec<f64>, JsValue> {
        let st = self.root().stat_at(rel(path), !lstat.unwrap_or(false)).map_err(|e| fs_error(e, "stat", path))?;
        // `[type, size, mtimeMs, ino, nlink]`, type 0 file, 1 directory, 2 symlink, 3 other: plain
        // numbers, where a class would add its JS glue to every page.
        let kind = match st.filetype {
            FileType::RegularFile => 0.0,
            FileType::Directory => 1.0,
            FileType::SymbolicLink => 2.0,
            _ => 3.0,
        };
        Ok(vec![kind, st.size as f64, st.mtim as f64 / 1e6, st.ino as f64, st.nlink as f64])
    }

    /// Whether anything exists at `path` (without following a final symlink).
    pub fn exists(&self, path: &str) -> bool {
        self.root().stat_at(rel(path), false).is_ok()
    }

    /// POSIX rename.
    pub fn rename(&self, from: &str, to: &str) -> Result<(), JsValue> {
        self.writable("rename", from)?;
        let root = self.root();
        root.rename(rel(from), &*root, rel(to)).map_err(|e| fs_error(e, "rename", from))
    }

    /// Removes a file, a symlink, or a directory (non-empty ones only with `recursive`).
    pub fn remove(&self, path: &str, recursive: Option<bool>) -> Result<(), JsValue> {
        self.writable("rm", path)?;
        let root = self.root();
        let p = rel(path);
        let st = root.stat_at(p, false).map_err(|e| fs_error(e, "rm", path))?;
        let r = match (st.filetype, recursive.unwrap_or(false)) {
            (FileType::Directory, true) => ops::remove_all(&*root, p),
            (FileType::Directory, false) => root.remove_dir(p),
            _ => root.unlink_file(p),
        };
        r.map_err(|e| fs_error(e, "rm", path))
    }

    /// Creates a symlink at `path` pointing to `target`.
    pub fn symlink(&self, target: &str, path: &str) -> Result<(), JsValue> {
        self.writable("symlink", path)?;
        self.root().symlink(target, rel(path)).map_err(|e| fs_error(e, "symlink", path))
    }

    /// The target of a symlink.
    pub fn readlink(&self, path: &str) -> Result<String, JsValue> {
        self.root().read_link(rel(path)).map_err(|e| fs_error(e, "readlink", path))
    }

    /// The whole tree as a tar archive (the format `wrun --fs` mounts).
    #[cfg(feature = "runner")]
    #[wasm_bindgen(js_name = exportTar)]
    pub fn export_tar(&self) -> Result<Vec<u8>, JsValue> {
        vfs::tar_image::export(&*self.root()).map_err(|e| fs_error(e, "export", "/"))
    }

    /// Adds the contents of a tar archive (replacing files of the same name).
    #[cfg(feature = "runner")]
    #[wasm_bindgen(js_name = importTar)]
    pub fn import_tar(&self, tar: &[u8]) -> Result<(), JsValue> {
        self.writable("import", "/")?;
        vfs::tar_image::import(&*self.root(), tar).map_err(|e| fs_error(e, "import", "/"))
    }
}
