//! The bytes a remote directory's calls travel as: a request is one [`Op`] (preceded by the
//! handles the client has closed since its last request), an answer an errno and the op's result.
//! Little-endian integers, strings and byte runs as a `u32` length then the bytes. A message that
//! does not parse is answered with `EINVAL`: the server never trusts its client's bytes.

use crate::{DirEntry, Errno, FileType, Filestat, OpenOptions, Result, Timestamp};

/// Builds a message.
#[derive(Default)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    pub(crate) fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub(crate) fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub(crate) fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.u32(v.len() as u32);
        self.0.extend_from_slice(v);
        self
    }
    pub(crate) fn str(&mut self, v: &str) -> &mut Self {
        self.bytes(v.as_bytes())
    }
    /// A time that may be left unchanged: a flag byte, then the time.
    pub(crate) fn time(&mut self, t: Option<Timestamp>) -> &mut Self {
        self.u8(t.is_some() as u8).u64(t.unwrap_or(0))
    }
    pub(crate) fn stat(&mut self, s: &Filestat) -> &mut Self {
        self.u64(s.dev).u64(s.ino).u8(s.filetype as u8).u64(s.nlink).u64(s.size).u64(s.atim).u64(s.mtim).u64(s.ctim)
    }
}

/// Reads a message; every read past its end is `EINVAL`.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(Errno::Inval);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(crate) fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    pub(crate) fn str(&mut self) -> Result<&'a str> {
        std::str::from_utf8(self.bytes()?).map_err(|_| Errno::Ilseq)
    }
    pub(crate) fn flag(&mut self) -> Result<bool> {
        Ok(self.u8()? != 0)
    }
    pub(crate) fn time(&mut self) -> Result<Option<Timestamp>> {
        let set = self.flag()?;
        let t = self.u64()?;
        Ok(set.then_some(t))
    }
    pub(crate) fn filetype(&mut self) -> Result<FileType> {
        Ok(match self.u8()? {
            1 => FileType::BlockDevice,
            2 => FileType::CharacterDevice,
            3 => FileType::Directory,
            4 => FileType::RegularFile,
            5 => FileType::SocketDgram,
            6 => FileType::SocketStream,
            7 => FileType::SymbolicLink,
            _ => FileType::Unknown,
        })
    }
    pub(crate) fn stat(&mut self) -> Result<Filestat> {
        Ok(Filestat {
            dev: self.u64()?,
            ino: self.u64()?,
            filetype: self.filetype()?,
            nlink: self.u64()?,
            size: self.u64()?,
            atim: self.u64()?,
            mtim: self.u64()?,
            ctim: self.u64()?,
        })
    }
    pub(crate) fn entries(&mut self) -> Result<Vec<DirEntry>> {
        let n = self.u32()? as usize;
        // Each entry takes at least 13 bytes: a count past what is left is a bad message, not a
        // reason to reserve gigabytes.
        let mut out = Vec::with_capacity(n.min(self.0.len() / 13));
        for _ in 0..n {
            let name = self.str()?.to_owned();
            let ino = self.u64()?;
            out.push(DirEntry { name, ino, filetype: self.filetype()? });
        }
        Ok(out)
    }
}

/// What a remote call asks; `dir`, `file` and `node` are the server's handle numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Op {
    /// dir, path, options (7 flags) → a handle and whether it is a directory
    Open = 1,
    /// dir, path
    CreateDir,
    RemoveDir,
    UnlinkFile,
    /// dir, from, to dir, to
    Rename,
    /// dir, from, follow, to dir, to
    HardLink,
    /// dir, target, path
    Symlink,
    /// dir, path → a string
    ReadLink,
    /// dir, path, follow → a stat
    StatAt,
    /// dir, path, follow, atim, mtim
    SetTimesAt,
    /// node → a stat
    Stat,
    /// node, atim, mtim
    SetTimes,
    /// dir → entries
    Entries,
    /// node
    Sync,
    /// file, length, offset → bytes
    ReadAt,
    /// file, bytes, offset → count
    WriteAt,
    /// file, bytes → count, new size
    Append,
    /// file, size
    SetSize,
    /// file, offset, length
    Allocate,
}

impl Op {
    pub(crate) fn from_u8(v: u8) -> Result<Op> {
        const ALL: [Op; 19] = [
            Op::Open,
            Op::CreateDir,
            Op::RemoveDir,
            Op::UnlinkFile,
            Op::Rename,
            Op::HardLink,
            Op::Symlink,
            Op::ReadLink,
            Op::StatAt,
            Op::SetTimesAt,
            Op::Stat,
            Op::SetTimes,
            Op::Entries,
            Op::Sync,
            Op::ReadAt,
            Op::WriteAt,
            Op::Append,
            Op::SetSize,
            Op::Allocate,
        ];
        ALL.iter().copied().find(|op| *op as u8 == v).ok_or(Errno::Inval)
    }
}

pub(crate) fn write_options(w: &mut Writer, o: &OpenOptions) {
    let flags = [o.read, o.write, o.create, o.exclusive, o.truncate, o.directory, o.follow];
    let bits = flags.iter().enumerate().fold(0u8, |acc, (i, &f)| acc | ((f as u8) << i));
    w.u8(bits);
}

pub(crate) fn read_options(r: &mut Reader) -> Result<OpenOptions> {
    let b = r.u8()?;
    let bit = |i: u8| b & (1 << i) != 0;
    Ok(OpenOptions { read: bit(0), write: bit(1), create: bit(2), exclusive: bit(3), truncate: bit(4), directory: bit(5), follow: bit(6) })
}

/// An answer's errno (never 0: success has none); a value no errno has is `EIO`.
pub(crate) fn errno_from(raw: u16) -> Errno {
    Errno::from_raw(raw).unwrap_or(Errno::Io)
}
