//! Directories of a Node-`fs`-like object (Node's own `fs`, memfs, napi-rs's proxy to the main
//! thread) mounted into a run: the JS adapter in `npm/src/path-api.cjs` answers the calls of a
//! [`PathApi`] and wasi-vfs's `PathDir` resolves and confines every path. Only the build Node
//! loads (feature `path-api`) has them; the imports are declared in both, for one JS glue.

#[cfg(feature = "path-api")]
use runtime_core::vfs::pathfs::{OpenFile, PathApi};
#[cfg(feature = "path-api")]
use runtime_core::vfs::{Errno, FileType, Filestat, Result, Timestamp};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `npm/src/path-api.cjs`'s adapter. Errors are thrown as Node's are, with a `code`. One entry
    /// for every call but the two that move bytes: each import adds JS glue to every page (the
    /// pages' build shares this glue), so there are three, not nineteen.
    pub type JsPathApi;
    /// Call number `op` ([`Op`]) with two paths and three numbers, as that call takes them.
    #[wasm_bindgen(method, catch)]
    fn call(this: &JsPathApi, op: u32, a: &str, b: &str, x: f64, y: f64, z: f64) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn read(this: &JsPathApi, fd: f64, buf: &mut [u8], offset: f64) -> std::result::Result<f64, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn write(this: &JsPathApi, fd: f64, buf: &[u8], offset: f64) -> std::result::Result<f64, JsValue>;
}

/// The calls of [`JsPathApi::call`], numbered as `path-api.cjs` numbers them.
#[cfg(feature = "path-api")]
#[derive(Clone, Copy)]
enum Op {
    /// `lstat(a)` → `[dev, ino, filetype, nlink, size, atim, mtim, ctim]` (BigUint64Array)
    Lstat = 0,
    /// `fstat(x)` → the same
    Fstat = 1,
    /// `readlink(a)` → string
    Readlink = 2,
    /// `readdir(a)` → the names joined by NUL (which no name holds)
    Readdir = 3,
    /// `open(a, flags x: 1 read, 2 write, 4 create, 8 truncate)` → fd
    Open = 4,
    Mkdir = 5,
    Rmdir = 6,
    Unlink = 7,
    /// `rename(a, b)`
    Rename = 8,
    /// `link(a, b)`
    Link = 9,
    /// `symlink(target a, path b)`
    Symlink = 10,
    /// `lutimes(a, atim x, mtim y)`, nanoseconds, NaN keeps a time
    Lutimes = 11,
    /// `futimes(fd x, atim y, mtim z)`
    Futimes = 12,
    /// `ftruncate(fd x, size y)`
    Ftruncate = 13,
    /// `fsync(x)`
    Fsync = 14,
    /// `close(x)`
    Close = 15,
}

#[cfg(feature = "path-api")]
impl JsPathApi {
    fn path_op(&self, op: Op, a: &str, b: &str, x: f64) -> Result<JsValue> {
        self.call(op as u32, a, b, x, 0.0, 0.0).map_err(errno)
    }
    fn fd_op(&self, op: Op, fd: f64, y: f64, z: f64) -> Result<JsValue> {
        self.call(op as u32, "", "", fd, y, z).map_err(errno)
    }
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
fn filestat(v: JsValue) -> Result<Filestat> {
    let v = js_sys::BigUint64Array::from(v).to_vec();
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

/// A time for the adapter: nanoseconds, NaN to keep it.
#[cfg(feature = "path-api")]
fn ns(t: Option<Timestamp>) -> f64 {
    t.map_or(f64::NAN, |t| t as f64)
}

#[cfg(feature = "path-api")]
impl PathApi for JsPathApi {
    type Fd = f64;
    fn lstat(&self, path: &str) -> Result<Filestat> {
        filestat(self.path_op(Op::Lstat, path, "", 0.0)?)
    }
    fn read_link(&self, path: &str) -> Result<String> {
        self.path_op(Op::Readlink, path, "", 0.0)?.as_string().ok_or(Errno::Io)
    }
    fn read_dir(&self, path: &str) -> Result<Vec<String>> {
        let names = self.path_op(Op::Readdir, path, "", 0.0)?.as_string().ok_or(Errno::Io)?;
        Ok(names.split('\0').filter(|n| !n.is_empty()).map(str::to_owned).collect())
    }
    fn open(&self, path: &str, how: OpenFile) -> Result<f64> {
        let flags = u8::from(how.read) | u8::from(how.write) << 1 | u8::from(how.create) << 2 | u8::from(how.truncate) << 3;
        self.path_op(Op::Open, path, "", f64::from(flags))?.as_f64().ok_or(Errno::Io)
    }
    fn mkdir(&self, path: &str) -> Result<()> {
        self.path_op(Op::Mkdir, path, "", 0.0).map(drop)
    }
    fn rmdir(&self, path: &str) -> Result<()> {
        self.path_op(Op::Rmdir, path, "", 0.0).map(drop)
    }
    fn unlink(&self, path: &str) -> Result<()> {
        self.path_op(Op::Unlink, path, "", 0.0).map(drop)
    }
    fn rename(&self, from: &str, to: &str) -> Result<()> {
        self.path_op(Op::Rename, from, to, 0.0).map(drop)
    }
    fn link(&self, from: &str, to: &str) -> Result<()> {
        self.path_op(Op::Link, from, to, 0.0).map(drop)
    }
    fn symlink(&self, target: &str, path: &str) -> Result<()> {
        self.path_op(Op::Symlink, target, path, 0.0).map(drop)
    }
    fn set_times(&self, path: &str, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.call(Op::Lutimes as u32, path, "", ns(atim), ns(mtim), 0.0).map(drop).map_err(errno)
    }
    fn read_at(&self, fd: &f64, buf: &mut [u8], offset: u64) -> Result<usize> {
        Ok(self.read(*fd, buf, offset as f64).map_err(errno)? as usize)
    }
    fn write_at(&self, fd: &f64, buf: &[u8], offset: u64) -> Result<usize> {
        Ok(self.write(*fd, buf, offset as f64).map_err(errno)? as usize)
    }
    fn fstat(&self, fd: &f64) -> Result<Filestat> {
        filestat(self.fd_op(Op::Fstat, *fd, 0.0, 0.0)?)
    }
    fn set_size(&self, fd: &f64, size: u64) -> Result<()> {
        self.fd_op(Op::Ftruncate, *fd, size as f64, 0.0).map(drop)
    }
    fn set_fd_times(&self, fd: &f64, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.fd_op(Op::Futimes, *fd, ns(atim), ns(mtim)).map(drop)
    }
    fn sync(&self, fd: &f64) -> Result<()> {
        self.fd_op(Op::Fsync, *fd, 0.0, 0.0).map(drop)
    }
    fn close(&self, fd: &f64) {
        let _ = self.fd_op(Op::Close, *fd, 0.0, 0.0);
    }
}
