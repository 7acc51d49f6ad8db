//! `wrun`: run a WASI preview 1 program natively, on the same WASI core the browser library uses.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use runtime_core::{WasiCtx, WasiVersion};
use wasi_vfs::mem::MemFs;

use wrun::cli::{CacheAction, CacheCli, Cli};
use wrun::engines::{self, Outcome, RunOptions};
use wrun::{cache, os_env, module_check, mounts, tiering};

/// Exit status of a trapped program (128 + SIGABRT), as wasmtime.
const EXIT_TRAP: u8 = 134;
/// Exit status when `--timeout` or `--fuel` stops a program (as GNU `timeout`).
const EXIT_LIMIT: u8 = 124;

fn main() -> ExitCode {
    if std::env::args_os().nth(1).is_some_and(|a| a == "cache") {
        return cache_command(CacheCli::parse_from(std::env::args_os().skip(1)));
    }
    let cli = parse_cli(std::env::args_os().collect());
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line, whatever an engine's message holds (some embed a Rust backtrace when
            // RUST_BACKTRACE is set); the sources are made to give one line, this is the guard.
            let message = format!("{e:#}");
            eprintln!("wrun: error: {}", message.lines().next().unwrap_or_default());
            ExitCode::FAILURE
        }
    }
}

/// Parses wrun's flags, which end at the module, as in wasmtime: everything after it is the
/// program's, even words wrun knows (`wrun rg.wasm -e foo`, `wrun tool.wasm --version -v`).
/// clap alone would take a later `-e`, `-v` or `--version` as wrun's own.
fn parse_cli(argv: Vec<std::ffi::OsString>) -> Cli {
    use clap::CommandFactory;
    let command = Cli::command();
    // Whether a flag word takes the next word as its value: `--dir X`, `-e K=V`, and `-ve K=V`
    // (short flags run together: the last one may take the next word; `-eK=V` has its value).
    let value_taking_short = |c: char| command.get_arguments().any(|a| a.get_action().takes_values() && a.get_short() == Some(c));
    let takes_value = |word: &str| {
        if let Some(long) = word.strip_prefix("--") {
            return command.get_arguments().any(|a| a.get_action().takes_values() && a.get_long() == Some(long));
        }
        for (i, c) in word.char_indices().skip(1) {
            if value_taking_short(c) {
                return i + c.len_utf8() == word.len();
            }
        }
        false
    };
    let mut i = 1;
    while i < argv.len() {
        let word = argv[i].to_string_lossy();
        if word == "--" {
            i += 1;
            break;
        }
        if !word.starts_with('-') || word == "-" {
            break;
        }
        i += if takes_value(&word) { 2 } else { 1 };
    }
    // argv[i] is the module (or past the end: clap then says it is missing).
    let split = (i + 1).min(argv.len());
    let mut cli = Cli::parse_from(&argv[..split]);
    cli.args = argv[split..].to_vec();
    cli
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let raw = std::fs::read(&cli.module).with_context(|| format!("cannot read `{}`", cli.module.display()))?;
    let module = || format!("`{}`", cli.module.display());
    let wasm = module_check::to_binary(raw).with_context(module)?;
    let version = module_check::check(&wasm, cli.invoke.as_deref(), cli.max_memory, cli.unknown_imports_trap).with_context(module)?;

    // A deterministic run stamps files at time zero; otherwise files get real times.
    let image = if cli.deterministic { MemFs::new() } else { MemFs::with_clock(std::rc::Rc::new(os_env::FsClock)) };
    image.set_quota(Some(cli.fs_size));
    let deadline = cli.timeout.map(|t| std::time::Instant::now() + t);
    let (ctx, stdin) = build_ctx(&cli, &image, deadline, version)?;
    let cache_dir = if cli.no_cache { None } else { cache::default_dir() };
    let opts = RunOptions {
        fuel: cli.fuel,
        timeout: cli.timeout,
        max_memory: cli.max_memory,
        invoke: cli.invoke.clone().map(|name| (name, cli.args.iter().map(|a| a.to_string_lossy().into_owned()).collect())),
        // Hashed once: the tiered start and the engine both look the module up.
        module_digest: cache_dir.as_ref().map(|_| cache::digest(&wasm)),
        cache_dir,
        unknown_imports_trap: cli.unknown_imports_trap,
    };
    let (start, why) = tiering::start(cli.engine, &cli.module, &wasm, &opts);
    if cli.verbose {
        eprintln!("wrun: engine: {why}");
    }
    let (outcome, _ctx) = match start {
        tiering::Start::On(engine) => engines::run(engine, &wasm, ctx, &opts),
        tiering::Start::FastTier(compiled) => engines::wasmi_engine::run_loaded(compiled, ctx, &opts),
    }
    .with_context(module)?;
    drop(stdin);
    if let Some(out) = &cli.fs_out {
        // Saving gets a --timeout of its own, so a program stopped by its timeout still has its
        // files saved, and a tree that takes long to write cannot hold wrun past the limit.
        let save_deadline = cli.timeout.map(|t| std::time::Instant::now() + t);
        match mounts::save_image(&image, out, save_deadline) {
            Ok(()) => {}
            Err(mounts::SaveError::Timeout) => {
                eprintln!("wrun: saving the filesystem to `{}` took longer than --timeout; the file is left as it was", out.display());
                return Ok(ExitCode::from(EXIT_LIMIT));
            }
            Err(mounts::SaveError::Failed(e)) => return Err(e),
        }
    }
    Ok(report(outcome, &cli))
}

