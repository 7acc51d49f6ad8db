//! Directories of a Node-`fs`-like object (Node's own `fs`, memfs, napi-rs's proxy to the main
//! thread) mounted into a run: the JS adapter in `npm/src/path-api.js` answers the calls of a
//! [`PathApi`] and wasi-vfs's `PathDir` resolves and confines every path. Only the build Node
//! loads (feature `path-api`) has them; the imports are declared in both, for one JS glue.

#[cfg(feature = "path-api")]
use runtime_core::vfs::pathfs::{OpenFile, PathApi};
#[cfg(feature = "path-api")]
use runtime_core::vfs::{Errno, FileType, Filestat, Result, Timestamp};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `npm/src/path-api.js`'s adapter. Errors are thrown as Node's are, with a `code`.
    pub type JsPathApi;
    #[wasm_bindgen(method, catch)]
    fn lstat(this: &JsPathApi, path: &str) -> std::result::Result<Vec<u64>, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn fstat(this: &JsPathApi, fd: f64) -> std::result::Result<Vec<u64>, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn readlink(this: &JsPathApi, path: &str) -> std::result::Result<String, JsValue>;
    /// The names, joined by NUL (which no name holds).
    #[wasm_bindgen(method, catch)]
    fn readdir(this: &JsPathApi, path: &str) -> std::result::Result<String, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn open(this: &JsPathApi, path: &str, read: bool, write: bool, create: bool, truncate: bool) -> std::result::Result<f64, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn mkdir(this: &JsPathApi, path: &str) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn rmdir(this: &JsPathApi, path: &str) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn unlink(this: &JsPathApi, path: &str) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn rename(this: &JsPathApi, from: &str, to: &str) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn link(this: &JsPathApi, from: &str, to: &str) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn symlink(this: &JsPathApi, target: &str, path: &str) -> std::result::Result<(), JsValue>;
    /// Times in nanoseconds; `undefined` keeps one.
    #[wasm_bindgen(method, catch)]
    fn lutimes(this: &JsPathApi, path: &str, atim: Option<f64>, mtim: Option<f64>) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn futimes(this: &JsPathApi, fd: f64, atim: Option<f64>, mtim: Option<f64>) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn read(this: &JsPathApi, fd: f64, buf: &mut [u8], offset: f64) -> std::result::Result<f64, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn write(this: &JsPathApi, fd: f64, buf: &[u8], offset: f64) -> std::result::Result<f64, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn ftruncate(this: &JsPathApi, fd: f64, size: f64) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn fsync(this: &JsPathApi, fd: f64) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn close(this: &JsPathApi, fd: f64) -> std::result::Result<(), JsValue>;
}

/// The WASI errno for an error Node's `fs` threw (its `code`); anything else is `EIO`.
#[cfg(feature = "path-api")]
fn errno(e: JsValue) -> Errno {
    let code = js_sys::Reflect::get(&e, &"code".into()).ok().and_then(|c| c.as_string()).unwrap_or_default();
    match code.as_str() {
        "ENOENT" => Errno::Noent,
        "EEXIST" => Errno::Exist,
        "ENOTDIR" => Errno::Notdir,
        "EISDIR" => Errno::Isdir,
        "ENOTEMPTY" => Errno::Notempty,
        "EACCES" => Errno::Acces,
        "EPERM" => Errno::Perm,
        "EINVAL" => Errno::Inval,
        "ELOOP" => Errno::Loop,
        "EXDEV" => Errno::Xdev,
        "EBADF" => Errno::Badf,
        "EBUSY" => Errno::Busy,
        "EMFILE" => Errno::Mfile,
        "ENFILE" => Errno::Nfile,
        "ENOSPC" => Errno::Nospc,
        "EROFS" => Errno::Rofs,
        "EFBIG" => Errno::Fbig,
        "ENAMETOOLONG" => Errno::Nametoolong,
        "EMLINK" => Errno::Mlink,
        "ETXTBSY" => Errno::Txtbsy,
        "ENXIO" => Errno::Nxio,
        "EAGAIN" => Errno::Again,
        "EDQUOT" => Errno::Dquot,
        "ENOSYS" | "ENOTSUP" | "EOPNOTSUPP" => Errno::Notsup,
        _ => Errno::Io,
    }
}

