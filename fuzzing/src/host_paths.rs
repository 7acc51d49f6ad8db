//! `host_paths`: arbitrary path strings and symlink layouts resolved through a host directory and
//! through a confined in-memory subtree must never reach outside the mount root.
//!
//! Each world has the mount root next to a "canary" directory (a sibling, holding a file and a
//! subdirectory) inside a scratch directory. Symlinks with arbitrary targets (relative, absolute,
//! `..` chains, the canary's absolute path, loops, long and odd names) are planted in the root
//! first, by the host (or the unconfined in-memory root), not through the confined handle. Then
//! arbitrary operations run through the confined handle and through directory handles opened
//! from it. After each one:
//! - nothing outside the root changed: the canary's entries (names, types, sizes, inode numbers,
//!   link counts, modification and change times) and the names around the root are as before;
//! - whatever a successful `stat_at` or `open` names is inside: its `(dev, ino)` is the root's or
//!   that of something reachable beneath it.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use arbitrary::{Arbitrary, Unstructured};
use wasi_vfs::host::HostDir;
use wasi_vfs::mem::MemFs;
use wasi_vfs::{ops, Dir, Filestat, Node, OpenOptions};

/// Most operations decoded from one input.
const MAX_OPS: usize = 48;

/// Runs one input on both worlds.
pub fn run(data: &[u8]) {
    let Ok(input) = Input::arbitrary(&mut Unstructured::new(data)) else { return };
    drive(&HostWorld::new(), &input);
    drive(&MemWorld::new(), &input);
}

/// A path as the fuzzer wrote it: components, and whether it starts or ends with `/`.
#[derive(Clone, Debug)]
enum Comp {
    Word(&'static str),
    /// The canary's absolute path (spelled for the world at hand).
    CanaryAbs,
    Raw(String),
}

#[derive(Clone, Debug)]
struct PathSpec {
    comps: Vec<Comp>,
    leading: bool,
    trailing: bool,
}

const WORDS: &[&str] = &[
    "..", ".", "a", "d", "e", "f", "l0", "l1", "l2", "sw", "x", "canary", "secret", "sub", "root", "box", "",
    "...", "%2e%2e", "é", "l3", "l4", "l5",
];

const LINK_NAMES: [&str; 6] = ["l0", "l1", "d/l2", "d/e/l3", "l4", "d/l5"];

impl PathSpec {
    fn render(&self, canary_abs: &str) -> String {
        let mut s = String::new();
        if self.leading {
            s.push('/');
        }
        for (i, c) in self.comps.iter().enumerate() {
            if i > 0 {
                s.push('/');
            }
            match c {
                Comp::Word(w) => s.push_str(w),
                Comp::CanaryAbs => s.push_str(canary_abs),
                Comp::Raw(r) => s.push_str(r),
            }
        }
        if self.trailing {
            s.push('/');
        }
        s
    }
}

fn byte(u: &mut Unstructured<'_>) -> arbitrary::Result<u8> {
    u8::arbitrary(u)
}

impl<'a> Arbitrary<'a> for PathSpec {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let n = byte(u)? % 12;
        let flags = byte(u)?;
        let mut comps = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let c = byte(u)?;
            comps.push(match c {
                0xF0..=0xF7 => {
                    let len = (c & 0x07) as usize;
                    let mut raw = Vec::with_capacity(len);
                    for _ in 0..len {
                        raw.push(byte(u)?);
                    }
                    Comp::Raw(String::from_utf8_lossy(&raw).into_owned())
                }
                0xF8..=0xFB => Comp::CanaryAbs,
                // Far over NAME_MAX, and a chain of `..` longer than PATH_MAX.
                0xFC | 0xFD => Comp::Raw("n".repeat(300)),
                0xFE | 0xFF => Comp::Raw("../".repeat(1500)),
                _ => Comp::Word(WORDS[c as usize % WORDS.len()]),
            });
        }
        Ok(PathSpec { comps, leading: flags & 1 != 0, trailing: flags & 2 != 0 })
    }
}

#[derive(Clone, Debug)]
enum Op {
    Stat(PathSpec, bool),
    Open(PathSpec, OpenOptions),
    OpenDir(PathSpec, bool),
    Mkdir(PathSpec),
    Rmdir(PathSpec),
    Unlink(PathSpec),
    Rename(PathSpec, PathSpec),
    Link(PathSpec, bool, PathSpec),
    Symlink(PathSpec, PathSpec),
    Readlink(PathSpec),
    SetTimes(PathSpec, bool),
    /// Replaces the planted symlink `sw` (through the unconfined side) with one to a new target.
    Swap(PathSpec),
}

