//! Copy-up: before a lower entry changes, the upper layer gets its own copy (with the parent
//! directories it needs), and the change goes there.

use super::resolve::{child_path, frames_path, Entry, Frame};
use super::State;
use crate::{ops, Errno, FileType, OpenOptions, Result};

impl State {
    /// Makes every directory in `frames` exist in the upper layer, copying times from the lower
    /// one, and records that in the frames.
    pub(super) fn ensure_upper_dirs(&self, frames: &mut [Frame]) -> Result<()> {
        for i in 1..frames.len() {
            if frames[i].1.upper_dir() {
                continue;
            }
            let path = frames_path(&frames[..=i]);
            match self.upper.create_dir(&path) {
                // An earlier copy-up in the same operation may have made it already.
                Ok(()) | Err(Errno::Exist) => {}
                Err(e) => return Err(e),
            }
            if let Some(lower) = frames[i].1.lower {
                self.upper
                    .set_times_at(&path, false, Some(lower.atim), Some(lower.mtim))?;
            }
            let st = self.upper.stat_at(&path, false)?;
            if st.filetype != FileType::Directory {
                return Err(Errno::Notdir);
            }
            frames[i].1.upper = Some(st);
        }
        Ok(())
    }

    /// Copies the lower-only non-directory `name` (in the directory at the end of `frames`) to
    /// the upper layer; with `with_data` false a regular file's contents are not copied (the
    /// caller is about to truncate it). Returns the updated entry.
    pub(super) fn copy_up_entry(
        &self,
        frames: &mut [Frame],
        name: &str,
        entry: Entry,
        with_data: bool,
    ) -> Result<Entry> {
        if entry.upper.is_some() {
            return Ok(entry);
        }
        let Some(lower) = entry.lower else {
            return Err(Errno::Noent);
        };
        self.ensure_upper_dirs(frames)?;
        let path = child_path(frames, name);
        match lower.filetype {
            FileType::RegularFile => {
                let create = OpenOptions {
                    write: true,
                    create: true,
                    exclusive: true,
                    ..Default::default()
                };
                let dst = self.upper.open(&path, &create)?.into_file()?;
                if with_data {
                    let read = OpenOptions {
                        read: true,
                        ..OpenOptions::default()
                    };
                    let src = self.lower.open(&path, &read)?.into_file()?;
                    ops::copy_contents(&*src, &*dst)?;
                }
                dst.set_times(Some(lower.atim), Some(lower.mtim))?;
            }
            FileType::SymbolicLink => {
                let target = self.lower.read_link(&path)?;
                self.upper.symlink(&target, &path)?;
                self.upper
                    .set_times_at(&path, false, Some(lower.atim), Some(lower.mtim))?;
            }
            FileType::Directory => {
                self.upper.create_dir(&path)?;
                self.upper
                    .set_times_at(&path, false, Some(lower.atim), Some(lower.mtim))?;
            }
            // Sockets and devices cannot be recreated through the `Dir` trait.
            _ => return Err(Errno::Notsup),
        }
        Ok(Entry {
            upper: Some(self.upper.stat_at(&path, false)?),
            lower: entry.lower,
        })
    }

    /// Gives the upper layer a full copy of the merged directory at the end of `frames`, so it
    /// can be renamed there without losing its lower contents.
    pub(super) fn copy_up_tree(&self, frames: &mut [Frame]) -> Result<()> {
        self.ensure_upper_dirs(frames)?;
        // Directories still to fill, as frame stacks; explicit so depth costs no native stack.
        let mut todo = vec![frames.to_vec()];
        while let Some(mut dir) = todo.pop() {
            for (name, entry) in self.children(&dir)? {
                if entry.upper.is_some() && !entry.lower_dir() {
                    // Upper-only, or an upper entry shadowing the lower one: nothing to copy.
                    continue;
                }
                let entry = self.copy_up_entry(&mut dir, &name, entry, true)?;
                if entry.is_dir() {
                    let mut sub = dir.clone();
                    sub.push((name, entry));
                    todo.push(sub);
                }
            }
        }
        Ok(())
    }
}
