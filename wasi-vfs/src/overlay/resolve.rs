//! Path resolution over the merged view of the two layers.
//!
//! The overlay resolves paths itself, one component at a time, reading symlinks through the
//! merged view; the layers are only ever asked about canonical paths (no symlinks, no `..`), with
//! `follow = false`. So a layer never interprets a symlink the merged view would not.

use std::collections::BTreeSet;

use super::State;
use crate::resolve::{self, Lookup};
use crate::{Dir, Errno, FileType, Filestat, OpenOptions, Result};

pub(super) use crate::resolve::Last;

/// One path as the merged view sees it: what each layer holds there.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    /// The upper layer's entry (not following a symlink), if any.
    pub upper: Option<Filestat>,
    /// The lower layer's entry, if it is visible: its parent merges the lower directory and no
    /// whiteout hides it. It may be shadowed by `upper`.
    pub lower: Option<Filestat>,
}

impl Entry {
    /// What the merged view shows: the upper entry wins.
    pub fn stat(&self) -> Filestat {
        self.upper.or(self.lower).unwrap_or_default()
    }

    pub fn filetype(&self) -> FileType {
        self.stat().filetype
    }

    pub fn is_dir(&self) -> bool {
        self.filetype() == FileType::Directory
    }

    /// Whether the upper layer has a directory here to look into.
    pub fn upper_dir(&self) -> bool {
        matches!(self.upper, Some(s) if s.filetype == FileType::Directory)
    }

    /// Whether the lower directory here shows through: a lower directory that an upper
    /// non-directory shadows does not.
    pub fn lower_dir(&self) -> bool {
        let lower_is_dir = matches!(self.lower, Some(s) if s.filetype == FileType::Directory);
        lower_is_dir && (self.upper.is_none() || self.upper_dir())
    }
}

/// A directory on the way down: its name in its parent and what the layers hold there.
pub(super) type Frame = (String, Entry);

/// Where a path leads in the merged view.
pub(super) struct Resolved {
    /// The directories from the overlay root (frame 0, named "") to the one holding the last
    /// component; for `.`/`..`, to the directory named.
    pub frames: Vec<Frame>,
    pub last: Last,
    /// What the path names, if it exists.
    pub entry: Option<Entry>,
    pub trailing_slash: bool,
}

/// The layer path of `names` (the overlay root is ".").
pub(super) fn join<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let joined = names
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    if joined.is_empty() {
        ".".to_owned()
    } else {
        joined
    }
}

pub(super) fn frames_path(frames: &[Frame]) -> String {
    join(frames.iter().map(|(n, _)| n.as_str()))
}

pub(super) fn child_path(frames: &[Frame], name: &str) -> String {
    join(frames.iter().map(|(n, _)| n.as_str()).chain([name]))
}

impl Resolved {
    /// The name to create, unlink or rename; `.` and `..` give `err`.
    pub fn name(&self, err: Errno) -> Result<&str> {
        self.last.name(err)
    }

    /// The layer path of what the path names.
    pub fn path(&self) -> String {
        match &self.last {
            Last::Name(name) => child_path(&self.frames, name),
            Last::Dot | Last::DotDot => frames_path(&self.frames),
        }
    }

    /// The components of [`Self::path`], for a directory handle.
    pub fn components(&self) -> Vec<String> {
        let mut out: Vec<String> = self.frames.iter().skip(1).map(|(n, _)| n.clone()).collect();
        if let Last::Name(name) = &self.last {
            out.push(name.clone());
        }
        out
    }
}

/// A layer's entry at `path`, or `None` if it has none.
fn layer_stat(layer: &dyn Dir, path: &str) -> Result<Option<Filestat>> {
    match layer.stat_at(path, false) {
        Ok(st) => Ok(Some(st)),
        Err(Errno::Noent | Errno::Notdir) => Ok(None),
        Err(e) => Err(e),
    }
}

impl State {
    pub(super) fn root_frame(&self) -> Result<Frame> {
        let entry = Entry {
            upper: Some(self.upper.stat()?),
            lower: Some(self.lower.stat()?),
        };
        Ok((String::new(), entry))
    }

