//! The wasmi interpreter. Timeouts are enforced with fuel slices: the guest runs on a slice of
//! fuel, and between slices the adapter checks the clock and resumes (wasmi's resumable calls).

use std::time::Instant;

use anyhow::{anyhow, bail, Context as _};
use runtime_core::imports::{self, ValType as WasiVal, WasiFunc};
use runtime_core::limits::GrowthBudget;
use runtime_core::{SysError, WasiCtx};
use wasmi::errors::HostError;
use wasmi::{
    Caller, Config, Engine, Error, Func, FuncType, Linker, Memory, Module, ResumableCall, Store, TrapCode, Val, ValType,
};

use super::{parse_invoke_arg, GuestExit, GuestTimeout, InvokeArg, Outcome, RunOptions};
use crate::module_check;

impl HostError for GuestExit {}
impl HostError for GuestTimeout {}

/// A host call failed in a way that must trap the guest (e.g. a pointer out of bounds).
#[derive(Debug)]
struct HostTrap(String);

impl std::fmt::Display for HostTrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl HostError for HostTrap {}

/// Fuel per slice when only a timeout is set: small enough to notice the deadline within
/// milliseconds, large enough that the pauses cost nothing measurable.
const SLICE_FUEL: u64 = 20_000_000;

struct HostState {
    wasi: WasiCtx,
    limits: GrowthBudget,
    memory: Option<Memory>,
}

fn wasi_val(v: WasiVal) -> ValType {
    match v {
        WasiVal::I32 => ValType::I32,
        WasiVal::I64 => ValType::I64,
    }
}

fn link(engine: &Engine) -> anyhow::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    for &func in WasiFunc::ALL {
        let params: Vec<ValType> = func.params().iter().map(|&p| wasi_val(p)).collect();
        let results = if func.returns_errno() { vec![ValType::I32] } else { vec![] };
        linker.func_new(imports::MODULE, func.name(), FuncType::new(params, results), move |caller, params, results| {
            host_call(caller, func, params, results)
        })?;
    }
    Ok(linker)
}

fn host_call(mut caller: Caller<'_, HostState>, func: WasiFunc, params: &[Val], results: &mut [Val]) -> Result<(), Error> {
    let mut args = [0u64; 9];
    for (slot, v) in args.iter_mut().zip(params) {
        *slot = match v {
            Val::I32(x) => *x as u32 as u64,
            Val::I64(x) => *x as u64,
            _ => 0,
        };
    }
    let memory = match caller.data().memory {
        Some(m) => Some(m),
        None => caller.get_export("memory").and_then(|e| e.into_memory()),
    };
    let outcome = match memory {
        Some(m) => {
            let (data, state) = m.data_and_store_mut(&mut caller);
            imports::call(&mut state.wasi, &mut { data }, func, &args[..params.len()])
        }
        None => {
            let mut empty: &mut [u8] = &mut [];
            imports::call(&mut caller.data_mut().wasi, &mut empty, func, &args[..params.len()])
        }
    };
    match outcome {
        Ok(errno) => {
            if let Some(r) = results.first_mut() {
                *r = Val::I32(i32::from(errno));
            }
            Ok(())
        }
        Err(SysError::Exit(code)) => Err(Error::host(GuestExit(code))),
        Err(SysError::WouldBlock) => Err(Error::host(GuestTimeout)),
        Err(other) => Err(Error::host(HostTrap(format!("{}: {other}", func.name())))),
    }
}

