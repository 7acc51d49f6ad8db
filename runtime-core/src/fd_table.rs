//! The descriptor table: typed descriptors, rights and flags, lowest free number reused.

use std::collections::BTreeSet;

use wasi_vfs::{Dir, DirEntry, Errno, File, FileType};

use crate::abi::{rights, Fd};
use crate::embedder::{InputStream, OutputStream};

/// Most descriptors a program may hold open at once (`EMFILE` past it).
pub const MAX_FDS: u32 = 16_384;

/// What a descriptor refers to.
pub enum Descriptor {
    Input(Box<dyn InputStream>),
    Output(Box<dyn OutputStream>),
    File(OpenFile),
    Dir(OpenDir),
}

/// A regular file with its own position.
pub struct OpenFile {
    pub file: Box<dyn File>,
    pub pos: u64,
    pub readable: bool,
    pub writable: bool,
}

/// A directory, maybe a preopen, with the listing that readdir cookies index into.
pub struct OpenDir {
    pub dir: Box<dyn Dir>,
    /// The guest path of a preopened directory (what `fd_prestat_dir_name` reports).
    pub preopen: Option<String>,
    /// Snapshot taken by `fd_readdir` at cookie 0; cookie `n` is index `n` in it, so listing with
    /// tiny buffers stays linear and cookies stay valid while the program walks the directory.
    pub listing: Option<Vec<DirEntry>>,
}

/// One slot of the table.
pub struct Entry {
    pub desc: Descriptor,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    /// `fdflags` (APPEND, NONBLOCK, ...).
    pub flags: u16,
}

impl Entry {
    pub fn new(desc: Descriptor, rights_base: u64, rights_inheriting: u64, flags: u16) -> Self {
        Self { desc, rights_base, rights_inheriting, flags }
    }

    /// `ENOTCAPABLE` unless the descriptor holds every right in `required`.
    pub fn require(&self, required: u64) -> Result<(), Errno> {
        if self.rights_base & required == required {
            Ok(())
        } else {
            Err(Errno::Notcapable)
        }
    }

    pub fn filetype(&self) -> FileType {
        match &self.desc {
            Descriptor::Input(s) if s.is_terminal() => FileType::CharacterDevice,
            Descriptor::Output(s) if s.is_terminal() => FileType::CharacterDevice,
            Descriptor::Input(_) | Descriptor::Output(_) => FileType::Unknown,
            Descriptor::File(_) => FileType::RegularFile,
            Descriptor::Dir(_) => FileType::Directory,
        }
    }

    pub fn stdin(stream: Box<dyn InputStream>) -> Self {
        Self::new(Descriptor::Input(stream), rights::STREAM_IN, 0, 0)
    }
    pub fn stdout(stream: Box<dyn OutputStream>) -> Self {
        Self::new(Descriptor::Output(stream), rights::STREAM_OUT, 0, 0)
    }
    pub fn preopen(dir: Box<dyn Dir>, guest_path: String) -> Self {
        Self::new(
            Descriptor::Dir(OpenDir { dir, preopen: Some(guest_path), listing: None }),
            rights::DIRECTORY,
            rights::DIRECTORY | rights::FILE,
            0,
        )
    }
}

/// Descriptor numbers to entries.
#[derive(Default)]
pub struct FdTable {
    slots: Vec<Option<Entry>>,
    /// Free numbers below `slots.len()`, so the lowest one is found in O(log n).
    free: BTreeSet<Fd>,
}

impl FdTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts `entry` at the lowest free number.
    pub fn insert(&mut self, entry: Entry) -> Result<Fd, Errno> {
        if let Some(fd) = self.free.pop_first() {
            self.slots[fd as usize] = Some(entry);
            return Ok(fd);
        }
        let fd = Fd::try_from(self.slots.len()).map_err(|_| Errno::Mfile)?;
        if fd >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        self.slots.push(Some(entry));
        Ok(fd)
    }

    pub fn get(&self, fd: Fd) -> Result<&Entry, Errno> {
        self.slots.get(fd as usize).and_then(Option::as_ref).ok_or(Errno::Badf)
    }

    pub fn get_mut(&mut self, fd: Fd) -> Result<&mut Entry, Errno> {
        self.slots.get_mut(fd as usize).and_then(Option::as_mut).ok_or(Errno::Badf)
    }

    pub fn remove(&mut self, fd: Fd) -> Result<Entry, Errno> {
        let entry = self.slots.get_mut(fd as usize).and_then(Option::take).ok_or(Errno::Badf)?;
        self.free.insert(fd);
        self.trim();
        Ok(entry)
    }

    /// `fd_renumber`: moves `from` onto `to`, closing what was at `to`. Both must be open.
    pub fn renumber(&mut self, from: Fd, to: Fd) -> Result<(), Errno> {
        self.get(from)?;
        self.get(to)?;
        if from == to {
            return Ok(());
        }
        let entry = self.remove(from)?;
        self.slots[to as usize] = Some(entry);
        Ok(())
    }

    /// Every open descriptor number, ascending.
    pub fn open_fds(&self) -> impl Iterator<Item = Fd> + '_ {
        self.slots.iter().enumerate().filter(|(_, s)| s.is_some()).map(|(i, _)| i as Fd)
    }

    /// Drops trailing free slots so the table shrinks back after bursts of opens.
    fn trim(&mut self) {
        while matches!(self.slots.last(), Some(None)) {
            let last = (self.slots.len() - 1) as Fd;
            self.slots.pop();
            self.free.remove(&last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedder::NullOutput;

    fn out() -> Entry {
        Entry::stdout(Box::new(NullOutput))
    }

    #[test]
    fn lowest_free_number_is_reused() {
        let mut t = FdTable::new();
        for want in 0..5 {
            assert_eq!(t.insert(out()).unwrap(), want);
        }
        t.remove(3).unwrap();
        t.remove(1).unwrap();
        assert_eq!(t.insert(out()).unwrap(), 1);
        assert_eq!(t.insert(out()).unwrap(), 3);
        assert_eq!(t.insert(out()).unwrap(), 5);
    }

    #[test]
    fn closed_and_unknown_fds_are_badf() {
        let mut t = FdTable::new();
        let fd = t.insert(out()).unwrap();
        t.remove(fd).unwrap();
        assert_eq!(t.get(fd).err(), Some(Errno::Badf));
        assert_eq!(t.remove(fd).err(), Some(Errno::Badf));
        assert_eq!(t.get(u32::MAX).err(), Some(Errno::Badf));
    }

    #[test]
    fn renumber_moves_and_closes_target() {
        let mut t = FdTable::new();
        let a = t.insert(out()).unwrap();
        let b = t.insert(out()).unwrap();
        let c = t.insert(out()).unwrap();
        t.renumber(c, a).unwrap();
        assert!(t.get(a).is_ok());
        assert_eq!(t.get(c).err(), Some(Errno::Badf));
        assert_eq!(t.renumber(c, b).err(), Some(Errno::Badf));
        assert_eq!(t.open_fds().collect::<Vec<_>>(), vec![a, b]);
    }

    #[test]
    fn table_is_bounded() {
        let mut t = FdTable::new();
        for _ in 0..MAX_FDS {
            t.insert(out()).unwrap();
        }
        assert_eq!(t.insert(out()).err(), Some(Errno::Mfile));
    }
}