/// An operation, and which handle runs it: 0 the mount root, `k` the `k`-th directory opened.
#[derive(Clone, Debug)]
struct Step {
    handle: u8,
    op: Op,
}

impl<'a> Arbitrary<'a> for Step {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let tag = byte(u)?;
        let handle = byte(u)? % 4;
        let p = PathSpec::arbitrary(u)?;
        let flag = byte(u)?;
        let op = match tag % 12 {
            0 => Op::Stat(p, flag & 1 != 0),
            1 => Op::Open(
                p,
                OpenOptions {
                    read: flag & 1 != 0,
                    write: flag & 2 != 0,
                    create: flag & 4 != 0,
                    exclusive: flag & 8 != 0,
                    truncate: flag & 16 != 0,
                    directory: flag & 32 != 0,
                    follow: flag & 64 != 0,
                },
            ),
            2 => Op::OpenDir(p, flag & 1 != 0),
            3 => Op::Mkdir(p),
            4 => Op::Rmdir(p),
            5 => Op::Unlink(p),
            6 => Op::Rename(p, PathSpec::arbitrary(u)?),
            7 => Op::Link(p, flag & 1 != 0, PathSpec::arbitrary(u)?),
            8 => Op::Symlink(p, PathSpec::arbitrary(u)?),
            9 => Op::Readlink(p),
            10 => Op::SetTimes(p, flag & 1 != 0),
            _ => Op::Swap(p),
        };
        Ok(Step { handle, op })
    }
}

#[derive(Clone, Debug)]
struct Input {
    /// Targets of the symlinks planted at [`LINK_NAMES`] before the run.
    links: Vec<PathSpec>,
    steps: Vec<Step>,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let n = byte(u)? as usize % (LINK_NAMES.len() + 1);
        let mut links = Vec::with_capacity(n);
        for _ in 0..n {
            links.push(PathSpec::arbitrary(u)?);
        }
        let mut steps = Vec::new();
        while !u.is_empty() && steps.len() < MAX_OPS {
            steps.push(Step::arbitrary(u)?);
        }
        Ok(Input { links, steps })
    }
}

/// A mount root with a canary beside it.
trait World {
    /// The confined mount root.
    fn root(&self) -> &dyn Dir;
    /// The canary's absolute path as a symlink target would spell it.
    fn canary_abs(&self) -> String;
    /// Plants (or replaces) a symlink at `name` (relative to the root) from outside the sandbox.
    fn plant(&self, name: &str, target: &str);
    /// Everything outside the root that must not change.
    fn outside(&self) -> Vec<String>;
    /// `(dev, ino)` of the root and of everything reachable beneath it.
    fn inside(&self) -> BTreeSet<(u64, u64)>;
}

fn drive(world: &dyn World, input: &Input) {
    let canary = world.canary_abs();
    world.plant("sw", "d");
    for (name, target) in LINK_NAMES.iter().zip(&input.links) {
        world.plant(name, &target.render(&canary));
    }
    let before = world.outside();
    let mut handles: Vec<Box<dyn Dir>> = Vec::new();
    for step in &input.steps {
        let dir: &dyn Dir = match step.handle as usize {
            0 => world.root(),
            k => match handles.get(k - 1) {
                Some(h) => &**h,
                None => world.root(),
            },
        };
        let path = |p: &PathSpec| p.render(&canary);
        let mut named: Option<Filestat> = None;
        let mut opened: Option<Box<dyn Dir>> = None;
        match &step.op {
            Op::Stat(p, follow) => named = dir.stat_at(&path(p), *follow).ok(),
            Op::Open(p, opts) => match dir.open(&path(p), opts) {
                Ok(Node::File(f)) => {
                    named = f.stat().ok();
                    // Writing through what was opened must land inside too.
                    let _ = f.write_at(b"pwned", 0);
                }
                Ok(Node::Dir(d)) => {
                    named = d.stat().ok();
                    opened = Some(d);
                }
                Err(_) => {}
            },
            Op::OpenDir(p, follow) => {
                let opts = OpenOptions { read: true, directory: true, follow: *follow, ..OpenOptions::default() };
                if let Ok(Node::Dir(d)) = dir.open(&path(p), &opts) {
                    named = d.stat().ok();
                    // Listing and creating through the handle are the ways to use it.
                    let _ = d.entries();
                    let _ = d.create_dir("made-here");
                    opened = Some(d);
                }
            }
            Op::Mkdir(p) => drop(dir.create_dir(&path(p))),
            Op::Rmdir(p) => drop(dir.remove_dir(&path(p))),
            Op::Unlink(p) => drop(dir.unlink_file(&path(p))),
            Op::Rename(p, q) => drop(dir.rename(&path(p), dir, &path(q))),
            Op::Link(p, follow, q) => drop(dir.hard_link(&path(p), *follow, dir, &path(q))),
            Op::Symlink(target, p) => drop(dir.symlink(&path(target), &path(p))),
            Op::Readlink(p) => drop(dir.read_link(&path(p))),
            Op::SetTimes(p, follow) => drop(dir.set_times_at(&path(p), *follow, Some(1), Some(2))),
            Op::Swap(target) => world.plant("sw", &path(target)),
        }
        let after = world.outside();
        assert_eq!(before, after, "{step:?} changed something outside the root");
        if let Some(st) = named {
            let inside = world.inside();
            assert!(inside.contains(&(st.dev, st.ino)), "{step:?} reached ({}, {}) outside the root", st.dev, st.ino);
        }
        if let Some(d) = opened {
            if handles.len() < 3 {
                handles.push(d);
            }
        }
    }
}

