//! The overlay's operations that copy up, white out or join two paths.

use super::resolve::{Entry, Last, Resolved};
use super::OverlayDir;
use crate::readonly;
use crate::{Errno, FileType, Filestat, Node, OpenOptions, Result, Timestamp};

impl OverlayDir {
    /// Resolves an existing path (following a last symlink if asked or if the path ends in `/`)
    /// and checks a trailing slash names a directory.
    pub(super) fn existing(&self, path: &str, follow: bool) -> Result<(Resolved, Filestat)> {
        let r = self
            .state
            .resolve(&self.rel, path, follow || path.ends_with('/'))?;
        let entry = r.entry.ok_or(Errno::Noent)?;
        if r.trailing_slash && !entry.is_dir() {
            return Err(Errno::Notdir);
        }
        Ok((r, entry.stat()))
    }

    pub(super) fn open_impl(&self, path: &str, opts: &OpenOptions) -> Result<Node> {
        let follow = opts.follow || path.ends_with('/');
        let mut r = self.state.resolve(&self.rel, path, follow)?;
        // The layers see canonical paths, so they must not follow anything themselves.
        let layer_opts = OpenOptions {
            follow: false,
            ..*opts
        };
        let Some(entry) = r.entry else {
            if !opts.create {
                return Err(Errno::Noent);
            }
            if r.trailing_slash {
                return Err(Errno::Isdir);
            }
            if opts.directory {
                return Err(Errno::Inval);
            }
            r.name(Errno::Exist)?;
            self.state.ensure_upper_dirs(&mut r.frames)?;
            return self.state.upper.open(&r.path(), &layer_opts);
        };
        if opts.create && opts.exclusive {
            return Err(Errno::Exist);
        }
        match entry.filetype() {
            FileType::SymbolicLink if opts.directory => Err(Errno::Notdir),
            FileType::SymbolicLink => Err(Errno::Loop),
            FileType::Directory if opts.write || opts.truncate || opts.create => Err(Errno::Isdir),
            FileType::Directory => Ok(Node::Dir(Box::new(OverlayDir {
                state: self.state.clone(),
                rel: r.components(),
            }))),
            _ if opts.directory || r.trailing_slash => Err(Errno::Notdir),
            _ if opts.write || opts.truncate => {
                if let Last::Name(name) = &r.last {
                    let with_data = !opts.truncate;
                    self.state
                        .copy_up_entry(&mut r.frames, name, entry, with_data)?;
                }
                let upper_opts = OpenOptions {
                    create: false,
                    exclusive: false,
                    ..layer_opts
                };
                self.state.upper.open(&r.path(), &upper_opts)
            }
            _ if entry.upper.is_some() => self.state.upper.open(&r.path(), &layer_opts),
            // Reading a lower file needs no copy; the handle is read-only so it cannot write
            // through to the lower layer.
            _ => self
                .state
                .lower
                .open(&r.path(), &layer_opts)
                .map(readonly::wrap),
        }
    }

    pub(super) fn remove_dir_impl(&self, path: &str) -> Result<()> {
        let r = self.state.resolve(&self.rel, path, false)?;
        match r.last {
            Last::Name(_) => {}
            Last::Dot => return Err(Errno::Inval),
            Last::DotDot => return Err(Errno::Notempty),
        }
        let entry = r.entry.ok_or(Errno::Noent)?;
        if !entry.is_dir() {
            return Err(Errno::Notdir);
        }
        let mut frames = r.frames.clone();
        frames.push((r.name(Errno::Inval)?.to_owned(), entry));
        if !self.state.children(&frames)?.is_empty() {
            return Err(Errno::Notempty);
        }
        self.remove(&r, &entry)
    }

    pub(super) fn unlink_impl(&self, path: &str) -> Result<()> {
        let r = self.state.resolve(&self.rel, path, false)?;
        r.name(Errno::Isdir)?;
        let entry = r.entry.ok_or(Errno::Noent)?;
        if entry.is_dir() {
            return Err(Errno::Isdir);
        }
        if r.trailing_slash {
            return Err(Errno::Notdir);
        }
        self.remove(&r, &entry)
    }

    /// Removes an entry from the merged view: from the upper layer, and by a whiteout from the
    /// lower one.
    fn remove(&self, r: &Resolved, entry: &Entry) -> Result<()> {
        let path = r.path();
        match entry.upper {
            Some(st) if st.filetype == FileType::Directory => self.state.upper.remove_dir(&path)?,
            Some(_) => self.state.upper.unlink_file(&path)?,
            None => {}
        }
        if entry.lower.is_some() {
            self.state.whiteout(&path);
        }
        Ok(())
    }

