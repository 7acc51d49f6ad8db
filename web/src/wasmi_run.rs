//! Running a guest inside the wasmi interpreter (the `wasmi` feature, a separately loaded build).
//!
//! Used where the browser's own engine cannot do what is asked: counting fuel, pausing on stdin
//! without JSPI, or stopping a busy loop on the page's main thread. The guest runs in slices of
//! fuel; between slices `step()` returns to JS, which can yield to the event loop, deliver
//! input, or stop the run. A WASI call that would block pauses the guest with wasmi's resumable
//! calls; the call is made again when JS calls `step()` after input arrives or its deadline.

use js_sys::Uint8Array;
use runtime_core::imports::{self, ValType as WasiVal, WasiFunc};
use runtime_core::limits::GrowthBudget;
use runtime_core::SysError;
use wasm_bindgen::prelude::*;
use wasmi::errors::HostError;
use wasmi::{
    Caller, Config, CustomFuelCosts, Engine, Error, Func, FuncType, Linker, Memory, Module, ResumableCall,
    ResumableCallHostTrap, ResumableCallOutOfFuel, Store, TrapCode, Val, ValType,
};

use crate::errors::error;
use crate::session::{SessionBuilder, WasiSession};

/// `step()` results.
const STEP_FINISHED: u32 = 0;
const STEP_WAITING: u32 = 1;
const STEP_YIELDED: u32 = 2;
const STEP_OUT_OF_FUEL: u32 = 3;

/// Fuel per slice: a few milliseconds of interpretation, so pages stay responsive.
const SLICE: u64 = 2_000_000;

#[derive(Debug)]
struct Blocked;
impl std::fmt::Display for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("waiting")
    }
}
impl HostError for Blocked {}

#[derive(Debug)]
struct Exit(u32);
impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}
impl HostError for Exit {}

#[derive(Debug)]
struct HostTrap(String);
impl std::fmt::Display for HostTrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl HostError for HostTrap {}

struct HostState {
    session: WasiSession,
    /// `maxMemoryBytes`: memories and tables, as under `wrun --max-memory`.
    limits: GrowthBudget,
    memory: Option<Memory>,
    /// The call that asked to wait, to be made again on the next step.
    blocked: Option<(WasiFunc, Vec<u64>)>,
}

enum Paused {
    NotStarted(Func),
    HostCall(ResumableCallHostTrap),
    Fuel(ResumableCallOutOfFuel),
    Done,
}

/// A guest running in wasmi, advanced by `step()`.
#[wasm_bindgen]
pub struct WasmiRun {
    store: Store<HostState>,
    paused: Paused,
    /// Fuel left of the `fuel` limit, if one was set.
    fuel_left: Option<u64>,
}

fn call_wasi(state: &mut HostState, mem: &mut [u8], func: WasiFunc, args: &[u64]) -> Result<u16, Error> {
    match imports::call(&mut state.session.ctx, &mut { mem }, func, args) {
        Ok(errno) => Ok(errno),
        Err(SysError::Exit(code)) => Err(Error::host(Exit(code))),
        Err(SysError::WouldBlock) => {
            state.blocked = Some((func, args.to_vec()));
            Err(Error::host(Blocked))
        }
        Err(SysError::Trap(msg)) => Err(Error::host(HostTrap(format!("{}: {msg}", func.name())))),
        Err(SysError::Errno(e)) => Ok(e.raw()),
    }
}

fn host_call(mut caller: Caller<'_, HostState>, func: WasiFunc, params: &[Val], results: &mut [Val]) -> Result<(), Error> {
    let args: Vec<u64> = params
        .iter()
        .map(|v| match v {
            Val::I32(x) => *x as u32 as u64,
            Val::I64(x) => *x as u64,
            _ => 0,
        })
        .collect();
    let memory = caller.data().memory.or_else(|| caller.get_export("memory").and_then(|e| e.into_memory()));
    let errno = match memory {
        Some(m) => {
            let (data, state) = m.data_and_store_mut(&mut caller);
            call_wasi(state, data, func, &args)?
        }
        None => call_wasi(caller.data_mut(), &mut [], func, &args)?,
    };
    if let Some(r) = results.first_mut() {
        *r = Val::I32(i32::from(errno));
    }
    Ok(())
}

