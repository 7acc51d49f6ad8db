//! Saving a tree inode by inode, and loading it back: what a persistent `FileSystem` keeps (in
//! IndexedDB, a record per inode and one per file's bytes), so that a save writes what changed
//! since the last one — a file written, a directory's entries — and not the whole tree.
//!
//! An inode's record: a format byte (1), its kind (0 file, 1 directory, 2 symlink), link count
//! and three times; a directory adds its parent and its entries (name, inode), a symlink its
//! target. Little-endian, strings as a `u32` length and bytes (the remote links' encoding).
//! An unlinked inode still open is not saved: on load it is gone, as after a reboot.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::tree::{Changes, Inode, Kind, Tree, ROOT};
use super::MemFs;
use crate::remote::wire::{Reader, Writer};
use crate::{Clock, Errno, Result};

const FORMAT: u8 = 1;

/// One inode of a save: `meta` none means it is gone (delete its records); `data`, a regular
/// file's bytes when they changed (or in a whole save).
pub struct SavedInode {
    pub ino: u64,
    pub meta: Option<Vec<u8>>,
    pub data: Option<Vec<u8>>,
    /// Whether it is a regular file (else any bytes saved for the inode number are stale).
    pub is_file: bool,
}

fn encode(inode: &Inode) -> Vec<u8> {
    let mut w = Writer::default();
    let kind = match &inode.kind {
        Kind::File(_) => 0,
        Kind::Dir { .. } => 1,
        Kind::Symlink(_) => 2,
    };
    w.u8(FORMAT).u8(kind).u64(inode.nlink).u64(inode.atim).u64(inode.mtim).u64(inode.ctim);
    match &inode.kind {
        Kind::File(_) => {}
        Kind::Dir { entries, parent, .. } => {
            w.u64(*parent as u64).u32(entries.len() as u32);
            for (name, &ino) in entries {
                w.str(name).u64(ino as u64);
            }
        }
        Kind::Symlink(target) => {
            w.str(target);
        }
    }
    w.0
}

fn decode(meta: &[u8], data: Option<Vec<u8>>) -> Result<Inode> {
    let mut r = Reader(meta);
    if r.u8()? != FORMAT {
        return Err(Errno::Io);
    }
    let kind = r.u8()?;
    let (nlink, atim, mtim, ctim) = (r.u64()?, r.u64()?, r.u64()?, r.u64()?);
    let kind = match kind {
        0 => Kind::File(data.unwrap_or_default()),
        1 => {
            let parent = usize::try_from(r.u64()?).map_err(|_| Errno::Io)?;
            let mut entries = BTreeMap::new();
            for _ in 0..r.u32()? {
                let name = r.str()?.to_owned();
                entries.insert(name, usize::try_from(r.u64()?).map_err(|_| Errno::Io)?);
            }
            Kind::Dir { entries, parent, path_len: 0 }
        }
        2 => Kind::Symlink(r.str()?.to_owned()),
        _ => return Err(Errno::Io),
    };
    Ok(Inode { kind, nlink, open: 0, atim, mtim, ctim })
}

fn saved(ino: usize, inode: Option<&Inode>, with_data: bool) -> SavedInode {
    match inode {
        Some(inode) if inode.nlink > 0 => {
            let is_file = matches!(inode.kind, Kind::File(_));
            let data = match &inode.kind {
                Kind::File(bytes) if with_data => Some(bytes.clone()),
                _ => None,
            };
            SavedInode { ino: ino as u64, meta: Some(encode(inode)), data, is_file }
        }
        _ => SavedInode { ino: ino as u64, meta: None, data: None, is_file: false },
    }
}

impl MemFs {
    /// Every inode, for a first save; from now on changes are counted for [`Self::take_changes`].
    pub fn save_all(&self) -> Vec<SavedInode> {
        let mut t = self.tree.borrow_mut();
        t.changes = Some(Changes::default());
        t.live().map(|(ino, inode)| saved(ino, Some(inode), true)).collect()
    }

    /// What changed since the last save (or [`Self::save_all`]): nothing until that was called.
    pub fn take_changes(&self) -> Vec<SavedInode> {
        let mut t = self.tree.borrow_mut();
        let Some(changes) = t.changes.replace(Changes::default()) else {
            return Vec::new();
        };
        changes.iter().map(|(ino, data)| saved(ino, t.slot(ino), data)).collect()
    }

