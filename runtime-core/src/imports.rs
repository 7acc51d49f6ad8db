//! The import table: every `wasi_snapshot_preview1` function, its signature, and the dispatch
//! from raw arguments to the syscall that implements it.
//!
//! Engines register each [`WasiFunc`] under [`MODULE`] with the signature from
//! [`WasiFunc::params`] and make calls through [`crate::dispatch::call`]. The table is one line a
//! function, written out by hand so every signature can be found with grep; a macro turns each
//! line into the signature, the decoding of the raw arguments and the call of the handler.

use crate::ctx::WasiCtx;
use crate::error::{SysError, SysResult};
use crate::memory::{GuestMemory, Out};
use crate::syscalls::{args_env, clock, fd, fd_attrs, path, poll, proc, random, readdir, sock};

/// The import module name.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// Which WASI a module imports: preview 1, or its predecessor `wasi_unstable` (snapshot 0, before
/// 2020), whose few differences [`crate::unstable`] translates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum WasiVersion {
    #[default]
    Preview1,
    Unstable,
}

impl WasiVersion {
    pub const ALL: [WasiVersion; 2] = [WasiVersion::Preview1, WasiVersion::Unstable];

    /// The import module name.
    pub fn module(self) -> &'static str {
        match self {
            WasiVersion::Preview1 => MODULE,
            WasiVersion::Unstable => crate::unstable::MODULE,
        }
    }

    pub fn from_module(module: &str) -> Option<WasiVersion> {
        WasiVersion::ALL.into_iter().find(|v| v.module() == module)
    }

    /// Whether this version has `func` (snapshot 0 has all but `sock_accept`).
    pub fn has(self, func: WasiFunc) -> bool {
        self == WasiVersion::Preview1 || func != WasiFunc::SockAccept
    }
}

/// A wasm value type in a WASI signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    I32,
    I64,
}

/// A Rust type a WASI argument decodes into, which fixes its wasm type: `u32` is an `i32`;
/// `u64` and `i64` are an `i64`. The table below declares each argument once with its type, and
/// both the signature engines register and the decoding follow from it, so an `i32` given where
/// the handler takes a `u64` does not compile.
pub trait Param: Sized {
    const TYPE: ValType;
    /// From the raw value (an `i32` zero-extended, an `i64` as its bits). Output pointers are
    /// checked against `mem` here, before the handler runs.
    fn decode(raw: u64, mem: &dyn GuestMemory) -> SysResult<Self>;
}

impl Param for u32 {
    const TYPE: ValType = ValType::I32;
    fn decode(raw: u64, _mem: &dyn GuestMemory) -> SysResult<Self> {
        Ok(raw as u32)
    }
}

impl Param for u64 {
    const TYPE: ValType = ValType::I64;
    fn decode(raw: u64, _mem: &dyn GuestMemory) -> SysResult<Self> {
        Ok(raw)
    }
}

impl Param for i64 {
    const TYPE: ValType = ValType::I64;
    fn decode(raw: u64, _mem: &dyn GuestMemory) -> SysResult<Self> {
        Ok(raw as i64)
    }
}

/// An output pointer: an `i32`, checked for `N` bytes.
impl<const N: usize> Param for Out<N> {
    const TYPE: ValType = ValType::I32;
    fn decode(raw: u64, mem: &dyn GuestMemory) -> SysResult<Self> {
        Out::checked(raw as u32, mem)
    }
}

