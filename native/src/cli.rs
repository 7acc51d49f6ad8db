//! Command-line flags, spelled as wasmtime (and Wasmer, for `--mapdir`) users know them.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// Run a WebAssembly (WASI preview 1) command-line program, natively, exactly as in the browser.
#[derive(Parser, Debug)]
#[command(name = "wrun", version, about, trailing_var_arg = true, after_help = EXIT_CODES)]
pub struct Cli {
    /// Grant access to a host directory: HOST, or HOST::GUEST to mount it at GUEST.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,

    /// Wasmer's spelling of a directory mapping: GUEST::HOST.
    #[arg(long = "mapdir", value_name = "GUEST::HOST")]
    pub mapdirs: Vec<String>,

    /// Set an environment variable (K=V), or pass one through from the host (K).
    #[arg(long = "env", short = 'e', value_name = "K[=V]")]
    pub envs: Vec<String>,

    /// Mount a filesystem image (a tar archive, as the browser library exports) in memory, at `/`
    /// or at GUEST.
    #[arg(long = "fs", value_name = "IMAGE.tar[::GUEST]")]
    pub fs: Option<String>,

    /// Write the image mounted with `--fs` back to this tar file when the program ends, however it
    /// ends. Saving may take as long as --timeout again; past that, or on any error, the file is
    /// left as it was.
    #[arg(long = "fs-out", value_name = "IMAGE.tar", requires = "fs")]
    pub fs_out: Option<PathBuf>,

    /// Largest size of the `--fs` tree: its files' bytes, plus 512 bytes and the path's length for
    /// each name (about the size of its tar image). Past it the program gets ENOSPC.
    #[arg(long = "fs-size", value_name = "BYTES", value_parser = parse_bytes, default_value = "1GiB")]
    pub fs_size: u64,

    /// Execution engine. `auto` (tiered start): Cranelift's compiled code from the cache; for a
    /// big module not in the cache yet, the program starts at once on wasmi while Cranelift
    /// compiles it in the background for the next run (-v says which).
    #[arg(long, value_enum, default_value_t = EngineKind::Auto)]
    pub engine: EngineKind,

    /// Say on stderr which engine runs the program, and why.
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// Stop the program after it has consumed this much fuel (roughly, instructions).
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// Stop the program after this long (e.g. 500ms, 2s, 1m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Largest linear memory the program may grow to (e.g. 64MiB, 1GiB, 1048576); with several
    /// memories, their total. Tables get the same budget, at 8 bytes an element.
    #[arg(long = "max-memory", value_name = "BYTES", value_parser = parse_bytes)]
    pub max_memory: Option<u64>,

    /// Call this exported function instead of `_start`; ARGS are its parameters. A reactor's
    /// `_initialize` runs first.
    #[arg(long, value_name = "FUNCTION")]
    pub invoke: Option<String>,

    /// Run a module that imports functions wrun does not provide: each traps, naming itself, if
    /// the program calls it (wasmtime's `-W unknown-imports-trap`).
    #[arg(long = "unknown-imports-trap")]
    pub unknown_imports_trap: bool,

    /// Fixed clocks and seeded randomness, for reproducible runs.
    #[arg(long)]
    pub deterministic: bool,

    /// Do not read or write the compiled-module cache.
    #[arg(long = "no-cache")]
    pub no_cache: bool,

    /// The WebAssembly module (binary or text).
    #[arg(value_name = "FILE.wasm")]
    pub module: PathBuf,

    /// Arguments for the program.
    #[arg(value_name = "ARGS", allow_hyphen_values = true)]
    pub args: Vec<std::ffi::OsString>,
}

const EXIT_CODES: &str = "Exit status: the program's own exit code (0-125; a larger one is reported \
as 1 with a message, as in wasmtime); 134 when it traps; 124 when --timeout or --fuel stops it; 1 \
when the module cannot be loaded; 2 for bad flags.

Compiled modules are cached (WRUN_CACHE_DIR, else ~/.cache/wrun; at most WRUN_CACHE_MAX_SIZE, \
default 1G, least recently used first out). `wrun cache` shows it, `wrun cache clear` empties it \
(to run a file named `cache`, write ./cache). With --engine auto, a module with WRUN_TIERED_MIN_SIZE \
(default 512K) of code or more that is not in the cache starts on wasmi while Cranelift compiles it in the \
background; a run stays on the engine it started on.";

/// `wrun cache`: the compiled-module cache.
#[derive(Parser, Debug)]
#[command(name = "wrun cache", about = "Show or clear the compiled-module cache")]
pub struct CacheCli {
    #[command(subcommand)]
    pub action: Option<CacheAction>,
}

#[derive(clap::Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum CacheAction {
    /// Where the cache is, how many entries it holds and their size (the default).
    Show,
    /// Remove every entry.
    Clear,
    /// Compile a module with Cranelift into the cache (what a tiered first run starts in the
    /// background).
    #[command(hide = true)]
    Fill {
        /// The module, binary or text.
        module: PathBuf,
        /// For runs with --timeout (their code checks for the deadline).
        #[arg(long = "for-timeout")]
        for_timeout: bool,
        /// The file that says the compile is under way: removed when it ends, however it ends.
        #[arg(long)]
        marker: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EngineKind {
    /// Cranelift's cached code, else (big modules) wasmi while Cranelift compiles in the background.
    Auto,
    /// Cranelift optimizing JIT (through wasmtime).
    Cranelift,
    /// Winch single-pass baseline JIT (through wasmtime).
    Winch,
    /// The wasmi interpreter.
    Wasmi,
}

impl EngineKind {
    /// The name as the `--engine` flag spells it.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Auto => "auto",
            EngineKind::Cranelift => "cranelift",
            EngineKind::Winch => "winch",
            EngineKind::Wasmi => "wasmi",
        }
    }
}

/// Parses `250ms`, `2s`, `1.5s`, `1m`, `1h`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let value: f64 = num.parse().map_err(|_| format!("`{s}` is not a duration (try 500ms, 2s, 1m)"))?;
    let secs = match unit.trim() {
        "" | "s" | "sec" => value,
        "ms" => value / 1e3,
        "us" | "µs" => value / 1e6,
        "ns" => value / 1e9,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => return Err(format!("unknown duration unit `{other}` (use ns, us, ms, s, m, h)")),
    };
    let d = Duration::try_from_secs_f64(secs).map_err(|e| format!("`{s}`: {e}"))?;
    // Deadlines are `Instant::now() + d`, which overflows (and panics) for durations near
    // `Duration::MAX`; nobody means a timeout longer than a century.
    if d > MAX_DURATION {
        return Err(format!("`{s}` is too long (at most 100 years)"));
    }
    Ok(d)
}

const MAX_DURATION: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Parses `1048576`, `64KiB`, `64MiB`, `1GiB`, `1G`, `512M`, `4K`.
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let value: u64 = num.parse().map_err(|_| format!("`{s}` is not a size (try 64MiB)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` (use KiB, MiB, GiB)")),
    };
    value.checked_mul(mult).ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("10000000000000000000").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("64MiB"), Ok(64 << 20));
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("99999999999999GiB").is_err());
    }
}
