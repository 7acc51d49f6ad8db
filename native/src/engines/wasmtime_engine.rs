//! Cranelift and Winch, through the `wasmtime` crate used as an engine only: WASI is runtime-core's.

use std::sync::Arc;
use std::time::Duration;

use runtime_core::dispatch::{self, CallOutcome, RawArgs};
use runtime_core::imports::{ValType as WasiVal, WasiFunc, WasiVersion};
use runtime_core::WasiCtx;
use wasmtime::{
    bail, format_err, Caller, Config, Engine, FuncType, Linker, Memory, Module, Store, Strategy, Trap, Val,
    ValType, WasmBacktrace,
};

use super::limits::GuestLimits;
use super::{parse_invoke_arg, GuestExit, GuestInterrupted, InvokeArg, Outcome, RunOptions};
use crate::cli::EngineKind;
use crate::{cache, module_check};

struct HostState {
    wasi: WasiCtx,
    limits: GuestLimits,
    /// The instance's exported memory, looked up once after instantiation.
    memory: Option<Memory>,
}

fn config(kind: EngineKind, opts: &RunOptions) -> Config {
    let mut config = Config::new();
    config.strategy(if kind == EngineKind::Winch { Strategy::Winch } else { Strategy::Cranelift });
    config.epoch_interruption(opts.timeout.is_some());
    config.consume_fuel(opts.fuel.is_some());
    config
}

fn engine(kind: EngineKind, opts: &RunOptions) -> wasmtime::Result<Engine> {
    Engine::new(&config(kind, opts))
}

/// Settings that change the compiled code, for the cache key.
fn settings_key(kind: EngineKind, opts: &RunOptions) -> String {
    // "gc": built with wasmtime's GC (for exception handling's `exnref`), which changes the code.
    format!("wasmtime-48.0.8 gc {kind:?} epoch={} fuel={}", opts.timeout.is_some(), opts.fuel.is_some())
}

/// Compiles `wasm`, or loads it from the cache. A module the engine refuses is explained by
/// [`module_check::load_failure`], the same way on every engine.
fn compile(engine: &Engine, kind: EngineKind, wasm: &[u8], opts: &RunOptions) -> anyhow::Result<Module> {
    let new = || Module::new(engine, wasm).map_err(|e| module_check::load_failure(wasm, kind.name(), &format!("{e:#}")));
    let Some(path) = cache_entry(kind, wasm, opts) else {
        return new();
    };
    if path.exists() {
        // SAFETY: the file was written by `Module::serialize` of this same wasmtime build into our
        // own cache directory (its name is keyed by the module hash and the engine settings), and
        // wasmtime checks the artifact's version and settings header before using it.
        match unsafe { Module::deserialize_file(engine, &path) } {
            Ok(module) => {
                cache::touch(&path);
                return Ok(module);
            }
            Err(_) => cache::discard(&path),
        }
    }
    let module = new()?;
    if let Ok(bytes) = module.serialize() {
        cache::store(&path, &bytes);
    }
    Ok(module)
}

/// Whether the cache holds `kind`'s compiled code for `wasm` under these options.
pub fn is_cached(kind: EngineKind, wasm: &[u8], opts: &RunOptions) -> bool {
    cache_entry(kind, wasm, opts).is_some_and(|path| path.exists())
}

/// Compiles `wasm` with `kind` into the cache (what a run would otherwise do on its way), on one
/// thread: this runs beside the program it was started for, which keeps the other cores.
pub fn fill_cache(kind: EngineKind, wasm: &[u8], opts: &RunOptions) -> anyhow::Result<()> {
    let mut config = config(kind, opts);
    config.parallel_compilation(false);
    let engine = Engine::new(&config)?;
    compile(&engine, kind, wasm, opts).map(drop)
}

/// The cache file `kind`'s code for `wasm` goes to, if there is a cache.
pub fn cache_entry(kind: EngineKind, wasm: &[u8], opts: &RunOptions) -> Option<std::path::PathBuf> {
    let dir = opts.cache_dir.as_ref()?;
    let module = opts.module_digest.unwrap_or_else(|| cache::digest(wasm));
    Some(cache::entry_path(dir, &module, &settings_key(kind, opts)))
}

