//! The wasmi interpreter as a WASI engine (the `wasmi` feature): one adapter for
//! `wrun --engine wasmi` and for the browser's wasmi build.
//!
//! The guest runs in slices of fuel with wasmi's resumable calls. [`Interpreter::step`] runs one
//! slice and says how it ended ([`Step`]); the embedder decides what happens between slices: the
//! native CLI checks its deadline, the browser returns to the event loop, delivers input or stops
//! the run. A WASI call that would block ([`CallOutcome::Suspend`]) pauses the guest, and the same
//! call is made again on the next step.

use wasmi::errors::HostError;
use wasmi::{
    AsContextMut, StoreContextMut, Caller, Config, CustomFuelCosts, Engine, Error, Extern, ExternType, Func, FuncType, Instance, Linker, Memory, Module,
    ResumableCall, ResumableCallHostTrap, ResumableCallOutOfFuel, Store, TrapCode, Val, ValType,
};

use crate::dispatch::{self, CallOutcome, RawArgs};
use crate::imports::{self, WasiFunc, WasiVersion};
use crate::limits::GrowthBudget;
use crate::WasiCtx;

/// The embedder's per-run state, which holds the run's [`WasiCtx`].
pub trait WasiHost: 'static {
    fn wasi(&mut self) -> &mut WasiCtx;
}

impl WasiHost for WasiCtx {
    fn wasi(&mut self) -> &mut WasiCtx {
        self
    }
}

/// What bounds a run, and how it links.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Instructions the guest may run in all (`--fuel`, `fuel`).
    pub fuel: Option<u64>,
    /// Instructions per slice: [`Interpreter::step`] returns after this many. `None` runs to the
    /// end (or to the `fuel` limit) in one step.
    pub slice: Option<u64>,
    /// Bytes of memories and tables ([`GrowthBudget`]).
    pub max_memory: Option<u64>,
    /// Link function imports that are not WASI's to a trap naming them (`--unknown-imports-trap`).
    pub unknown_imports_trap: bool,
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// The called function returned; its results are in [`Interpreter::results`].
    Finished,
    /// The program called `proc_exit`.
    Exited(u32),
    /// The slice's fuel is spent, not the limit's: step again.
    SliceEnded,
    /// A WASI call waits for input or a deadline (the embedder's waiter recorded which): step again
    /// once either comes.
    Waiting,
    /// The `fuel` limit is spent.
    OutOfFuel,
    /// The run's time limit passed inside a WASI call ([`CallOutcome::Interrupted`]).
    Interrupted,
    /// The guest trapped, for this reason.
    Trapped(String),
}

/// Why a module could not be made ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// wasmi refused the module (malformed, invalid, unsupported).
    Invalid(String),
    /// Instantiation failed (an import wrun does not provide, say).
    Link(String),
}

/// A WASI call ended the guest's execution: carried through wasmi as a host error.
#[derive(Debug)]
enum HostStop {
    Suspended,
    Exit(u32),
    Trap(String),
    Interrupted,
}

impl std::fmt::Display for HostStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostStop::Suspended => f.write_str("waiting"),
            HostStop::Exit(code) => write!(f, "exit with status {code}"),
            HostStop::Trap(msg) => f.write_str(msg),
            HostStop::Interrupted => f.write_str("interrupted"),
        }
    }
}

impl HostError for HostStop {}

/// The store's data: the embedder's state and what the adapter keeps beside it.
struct State<S> {
    host: S,
    limits: GrowthBudget,
    /// The instance's exported memory, looked up once after instantiation.
    memory: Option<Memory>,
    /// The call that suspended, to be made again on the next step.
    pending: Option<(WasiFunc, RawArgs)>,
}

enum Paused {
    /// Nothing to run until [`Interpreter::prepare`].
    Idle,
    Ready(Func, Vec<Val>),
    HostCall(ResumableCallHostTrap),
    Fuel(ResumableCallOutOfFuel),
    /// The run is over; stepping again says how.
    Ended(Step),
}

/// A guest instance in wasmi, advanced one slice at a time.
pub struct Interpreter<S: WasiHost> {
    store: Store<State<S>>,
    /// `None` when the start function ended the run.
    instance: Option<Instance>,
    paused: Paused,
    /// Fuel left of [`Limits::fuel`], if set.
    fuel_left: Option<u64>,
    slice: Option<u64>,
    results: Vec<Val>,
}