#[cfg(feature = "path-api")]
/// `[dev, ino, filetype, nlink, size, atim, mtim, ctim]` as the adapter returns a stat.
fn filestat(v: Vec<u64>) -> Result<Filestat> {
    let [dev, ino, filetype, nlink, size, atim, mtim, ctim] = v[..] else { return Err(Errno::Io) };
    let filetype = match filetype {
        3 => FileType::Directory,
        4 => FileType::RegularFile,
        7 => FileType::SymbolicLink,
        2 => FileType::CharacterDevice,
        1 => FileType::BlockDevice,
        6 => FileType::SocketStream,
        _ => FileType::Unknown,
    };
    Ok(Filestat { dev, ino, filetype, nlink, size, atim, mtim, ctim })
}

#[cfg(feature = "path-api")]
fn ns(t: Option<Timestamp>) -> Option<f64> {
    t.map(|t| t as f64)
}

#[cfg(feature = "path-api")]
impl PathApi for JsPathApi {
    type Fd = f64;
    fn lstat(&self, path: &str) -> Result<Filestat> {
        filestat(JsPathApi::lstat(self, path).map_err(errno)?)
    }
    fn read_link(&self, path: &str) -> Result<String> {
        self.readlink(path).map_err(errno)
    }
    fn read_dir(&self, path: &str) -> Result<Vec<String>> {
        let names = self.readdir(path).map_err(errno)?;
        Ok(names.split('\0').filter(|n| !n.is_empty()).map(str::to_owned).collect())
    }
    fn open(&self, path: &str, how: OpenFile) -> Result<f64> {
        JsPathApi::open(self, path, how.read, how.write, how.create, how.truncate).map_err(errno)
    }
    fn mkdir(&self, path: &str) -> Result<()> {
        JsPathApi::mkdir(self, path).map_err(errno)
    }
    fn rmdir(&self, path: &str) -> Result<()> {
        JsPathApi::rmdir(self, path).map_err(errno)
    }
    fn unlink(&self, path: &str) -> Result<()> {
        JsPathApi::unlink(self, path).map_err(errno)
    }
    fn rename(&self, from: &str, to: &str) -> Result<()> {
        JsPathApi::rename(self, from, to).map_err(errno)
    }
    fn link(&self, from: &str, to: &str) -> Result<()> {
        JsPathApi::link(self, from, to).map_err(errno)
    }
    fn symlink(&self, target: &str, path: &str) -> Result<()> {
        JsPathApi::symlink(self, target, path).map_err(errno)
    }
    fn set_times(&self, path: &str, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.lutimes(path, ns(atim), ns(mtim)).map_err(errno)
    }
    fn read_at(&self, fd: &f64, buf: &mut [u8], offset: u64) -> Result<usize> {
        Ok(self.read(*fd, buf, offset as f64).map_err(errno)? as usize)
    }
    fn write_at(&self, fd: &f64, buf: &[u8], offset: u64) -> Result<usize> {
        Ok(self.write(*fd, buf, offset as f64).map_err(errno)? as usize)
    }
    fn fstat(&self, fd: &f64) -> Result<Filestat> {
        filestat(JsPathApi::fstat(self, *fd).map_err(errno)?)
    }
    fn set_size(&self, fd: &f64, size: u64) -> Result<()> {
        self.ftruncate(*fd, size as f64).map_err(errno)
    }
    fn set_fd_times(&self, fd: &f64, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.futimes(*fd, ns(atim), ns(mtim)).map_err(errno)
    }
    fn sync(&self, fd: &f64) -> Result<()> {
        self.fsync(*fd).map_err(errno)
    }
    fn close(&self, fd: &f64) {
        let _ = JsPathApi::close(self, *fd);
    }
}
