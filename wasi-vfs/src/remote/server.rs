//! The owner's side: answers a client's requests on the directories and files it opened, each
//! known by a number. The handles are the owner's own (`MemFs` ones in the browser), so what a
//! remote program does is done to the live tree at once.

use super::wire::{read_options, Op, Reader, Writer};
use crate::{Dir, Errno, File, Node, Result};

/// One client's open handles on an owner's tree, numbered from 1 by their slot (a freed slot is
/// used again: the client names a handle only until it closes it).
#[derive(Default)]
pub struct FsServer {
    handles: Vec<Option<Node>>,
}

impl FsServer {
    pub fn new() -> FsServer {
        FsServer::default()
    }

    /// Makes `dir` (a preopen's root) reachable as a handle number for [`super::RemoteDir::new`].
    pub fn add_root(&mut self, dir: Box<dyn Dir>) -> u32 {
        self.insert(Node::Dir(dir))
    }

    /// How many handles the client holds open (for tests and leak checks).
    pub fn open_handles(&self) -> usize {
        self.handles.iter().flatten().count()
    }

    fn insert(&mut self, node: Node) -> u32 {
        let slot = match self.handles.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                self.handles.push(None);
                self.handles.len() - 1
            }
        };
        self.handles[slot] = Some(node);
        slot as u32 + 1
    }

    fn get(&self, h: u32) -> Option<&Node> {
        self.handles.get((h as usize).wrapping_sub(1))?.as_ref()
    }

    /// Answers one request (see [`super::wire`]): an errno, then the op's result on success.
    pub fn serve(&mut self, request: &[u8]) -> Vec<u8> {
        let mut out = Writer::default();
        out.u32(0); // the errno's place: two bytes, written below (kept 4 for alignment's sake)
        let errno = match self.answer(&mut Reader(request), &mut out) {
            Ok(()) => 0,
            Err(e) => {
                out.0.truncate(4);
                e.raw()
            }
        };
        out.0[..4].copy_from_slice(&u32::from(errno).to_le_bytes());
        out.0
    }

    fn dir(&self, h: u32) -> Result<&dyn Dir> {
        match self.get(h) {
            Some(Node::Dir(d)) => Ok(&**d),
            Some(Node::File(_)) => Err(Errno::Notdir),
            None => Err(Errno::Badf),
        }
    }

    fn file(&self, h: u32) -> Result<&dyn File> {
        match self.get(h) {
            Some(Node::File(f)) => Ok(&**f),
            Some(Node::Dir(_)) => Err(Errno::Isdir),
            None => Err(Errno::Badf),
        }
    }

    fn answer(&mut self, r: &mut Reader, out: &mut Writer) -> Result<()> {
        // Handles the client let go of since its last request.
        for _ in 0..r.u32()? {
            if let Some(slot) = self.handles.get_mut((r.u32()? as usize).wrapping_sub(1)) {
                *slot = None;
            }
        }
        let op = Op::from_u8(r.u8()?)?;
        let h = r.u32()?;
        match op {
            Op::Open => {
                let path = r.str()?;
                let opts = read_options(r)?;
                let node = self.dir(h)?.open(path, &opts)?;
                let is_dir = matches!(node, Node::Dir(_));
                let handle = self.insert(node);
                out.u32(handle).u8(is_dir as u8);
            }
            Op::CreateDir => self.dir(h)?.create_dir(r.str()?)?,
            Op::RemoveDir => self.dir(h)?.remove_dir(r.str()?)?,
            Op::UnlinkFile => self.dir(h)?.unlink_file(r.str()?)?,
            Op::Rename => {
                let from = r.str()?;
                let to_dir = self.dir(r.u32()?)?;
                self.dir(h)?.rename(from, to_dir, r.str()?)?;
            }
            Op::HardLink => {
                let from = r.str()?;
                let follow = r.flag()?;
                let to_dir = self.dir(r.u32()?)?;
                self.dir(h)?.hard_link(from, follow, to_dir, r.str()?)?;
            }
            Op::Symlink => {
                let target = r.str()?;
                self.dir(h)?.symlink(target, r.str()?)?;
            }
            Op::ReadLink => {
                out.str(&self.dir(h)?.read_link(r.str()?)?);
            }
            Op::StatAt => {
                let path = r.str()?;
                out.stat(&self.dir(h)?.stat_at(path, r.flag()?)?);
            }
            Op::SetTimesAt => {
                let path = r.str()?;
                let follow = r.flag()?;
                let (atim, mtim) = (r.time()?, r.time()?);
                self.dir(h)?.set_times_at(path, follow, atim, mtim)?;
            }
            Op::Stat => {
                let stat = match self.get(h).ok_or(Errno::Badf)? {
                    Node::Dir(d) => d.stat()?,
                    Node::File(f) => f.stat()?,
                };
                out.stat(&stat);
            }
            Op::SetTimes => {
                let (atim, mtim) = (r.time()?, r.time()?);
                match self.get(h).ok_or(Errno::Badf)? {
                    Node::Dir(d) => d.set_times(atim, mtim)?,
                    Node::File(f) => f.set_times(atim, mtim)?,
                }
            }
            Op::Entries => {
                let entries = self.dir(h)?.entries()?;
                out.u32(entries.len() as u32);
                for e in &entries {
                    out.str(&e.name).u64(e.ino).u8(e.filetype as u8);
                }
            }
            Op::Sync => match self.get(h).ok_or(Errno::Badf)? {
                Node::Dir(d) => d.sync()?,
                Node::File(f) => f.sync()?,
            },
            Op::ReadAt => {
                let len = r.u32()? as usize;
                let offset = r.u64()?;
                let file = self.file(h)?;
                // The length is the client's buffer: capped at what is left of the file, so a
                // bad request cannot make the owner allocate gigabytes.
                let size = file.stat()?.size;
                let len = len.min(size.saturating_sub(offset) as usize);
                let mut buf = vec![0; len];
                let n = file.read_at(&mut buf, offset)?;
                out.bytes(&buf[..n]);
            }
            Op::WriteAt => {
                let data = r.bytes()?;
                out.u64(self.file(h)?.write_at(data, r.u64()?)? as u64);
            }
            Op::Append => {
                let (n, size) = self.file(h)?.append(r.bytes()?)?;
                out.u64(n as u64).u64(size);
            }
            Op::SetSize => self.file(h)?.set_size(r.u64()?)?,
            Op::Allocate => {
                let offset = r.u64()?;
                self.file(h)?.allocate(offset, r.u64()?)?;
            }
        }
        Ok(())
    }
}
