//! The import table: every `wasi_snapshot_preview1` function, its signature, and the dispatch
//! from raw arguments to the syscall that implements it.
//!
//! Engines register each [`WasiFunc`] under [`MODULE`] with the signature from
//! [`WasiFunc::params`] and call [`call`] with the raw arguments. Written out by hand, not
//! generated, so every signature can be found with grep.

use crate::ctx::WasiCtx;
use crate::error::SysResult;
use crate::memory::GuestMemory;
use crate::syscalls::{args_env, clock, fd, fd_attrs, path, poll, proc, random, readdir, sock};

/// The import module name.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// A wasm value type in a WASI signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    I32,
    I64,
}

use ValType::{I32, I64};

macro_rules! wasi_funcs {
    ($($variant:ident = $name:literal ($($p:ident),*);)*) => {
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
                match self { $(WasiFunc::$variant => &[$($p),*]),* }
            }
        }
    };
}

// The table itself: name and parameter types, exactly as in wasi_snapshot_preview1.witx.
wasi_funcs! {
    ArgsGet = "args_get" (I32, I32);
    ArgsSizesGet = "args_sizes_get" (I32, I32);
    EnvironGet = "environ_get" (I32, I32);
    EnvironSizesGet = "environ_sizes_get" (I32, I32);
    ClockResGet = "clock_res_get" (I32, I32);
    ClockTimeGet = "clock_time_get" (I32, I64, I32);
    FdAdvise = "fd_advise" (I32, I64, I64, I32);
    FdAllocate = "fd_allocate" (I32, I64, I64);
    FdClose = "fd_close" (I32);
    FdDatasync = "fd_datasync" (I32);
    FdFdstatGet = "fd_fdstat_get" (I32, I32);
    FdFdstatSetFlags = "fd_fdstat_set_flags" (I32, I32);
    FdFdstatSetRights = "fd_fdstat_set_rights" (I32, I64, I64);
    FdFilestatGet = "fd_filestat_get" (I32, I32);
    FdFilestatSetSize = "fd_filestat_set_size" (I32, I64);
    FdFilestatSetTimes = "fd_filestat_set_times" (I32, I64, I64, I32);
    FdPread = "fd_pread" (I32, I32, I32, I64, I32);
    FdPrestatGet = "fd_prestat_get" (I32, I32);
    FdPrestatDirName = "fd_prestat_dir_name" (I32, I32, I32);
    FdPwrite = "fd_pwrite" (I32, I32, I32, I64, I32);
    FdRead = "fd_read" (I32, I32, I32, I32);
    FdReaddir = "fd_readdir" (I32, I32, I32, I64, I32);
    FdRenumber = "fd_renumber" (I32, I32);
    FdSeek = "fd_seek" (I32, I64, I32, I32);
    FdSync = "fd_sync" (I32);
    FdTell = "fd_tell" (I32, I32);
    FdWrite = "fd_write" (I32, I32, I32, I32);
    PathCreateDirectory = "path_create_directory" (I32, I32, I32);
    PathFilestatGet = "path_filestat_get" (I32, I32, I32, I32, I32);
    PathFilestatSetTimes = "path_filestat_set_times" (I32, I32, I32, I32, I64, I64, I32);
    PathLink = "path_link" (I32, I32, I32, I32, I32, I32, I32);
    PathOpen = "path_open" (I32, I32, I32, I32, I32, I64, I64, I32, I32);
    PathReadlink = "path_readlink" (I32, I32, I32, I32, I32, I32);
    PathRemoveDirectory = "path_remove_directory" (I32, I32, I32);
    PathRename = "path_rename" (I32, I32, I32, I32, I32, I32);
    PathSymlink = "path_symlink" (I32, I32, I32, I32, I32);
    PathUnlinkFile = "path_unlink_file" (I32, I32, I32);
    PollOneoff = "poll_oneoff" (I32, I32, I32, I32);
    ProcExit = "proc_exit" (I32);
    ProcRaise = "proc_raise" (I32);
    SchedYield = "sched_yield" ();
    RandomGet = "random_get" (I32, I32);
    SockAccept = "sock_accept" (I32, I32, I32);
    SockRecv = "sock_recv" (I32, I32, I32, I32, I32, I32);
    SockSend = "sock_send" (I32, I32, I32, I32, I32);
    SockShutdown = "sock_shutdown" (I32, I32);
}