macro_rules! wasi_funcs {
    ($($variant:ident = $name:literal => $module:ident::$handler:ident($($arg:ident: $ty:ty),*);)*) => {
        /// One function of WASI preview 1.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum WasiFunc { $($variant),* }

        impl WasiFunc {
            /// Every function, in spec order.
            pub const ALL: &'static [WasiFunc] = &[$(WasiFunc::$variant),*];

            /// The import name.
            pub fn name(self) -> &'static str {
                match self { $(WasiFunc::$variant => $name),* }
            }

            /// Parameter types. Every function returns one `i32` errno except `proc_exit`.
            pub fn params(self) -> &'static [ValType] {
                match self { $(WasiFunc::$variant => &[$(<$ty as Param>::TYPE),*]),* }
            }
        }

        /// Calls `func` with raw arguments (each `i32` zero-extended or `i64` as bits) and returns
        /// the errno to give back to the guest: `Ok(0)` on success, `Ok(errno)` on a failure the
        /// guest sees, `Err` for a trap, an exit or a suspension. Engines use
        /// [`crate::dispatch::call`], which says what to do with each of those.
        pub fn call(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, func: WasiFunc, raw: &[u64]) -> SysResult<u16> {
            if raw.len() != func.params().len() {
                return Err(SysError::Trap(format!("{}: expected {} arguments", func.name(), func.params().len())));
            }
            call_checked(ctx, mem, func, raw)
        }

        /// [`call`] once the arguments are known to be as many as `func` takes (a missing one
        /// would read as 0).
        #[inline]
        pub(crate) fn call_checked(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, func: WasiFunc, raw: &[u64]) -> SysResult<u16> {
            let mut at = 0;
            let mut next = || {
                let v = raw.get(at).copied().unwrap_or(0);
                at += 1;
                v
            };
            let result = match func {
                // Every argument decoded (and every output pointer checked) in order, then the call.
                $(WasiFunc::$variant => {
                    $(let $arg = <$ty as Param>::decode(next(), &*mem)?;)*
                    $module::$handler(ctx, mem, $($arg),*)
                })*
            };
            match result {
                Ok(()) => Ok(0),
                Err(SysError::Errno(e)) => Ok(e.raw()),
                Err(other) => Err(other),
            }
        }
    };
}