fn wasi_val(v: WasiVal) -> ValType {
    match v {
        WasiVal::I32 => ValType::I32,
        WasiVal::I64 => ValType::I64,
    }
}

fn link(engine: &Engine) -> wasmtime::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    // Under both module names: the context knows which ABI the module's calls use.
    for version in WasiVersion::ALL {
        for &func in WasiFunc::ALL.iter().filter(|&&f| version.has(f)) {
            let params = func.params().iter().map(|&p| wasi_val(p));
            let results = if func.returns_errno() { vec![ValType::I32] } else { vec![] };
            let ty = FuncType::new(engine, params, results);
            linker.func_new(version.module(), func.name(), ty, move |caller, params, results| {
                host_call(caller, func, params, results)
            })?;
        }
    }
    Ok(linker)
}

/// A WASI argument as runtime-core takes it: an `i32` zero-extended, an `i64` as its bits.
fn raw(v: &Val) -> u64 {
    match v {
        Val::I32(x) => *x as u32 as u64,
        Val::I64(x) => *x as u64,
        _ => 0,
    }
}

/// `--unknown-imports-trap`: every function import that is not WASI's traps, naming itself, in the
/// words the wasmi engine uses too.
fn trap_unknown_imports(linker: &mut Linker<HostState>, module: &Module) -> wasmtime::Result<()> {
    for import in module.imports() {
        if let (false, wasmtime::ExternType::Func(ty)) = (WasiFunc::provides(import.module(), import.name()), import.ty()) {
            let message = WasiFunc::unknown_import_called(import.module(), import.name());
            linker.func_new(import.module(), import.name(), ty, move |_, _, _| Err(format_err!("{message}")))?;
        }
    }
    Ok(())
}

fn host_call(mut caller: Caller<'_, HostState>, func: WasiFunc, params: &[Val], results: &mut [Val]) -> wasmtime::Result<()> {
    let args: RawArgs = params.iter().map(raw).collect();
    let memory = caller.data().memory.or_else(|| caller.get_export("memory").and_then(|e| e.into_memory()));
    let outcome = match memory {
        Some(m) => {
            let (data, state) = m.data_and_store_mut(&mut caller);
            dispatch::call(&mut state.wasi, &mut { data }, func, &args)
        }
        None => dispatch::call(&mut caller.data_mut().wasi, &mut (&mut [][..]), func, &args),
    };
    match outcome {
        CallOutcome::Return(errno) => {
            if let Some(r) = results.first_mut() {
                *r = Val::I32(i32::from(errno));
            }
            Ok(())
        }
        CallOutcome::Exit(code) => Err(wasmtime::Error::new(GuestExit(code))),
        CallOutcome::Trap(msg) => Err(format_err!("{msg}")),
        // Natively a waiting call blocks the thread; it ends early only when --timeout passes.
        CallOutcome::Suspend | CallOutcome::Interrupted => Err(wasmtime::Error::new(GuestInterrupted)),
    }
}

pub fn run(kind: EngineKind, wasm: &[u8], wasi: WasiCtx, opts: &RunOptions) -> anyhow::Result<(Outcome, WasiCtx)> {
    // Atomics run (nextpnr, built with them, never spawns a thread), but a shared memory is for
    // threads, which WASI preview 1 cannot start.
    if module_check::defines_shared_memory(wasm) {
        anyhow::bail!("the module's memory is shared (it was built for threads): wrun runs a program on one thread, with a memory that is not shared");
    }
    let engine = engine(kind, opts)?;
    let module = compile(&engine, kind, wasm, opts)?;
    let mut linker = link(&engine)?;
    if opts.unknown_imports_trap {
        trap_unknown_imports(&mut linker, &module)?;
    }

    let limits = GuestLimits::new(opts.max_memory);
    let mut store = Store::new(&engine, HostState { wasi, limits, memory: None });
    store.limiter(|s| &mut s.limits);
    if let Some(fuel) = opts.fuel {
        store.set_fuel(fuel)?;
    }
    let _ticker = opts.timeout.map(|t| {
        store.set_epoch_deadline(1);
        store.epoch_deadline_trap();
        Ticker::start(engine.clone(), t)
    });

    let result = linker.instantiate(&mut store, &module).and_then(|instance| {
        store.data_mut().memory = instance.get_memory(&mut store, "memory");
        match &opts.invoke {
            None => {
                let start = instance
                    .get_typed_func::<(), ()>(&mut store, "_start")
                    .map_err(|_| format_err!("the module's `_start` is not a function of no arguments"))?;
                start.call(&mut store, ()).map(|()| Outcome::Exited(0))
            }
            Some((name, raw_args)) => invoke(&mut store, &instance, name, raw_args),
        }
    });
    let outcome = match result {
        Ok(o) => o,
        Err(e) => classify(e, opts)?,
    };
    let mut state = store.into_data();
    state.wasi.flush_outputs();
    Ok((outcome, state.wasi))
}