fn link(engine: &Engine) -> Result<Linker<HostState>, Error> {
    let mut linker = Linker::new(engine);
    for &func in WasiFunc::ALL {
        let params: Vec<ValType> = func
            .params()
            .iter()
            .map(|p| match p {
                WasiVal::I32 => ValType::I32,
                WasiVal::I64 => ValType::I64,
            })
            .collect();
        let results = if func.returns_errno() { vec![ValType::I32] } else { vec![] };
        linker.func_new(imports::MODULE, func.name(), FuncType::new(params, results), move |caller, params, results| {
            host_call(caller, func, params, results)
        })?;
    }
    Ok(linker)
}

#[wasm_bindgen]
impl WasmiRun {
    /// Compiles and instantiates `wasm` with the session `builder` configures. `fuel` caps the
    /// instructions run; `max_memory` caps linear memory in bytes.
    #[wasm_bindgen(constructor)]
    pub fn new(builder: &mut SessionBuilder, wasm: &[u8], fuel: Option<f64>, max_memory: Option<f64>) -> Result<WasmiRun, JsValue> {
        let session = builder.start()?;
        let mut config = Config::default();
        config.consume_fuel(true);
        // Fuel counts executed instructions only (as natively, and as with wasmtime). wasmi also
        // charges for translating a function on its first call; an out-of-fuel there cannot be
        // resumed (wasmi 2.0 raises it outside the resumable path), so a slice ending inside a
        // translation stopped programs such as a Rhai REPL with "ran out of fuel".
        config.fuel_cost(CustomFuelCosts {
            bytes_copied_per_fuel: 64, // wasmi's default
            fuel_per_bytes_translated: 0,
            fuel_per_bytes_validated: 0,
        });
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wasm).map_err(|e| error(&format!("invalid module: {e}")))?;
        let linker = link(&engine).map_err(|e| error(&e.to_string()))?;
        let limits = GrowthBudget::new(max_memory.map(|m| m as u64));
        let mut store = Store::new(&engine, HostState { session, limits, memory: None, blocked: None });
        store.limiter(|s| &mut s.limits);
        let fuel_left = fuel.map(|f| f as u64);
        let mut run = WasmiRun { store, paused: Paused::Done, fuel_left };
        run.refuel().map_err(|e| error(&e.to_string()))?;
        let instance = linker
            .instantiate_and_start(&mut run.store, &module)
            .map_err(|e| error(&format!("cannot instantiate the module: {e}")))?;
        run.store.data_mut().memory = instance.get_memory(&run.store, "memory");
        let start = instance.get_func(&run.store, "_start").ok_or_else(|| error("the module has no `_start` function"))?;
        run.paused = Paused::NotStarted(start);
        Ok(run)
    }

    fn refuel(&mut self) -> Result<bool, Error> {
        let slice = match &mut self.fuel_left {
            Some(0) => return Ok(false),
            Some(left) => {
                let n = SLICE.min(*left);
                *left -= n;
                n
            }
            None => SLICE,
        };
        self.store.set_fuel(slice)?;
        Ok(true)
    }

    /// Runs one slice. Returns 0 finished (see `exitCode`), 1 waiting for input or a deadline
    /// (see `waitDeadlineMs`/`waitsForInput`), 2 yielded (call again), 3 out of fuel. Throws on a trap.
    pub fn step(&mut self) -> Result<u32, JsValue> {
        let result = match std::mem::replace(&mut self.paused, Paused::Done) {
            Paused::Done => return Ok(STEP_FINISHED),
            Paused::NotStarted(f) => f.call_resumable(&mut self.store, &[], &mut []),
            Paused::Fuel(p) => {
                if !self.refuel().map_err(|e| error(&e.to_string()))? {
                    self.paused = Paused::Fuel(p);
                    return Ok(STEP_OUT_OF_FUEL);
                }
                p.resume(&mut self.store, &mut [])
            }
            Paused::HostCall(p) => {
                let Some((func, args)) = self.store.data_mut().blocked.take() else {
                    return Err(error("internal: paused without a pending call"));
                };
                let memory = self.store.data().memory;
                let outcome = match memory {
                    Some(m) => {
                        let (data, state) = m.data_and_store_mut(&mut self.store);
                        call_wasi(state, data, func, &args)
                    }
                    None => call_wasi(self.store.data_mut(), &mut [], func, &args),
                };
                match outcome {
                    Ok(errno) => p.resume(&mut self.store, &[Val::I32(i32::from(errno))], &mut []),
                    Err(e) if e.downcast_ref::<Blocked>().is_some() => {
                        self.paused = Paused::HostCall(p);
                        return Ok(STEP_WAITING);
                    }
                    Err(e) => Err(e),
                }
            }
        };
        match result {
            Ok(ResumableCall::Finished) => {
                self.store.data_mut().session.flush();
                Ok(STEP_FINISHED)
            }
            Ok(ResumableCall::OutOfFuel(p)) => {
                self.paused = Paused::Fuel(p);
                if self.fuel_left == Some(0) {
                    self.store.data_mut().session.flush();
                    return Ok(STEP_OUT_OF_FUEL);
                }
                Ok(STEP_YIELDED)
            }
            Ok(ResumableCall::HostTrap(p)) => {
                if p.host_error().downcast_ref::<Blocked>().is_some() {
                    self.paused = Paused::HostCall(p);
                    return Ok(STEP_WAITING);
                }
                self.finish_with(p.into_host_error())
            }
            Err(e) => self.finish_with(e),
        }
    }

    fn finish_with(&mut self, e: Error) -> Result<u32, JsValue> {
        let state = self.store.data_mut();
        state.session.flush();
        if let Some(Exit(code)) = e.downcast_ref::<Exit>() {
            state.session.exit_code = Some(*code);
            return Ok(STEP_FINISHED);
        }
        let msg = match (e.downcast_ref::<HostTrap>(), e.as_trap_code()) {
            (Some(t), _) => t.0.clone(),
            (None, Some(TrapCode::OutOfFuel)) => return Ok(STEP_OUT_OF_FUEL),
            (None, Some(code)) => code.to_string(),
            (None, None) => e.to_string(),
        };
        state.session.trap = Some(msg.clone());
        Err(error(&msg))
    }

    /// The program's exit status once finished (0 when `_start` returned).
    #[wasm_bindgen(js_name = exitCode)]
    pub fn exit_code(&self) -> u32 {
        self.store.data().session.exit_code.unwrap_or(0)
    }

    #[wasm_bindgen(js_name = waitDeadlineMs)]
    pub fn wait_deadline_ms(&self) -> f64 {
        self.store.data().session.wait_deadline_ms()
    }

    #[wasm_bindgen(js_name = waitsForInput)]
    pub fn waits_for_input(&self) -> bool {
        self.store.data().session.waits_for_input()
    }

    #[wasm_bindgen(js_name = writeStdin)]
    pub fn write_stdin(&mut self, data: Vec<u8>) {
        self.store.data_mut().session.write_stdin(data);
    }

    #[wasm_bindgen(js_name = closeStdin)]
    pub fn close_stdin(&mut self) {
        self.store.data_mut().session.close_stdin();
    }

    pub fn stdout(&self) -> Uint8Array {
        self.store.data().session.stdout()
    }

    pub fn stderr(&self) -> Uint8Array {
        self.store.data().session.stderr()
    }
}