// The table: each function's import name, handler and arguments, in the order and with the names
// of wasi_snapshot_preview1.witx (pointers and lengths are `u32`).
wasi_funcs! {
    ArgsGet = "args_get" => args_env::args_get(argv: u32, argv_buf: u32);
    ArgsSizesGet = "args_sizes_get" => args_env::args_sizes_get(argc: Out<4>, argv_buf_size: Out<4>);
    EnvironGet = "environ_get" => args_env::environ_get(environ: u32, environ_buf: u32);
    EnvironSizesGet = "environ_sizes_get" => args_env::environ_sizes_get(count: Out<4>, size: Out<4>);
    ClockResGet = "clock_res_get" => clock::clock_res_get(id: u32, resolution: Out<8>);
    ClockTimeGet = "clock_time_get" => clock::clock_time_get(id: u32, precision: u64, time: Out<8>);
    FdAdvise = "fd_advise" => fd_attrs::fd_advise(fd: u32, offset: u64, len: u64, advice: u32);
    FdAllocate = "fd_allocate" => fd_attrs::fd_allocate(fd: u32, offset: u64, len: u64);
    FdClose = "fd_close" => fd::fd_close(fd: u32);
    FdDatasync = "fd_datasync" => fd::fd_datasync(fd: u32);
    FdFdstatGet = "fd_fdstat_get" => fd_attrs::fd_fdstat_get(fd: u32, stat: Out<24>);
    FdFdstatSetFlags = "fd_fdstat_set_flags" => fd_attrs::fd_fdstat_set_flags(fd: u32, flags: u32);
    FdFdstatSetRights = "fd_fdstat_set_rights" => fd_attrs::fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64);
    FdFilestatGet = "fd_filestat_get" => fd_attrs::fd_filestat_get(fd: u32, buf: Out<64>);
    FdFilestatSetSize = "fd_filestat_set_size" => fd_attrs::fd_filestat_set_size(fd: u32, size: u64);
    FdFilestatSetTimes = "fd_filestat_set_times" => fd_attrs::fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32);
    FdPread = "fd_pread" => fd::fd_pread(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: Out<4>);
    FdPrestatGet = "fd_prestat_get" => fd_attrs::fd_prestat_get(fd: u32, buf: Out<8>);
    FdPrestatDirName = "fd_prestat_dir_name" => fd_attrs::fd_prestat_dir_name(fd: u32, path: u32, path_len: u32);
    FdPwrite = "fd_pwrite" => fd::fd_pwrite(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: Out<4>);
    FdRead = "fd_read" => fd::fd_read(fd: u32, iovs: u32, iovs_len: u32, nread: Out<4>);
    FdReaddir = "fd_readdir" => readdir::fd_readdir(fd: u32, buf: u32, buf_len: u32, cookie: u64, bufused: Out<4>);
    FdRenumber = "fd_renumber" => fd::fd_renumber(from: u32, to: u32);
    FdSeek = "fd_seek" => fd::fd_seek(fd: u32, offset: i64, whence: u32, newoffset: Out<8>);
    FdSync = "fd_sync" => fd::fd_sync(fd: u32);
    FdTell = "fd_tell" => fd::fd_tell(fd: u32, offset: Out<8>);
    FdWrite = "fd_write" => fd::fd_write(fd: u32, iovs: u32, iovs_len: u32, nwritten: Out<4>);
    PathCreateDirectory = "path_create_directory" => path::path_create_directory(fd: u32, path: u32, path_len: u32);
    PathFilestatGet = "path_filestat_get" => path::path_filestat_get(fd: u32, flags: u32, path: u32, path_len: u32, buf: Out<64>);
    PathFilestatSetTimes = "path_filestat_set_times" => path::path_filestat_set_times(fd: u32, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64, fst_flags: u32);
    PathLink = "path_link" => path::path_link(old_fd: u32, old_flags: u32, old_path: u32, old_path_len: u32, new_fd: u32, new_path: u32, new_path_len: u32);
    PathOpen = "path_open" => path::path_open(dirfd: u32, dirflags: u32, path: u32, path_len: u32, oflags: u32, rights_base: u64, rights_inheriting: u64, fdflags: u32, opened_fd: Out<4>);
    PathReadlink = "path_readlink" => path::path_readlink(fd: u32, path: u32, path_len: u32, buf: u32, buf_len: u32, bufused: Out<4>);
    PathRemoveDirectory = "path_remove_directory" => path::path_remove_directory(fd: u32, path: u32, path_len: u32);
    PathRename = "path_rename" => path::path_rename(fd: u32, old_path: u32, old_path_len: u32, new_fd: u32, new_path: u32, new_path_len: u32);
    PathSymlink = "path_symlink" => path::path_symlink(old_path: u32, old_path_len: u32, fd: u32, new_path: u32, new_path_len: u32);
    PathUnlinkFile = "path_unlink_file" => path::path_unlink_file(fd: u32, path: u32, path_len: u32);
    PollOneoff = "poll_oneoff" => poll::poll_oneoff(in_ptr: u32, out_ptr: u32, nsubscriptions: u32, nevents: Out<4>);
    ProcExit = "proc_exit" => proc::proc_exit(code: u32);
    ProcRaise = "proc_raise" => proc::proc_raise(sig: u32);
    SchedYield = "sched_yield" => proc::sched_yield();
    RandomGet = "random_get" => random::random_get(buf: u32, len: u32);
    SockAccept = "sock_accept" => sock::sock_accept(fd: u32, flags: u32, result_fd: Out<4>);
    SockRecv = "sock_recv" => sock::sock_recv(fd: u32, ri_data: u32, ri_data_len: u32, ri_flags: u32, ro_datalen: Out<4>, ro_flags: Out<2>);
    SockSend = "sock_send" => sock::sock_send(fd: u32, si_data: u32, si_data_len: u32, si_flags: u32, so_datalen: Out<4>);
    SockShutdown = "sock_shutdown" => sock::sock_shutdown(fd: u32, how: u32);
}

impl WasiFunc {
    /// Looks a function up by import name.
    pub fn from_name(name: &str) -> Option<WasiFunc> {
        WasiFunc::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Whether `module::name` is a WASI function this table provides (under either version).
    pub fn provides(module: &str, name: &str) -> bool {
        match (WasiVersion::from_module(module), WasiFunc::from_name(name)) {
            (Some(version), Some(func)) => version.has(func),
            _ => false,
        }
    }

    /// The trap of a call to an import that is not provided, under `--unknown-imports-trap`: the
    /// same words from every engine.
    pub fn unknown_import_called(module: &str, name: &str) -> String {
        format!("called `{module}::{name}`, an import wrun does not provide (--unknown-imports-trap)")
    }

    /// Whether the function returns an `i32` errno (all but `proc_exit`).
    pub fn returns_errno(self) -> bool {
        self != WasiFunc::ProcExit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_every_preview1_function_once() {
        assert_eq!(WasiFunc::ALL.len(), 46);
        let mut names: Vec<_> = WasiFunc::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 46);
        assert_eq!(WasiFunc::from_name("fd_write"), Some(WasiFunc::FdWrite));
        assert_eq!(WasiFunc::from_name("fd_nope"), None);
        assert_eq!(WasiFunc::PathOpen.params().len(), 9);
    }
}