fn invoke(store: &mut Store<HostState>, instance: &wasmtime::Instance, name: &str, raw: &[String]) -> wasmtime::Result<Outcome> {
    let func = instance.get_func(&mut *store, name).ok_or_else(|| format_err!("the module exports no function `{name}`"))?;
    let ty = func.ty(&*store);
    if ty.params().len() != raw.len() {
        bail!("`{name}` takes {} arguments, {} given", ty.params().len(), raw.len());
    }
    let mut args = Vec::new();
    for (p, r) in ty.params().zip(raw) {
        args.push(match parse_invoke_arg(&p.to_string(), r).map_err(|e| format_err!("{e}"))? {
            InvokeArg::I32(v) => Val::I32(v),
            InvokeArg::I64(v) => Val::I64(v),
            InvokeArg::F32(v) => Val::F32(v.to_bits()),
            InvokeArg::F64(v) => Val::F64(v.to_bits()),
        });
    }
    // A reactor's constructors first, as `wasmtime run --invoke` does.
    if name != "_initialize" {
        if let Ok(initialize) = instance.get_typed_func::<(), ()>(&mut *store, "_initialize") {
            initialize.call(&mut *store, ())?;
        }
    }
    let mut results = vec![Val::I32(0); ty.results().len()];
    func.call(&mut *store, &args, &mut results)?;
    Ok(Outcome::Returned(
        results
            .iter()
            .map(|v| match v {
                Val::I32(x) => x.to_string(),
                Val::I64(x) => x.to_string(),
                Val::F32(x) => f32::from_bits(*x).to_string(),
                Val::F64(x) => f64::from_bits(*x).to_string(),
                other => format!("{other:?}"),
            })
            .collect(),
    ))
}

/// Sorts an engine error into how the run ended; link and load errors stay errors.
fn classify(e: wasmtime::Error, opts: &RunOptions) -> anyhow::Result<Outcome> {
    if let Some(exit) = e.downcast_ref::<GuestExit>() {
        return Ok(Outcome::Exited(exit.0));
    }
    if e.downcast_ref::<GuestInterrupted>().is_some() {
        return Ok(Outcome::Timeout);
    }
    let backtrace = e.downcast_ref::<WasmBacktrace>().map(|bt| bt.to_string()).filter(|s| !s.trim().is_empty());
    if let Some(trap) = e.downcast_ref::<Trap>() {
        return Ok(match trap {
            Trap::Interrupt if opts.timeout.is_some() => Outcome::Timeout,
            Trap::OutOfFuel => Outcome::OutOfFuel,
            // "wasm trap: " adds nothing after "trapped: ", and wasmi does not say it.
            other => {
                let message = other.to_string();
                Outcome::Trap { message: message.strip_prefix("wasm trap: ").unwrap_or(&message).to_string(), backtrace }
            }
        });
    }
    if backtrace.is_some() {
        // A host-call error (e.g. a guest pointer out of bounds) raised during execution.
        return Ok(Outcome::Trap { message: format!("{}", e.root_cause()), backtrace });
    }
    Err(e.into())
}

/// Bumps the engine's epoch once the timeout passes, which interrupts the running guest.
struct Ticker {
    done: Arc<std::sync::atomic::AtomicBool>,
}

impl Ticker {
    fn start(engine: Engine, timeout: Duration) -> Self {
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = done.clone();
        std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + timeout;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let now = std::time::Instant::now();
                if now >= deadline {
                    engine.increment_epoch();
                    return;
                }
                std::thread::sleep((deadline - now).min(Duration::from_millis(10)));
            }
        });
        Self { done }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}
