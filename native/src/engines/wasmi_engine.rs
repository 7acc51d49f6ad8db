//! The wasmi interpreter, through runtime-core's interpreter (the browser's wasmi build uses the
//! same one). What is native here: `--timeout` is checked between fuel slices, and `--invoke`
//! arguments come from the command line.

use std::time::Instant;

use anyhow::bail;
use runtime_core::interpreter::{Compiled, Interpreter, LoadError, Options, Step};
use runtime_core::WasiCtx;
use wasmi::{Val, ValType};

use super::{parse_invoke_arg, InvokeArg, Outcome, RunOptions};
use crate::module_check;

/// Fuel per slice when a timeout is set: small enough to notice the deadline within
/// milliseconds, large enough that the pauses cost nothing measurable.
const SLICE_FUEL: u64 = 20_000_000;

pub fn run(wasm: &[u8], wasi: WasiCtx, opts: &RunOptions) -> anyhow::Result<(Outcome, WasiCtx)> {
    run_loaded(load(wasm, opts)?, wasi, opts)
}

/// Validates `wasm` for wasmi: an `Err` (a feature wasmi lacks, say) leaves the WASI context
/// untouched, so `--engine auto` can run the module on another engine instead.
pub fn load(wasm: &[u8], opts: &RunOptions) -> anyhow::Result<Compiled> {
    let options = Options {
        fuel: opts.fuel,
        slice: opts.timeout.map(|_| SLICE_FUEL),
        max_memory: opts.max_memory,
        unknown_imports_trap: opts.unknown_imports_trap,
    };
    Compiled::new(wasm, &options).map_err(|e| match e {
        LoadError::Invalid(e) => module_check::load_failure(wasm, "wasmi", &e),
        LoadError::Link(e) => anyhow::anyhow!("{e}"),
    })
}

/// Runs a module [`load`] accepted.
pub fn run_loaded(compiled: Compiled, wasi: WasiCtx, opts: &RunOptions) -> anyhow::Result<(Outcome, WasiCtx)> {
    let mut guest = match Interpreter::instantiate(compiled, wasi) {
        Ok(guest) => guest,
        Err(LoadError::Invalid(e) | LoadError::Link(e)) => bail!("{e}"),
    };
    let deadline = opts.timeout.map(|t| Instant::now() + t);
    let outcome = match &opts.invoke {
        None => {
            guest.prepare("_start", Vec::new()).map_err(|_| anyhow::anyhow!("the module exports no `_start`"))?;
            outcome(drive(&mut guest, deadline), &guest, false)
        }
        Some((name, raw)) => {
            let args = invoke_args(&guest, name, raw)?;
            // A reactor's constructors first, as wasmtime does; if they end the run, that is how
            // it ends.
            let mut initialized = Step::Finished;
            if name != "_initialize" && guest.export_params("_initialize").is_some() {
                guest.prepare("_initialize", Vec::new()).map_err(anyhow::Error::msg)?;
                initialized = drive(&mut guest, deadline);
            }
            if initialized == Step::Finished {
                guest.prepare(name, args).map_err(anyhow::Error::msg)?;
                outcome(drive(&mut guest, deadline), &guest, true)
            } else {
                outcome(initialized, &guest, false)
            }
        }
    };
    let mut wasi = guest.into_host();
    wasi.flush_outputs();
    Ok((outcome, wasi))
}

/// `--invoke` arguments, parsed for the export's parameter types.
fn invoke_args(guest: &Interpreter<WasiCtx>, name: &str, raw: &[String]) -> anyhow::Result<Vec<Val>> {
    let params = guest.export_params(name).ok_or_else(|| anyhow::anyhow!("the module exports no function `{name}`"))?;
    if params.len() != raw.len() {
        bail!("`{name}` takes {} arguments, {} given", params.len(), raw.len());
    }
    let mut args = Vec::new();
    for (p, r) in params.iter().zip(raw) {
        let ty = match p {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            _ => "reference",
        };
        args.push(match parse_invoke_arg(ty, r)? {
            InvokeArg::I32(v) => Val::I32(v),
            InvokeArg::I64(v) => Val::I64(v),
            InvokeArg::F32(v) => Val::F32(v.into()),
            InvokeArg::F64(v) => Val::F64(v.into()),
        });
    }
    Ok(args)
}

/// Steps the prepared call to its end, checking `deadline` between slices; a deadline passed is
/// [`Step::Interrupted`].
fn drive(guest: &mut Interpreter<WasiCtx>, deadline: Option<Instant>) -> Step {
    let timed_out = || deadline.is_some_and(|d| Instant::now() >= d);
    loop {
        match guest.step() {
            Step::SliceEnded if !timed_out() => continue,
            Step::SliceEnded | Step::Interrupted => return Step::Interrupted,
            Step::OutOfFuel if timed_out() => return Step::Interrupted,
            // Natively a waiting call blocks the thread; it ends early only when --timeout passes.
            Step::Waiting => return Step::Interrupted,
            end => return end,
        }
    }
}

/// How the run ended, from the last step. `returns`: the call's results are printed
/// (`--invoke`) rather than read as "exited 0".
fn outcome(step: Step, guest: &Interpreter<WasiCtx>, returns: bool) -> Outcome {
    match step {
        Step::Finished if returns => Outcome::Returned(guest.results().iter().map(format_val).collect()),
        Step::Finished => Outcome::Exited(0),
        Step::Exited(code) => Outcome::Exited(code),
        Step::OutOfFuel => Outcome::OutOfFuel,
        Step::SliceEnded | Step::Waiting | Step::Interrupted => Outcome::Timeout,
        Step::Trapped(message) => Outcome::Trap { message, backtrace: None },
    }
}

fn format_val(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(x) => f32::from(*x).to_string(),
        Val::F64(x) => f64::from(*x).to_string(),
        other => format!("{other:?}"),
    }
}
