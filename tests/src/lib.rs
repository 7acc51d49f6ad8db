//! Guest programs for wrun's tests and benchmarks, and the helpers that build them.
//!
//! Guests live in `tests/guests/{c,rust}/NAME.{c,rs}`, one file each, built on demand:
//! C with Debian's clang + wasi-libc (`clang --target=wasm32-wasi`), Rust with
//! `rustc --target wasm32-wasip1`. Built modules go to `target/guests/NAME.wasm` and are rebuilt
//! when the source is newer. Each guest may have beside it:
//! - `NAME.stdout`: the exact expected stdout,
//! - `NAME.stderr`: the exact expected stderr (what the program wrote; wrun's own report of a trap
//!   or limit comes after it and is not part of it),
//! - `NAME.toml`: how to run it (`args`, `stdin`, `exit`, `dirs`, `env`, `stderr_contains`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context as _};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Where guest sources live.
pub fn guests_dir() -> PathBuf {
    repo_root().join("tests").join("guests")
}

/// Where built guests go.
pub fn out_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
        .join("guests")
}

/// A guest source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guest {
    pub name: String,
    pub source: PathBuf,
}

impl Guest {
    pub fn wasm(&self) -> PathBuf {
        out_dir().join(format!("{}.wasm", self.name))
    }
    /// A file beside the source with another extension, if it exists.
    pub fn sidecar(&self, ext: &str) -> Option<PathBuf> {
        let p = self.source.with_extension(ext);
        p.exists().then_some(p)
    }
}

/// Every guest program, sorted by name.
pub fn all_guests() -> anyhow::Result<Vec<Guest>> {
    let mut out = Vec::new();
    for lang in ["c", "rust"] {
        let dir = guests_dir().join(lang);
        for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let ext = path.extension().and_then(|e| e.to_str());
            if matches!(ext, Some("c") | Some("rs")) {
                let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
                out.push(Guest { name, source: path });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn newer(src: &Path, out: &Path) -> bool {
    let m = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (m(src), m(out)) {
        (Some(s), Some(o)) => s > o,
        _ => true,
    }
}

/// Builds one guest if it is missing or stale, and returns the module path.
pub fn build(guest: &Guest) -> anyhow::Result<PathBuf> {
    // Tests in one binary run in parallel and may build the same guest at once: rustc's
    // intermediate files are named after the output, so two builds of one guest would delete
    // each other's objects. One build at a time, into a private name, renamed into place.
    static BUILDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = BUILDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let out = guest.wasm();
    let header = guests_dir().join("c").join("check.h");
    let is_c = guest.source.extension().is_some_and(|e| e == "c");
    let stale = newer(&guest.source, &out) || (is_c && newer(&header, &out));
    if !stale {
        return Ok(out);
    }
    std::fs::create_dir_all(out_dir())?;
    let tmp = out_dir().join(format!("{}-{}.wasm.tmp", guest.name, std::process::id()));
    let mut cmd = if is_c {
        let mut c = Command::new("clang");
        c.args(["--target=wasm32-wasi", "-O2", "-Wall", "-Werror", "-o"]).arg(&tmp).arg(&guest.source);
        c
    } else {
        let mut c = Command::new("rustc");
        c.args(["--target", "wasm32-wasip1", "--edition", "2021", "-O", "-o"]).arg(&tmp).arg(&guest.source);
        c
    };
    let result = cmd.output().with_context(|| format!("running {cmd:?} (is the toolchain installed? see scripts/setup.sh)"))?;
    if !result.status.success() {
        let _ = std::fs::remove_file(&tmp);
        bail!("building {} failed:\n{}", guest.source.display(), String::from_utf8_lossy(&result.stderr));
    }
    std::fs::rename(&tmp, &out)?;
    Ok(out)
}

/// Builds every guest.
pub fn build_all() -> anyhow::Result<Vec<(Guest, PathBuf)>> {
    all_guests()?.into_iter().map(|g| build(&g).map(|p| (g, p))).collect()
}

/// The WASI functions a module imports from `wasi_snapshot_preview1`.
pub fn wasi_imports(wasm: &[u8]) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ImportSection(reader) = payload? {
            for import in reader.into_imports() {
                let import = import?;
                if import.module == "wasi_snapshot_preview1" {
                    names.push(import.name.to_string());
                }
            }
        }
    }
    Ok(names)
}

/// How to run a guest, from its `NAME.toml` (all fields optional).
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: Vec<String>,
    /// Text fed to stdin.
    #[serde(default)]
    pub stdin: String,
    /// Expected exit status (default 0).
    #[serde(default)]
    pub exit: i32,
    /// Preopens the runner provides, each empty and fresh: `"scratch"` is mounted at `/scratch`.
    #[serde(default)]
    pub dirs: Vec<String>,
    /// A substring stderr must contain.
    pub stderr_contains: Option<String>,
}

impl Guest {
    pub fn spec(&self) -> anyhow::Result<Spec> {
        match self.sidecar("toml") {
            None => Ok(Spec::default()),
            Some(p) => {
                let text = std::fs::read_to_string(&p)?;
                toml::from_str(&text).with_context(|| format!("parsing {}", p.display()))
            }
        }
    }
    /// The expected stdout, if the guest has a `NAME.stdout`.
    pub fn expected_stdout(&self) -> anyhow::Result<Option<Vec<u8>>> {
        self.sidecar("stdout").map(std::fs::read).transpose().map_err(Into::into)
    }
    /// The expected stderr, if the guest has a `NAME.stderr`.
    pub fn expected_stderr(&self) -> anyhow::Result<Option<Vec<u8>>> {
        self.sidecar("stderr").map(std::fs::read).transpose().map_err(Into::into)
    }
}

/// The program's own part of wrun's stderr: wrun appends its report of a trap or limit after it,
/// starting with a line that begins `wrun: `.
pub fn guest_stderr(stderr: &[u8]) -> &[u8] {
    let mut start = 0;
    for line in stderr.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"wrun: ") {
            return &stderr[..start];
        }
        start += line.len();
    }
    stderr
}