/// A host scratch directory: `box/root` (the mount), `box/canary/{secret, sub/}`, and `top`
/// beside `box`.
struct HostWorld {
    _tmp: tempfile::TempDir,
    top: PathBuf,
    root_path: PathBuf,
    root: HostDir,
}

impl HostWorld {
    fn new() -> Self {
        let tmp = crate::scratch_dir();
        let top = tmp.path().to_path_buf();
        let root_path = top.join("box/root");
        for d in ["box/root/d/e", "box/canary/sub"] {
            std::fs::create_dir_all(top.join(d)).expect("mkdir");
        }
        std::fs::write(root_path.join("a"), b"a").expect("write a");
        std::fs::write(root_path.join("d/e/f"), b"f").expect("write f");
        std::fs::write(top.join("box/canary/secret"), b"secret").expect("write secret");
        std::fs::write(top.join("top"), b"top").expect("write top");
        let root = HostDir::open_ambient(&root_path).expect("open root");
        HostWorld { _tmp: tmp, top, root_path, root }
    }
}

/// Lists a host tree without following symlinks: one line per entry with what must not change.
fn host_listing(base: &Path, out: &mut Vec<String>, skip: Option<&Path>) {
    let mut stack = vec![base.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&dir) else { continue };
        if Some(dir.as_path()) == skip {
            // The root's own times and size change as entries come and go; its identity must not.
            out.push(format!("{} {:o} {} {}", dir.display(), meta.mode(), meta.dev(), meta.ino()));
            continue;
        }
        out.push(format!(
            "{} {:o} {} {} {} {}.{} {}.{}",
            dir.display(),
            meta.mode(),
            meta.size(),
            meta.ino(),
            meta.nlink(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec()
        ));
        if !meta.is_dir() {
            continue;
        }
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir).expect("read_dir").map(|e| e.expect("entry").path()).collect();
        names.sort();
        stack.extend(names.into_iter().rev());
    }
}

impl World for HostWorld {
    fn root(&self) -> &dyn Dir {
        &self.root
    }
    fn canary_abs(&self) -> String {
        self.top.join("box/canary").display().to_string()
    }
    fn plant(&self, name: &str, target: &str) {
        let at = self.root_path.join(name);
        let tmp = self.root_path.join(".planting");
        // Rename over the old link, so a swap is atomic; a target the host cannot store (NUL) or
        // a missing parent just leaves things as they were.
        if std::os::unix::fs::symlink(target, &tmp).is_ok() && std::fs::rename(&tmp, &at).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
    fn outside(&self) -> Vec<String> {
        let mut out = Vec::new();
        // Everything under the scratch directory but the root's contents (the root's own entry
        // stays: it must not be replaced or moved).
        host_listing(&self.top, &mut out, Some(&self.root_path));
        out
    }
    fn inside(&self) -> BTreeSet<(u64, u64)> {
        let mut out = BTreeSet::new();
        let mut stack = vec![self.root_path.clone()];
        while let Some(p) = stack.pop() {
            let Ok(meta) = std::fs::symlink_metadata(&p) else { continue };
            out.insert((meta.dev(), meta.ino()));
            if meta.is_dir() {
                stack.extend(std::fs::read_dir(&p).expect("read_dir").map(|e| e.expect("entry").path()));
            }
        }
        out
    }
}

/// A clock that ticks on every reading, so any change to the in-memory tree moves a timestamp.
struct Ticks(Cell<u64>);

impl wasi_vfs::Clock for Ticks {
    fn now(&self) -> u64 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }
}