    /// The tree a save holds: each inode's record and, for regular files, its bytes. Changes are
    /// counted from here on. A save that is not a tree (a missing root, an entry naming no
    /// inode, a directory in two places) is `EIO`.
    pub fn load(clock: Rc<dyn Clock>, inodes: Vec<(u64, Vec<u8>, Option<Vec<u8>>)>) -> Result<MemFs> {
        let top = inodes.iter().map(|(ino, ..)| *ino).max().unwrap_or(0);
        // Inode numbers come from a tree this size: a huge one is a damaged save, not a reason
        // to reserve gigabytes (nor, on 32 bits, a number to truncate).
        let top = usize::try_from(top).map_err(|_| Errno::Io)?;
        if top > inodes.len().saturating_mul(2) + 1024 {
            return Err(Errno::Io);
        }
        let mut slots: Vec<Option<Inode>> = (0..=top).map(|_| None).collect();
        for (ino, meta, data) in inodes {
            let ino = usize::try_from(ino).map_err(|_| Errno::Io)?;
            slots[ino] = Some(decode(&meta, data)?);
        }
        if slots.is_empty() || slots[ROOT].is_none() {
            return Err(Errno::Io);
        }
        let fs = MemFs::with_clock(clock.clone());
        let dev = fs.dev();
        let mut tree = Tree::from_slots(dev, clock, None, slots)?;
        tree.changes = Some(Changes::default());
        *fs.tree.borrow_mut() = tree;
        Ok(fs)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{ops, FixedClock, OpenOptions};

    fn reload(fs: &MemFs, store: &mut BTreeMap<u64, (Vec<u8>, Option<Vec<u8>>)>, changes: Vec<SavedInode>) -> MemFs {
        for s in changes {
            match s.meta {
                None => {
                    store.remove(&s.ino);
                }
                Some(meta) => {
                    let old = store.remove(&s.ino).and_then(|(_, d)| d);
                    let data = if s.is_file { s.data.or(old) } else { None };
                    store.insert(s.ino, (meta, data));
                }
            }
        }
        let _ = fs;
        MemFs::load(Rc::new(FixedClock(0)), store.iter().map(|(i, (m, d))| (*i, m.clone(), d.clone())).collect()).unwrap()
    }

    #[test]
    fn a_save_then_changes_load_back_as_the_same_tree() {
        let fs = MemFs::new();
        let root = fs.root();
        ops::create_dir_all(&*root, "home/docs").unwrap();
        ops::write_file(&*root, "home/docs/a.txt", b"alpha").unwrap();
        root.symlink("docs/a.txt", "home/link").unwrap();
        root.hard_link("home/docs/a.txt", false, &*root, "home/hard").unwrap();
        let mut store = BTreeMap::new();
        let first = fs.save_all();
        assert_eq!(first.len(), 5); // root, home, docs, a.txt (twice linked), link
        let copy = reload(&fs, &mut store, first);
        assert_eq!(crate::tar_image::export(&*copy.root()).unwrap(), crate::tar_image::export(&*root).unwrap());

        // One file written: that inode alone, with its bytes.
        ops::write_file(&*root, "home/docs/b.txt", b"beta").unwrap();
        let changes = fs.take_changes();
        let with_data: Vec<u64> = changes.iter().filter(|c| c.data.is_some()).map(|c| c.ino).collect();
        assert_eq!(with_data.len(), 1, "only b.txt's bytes");
        assert!(changes.len() <= 2, "b.txt and its directory, not the tree: {}", changes.len());
        let copy = reload(&fs, &mut store, changes);
        assert_eq!(ops::read_file(&*copy.root(), "home/docs/b.txt").unwrap(), b"beta");

        // A read changes nothing; a rename, an unlink and a rmdir are saved.
        assert_eq!(ops::read_file(&*root, "home/docs/a.txt").unwrap(), b"alpha");
        assert!(fs.take_changes().is_empty());
        root.rename("home/docs/b.txt", &*root, "home/b.txt").unwrap();
        root.unlink_file("home/hard").unwrap();
        root.create_dir("gone").unwrap();
        root.remove_dir("gone").unwrap();
        let copy = reload(&fs, &mut store, fs.take_changes());
        assert_eq!(crate::tar_image::export(&*copy.root()).unwrap(), crate::tar_image::export(&*root).unwrap());
        assert_eq!(copy.used_bytes(), fs.used_bytes());
        assert_eq!(copy.size_bytes(), fs.size_bytes());

        // An unlinked file still open is not saved; it is gone after loading.
        let f = root.open("home/b.txt", &OpenOptions::read()).unwrap();
        root.unlink_file("home/b.txt").unwrap();
        let copy = reload(&fs, &mut store, fs.take_changes());
        drop(f);
        assert_eq!(copy.root().stat_at("home/b.txt", false), Err(Errno::Noent));
        // The loaded tree counts its own changes from the start.
        ops::write_file(&*copy.root(), "x", b"x").unwrap();
        assert_eq!(copy.take_changes().len(), 2);
    }

    #[test]
    fn a_damaged_save_is_eio_not_a_panic() {
        let clock = || -> Rc<dyn Clock> { Rc::new(FixedClock(0)) };
        assert!(MemFs::load(clock(), Vec::new()).is_err());
        let fs = MemFs::new();
        ops::write_file(&*fs.root(), "f", b"1").unwrap();
        let good: Vec<_> = fs.save_all().into_iter().map(|s| (s.ino, s.meta.unwrap(), s.data)).collect();
        // Without the file's inode, the root names a missing inode.
        let missing: Vec<_> = good.iter().filter(|(i, ..)| *i == 0).cloned().collect();
        assert!(MemFs::load(clock(), missing).is_err());
        // Truncated records, a huge inode number, an unknown format.
        for (i, (ino, meta, data)) in good.iter().enumerate() {
            for cut in 0..meta.len() {
                let mut bad = good.clone();
                bad[i] = (*ino, meta[..cut].to_vec(), data.clone());
                assert!(MemFs::load(clock(), bad).is_err());
            }
        }
        let mut huge = good.clone();
        huge.push((u64::MAX, good[0].1.clone(), None));
        assert!(MemFs::load(clock(), huge).is_err());
        // A directory named in two places is not a tree.
        let fs = MemFs::new();
        fs.root().create_dir("a").unwrap();
        fs.root().create_dir("b").unwrap();
        let rows: Vec<_> = fs.save_all().into_iter().map(|s| (s.ino, s.meta.unwrap(), s.data)).collect();
        let two_parents: Vec<_> = rows
            .iter()
            .map(|(ino, meta, data)| {
                let mut inode = decode(meta, None).unwrap();
                if let Kind::Dir { entries, .. } = &mut inode.kind {
                    if let Some(&a) = entries.get("a") {
                        entries.insert("b".into(), a);
                    }
                }
                (*ino, encode(&inode), data.clone())
            })
            .collect();
        assert!(MemFs::load(clock(), two_parents).is_err());
        assert!(MemFs::load(clock(), good).is_ok());
    }
}