fn raw(v: &Val) -> u64 {
    match v {
        Val::I32(x) => *x as u32 as u64,
        Val::I64(x) => *x as u64,
        _ => 0,
    }
}

/// Makes the call with the instance's memory, or an empty one before the memory is known.
fn call_wasi<S: WasiHost>(caller: &mut Caller<'_, State<S>>, func: WasiFunc, args: &RawArgs) -> CallOutcome {
    let memory = caller.data().memory.or_else(|| caller.get_export("memory").and_then(Extern::into_memory));
    call_with(caller.as_context_mut(), memory, func, args)
}

/// Makes the call over `memory` (or an empty one), from a host function or between steps alike.
fn call_with<S: WasiHost>(mut store: StoreContextMut<'_, State<S>>, memory: Option<Memory>, func: WasiFunc, args: &RawArgs) -> CallOutcome {
    match memory {
        Some(m) => {
            let (data, state) = m.data_and_store_mut(store);
            dispatch::call(state.host.wasi(), &mut { data }, func, args)
        }
        None => dispatch::call(store.data_mut().host.wasi(), &mut (&mut [][..]), func, args),
    }
}

fn host_call<S: WasiHost>(mut caller: Caller<'_, State<S>>, func: WasiFunc, params: &[Val], results: &mut [Val]) -> Result<(), Error> {
    let args: RawArgs = params.iter().map(raw).collect();
    match call_wasi(&mut caller, func, &args) {
        CallOutcome::Return(errno) => {
            if let Some(r) = results.first_mut() {
                *r = Val::I32(i32::from(errno));
            }
            Ok(())
        }
        CallOutcome::Suspend => {
            caller.data_mut().pending = Some((func, args));
            Err(Error::host(HostStop::Suspended))
        }
        CallOutcome::Exit(code) => Err(Error::host(HostStop::Exit(code))),
        CallOutcome::Trap(msg) => Err(Error::host(HostStop::Trap(msg))),
        CallOutcome::Interrupted => Err(Error::host(HostStop::Interrupted)),
    }
}

fn val_type(v: imports::ValType) -> ValType {
    match v {
        imports::ValType::I32 => ValType::I32,
        imports::ValType::I64 => ValType::I64,
    }
}

fn linker<S: WasiHost>(engine: &Engine) -> Result<Linker<State<S>>, Error> {
    let mut linker = Linker::new(engine);
    // Under both module names: the context knows which ABI the module's calls use.
    for version in WasiVersion::ALL {
        for &func in WasiFunc::ALL.iter().filter(|&&f| version.has(f)) {
            let params: Vec<ValType> = func.params().iter().map(|&p| val_type(p)).collect();
            let results = if func.returns_errno() { vec![ValType::I32] } else { vec![] };
            linker.func_new(version.module(), func.name(), FuncType::new(params, results), move |caller, params, results| {
                host_call(caller, func, params, results)
            })?;
        }
    }
    Ok(linker)
}

/// Links every function import that is not WASI's to a trap that names it.
fn trap_unknown_imports<S: WasiHost>(linker: &mut Linker<State<S>>, module: &Module) -> Result<(), Error> {
    for import in module.imports() {
        if let (false, ExternType::Func(ty)) = (WasiFunc::provides(import.module(), import.name()), import.ty()) {
            let message = WasiFunc::unknown_import_called(import.module(), import.name());
            linker.func_new(import.module(), import.name(), ty.clone(), move |_, _, _| Err(Error::host(HostStop::Trap(message.clone()))))?;
        }
    }
    Ok(())
}

/// How a guest's execution ended when wasmi reports an error.
fn ended(e: &Error) -> Step {
    if let Some(stop) = e.downcast_ref::<HostStop>() {
        return match stop {
            HostStop::Suspended => Step::Waiting,
            HostStop::Exit(code) => Step::Exited(*code),
            HostStop::Trap(msg) => Step::Trapped(msg.clone()),
            HostStop::Interrupted => Step::Interrupted,
        };
    }
    match e.as_trap_code() {
        Some(TrapCode::OutOfFuel) => Step::OutOfFuel,
        Some(code) => Step::Trapped(code.to_string()),
        None => Step::Trapped(e.to_string()),
    }
}