impl WasiFunc {
    /// Looks a function up by import name.
    pub fn from_name(name: &str) -> Option<WasiFunc> {
        WasiFunc::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Whether the function returns an `i32` errno (all but `proc_exit`).
    pub fn returns_errno(self) -> bool {
        self != WasiFunc::ProcExit
    }
}

/// Calls `func` with raw arguments (each `i32` zero-extended or `i64` as bits) and returns the
/// errno to give back to the guest: `Ok(0)` on success, `Ok(errno)` on a failure the guest sees,
/// `Err` for a trap, an exit or a suspension.
pub fn call(ctx: &mut WasiCtx, mem: &mut dyn GuestMemory, func: WasiFunc, a: &[u64]) -> SysResult<u16> {
    if a.len() != func.params().len() {
        return Err(crate::SysError::Trap(format!("{}: expected {} arguments", func.name(), func.params().len())));
    }
    let w = |i: usize| a[i] as u32;
    let d = |i: usize| a[i];
    use WasiFunc as F;
    let result = match func {
        F::ArgsGet => args_env::args_get(ctx, mem, w(0), w(1)),
        F::ArgsSizesGet => args_env::args_sizes_get(ctx, mem, w(0), w(1)),
        F::EnvironGet => args_env::environ_get(ctx, mem, w(0), w(1)),
        F::EnvironSizesGet => args_env::environ_sizes_get(ctx, mem, w(0), w(1)),
        F::ClockResGet => clock::clock_res_get(ctx, mem, w(0), w(1)),
        F::ClockTimeGet => clock::clock_time_get(ctx, mem, w(0), d(1), w(2)),
        F::FdAdvise => fd_attrs::fd_advise(ctx, mem, w(0), d(1), d(2), w(3)),
        F::FdAllocate => fd_attrs::fd_allocate(ctx, mem, w(0), d(1), d(2)),
        F::FdClose => fd::fd_close(ctx, mem, w(0)),
        F::FdDatasync => fd::fd_datasync(ctx, mem, w(0)),
        F::FdFdstatGet => fd_attrs::fd_fdstat_get(ctx, mem, w(0), w(1)),
        F::FdFdstatSetFlags => fd_attrs::fd_fdstat_set_flags(ctx, mem, w(0), w(1)),
        F::FdFdstatSetRights => fd_attrs::fd_fdstat_set_rights(ctx, mem, w(0), d(1), d(2)),
        F::FdFilestatGet => fd_attrs::fd_filestat_get(ctx, mem, w(0), w(1)),
        F::FdFilestatSetSize => fd_attrs::fd_filestat_set_size(ctx, mem, w(0), d(1)),
        F::FdFilestatSetTimes => fd_attrs::fd_filestat_set_times(ctx, mem, w(0), d(1), d(2), w(3)),
        F::FdPread => fd::fd_pread(ctx, mem, w(0), w(1), w(2), d(3), w(4)),
        F::FdPrestatGet => fd_attrs::fd_prestat_get(ctx, mem, w(0), w(1)),
        F::FdPrestatDirName => fd_attrs::fd_prestat_dir_name(ctx, mem, w(0), w(1), w(2)),
        F::FdPwrite => fd::fd_pwrite(ctx, mem, w(0), w(1), w(2), d(3), w(4)),
        F::FdRead => fd::fd_read(ctx, mem, w(0), w(1), w(2), w(3)),
        F::FdReaddir => readdir::fd_readdir(ctx, mem, w(0), w(1), w(2), d(3), w(4)),
        F::FdRenumber => fd::fd_renumber(ctx, mem, w(0), w(1)),
        F::FdSeek => fd::fd_seek(ctx, mem, w(0), d(1) as i64, w(2), w(3)),
        F::FdSync => fd::fd_sync(ctx, mem, w(0)),
        F::FdTell => fd::fd_tell(ctx, mem, w(0), w(1)),
        F::FdWrite => fd::fd_write(ctx, mem, w(0), w(1), w(2), w(3)),
        F::PathCreateDirectory => path::path_create_directory(ctx, mem, w(0), w(1), w(2)),
        F::PathFilestatGet => path::path_filestat_get(ctx, mem, w(0), w(1), w(2), w(3), w(4)),
        F::PathFilestatSetTimes => path::path_filestat_set_times(ctx, mem, w(0), w(1), w(2), w(3), d(4), d(5), w(6)),
        F::PathLink => path::path_link(ctx, mem, w(0), w(1), w(2), w(3), w(4), w(5), w(6)),
        F::PathOpen => path::path_open(ctx, mem, w(0), w(1), w(2), w(3), w(4), d(5), d(6), w(7), w(8)),
        F::PathReadlink => path::path_readlink(ctx, mem, w(0), w(1), w(2), w(3), w(4), w(5)),
        F::PathRemoveDirectory => path::path_remove_directory(ctx, mem, w(0), w(1), w(2)),
        F::PathRename => path::path_rename(ctx, mem, w(0), w(1), w(2), w(3), w(4), w(5)),
        F::PathSymlink => path::path_symlink(ctx, mem, w(0), w(1), w(2), w(3), w(4)),
        F::PathUnlinkFile => path::path_unlink_file(ctx, mem, w(0), w(1), w(2)),
        F::PollOneoff => poll::poll_oneoff(ctx, mem, w(0), w(1), w(2), w(3)),
        F::ProcExit => proc::proc_exit(ctx, mem, w(0)),
        F::ProcRaise => proc::proc_raise(ctx, mem, w(0)),
        F::SchedYield => proc::sched_yield(ctx, mem),
        F::RandomGet => random::random_get(ctx, mem, w(0), w(1)),
        F::SockAccept => sock::sock_accept(ctx, mem, w(0), w(1), w(2)),
        F::SockRecv => sock::sock_recv(ctx, mem, w(0), w(1), w(2), w(3), w(4), w(5)),
        F::SockSend => sock::sock_send(ctx, mem, w(0), w(1), w(2), w(3), w(4)),
        F::SockShutdown => sock::sock_shutdown(ctx, mem, w(0), w(1)),
    };
    match result {
        Ok(()) => Ok(0),
        Err(crate::SysError::Errno(e)) => Ok(e.raw()),
        Err(other) => Err(other),
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