    /// Looks `name` up in the directory at the end of `frames`.
    pub(super) fn lookup(&self, frames: &[Frame], name: &str) -> Result<Option<Entry>> {
        let Some((_, dir)) = frames.last() else {
            return Err(Errno::Noent);
        };
        let path = child_path(frames, name);
        let upper = if dir.upper_dir() {
            layer_stat(&*self.upper, &path)?
        } else {
            None
        };
        let lower = if dir.lower_dir() && !self.whiteouts.borrow().contains(&path) {
            layer_stat(&*self.lower, &path)?
        } else {
            None
        };
        Ok((upper.is_some() || lower.is_some()).then_some(Entry { upper, lower }))
    }

    /// The layer an entry is read from: upper if it has one.
    pub(super) fn layer_of(&self, entry: &Entry) -> &dyn Dir {
        if entry.upper.is_some() {
            &*self.upper
        } else {
            &*self.lower
        }
    }

    /// Resolves `path` from the directory `base` (components from the overlay root), with the
    /// shared resolver ([`crate::resolve`]): `..` may climb back to `base` but not above it.
    pub(super) fn resolve(
        &self,
        base: &[String],
        path: &str,
        follow_last: bool,
    ) -> Result<Resolved> {
        let mut frames = vec![self.root_frame()?];
        for name in base {
            // The handle's directory may have been removed or renamed since it was opened.
            match self.lookup(&frames, name)? {
                Some(e) if e.is_dir() => frames.push((name.clone(), e)),
                _ => return Err(Errno::Noent),
            }
        }
        let r = resolve::resolve(self, frames, path, follow_last)?;
        Ok(Resolved { frames: r.dirs, last: r.last, entry: r.node, trailing_slash: r.trailing_slash })
    }

    /// The merged children of the directory at the end of `frames`, sorted by name.
    pub(super) fn children(&self, frames: &[Frame]) -> Result<Vec<(String, Entry)>> {
        let Some((_, dir)) = frames.last() else {
            return Err(Errno::Noent);
        };
        let path = frames_path(frames);
        let mut names = BTreeSet::new();
        let list = OpenOptions {
            read: true,
            directory: true,
            ..OpenOptions::default()
        };
        for (present, layer) in [
            (dir.upper_dir(), &self.upper),
            (dir.lower_dir(), &self.lower),
        ] {
            if present {
                let handle = layer.open(&path, &list)?.into_dir()?;
                for e in handle.entries()? {
                    if e.name != "." && e.name != ".." {
                        names.insert(e.name);
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            if let Some(entry) = self.lookup(frames, &name)? {
                out.push((name, entry));
            }
        }
        Ok(out)
    }

    /// Hides the lower layer's `path` and everything beneath it.
    pub(super) fn whiteout(&self, path: &str) {
        let mut set = self.whiteouts.borrow_mut();
        let prefix = format!("{path}/");
        // Entries beneath are covered by this one now.
        let beneath: Vec<String> = set
            .range(prefix.clone()..)
            .take_while(|p| p.starts_with(&prefix))
            .cloned()
            .collect();
        for p in beneath {
            set.remove(&p);
        }
        set.insert(path.to_owned());
    }
}

impl Lookup for State {
    type Dir = Frame;
    type Node = Entry;

    fn lookup(&self, frames: &[Frame], name: &str) -> Result<Option<Entry>> {
        State::lookup(self, frames, name)
    }

    fn filetype(&self, node: &Entry) -> Result<FileType> {
        Ok(node.filetype())
    }

    fn read_link(&self, frames: &[Frame], name: &str, node: &Entry) -> Result<String> {
        self.layer_of(node).read_link(&child_path(frames, name))
    }

    fn enter(&self, _frames: &[Frame], name: &str, node: Entry) -> Frame {
        (name.to_owned(), node)
    }

    fn node_of(&self, (_, entry): &Frame) -> Entry {
        *entry
    }
}