/// The same layout in memory: `/box/root` is preopened with [`MemFs::confined_dir`].
struct MemWorld {
    fs: MemFs,
    root: Box<dyn Dir>,
}

impl MemWorld {
    fn new() -> Self {
        let fs = MemFs::with_clock(Rc::new(Ticks(Cell::new(0))));
        let top = fs.root();
        ops::create_dir_all(&*top, "box/root/d/e").expect("mkdir");
        ops::create_dir_all(&*top, "box/canary/sub").expect("mkdir");
        ops::write_file(&*top, "box/root/a", b"a").expect("write a");
        ops::write_file(&*top, "box/root/d/e/f", b"f").expect("write f");
        ops::write_file(&*top, "box/canary/secret", b"secret").expect("write secret");
        ops::write_file(&*top, "top", b"top").expect("write top");
        let root = fs.confined_dir("box/root").expect("confined root");
        MemWorld { fs, root }
    }
}

impl World for MemWorld {
    fn root(&self) -> &dyn Dir {
        &*self.root
    }
    fn canary_abs(&self) -> String {
        "/box/canary".into()
    }
    fn plant(&self, name: &str, target: &str) {
        let top = self.fs.root();
        let at = format!("box/root/{name}");
        let _ = top.unlink_file(&at);
        let _ = top.symlink(target, &at);
    }
    fn outside(&self) -> Vec<String> {
        let top = self.fs.root();
        let mut out = Vec::new();
        let st = top.stat().expect("stat /");
        out.push(format!("/ {st:?}"));
        ops::walk(&*top, &mut |e| {
            if e.path.starts_with("box/root/") {
                return Ok(());
            }
            let contents = match e.stat.filetype {
                wasi_vfs::FileType::RegularFile => ops::read_file(e.dir, e.name)?,
                _ => Vec::new(),
            };
            // The root's own times change when entries are added to it; its identity must not.
            let st = if e.path == "box/root" { Filestat { mtim: 0, ctim: 0, atim: 0, nlink: 0, size: 0, ..e.stat } } else { e.stat };
            out.push(format!("{} {st:?} {contents:?}", e.path));
            Ok(())
        })
        .expect("walk the outside");
        out
    }
    fn inside(&self) -> BTreeSet<(u64, u64)> {
        let mut out = BTreeSet::new();
        let st = self.root.stat().expect("stat root");
        out.insert((st.dev, st.ino));
        ops::walk(&*self.root, &mut |e| {
            out.insert((e.stat.dev, e.stat.ino));
            Ok(())
        })
        .expect("walk the root");
        out
    }
}

/// A path for a seed: `words` (from [`WORDS`], or `@canary` for the canary's absolute path,
/// `@ups` for a chain of 1500 `..`, `@long` for a 300-byte name, `@nul` for a NUL byte) joined by
/// `/`, with a leading or trailing `/` as asked.
fn seed_path(out: &mut Vec<u8>, words: &[&str], leading: bool, trailing: bool) {
    out.push(words.len() as u8);
    out.push(u8::from(leading) | u8::from(trailing) << 1);
    for w in words {
        match *w {
            "@canary" => out.push(0xF8),
            "@ups" => out.push(0xFE),
            "@long" => out.push(0xFC),
            "@nul" => out.extend_from_slice(&[0xF1, 0]),
            "@badutf8" => out.extend_from_slice(&[0xF2, 0xC3, 0x28]),
            w => out.push(WORDS.iter().position(|x| *x == w).unwrap_or_else(|| panic!("{w} is not a word")) as u8),
        }
    }
}

/// One seed step: operation `tag` (see [`Step`]'s decoding), on `handle`, with `flag` and paths.
fn seed_step(out: &mut Vec<u8>, tag: u8, handle: u8, path: &[&str], flag: u8, second: Option<&[&str]>) {
    out.push(tag);
    out.push(handle);
    seed_path(out, path, false, false);
    out.push(flag);
    if let Some(q) = second {
        seed_path(out, q, false, false);
    }
}

