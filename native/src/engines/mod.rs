//! Engine adapters. Each one wires runtime-core's import table into its engine, hands guest
//! memory to the core as a slice, and reports how the run ended as an [`Outcome`]. No WASI logic
//! lives here.

use std::path::PathBuf;
use std::time::Duration;

use runtime_core::WasiCtx;

use crate::cli::EngineKind;

pub mod limits;
pub mod wasmi_engine;
pub mod wasmtime_engine;

/// Limits and entry point of one run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub fuel: Option<u64>,
    pub timeout: Option<Duration>,
    pub max_memory: Option<u64>,
    /// `--invoke NAME ARGS...` instead of `_start`.
    pub invoke: Option<(String, Vec<String>)>,
    /// Where compiled modules are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// The module's [`crate::cache::digest`], when the caller computed it already (`wrun`
    /// looks the cache up more than once per run); else each lookup hashes the module.
    pub module_digest: Option<[u8; 32]>,
    /// `--unknown-imports-trap`: link function imports wrun does not provide to traps.
    pub unknown_imports_trap: bool,
}

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `_start` returned (status 0) or the program called `proc_exit`.
    Exited(u32),
    /// `--invoke`: the function's results, printed one per line.
    Returned(Vec<String>),
    /// The guest trapped.
    Trap { message: String, backtrace: Option<String> },
    /// `--timeout` elapsed.
    Timeout,
    /// `--fuel` ran out.
    OutOfFuel,
}

/// `proc_exit`, carried through the engine's error path to the top of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestExit(pub u32);

impl std::fmt::Display for GuestExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit with status {}", self.0)
    }
}

impl std::error::Error for GuestExit {}

/// A guest was waiting in a WASI call (reading stdin, sleeping) when `--timeout` passed
/// ([`runtime_core::CallOutcome::Interrupted`]), carried to the top of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestInterrupted;

impl std::fmt::Display for GuestInterrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("timed out while waiting")
    }
}

impl std::error::Error for GuestInterrupted {}

/// Runs `wasm` (binary) on the chosen engine. `Err` means the module could not be loaded or
/// linked; everything the guest does is an [`Outcome`].
pub fn run(kind: EngineKind, wasm: &[u8], ctx: WasiCtx, opts: &RunOptions) -> anyhow::Result<(Outcome, WasiCtx)> {
    match kind {
        // Auto's choice is the binary's (crate::tiering); here it means the optimizing compiler.
        EngineKind::Auto | EngineKind::Cranelift => wasmtime_engine::run(EngineKind::Cranelift, wasm, ctx, opts),
        EngineKind::Winch => wasmtime_engine::run(kind, wasm, ctx, opts),
        EngineKind::Wasmi => wasmi_engine::run(wasm, ctx, opts),
    }
}

/// Parses `--invoke` arguments for a parameter list given as type names.
pub fn parse_invoke_arg(ty: &str, raw: &str) -> anyhow::Result<InvokeArg> {
    let bad = || anyhow::anyhow!("argument `{raw}` is not a valid {ty}");
    Ok(match ty {
        "i32" => InvokeArg::I32(raw.parse::<i32>().or_else(|_| raw.parse::<u32>().map(|v| v as i32)).map_err(|_| bad())?),
        "i64" => InvokeArg::I64(raw.parse::<i64>().or_else(|_| raw.parse::<u64>().map(|v| v as i64)).map_err(|_| bad())?),
        "f32" => InvokeArg::F32(raw.parse::<f32>().map_err(|_| bad())?),
        "f64" => InvokeArg::F64(raw.parse::<f64>().map_err(|_| bad())?),
        other => anyhow::bail!("cannot pass a {other} parameter from the command line"),
    })
}

/// A command-line value for `--invoke`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InvokeArg {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
}
