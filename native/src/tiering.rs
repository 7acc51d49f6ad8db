//! `--engine auto`, the default: which engine a run starts on.
//!
//! Cranelift's code is the fastest to run but the slowest to get: CPython (26 MB) takes 3.2 s to
//! compile here, against 0.4 s for wasmi to start it (it translates a function when it is first
//! called). So when the cache has no Cranelift code for a big module, the run starts at once on
//! wasmi and a detached `wrun cache fill` compiles the module with Cranelift for the next run,
//! which then starts from the cache. A run that has begun stays on its engine (WebAssembly
//! state cannot move between engines mid-run): a long first run is slower than the ones after it.
//! Small modules compile faster than wasmi would start them and are compiled at once, as are
//! runs with `--fuel` (each engine counts its own units) or without a cache.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use runtime_core::interpreter::Compiled;

use crate::cli::EngineKind;
use crate::engines::{wasmi_engine, wasmtime_engine, RunOptions};

/// Below this many bytes of code (the code section: a module's size is mostly data and names
/// for some) a module is compiled with Cranelift at once, in about a quarter of a second here,
/// and a long first run then goes at full speed. ripgrep has 2.2 MB of code (1.3 s to compile),
/// CPython 6.2 MB (3.2 s), the compute benchmark 56 KB.
pub const DEFAULT_MIN_SIZE: u64 = 512 << 10;

/// `WRUN_TIERED_MIN_SIZE` (bytes, or with a K, M or G suffix), else [`DEFAULT_MIN_SIZE`].
pub fn min_size() -> u64 {
    std::env::var("WRUN_TIERED_MIN_SIZE").ok().and_then(|v| crate::cache::parse_size(&v)).unwrap_or(DEFAULT_MIN_SIZE)
}

/// The size of the module's code section (0 without one, or for a module that does not parse:
/// the engine says what is wrong with it).
fn code_size(wasm: &[u8]) -> u64 {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(wasmparser::Payload::CodeSectionStart { size, .. }) => return u64::from(size),
            Ok(_) => {}
            Err(_) => return 0,
        }
    }
    0
}

/// How a run starts.
pub enum Start {
    /// On this engine.
    On(EngineKind),
    /// On wasmi, with the module already accepted by it, while Cranelift compiles in the background.
    FastTier(Compiled),
}

/// Decides how to start `wasm` (read from `path`) for `--engine asked`; the string says why, for `-v`.
pub fn start(asked: EngineKind, path: &Path, wasm: &[u8], opts: &RunOptions) -> (Start, String) {
    let cranelift = |why: &str| (Start::On(EngineKind::Cranelift), format!("cranelift ({why})"));
    if asked != EngineKind::Auto {
        return (Start::On(asked), format!("{} (--engine)", asked.name()));
    }
    if opts.fuel.is_some() {
        return cranelift("--fuel: one engine's units");
    }
    if opts.cache_dir.is_none() {
        return cranelift("no cache to fill for a later run");
    }
    if wasmtime_engine::is_cached(EngineKind::Cranelift, wasm, opts) {
        return cranelift("compiled code from the cache");
    }
    if code_size(wasm) < min_size() {
        return cranelift("a small module: compiled at once");
    }
    match wasmi_engine::load(wasm, opts) {
        Ok(compiled) => {
            let note = match compile_in_background(path, wasm, opts) {
                Ok(true) => "Cranelift compiles it in the background for the next run",
                Ok(false) => "another wrun is compiling it with Cranelift",
                // No later run would find Cranelift's code either (a cache it cannot write, say):
                // the optimizing compiler now, as without a cache.
                Err(e) => return cranelift(&format!("cannot compile in the background: {e}")),
            };
            (Start::FastTier(compiled), format!("wasmi (first run of this module: {note})"))
        }
        Err(e) => cranelift(&format!("wasmi cannot run this module: {}", format!("{e:#}").lines().next().unwrap_or_default())),
    }
}

/// The marker of a background compile in progress, next to the entry it will write.
fn marker(entry: &Path) -> PathBuf {
    entry.with_extension("filling")
}

/// A marker older than this is from a compile that died; another may start.
const STALE: Duration = Duration::from_secs(600);

/// Starts `wrun cache fill` on the module, detached (its own process group: Ctrl-C on the
/// terminal does not reach it; it outlives this run). Ok(false): one is already at work on it.
fn compile_in_background(path: &Path, wasm: &[u8], opts: &RunOptions) -> std::io::Result<bool> {
    use std::os::unix::process::CommandExt;

    let Some(entry) = wasmtime_engine::cache_entry(EngineKind::Cranelift, wasm, opts) else { return Ok(false) };
    let exe = std::env::current_exe()?;
    let marker = marker(&entry);
    if let Some(dir) = marker.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if let Err(e) = std::fs::File::options().write(true).create_new(true).open(&marker) {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            return Err(e);
        }
        let age = std::fs::metadata(&marker)?.modified()?.elapsed().unwrap_or_default();
        if age < STALE {
            return Ok(false);
        }
        // Claimed anew: a newer modification time tells other runs a compile is under way.
        std::fs::File::options().write(true).open(&marker)?.set_modified(SystemTime::now())?;
    }
    let mut cmd = Command::new(exe);
    // The marker by name: the child removes this one even if the file changed meanwhile.
    cmd.arg("cache").arg("fill").arg("--marker").arg(&marker);
    if opts.timeout.is_some() {
        cmd.arg("--for-timeout");
    }
    cmd.arg("--").arg(path);
    let started = cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).process_group(0).spawn();
    if let Err(e) = started {
        let _ = std::fs::remove_file(&marker);
        return Err(e);
    }
    Ok(true)
}

/// `wrun cache fill FILE`: compiles FILE with Cranelift into the cache (what a tiered run starts
/// in the background), at the lowest priority: the program that started it runs meanwhile.
pub fn fill(wasm: &[u8], opts: &RunOptions) -> anyhow::Result<()> {
    // SAFETY: setpriority only reads its arguments; 0 names this process.
    unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
    wasmtime_engine::fill_cache(EngineKind::Cranelift, wasm, opts)
}