fn build_ctx(cli: &Cli, image: &MemFs, deadline: Option<std::time::Instant>, version: WasiVersion) -> anyhow::Result<(WasiCtx, os_env::Stdin)> {
    use std::os::unix::ffi::OsStrExt;

    let mut b = WasiCtx::builder();
    b.version(version);
    let program = cli.module.as_os_str().as_bytes();
    b.arg(program);
    if cli.invoke.is_none() {
        for a in &cli.args {
            b.arg(a.as_bytes());
        }
    }
    for e in &cli.envs {
        match e.split_once('=') {
            Some((k, v)) => b.env(k, v),
            None => match std::env::var_os(e) {
                Some(v) => b.env(e, v.as_bytes()),
                None => &mut b,
            },
        };
    }
    if let Some(spec) = &cli.fs {
        let (path, guest) = mounts::parse_fs(spec);
        let m = mounts::image_mount(&path, guest, image)?;
        b.preopen(m.guest, m.dir);
    }
    for spec in &cli.dirs {
        let (host, guest) = mounts::parse_dir(spec)?;
        let m = mounts::host_mount(&host, guest).context("--dir")?;
        b.preopen(m.guest, m.dir);
    }
    for spec in &cli.mapdirs {
        let (host, guest) = mounts::parse_mapdir(spec)?;
        let m = mounts::host_mount(&host, guest).context("--mapdir")?;
        b.preopen(m.guest, m.dir);
    }
    let stdin = os_env::Stdin::new();
    let (stdout, stderr) = os_env::Output::stdio();
    b.stdin(Box::new(stdin.clone())).stdout(Box::new(stdout)).stderr(Box::new(stderr));
    b.waiter(Box::new(os_env::BlockingWaiter {
        stdin: stdin.clone(),
        clocks: os_env::SystemClocks::new(),
        run_deadline: deadline,
    }));
    if cli.deterministic {
        b.deterministic(0);
    } else {
        b.clocks(Box::new(os_env::SystemClocks::new())).entropy(Box::new(os_env::OsEntropy));
    }
    let ctx = b.build().map_err(|e| anyhow::anyhow!("cannot set up the program's environment: {e}"))?;
    Ok((ctx, stdin))
}

/// Prints how the run ended (if not a plain exit) and gives the process exit status.
fn report(outcome: Outcome, cli: &Cli) -> ExitCode {
    match outcome {
        Outcome::Exited(code) => match runtime_core::syscalls::proc::exit_status(code) {
            Ok(status) => ExitCode::from(status),
            Err(invalid) => {
                eprintln!("wrun: `{}`: {invalid}", cli.module.display());
                ExitCode::from(runtime_core::syscalls::proc::InvalidExitStatus::STATUS)
            }
        },
        Outcome::Returned(values) => {
            // `println!` would panic if stdout is a closed pipe; the reader is gone, so the values
            // have nowhere to go, as with the guest's own output.
            let mut out = std::io::stdout().lock();
            for v in values {
                if writeln!(out, "{v}").is_err() {
                    break;
                }
            }
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Outcome::Trap { message, backtrace } => {
            eprintln!("wrun: `{}` trapped: {message}", cli.module.display());
            if let Some(bt) = backtrace {
                eprintln!("{}", bt.trim_end());
            }
            ExitCode::from(EXIT_TRAP)
        }
        Outcome::Timeout => {
            let t = cli.timeout.map(|d| format!(" after {d:?}")).unwrap_or_default();
            eprintln!("wrun: `{}` timed out{t} (--timeout) and was stopped", cli.module.display());
            ExitCode::from(EXIT_LIMIT)
        }
        Outcome::OutOfFuel => {
            let f = cli.fuel.map(|n| format!(" ({n} units)")).unwrap_or_default();
            eprintln!("wrun: `{}` ran out of fuel{f} (--fuel) and was stopped", cli.module.display());
            ExitCode::from(EXIT_LIMIT)
        }
    }
}

/// `wrun cache [show|clear]`.
fn cache_command(cli: CacheCli) -> ExitCode {
    let Some(dir) = cache::default_dir() else {
        eprintln!("wrun: error: no cache directory: set WRUN_CACHE_DIR, XDG_CACHE_HOME or HOME");
        return ExitCode::FAILURE;
    };
    let size = |bytes: u64| if bytes >= 1 << 20 { format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20)) } else { format!("{:.1} KiB", bytes as f64 / 1024.0) };
    match cli.action.unwrap_or(CacheAction::Show) {
        CacheAction::Fill { module, for_timeout, marker } => {
            let opts = RunOptions { timeout: for_timeout.then_some(std::time::Duration::MAX), cache_dir: Some(dir), ..RunOptions::default() };
            let filled = std::fs::read(&module)
                .map_err(anyhow::Error::from)
                .and_then(module_check::to_binary)
                .and_then(|wasm| tiering::fill(&wasm, &opts));
            if let Some(marker) = marker {
                let _ = std::fs::remove_file(marker);
            }
            if let Err(e) = filled {
                eprintln!("wrun: error: cannot compile `{}`: {}", module.display(), format!("{e:#}").lines().next().unwrap_or_default());
                return ExitCode::FAILURE;
            }
        }
        CacheAction::Show => {
            let (entries, bytes) = cache::summary(&dir);
            println!("{}", dir.display());
            println!("{entries} entries, {} (at most {}: WRUN_CACHE_MAX_SIZE)", size(bytes), size(cache::max_bytes()));
        }
        CacheAction::Clear => {
            let (entries, bytes) = cache::clear(&dir);
            println!("removed {entries} entries ({}) from {}", size(bytes), dir.display());
        }
    }
    ExitCode::SUCCESS
}