pub fn run(wasm: &[u8], wasi: WasiCtx, opts: &RunOptions) -> anyhow::Result<(Outcome, WasiCtx)> {
    let mut config = Config::default();
    let metered = opts.fuel.is_some() || opts.timeout.is_some();
    config.consume_fuel(metered);
    // Fuel counts executed instructions only, as with wasmtime. wasmi also charges for translating
    // a function on its first call; an out-of-fuel there cannot be resumed (wasmi 2.0 raises it
    // outside the resumable path), so a timeout slice ending in a translation would stop the
    // program as if its fuel were gone.
    config.fuel_cost(wasmi::CustomFuelCosts { bytes_copied_per_fuel: 64, fuel_per_bytes_translated: 0, fuel_per_bytes_validated: 0 });
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wasm).map_err(|e| module_check::load_failure(wasm, "wasmi", &e.to_string()))?;
    let linker = link(&engine)?;

    let limits = GrowthBudget::new(opts.max_memory);
    let mut store = Store::new(&engine, HostState { wasi, limits, memory: None });
    store.limiter(|s| &mut s.limits);
    let mut budget = Budget { fuel_left: opts.fuel, deadline: opts.timeout.map(|t| Instant::now() + t) };
    if metered {
        store.set_fuel(budget.next_slice()).map_err(|e| anyhow!("{e}"))?;
    }

    let instance = match linker.instantiate_and_start(&mut store, &module) {
        Ok(i) => i,
        Err(e) => {
            let outcome = classify(e)?;
            return Ok((outcome, finish(store)));
        }
    };
    store.data_mut().memory = instance.get_memory(&store, "memory");
    let (func, args) = match &opts.invoke {
        None => {
            let start = instance.get_func(&store, "_start").context("the module exports no `_start`")?;
            (start, Vec::new())
        }
        Some((name, raw)) => {
            let f = instance.get_func(&store, name).with_context(|| format!("the module exports no function `{name}`"))?;
            let ty = f.ty(&store);
            if ty.params().len() != raw.len() {
                bail!("`{name}` takes {} arguments, {} given", ty.params().len(), raw.len());
            }
            let mut args = Vec::new();
            for (p, r) in ty.params().iter().zip(raw) {
                let name = match p {
                    ValType::I32 => "i32",
                    ValType::I64 => "i64",
                    ValType::F32 => "f32",
                    ValType::F64 => "f64",
                    _ => "reference",
                };
                args.push(match parse_invoke_arg(name, r)? {
                    InvokeArg::I32(v) => Val::I32(v),
                    InvokeArg::I64(v) => Val::I64(v),
                    InvokeArg::F32(v) => Val::F32(v.into()),
                    InvokeArg::F64(v) => Val::F64(v.into()),
                });
            }
            (f, args)
        }
    };
    let mut results = vec![Val::I32(0); func.ty(&store).results().len()];
    let outcome = match call(&mut store, func, &args, &mut results, &mut budget, metered) {
        Ok(None) if opts.invoke.is_some() => Outcome::Returned(results.iter().map(format_val).collect()),
        Ok(None) => Outcome::Exited(0),
        Ok(Some(limit)) => limit,
        Err(e) => classify(e)?,
    };
    Ok((outcome, finish(store)))
}

fn finish(store: Store<HostState>) -> WasiCtx {
    let mut state = store.into_data();
    state.wasi.flush_outputs();
    state.wasi
}

/// What is left of `--fuel` and `--timeout`.
struct Budget {
    fuel_left: Option<u64>,
    deadline: Option<Instant>,
}

impl Budget {
    /// Fuel for the next slice (and takes it from `--fuel`).
    fn next_slice(&mut self) -> u64 {
        let slice = if self.deadline.is_some() { SLICE_FUEL } else { u64::MAX };
        match &mut self.fuel_left {
            Some(left) => {
                let n = slice.min(*left);
                *left -= n;
                n
            }
            None => slice,
        }
    }
}

/// Calls `func`, refuelling between slices. `Ok(Some(..))` is a limit that stopped the run.
fn call(
    store: &mut Store<HostState>,
    func: Func,
    args: &[Val],
    results: &mut [Val],
    budget: &mut Budget,
    metered: bool,
) -> Result<Option<Outcome>, Error> {
    if !metered {
        return func.call(&mut *store, args, results).map(|()| None);
    }
    let mut state = func.call_resumable(&mut *store, args, results)?;
    loop {
        match state {
            ResumableCall::Finished => return Ok(None),
            ResumableCall::HostTrap(trap) => return Err(trap.into_host_error()),
            ResumableCall::OutOfFuel(paused) => {
                if budget.deadline.is_some_and(|d| Instant::now() >= d) {
                    return Ok(Some(Outcome::Timeout));
                }
                if budget.fuel_left == Some(0) {
                    return Ok(Some(Outcome::OutOfFuel));
                }
                let fuel = budget.next_slice().max(paused.required_fuel());
                store.set_fuel(fuel)?;
                state = paused.resume(&mut *store, results)?;
            }
        }
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

fn classify(e: Error) -> anyhow::Result<Outcome> {
    if let Some(exit) = e.downcast_ref::<GuestExit>() {
        return Ok(Outcome::Exited(exit.0));
    }
    if e.downcast_ref::<GuestTimeout>().is_some() {
        return Ok(Outcome::Timeout);
    }
    if let Some(trap) = e.downcast_ref::<HostTrap>() {
        return Ok(Outcome::Trap { message: trap.0.clone(), backtrace: None });
    }
    match e.as_trap_code() {
        Some(TrapCode::OutOfFuel) => Ok(Outcome::OutOfFuel),
        Some(code) => Ok(Outcome::Trap { message: code.to_string(), backtrace: None }),
        None => Err(anyhow!("{e}")),
    }
}

