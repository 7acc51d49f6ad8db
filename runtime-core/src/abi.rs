//! WASI preview 1 ABI: constants and the byte layout of the structures syscalls copy in and out.
//!
//! Layouts follow `wasi_snapshot_preview1.witx`; the offsets are tested against the sizes
//! wasi-libc's `<wasi/api.h>` asserts.

pub use wasi_vfs::{Errno, FileType};

pub type Fd = u32;
pub type Size = u32;
pub type Pointer = u32;

// Rights (`rights` bitflags).
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    pub const ALL: u64 = (1 << 30) - 1;

    /// Rights meaningful on a regular file.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// Rights meaningful on a directory.
    pub const DIRECTORY: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | POLL_FD_READWRITE;
    /// Rights that need a writable file handle.
    pub const WRITE_LIKE: u64 = FD_DATASYNC | FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE;
    /// Rights of a stdio stream (no seek/tell: that is how wasi-libc's `isatty` tells a terminal).
    pub const STREAM_IN: u64 = FD_READ | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
    pub const STREAM_OUT: u64 = FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
}

pub mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
    pub const ALL: u16 = (1 << 5) - 1;
}

pub mod oflags {
    pub const CREAT: u16 = 1 << 0;
    pub const DIRECTORY: u16 = 1 << 1;
    pub const EXCL: u16 = 1 << 2;
    pub const TRUNC: u16 = 1 << 3;
    pub const ALL: u16 = (1 << 4) - 1;
}

pub mod lookupflags {
    pub const SYMLINK_FOLLOW: u32 = 1 << 0;
}

pub mod fstflags {
    pub const ATIM: u16 = 1 << 0;
    pub const ATIM_NOW: u16 = 1 << 1;
    pub const MTIM: u16 = 1 << 2;
    pub const MTIM_NOW: u16 = 1 << 3;
}

pub mod whence {
    pub const SET: u8 = 0;
    pub const CUR: u8 = 1;
    pub const END: u8 = 2;
}

pub mod clockid {
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME: u32 = 2;
    pub const THREAD_CPUTIME: u32 = 3;
}

pub mod advice {
    /// `advice` values run 0 (normal) to 5 (noreuse).
    pub const MAX: u8 = 5;
}

pub mod eventtype {
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
}

pub mod subclockflags {
    pub const ABSTIME: u16 = 1 << 0;
}

pub mod eventrwflags {
    pub const HANGUP: u16 = 1 << 0;
}

pub mod preopentype {
    pub const DIR: u8 = 0;
}

pub mod signal {
    /// Highest `signal` value (SIGSYS).
    pub const MAX: u8 = 30;
}

pub mod sdflags {
    pub const ALL: u8 = 0b11;
}

/// Byte sizes and field offsets of the structures copied to and from guest memory.
pub mod layout {
    pub const IOVEC_SIZE: u32 = 8;
    pub const FDSTAT_SIZE: usize = 24;
    pub const FILESTAT_SIZE: usize = 64;
    pub const PRESTAT_SIZE: usize = 8;
    pub const DIRENT_SIZE: usize = 24;
    pub const SUBSCRIPTION_SIZE: u32 = 48;
    pub const EVENT_SIZE: usize = 32;
}

/// Encodes a `filestat` (64 bytes): dev, ino, filetype, nlink, size, atim, mtim, ctim.
pub fn encode_filestat(st: &wasi_vfs::Filestat) -> [u8; layout::FILESTAT_SIZE] {
    let mut out = [0u8; layout::FILESTAT_SIZE];
    out[0..8].copy_from_slice(&st.dev.to_le_bytes());
    out[8..16].copy_from_slice(&st.ino.to_le_bytes());
    out[16] = st.filetype as u8;
    out[24..32].copy_from_slice(&st.nlink.to_le_bytes());
    out[32..40].copy_from_slice(&st.size.to_le_bytes());
    out[40..48].copy_from_slice(&st.atim.to_le_bytes());
    out[48..56].copy_from_slice(&st.mtim.to_le_bytes());
    out[56..64].copy_from_slice(&st.ctim.to_le_bytes());
    out
}

/// Encodes a `fdstat` (24 bytes): filetype u8, flags u16 @2, rights_base u64 @8, inheriting @16.
pub fn encode_fdstat(
    filetype: FileType,
    flags: u16,
    base: u64,
    inheriting: u64,
) -> [u8; layout::FDSTAT_SIZE] {
    let mut out = [0u8; layout::FDSTAT_SIZE];
    out[0] = filetype as u8;
    out[2..4].copy_from_slice(&flags.to_le_bytes());
    out[8..16].copy_from_slice(&base.to_le_bytes());
    out[16..24].copy_from_slice(&inheriting.to_le_bytes());
    out
}

/// Encodes a `dirent` header (24 bytes): d_next, d_ino, d_namlen u32, d_type u8.
pub fn encode_dirent(next: u64, ino: u64, namlen: u32, filetype: FileType) -> [u8; layout::DIRENT_SIZE] {
    let mut out = [0u8; layout::DIRENT_SIZE];
    out[0..8].copy_from_slice(&next.to_le_bytes());
    out[8..16].copy_from_slice(&ino.to_le_bytes());
    out[16..20].copy_from_slice(&namlen.to_le_bytes());
    out[20] = filetype as u8;
    out
}

/// Encodes an `event` (32 bytes): userdata, error u16 @8, type u8 @10, nbytes u64 @16, flags @24.
pub fn encode_event(userdata: u64, error: Errno, kind: u8, nbytes: u64, flags: u16) -> [u8; layout::EVENT_SIZE] {
    let mut out = [0u8; layout::EVENT_SIZE];
    out[0..8].copy_from_slice(&userdata.to_le_bytes());
    out[8..10].copy_from_slice(&error.raw().to_le_bytes());
    out[10] = kind;
    out[16..24].copy_from_slice(&nbytes.to_le_bytes());
    out[24..26].copy_from_slice(&flags.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filestat_fields_land_at_wasi_offsets() {
        let st = wasi_vfs::Filestat {
            dev: 1,
            ino: 2,
            filetype: FileType::RegularFile,
            nlink: 3,
            size: 4,
            atim: 5,
            mtim: 6,
            ctim: 7,
        };
        let b = encode_filestat(&st);
        assert_eq!(b[16], 4);
        assert_eq!(u64::from_le_bytes(b[24..32].try_into().unwrap()), 3);
        assert_eq!(u64::from_le_bytes(b[56..64].try_into().unwrap()), 7);
    }

    #[test]
    fn event_and_dirent_layouts() {
        let e = encode_event(9, Errno::Badf, eventtype::FD_READ, 100, eventrwflags::HANGUP);
        assert_eq!(u16::from_le_bytes([e[8], e[9]]), 8);
        assert_eq!(e[10], 1);
        assert_eq!(u64::from_le_bytes(e[16..24].try_into().unwrap()), 100);
        assert_eq!(u16::from_le_bytes([e[24], e[25]]), 1);
        let d = encode_dirent(1, 2, 3, FileType::Directory);
        assert_eq!(u32::from_le_bytes(d[16..20].try_into().unwrap()), 3);
        assert_eq!(d[20], 3);
    }
}