/// A module wasmi accepted, not yet instantiated: whether wasmi can run a module is known before
/// any host state is committed to it (`wrun`'s tiered start falls back to another engine).
pub struct Compiled {
    engine: Engine,
    module: Module,
    limits: Options,
}

impl Compiled {
    /// Validates `wasm` (function bodies are translated on their first call) under `limits`.
    pub fn new(wasm: &[u8], limits: &Options) -> Result<Self, LoadError> {
        let metered = limits.fuel.is_some() || limits.slice.is_some();
        let mut config = Config::default();
        config.consume_fuel(metered);
        // Fuel counts executed instructions only, as with wasmtime. wasmi also charges for
        // translating a function on its first call; an out-of-fuel there cannot be resumed (wasmi
        // 2.0 raises it outside the resumable path), so a slice ending inside a translation would
        // stop the program as if its fuel were gone.
        config.fuel_cost(CustomFuelCosts { bytes_copied_per_fuel: 64, fuel_per_bytes_translated: 0, fuel_per_bytes_validated: 0 });
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wasm).map_err(|e| LoadError::Invalid(e.to_string()))?;
        Ok(Compiled { engine, module, limits: *limits })
    }
}

impl<S: WasiHost> Interpreter<S> {
    /// Compiles and instantiates `wasm` for `host` (running its start function, if any, under the
    /// limits). A start function that traps or exits is reported by the first [`Interpreter::step`].
    pub fn new(wasm: &[u8], host: S, limits: &Options) -> Result<Self, LoadError> {
        Self::instantiate(Compiled::new(wasm, limits)?, host)
    }

    /// Instantiates a compiled module for `host`, as [`Interpreter::new`].
    pub fn instantiate(compiled: Compiled, host: S) -> Result<Self, LoadError> {
        let Compiled { engine, module, limits } = compiled;
        let limits = &limits;
        let metered = limits.fuel.is_some() || limits.slice.is_some();
        let mut linker = linker::<S>(&engine).map_err(|e| LoadError::Link(e.to_string()))?;
        if limits.unknown_imports_trap {
            trap_unknown_imports(&mut linker, &module).map_err(|e| LoadError::Link(e.to_string()))?;
        }
        let state = State { host, limits: GrowthBudget::new(limits.max_memory), memory: None, pending: None };
        let mut store = Store::new(&engine, state);
        store.limiter(|s| &mut s.limits);
        let mut fuel_left = limits.fuel;
        if metered {
            let first = next_slice(&mut fuel_left, limits.slice).unwrap_or(0);
            store.set_fuel(first).map_err(|e| LoadError::Link(e.to_string()))?;
        }
        let (instance, paused) = match linker.instantiate_and_start(&mut store, &module) {
            Ok(instance) => (Some(instance), Paused::Idle),
            // The start function ended the run.
            Err(e) if e.downcast_ref::<HostStop>().is_some() || e.as_trap_code().is_some() => (None, Paused::Ended(ended(&e))),
            Err(e) => return Err(LoadError::Link(e.to_string())),
        };
        store.data_mut().memory = instance.and_then(|i| i.get_memory(&store, "memory"));
        Ok(Interpreter { store, instance, paused, fuel_left, slice: limits.slice, results: Vec::new() })
    }

    /// The parameter types of the exported function `name`, if there is one.
    pub fn export_params(&self, name: &str) -> Option<Vec<ValType>> {
        let func = self.instance?.get_func(&self.store, name)?;
        Some(func.ty(&self.store).params().to_vec())
    }

    /// Makes the next steps run the exported function `name` with `args` (after another call
    /// finished, too). Does nothing once the run has ended otherwise (an exit, a trap).
    pub fn prepare(&mut self, name: &str, args: Vec<Val>) -> Result<(), String> {
        if matches!(&self.paused, Paused::Ended(step) if *step != Step::Finished) {
            return Ok(());
        }
        let func = self.instance.and_then(|i| i.get_func(&self.store, name)).ok_or_else(|| format!("the module exports no function `{name}`"))?;
        self.results = vec![Val::I32(0); func.ty(&self.store).results().len()];
        self.paused = Paused::Ready(func, args);
        Ok(())
    }