    pub(super) fn rename_impl(&self, from: &str, to_rel: &[String], to: &str) -> Result<()> {
        let st = &self.state;
        let mut src = st.resolve(&self.rel, from, false)?;
        let src_name = src.name(Errno::Busy)?.to_owned();
        let src_entry = src.entry.ok_or(Errno::Noent)?;
        let mut dst = st.resolve(to_rel, to, false)?;
        dst.name(Errno::Busy)?;
        let src_is_dir = src_entry.is_dir();
        if (src.trailing_slash || dst.trailing_slash) && !src_is_dir {
            return Err(Errno::Notdir);
        }
        let (src_path, dst_path) = (src.path(), dst.path());
        if src_path == dst_path {
            return Ok(());
        }
        if let Some(old) = dst.entry {
            if let (Some(a), Some(b)) = (src_entry.upper, old.upper) {
                if (a.dev, a.ino) == (b.dev, b.ino) {
                    // Two links to one upper file: POSIX says rename does nothing.
                    return Ok(());
                }
            }
            match (src_is_dir, old.is_dir()) {
                (true, true) => {
                    let mut frames = dst.frames.clone();
                    frames.push((dst.name(Errno::Busy)?.to_owned(), old));
                    if !st.children(&frames)?.is_empty() {
                        return Err(Errno::Notempty);
                    }
                }
                (true, false) => return Err(Errno::Notdir),
                (false, true) => return Err(Errno::Isdir),
                (false, false) => {}
            }
        }
        if src_is_dir && dst_path.starts_with(&format!("{src_path}/")) {
            return Err(Errno::Inval);
        }
        if src_is_dir {
            let mut frames = src.frames.clone();
            frames.push((src_name, src_entry));
            st.copy_up_tree(&mut frames)?;
        } else {
            st.copy_up_entry(&mut src.frames, &src_name, src_entry, true)?;
        }
        st.ensure_upper_dirs(&mut dst.frames)?;
        st.upper.rename(&src_path, &*st.upper, &dst_path)?;
        if src_entry.lower.is_some() {
            st.whiteout(&src_path);
        }
        if dst.entry.is_some_and(|e| e.lower.is_some()) {
            // The upper entry now there must not merge with what the lower layer had.
            st.whiteout(&dst_path);
        }
        Ok(())
    }

    pub(super) fn hard_link_impl(
        &self,
        from: &str,
        follow: bool,
        to_rel: &[String],
        to: &str,
    ) -> Result<()> {
        let st = &self.state;
        let mut src = st.resolve(&self.rel, from, follow || from.ends_with('/'))?;
        let entry = src.entry.ok_or(Errno::Noent)?;
        if entry.is_dir() {
            return Err(Errno::Perm);
        }
        if src.trailing_slash {
            return Err(Errno::Notdir);
        }
        let mut dst = st.resolve(to_rel, to, false)?;
        if dst.entry.is_some() {
            return Err(Errno::Exist);
        }
        if dst.trailing_slash {
            return Err(Errno::Noent);
        }
        dst.name(Errno::Exist)?;
        let src_name = src.name(Errno::Perm)?.to_owned();
        st.copy_up_entry(&mut src.frames, &src_name, entry, true)?;
        st.ensure_upper_dirs(&mut dst.frames)?;
        st.upper
            .hard_link(&src.path(), false, &*st.upper, &dst.path())
    }

    pub(super) fn set_times_impl(
        &self,
        path: &str,
        follow: bool,
        atim: Option<Timestamp>,
        mtim: Option<Timestamp>,
    ) -> Result<()> {
        let (mut r, _) = self.existing(path, follow)?;
        let entry = r.entry.ok_or(Errno::Noent)?;
        match &r.last {
            Last::Name(name) if !entry.is_dir() => {
                let name = name.clone();
                self.state
                    .copy_up_entry(&mut r.frames, &name, entry, true)?;
            }
            Last::Name(name) => {
                let mut frames = r.frames.clone();
                frames.push((name.clone(), entry));
                self.state.ensure_upper_dirs(&mut frames)?;
            }
            Last::Dot | Last::DotDot => self.state.ensure_upper_dirs(&mut r.frames)?,
        }
        self.state.upper.set_times_at(&r.path(), false, atim, mtim)
    }
}
