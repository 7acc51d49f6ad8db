//! Regular files of a host directory, and the conversions between host and WASI metadata.

use std::fs::FileTimes;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cap_std::fs::{FileType as CapFileType, FileTypeExt};

use crate::{File, FileType, Filestat, Result, Timestamp};

/// An open regular file of a [`super::HostDir`].
///
/// [`File::append`] writes at the size read just before (`fstat` then `pwrite`) instead of
/// holding a second `O_APPEND` descriptor: a run is single-threaded, so only another host
/// process writing the same file at the same moment could interleave.
pub struct HostFile {
    pub(super) file: std::fs::File,
}

/// Nanoseconds since the epoch from `stat`'s seconds and nanoseconds; times before 1970 read 0.
pub(super) fn nanos(secs: i64, nsec: i64) -> Timestamp {
    let secs = u64::try_from(secs).unwrap_or(0);
    let nsec = u64::try_from(nsec).unwrap_or(0);
    secs.saturating_mul(1_000_000_000).saturating_add(nsec)
}

pub(super) fn system_time(ts: Timestamp) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(ts)
}

pub(super) fn filetype(ft: &CapFileType) -> FileType {
    if ft.is_dir() {
        FileType::Directory
    } else if ft.is_file() {
        FileType::RegularFile
    } else if ft.is_symlink() {
        FileType::SymbolicLink
    } else if ft.is_block_device() {
        FileType::BlockDevice
    } else if ft.is_char_device() {
        FileType::CharacterDevice
    } else if ft.is_socket() {
        // Which kind of socket `stat` cannot tell; stream is the common one.
        FileType::SocketStream
    } else {
        FileType::Unknown
    }
}

/// Converts host metadata (std's or cap-std's, which share the accessors).
macro_rules! filestat {
    ($m:expr, $filetype:expr) => {
        Filestat {
            dev: $m.dev(),
            ino: $m.ino(),
            filetype: $filetype,
            nlink: $m.nlink(),
            size: $m.size(),
            atim: nanos($m.atime(), $m.atime_nsec()),
            mtim: nanos($m.mtime(), $m.mtime_nsec()),
            ctim: nanos($m.ctime(), $m.ctime_nsec()),
        }
    };
}

pub(super) fn cap_filestat(m: &cap_std::fs::Metadata) -> Filestat {
    use cap_std::fs::MetadataExt;
    filestat!(m, filetype(&m.file_type()))
}

fn std_filestat(m: &std::fs::Metadata) -> Filestat {
    use std::os::unix::fs::FileTypeExt as _;
    let ft = m.file_type();
    let filetype = if ft.is_file() {
        FileType::RegularFile
    } else if ft.is_dir() {
        FileType::Directory
    } else if ft.is_char_device() {
        FileType::CharacterDevice
    } else if ft.is_block_device() {
        FileType::BlockDevice
    } else {
        FileType::Unknown
    };
    filestat!(m, filetype)
}

impl File for HostFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        Ok(self.file.read_at(buf, offset)?)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> Result<usize> {
        Ok(self.file.write_at(buf, offset)?)
    }

    fn append(&self, buf: &[u8]) -> Result<(usize, u64)> {
        let size = self.file.metadata()?.len();
        let n = self.file.write_at(buf, size)?;
        Ok((n, size + n as u64))
    }

    fn stat(&self) -> Result<Filestat> {
        Ok(std_filestat(&self.file.metadata()?))
    }

    fn set_size(&self, size: u64) -> Result<()> {
        Ok(self.file.set_len(size)?)
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        // Unset fields of `FileTimes` are left alone (UTIME_OMIT).
        let mut times = FileTimes::new();
        if let Some(a) = atim {
            times = times.set_accessed(system_time(a));
        }
        if let Some(m) = mtim {
            times = times.set_modified(system_time(m));
        }
        Ok(self.file.set_times(times)?)
    }

    fn sync(&self) -> Result<()> {
        Ok(self.file.sync_all()?)
    }
}