    /// Runs one slice of the prepared call.
    pub fn step(&mut self) -> Step {
        let result = match std::mem::replace(&mut self.paused, Paused::Idle) {
            Paused::Idle => return Step::Trapped("nothing to run: no function was prepared".into()),
            Paused::Ended(step) => {
                self.paused = Paused::Ended(step.clone());
                return step;
            }
            Paused::Ready(func, args) => func.call_resumable(&mut self.store, &args, &mut self.results),
            Paused::Fuel(paused) => {
                let Some(fuel) = next_slice(&mut self.fuel_left, self.slice) else {
                    self.paused = Paused::Fuel(paused);
                    return Step::OutOfFuel;
                };
                if let Err(e) = self.store.set_fuel(fuel.max(paused.required_fuel())) {
                    return self.end(Step::Trapped(e.to_string()));
                }
                paused.resume(&mut self.store, &mut self.results)
            }
            Paused::HostCall(paused) => {
                let Some((func, args)) = self.store.data_mut().pending.take() else {
                    return self.end(Step::Trapped("internal: paused without a pending call".into()));
                };
                let outcome = self.retry(func, &args);
                match outcome {
                    CallOutcome::Return(errno) => paused.resume(&mut self.store, &[Val::I32(i32::from(errno))], &mut self.results),
                    CallOutcome::Suspend => {
                        self.store.data_mut().pending = Some((func, args));
                        self.paused = Paused::HostCall(paused);
                        return Step::Waiting;
                    }
                    CallOutcome::Exit(code) => return self.end(Step::Exited(code)),
                    CallOutcome::Trap(msg) => return self.end(Step::Trapped(msg)),
                    CallOutcome::Interrupted => return self.end(Step::Interrupted),
                }
            }
        };
        match result {
            Ok(ResumableCall::Finished) => self.end(Step::Finished),
            Ok(ResumableCall::OutOfFuel(paused)) => {
                self.paused = Paused::Fuel(paused);
                if self.fuel_left == Some(0) {
                    Step::OutOfFuel
                } else {
                    Step::SliceEnded
                }
            }
            Ok(ResumableCall::HostTrap(paused)) => {
                if matches!(paused.host_error().downcast_ref::<HostStop>(), Some(HostStop::Suspended)) {
                    self.paused = Paused::HostCall(paused);
                    return Step::Waiting;
                }
                let step = ended(&paused.into_host_error());
                self.end(step)
            }
            Err(e) => self.end(ended(&e)),
        }
    }

    /// The suspended call, made again now.
    fn retry(&mut self, func: WasiFunc, args: &RawArgs) -> CallOutcome {
        let memory = self.store.data().memory;
        call_with(self.store.as_context_mut(), memory, func, args)
    }

    fn end(&mut self, step: Step) -> Step {
        self.paused = Paused::Ended(step.clone());
        step
    }

    /// The results of a [`Step::Finished`] call.
    pub fn results(&self) -> &[Val] {
        &self.results
    }

    pub fn host(&self) -> &S {
        &self.store.data().host
    }

    pub fn host_mut(&mut self) -> &mut S {
        &mut self.store.data_mut().host
    }

    /// The embedder's state back, once the run is over.
    pub fn into_host(self) -> S {
        self.store.into_data().host
    }
}

/// Fuel for the next slice, taken from what is left of the limit; `None` once the limit is spent.
fn next_slice(left: &mut Option<u64>, slice: Option<u64>) -> Option<u64> {
    let slice = slice.unwrap_or(u64::MAX);
    match left {
        Some(0) => None,
        Some(l) => {
            let n = slice.min(*l);
            *l -= n;
            Some(n)
        }
        None => Some(slice),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_taken_from_the_limit() {
        let mut left = Some(25);
        assert_eq!(next_slice(&mut left, Some(10)), Some(10));
        assert_eq!(next_slice(&mut left, Some(10)), Some(10));
        assert_eq!(next_slice(&mut left, Some(10)), Some(5));
        assert_eq!(next_slice(&mut left, Some(10)), None);
        let mut unlimited = None;
        assert_eq!(next_slice(&mut unlimited, Some(7)), Some(7));
        assert_eq!(next_slice(&mut unlimited, None), Some(u64::MAX));
    }
}