/// Seed inputs for this target.
pub(crate) fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let (stat, open, open_dir, mkdir, rmdir, unlink, rename, link, symlink, readlink, set_times, swap) =
        (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    let (follow, create_write) = (1, 2 | 4 | 64);
    let mut v = Vec::new();

    // Links leading out every way, then every operation through them.
    let mut s = vec![6];
    seed_path(&mut s, &["..", "canary", "secret"], false, false);
    seed_path(&mut s, &["@canary"], false, false);
    seed_path(&mut s, &["..", "..", "canary"], false, false);
    seed_path(&mut s, &["..", "..", "..", "box", "canary"], false, false);
    seed_path(&mut s, &["l4"], false, false);
    seed_path(&mut s, &["..", "a"], false, false);
    seed_step(&mut s, stat, 0, &["l0"], follow, None);
    seed_step(&mut s, open, 0, &["l1", "secret"], create_write, None);
    seed_step(&mut s, open, 0, &["l0"], create_write | 16, None);
    seed_step(&mut s, mkdir, 0, &["l1", "x"], 0, None);
    seed_step(&mut s, set_times, 0, &["l0"], follow, None);
    seed_step(&mut s, link, 0, &["l0"], follow, Some(&["x"]));
    seed_step(&mut s, rename, 0, &["a"], 0, Some(&["d", "l2", "x"]));
    seed_step(&mut s, symlink, 0, &["..", "canary"], 0, Some(&["x"]));
    seed_step(&mut s, open, 0, &["x", "secret"], create_write, None);
    seed_step(&mut s, unlink, 0, &["l1", "secret"], 0, None);
    seed_step(&mut s, rmdir, 0, &["l1", "sub"], 0, None);
    seed_step(&mut s, readlink, 0, &["l1"], 0, None);
    seed_step(&mut s, stat, 0, &["l4"], follow, None);
    seed_step(&mut s, open, 0, &["d", "l5"], 1 | follow << 6, None);
    v.push(("outward_links", s));

    // Subdirectory handles, `..` from them, and a symlink swapped between operations.
    let mut s = vec![0];
    seed_step(&mut s, open_dir, 0, &["d"], follow, None);
    seed_step(&mut s, stat, 1, &[".."], follow, None);
    seed_step(&mut s, open, 1, &["..", "a"], 1, None);
    seed_step(&mut s, open_dir, 1, &["e"], follow, None);
    seed_step(&mut s, mkdir, 2, &["..", "..", "..", "canary", "x"], 0, None);
    seed_step(&mut s, open_dir, 0, &["sw"], follow, None);
    seed_step(&mut s, swap, 0, &["@canary"], 0, None);
    seed_step(&mut s, open, 0, &["sw", "secret"], create_write, None);
    seed_step(&mut s, stat, 3, &["e", "f"], follow, None);
    seed_step(&mut s, swap, 0, &["..", "canary"], 0, None);
    seed_step(&mut s, open_dir, 0, &["sw", "sub"], follow, None);
    seed_step(&mut s, rename, 1, &["e"], 0, Some(&["..", "..", "canary", "e"]));
    v.push(("handles_and_swaps", s));

    // Malformed and huge paths.
    let mut s = vec![2];
    seed_path(&mut s, &["@ups", "canary"], false, false);
    seed_path(&mut s, &["@long"], false, false);
    seed_step(&mut s, stat, 0, &["@ups", "box", "canary"], follow, None);
    seed_step(&mut s, stat, 0, &["l0"], follow, None);
    seed_step(&mut s, open, 0, &["@long"], create_write, None);
    seed_step(&mut s, mkdir, 0, &["a", "@nul", "..", "..", "canary", "x"], 0, None);
    seed_step(&mut s, open, 0, &["@badutf8"], create_write, None);
    seed_step(&mut s, stat, 0, &["", "", "a", ".", ""], follow, None);
    v.push(("odd_paths", s));

    // Absolute paths straight in.
    let mut s = vec![0];
    s.extend_from_slice(&[open, 0]);
    seed_path(&mut s, &["@canary", "secret"], false, false);
    s.push(create_write);
    s.extend_from_slice(&[stat, 0]);
    seed_path(&mut s, &["box", "canary"], true, true);
    s.push(follow);
    v.push(("absolute", s));
    v
}
