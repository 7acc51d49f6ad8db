//! `module_load`: arbitrary bytes through the path `wrun FILE` takes — [`module_check::to_binary`]
//! (binary, or text assembled), [`module_check::check`], then a run on every engine — with tight
//! limits: a little fuel, 16 MiB of memory, a deterministic context, no stdio, and an in-memory
//! preopen under a quota. Any input must end in `Ok` (however the guest ended) or a clean error,
//! never a panic or an abort.

use runtime_core::WasiCtx;
use wasi_vfs::mem::MemFs;
use wrun::cli::EngineKind;
use wrun::engines::{self, RunOptions};
use wrun::module_check;

/// Fuel per engine run: enough for a small program's start, little enough to stop any loop fast.
pub const FUEL: u64 = 100_000;
/// `--max-memory` of the runs.
pub const MAX_MEMORY: u64 = 16 << 20;

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(wasm) = module_check::to_binary(data.to_vec()) else { return };
    if module_check::check(&wasm, None, Some(MAX_MEMORY), false).is_err() {
        return;
    }
    for kind in [EngineKind::Cranelift, EngineKind::Winch, EngineKind::Wasmi] {
        let opts = RunOptions { fuel: Some(FUEL), max_memory: Some(MAX_MEMORY), ..RunOptions::default() };
        // Err is a module the engine refused (a clean, one-line error); anything else is Ok.
        let _ = engines::run(kind, &wasm, context(), &opts);
    }
}

fn context() -> WasiCtx {
    let fs = MemFs::with_quota(1 << 20);
    let mut b = WasiCtx::builder();
    b.arg("fuzz").deterministic(0).preopen("/", fs.root());
    b.build().expect("context")
}
