//! How a program run by the `wrun` command line ends, on every engine: exit codes, traps, the
//! `--timeout`, `--fuel` and `--max-memory` limits, the compiled-module cache, and stdio.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{writes_then, Sandbox, COMPILERS, ENGINES};

/// A limit must stop a program this fast, measured from spawning wrun.
const PROMPTLY: Duration = Duration::from_secs(2);

// --- Exit codes and traps -------------------------------------------------------------------

#[test]
fn proc_exit_sets_the_exit_status() {
    let sb = Sandbox::new();
    let seven = sb.file("seven.wat", writes_then("bye\n", "(call $proc_exit (i32.const 7))"));
    let zero = sb.file("zero.wat", writes_then("done\n", ""));
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).arg(&seven).run();
        assert_eq!(r.assert_quiet_exit(7).stdout_text(), "bye\n", "{engine}");
        let r = sb.wrun().engine(engine).arg(&zero).run();
        assert_eq!(r.assert_quiet_exit(0).stdout_text(), "done\n", "{engine}");
    }
}

#[test]
fn unreachable_traps_with_a_backtrace_on_the_compilers() {
    let sb = Sandbox::new();
    let path = sb.file(
        "crash.wat",
        r#"(module
          (func $crash_here unreachable)
          (func (export "_start") (call $crash_here)))"#,
    );
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).arg(&path).run();
        r.assert_message(134, &["`crash.wat` trapped: wasm `unreachable` instruction executed"]);
        if COMPILERS.contains(&engine) {
            assert!(r.backtrace_mentions("crash_here"), "{engine}: no backtrace naming the function:\n{}", r.stderr);
        } else {
            r.assert_one_line(134, &[]);
        }
    }
}

#[test]
fn deep_recursion_is_a_stack_overflow_trap_not_a_crash() {
    let sb = Sandbox::new();
    let path = sb.file(
        "recurse.wat",
        r#"(module
          (func $down (param i64 i64 i64 i64) (result i64)
            (call $down (i64.add (local.get 0) (i64.const 1)) (local.get 1) (local.get 2) (local.get 3)))
          (func (export "_start") (drop (call $down (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))))"#,
    );
    for engine in ENGINES {
        sb.wrun().engine(engine).arg(&path).run().assert_message(134, &["trapped", "call stack exhausted"]);
    }
}

#[test]
fn out_of_bounds_accesses_trap() {
    let sb = Sandbox::new();
    let load = sb.file("load.wat", r#"(module (memory 1) (func (export "_start") (drop (i32.load (i32.const 65536)))))"#);
    // fd_write given an iovec array that runs off the end of memory: WASI says the call traps.
    let host = sb.file("host.wat", writes_then("", "(drop (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 8)))"));
    for engine in ENGINES {
        sb.wrun().engine(engine).arg(&load).run().assert_message(134, &["`load.wat` trapped", "out of bounds memory access"]);
        sb.wrun().engine(engine).arg(&host).run().assert_message(134, &["`host.wat` trapped", "fd_write", "out of bounds"]);
    }
}

// --- Limits ---------------------------------------------------------------------------------

const SPIN: &str = r#"(module (func (export "_start") (loop $forever (br $forever))))"#;

#[test]
fn timeout_stops_an_infinite_loop_promptly() {
    let sb = Sandbox::new();
    let path = sb.file("spin.wat", SPIN);
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).args(["--timeout", "200ms"]).arg(&path).run();
        r.assert_one_line(124, &["`spin.wat` timed out after 200ms", "--timeout"]);
        assert!(r.elapsed < PROMPTLY, "{engine}: took {:?}", r.elapsed);
    }
}

#[test]
fn fuel_stops_an_infinite_loop() {
    let sb = Sandbox::new();
    let spin = sb.file("spin.wat", SPIN);
    let hello = sb.file("hello.wat", writes_then("hello\n", ""));
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).args(["--fuel", "1000000"]).arg(&spin).run();
        r.assert_one_line(124, &["`spin.wat` ran out of fuel (1000000 units)", "--fuel"]);
        // A program that needs less runs as usual, with a timeout too.
        let r = sb.wrun().engine(engine).args(["--fuel", "1000000", "--timeout", "10s"]).arg(&hello).run();
        assert_eq!(r.assert_quiet_exit(0).stdout_text(), "hello\n", "{engine}");
    }
}

#[test]
fn timeout_stops_a_program_blocked_on_stdin() {
    let sb = Sandbox::new();
    let path = sb.file(
        "read.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 64))
            (i32.store (i32.const 4) (i32.const 64))
            (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).args(["--timeout", "300ms"]).arg(&path).stdin_held_open().run();
        r.assert_one_line(124, &["`read.wat` timed out after 300ms"]);
        assert!(r.elapsed < PROMPTLY, "{engine}: took {:?}", r.elapsed);
    }
}

#[test]
fn timeout_stops_a_sleeping_program() {
    let sb = Sandbox::new();
    // poll_oneoff on one subscription: a relative 10 s sleep on the monotonic clock.
    let path = sb.file(
        "sleep.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store8 (i32.const 8) (i32.const 0))            ;; tag: clock
            (i32.store (i32.const 16) (i32.const 1))            ;; id: monotonic
            (i64.store (i32.const 24) (i64.const 10000000000))  ;; timeout: 10 s
            (drop (call $poll_oneoff (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200)))))"#,
    );
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).args(["--timeout", "300ms"]).arg(&path).run();
        r.assert_one_line(124, &["`sleep.wat` timed out after 300ms"]);
        assert!(r.elapsed < PROMPTLY, "{engine}: took {:?}", r.elapsed);
    }
}

#[test]
fn output_before_a_timeout_is_kept() {
    let sb = Sandbox::new();
    let path = sb.file("slow.wat", writes_then("started\n", "(loop $forever (br $forever))"));
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).args(["--timeout", "200ms"]).arg(&path).run();
        r.assert_one_line(124, &["timed out"]);
        assert_eq!(r.stdout_text(), "started\n", "{engine}");
    }
}

#[test]
fn max_memory_caps_memory_grow() {
    let sb = Sandbox::new();
    // Grows one page at a time until refused, then exits with the page count it reached.
    let path = sb.file(
        "grow.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (loop $more (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
            (call $proc_exit (memory.size))))"#,
    );
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).args(["--max-memory", "4MiB"]).arg(&path).run();
        // 4 MiB is 64 pages of 64 KiB: growth stops there, and the program sees -1, not a trap.
        r.assert_quiet_exit(64);
    }
}

/// Found while reviewing the limits for the fuzz targets: tables were not bounded, so a guest under
/// `--max-memory 16MiB` could make the host allocate 800 MB with two `table.grow`s, and several
/// memories could each reach the limit. Tables now get a budget of the same size (8 bytes an
/// element) and all memories share one.
#[test]
fn max_memory_bounds_tables_and_all_memories_together() {
    let sb = Sandbox::new();
    let tables = sb.file(
        "tables.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (table $t 0 funcref)
          (func (export "_start")
            ;; 16 MiB of elements is 2 Mi: 1 Mi fits, 50 Mi more does not.
            (if (i32.eq (table.grow $t (ref.null func) (i32.const 1048576)) (i32.const -1)) (then (call $proc_exit (i32.const 1))))
            (if (i32.ne (table.grow $t (ref.null func) (i32.const 50000000)) (i32.const -1)) (then (call $proc_exit (i32.const 2))))
            (call $proc_exit (i32.const 0))))"#,
    );
    let memories = sb.file(
        "memories.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory $a 1) (memory $b 1)
          (func (export "_start")
            ;; 64 pages in all: $a takes 40, so $b stops at 24.
            (drop (memory.grow $a (i32.const 39)))
            (loop $more (br_if $more (i32.ne (memory.grow $b (i32.const 1)) (i32.const -1))))
            (call $proc_exit (i32.add (memory.size $a) (memory.size $b)))))"#,
    );
    for engine in ENGINES {
        sb.wrun().engine(engine).args(["--max-memory", "16MiB"]).arg(&tables).run().assert_quiet_exit(0);
        sb.wrun().engine(engine).args(["--max-memory", "4MiB"]).arg(&memories).run().assert_quiet_exit(64);
    }
}

/// GC objects (and exceptions, which live with them) count against `--max-memory` too: 64 arrays
/// of 1 MiB kept alive fit without a limit, and trap under 16 MiB instead of growing the heap.
#[test]
fn max_memory_bounds_gc_objects() {
    let sb = Sandbox::new();
    let path = sb.file(
        "arrays.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (type $bytes (array (mut i8)))
          (type $node (struct (field (ref null $node)) (field (ref $bytes))))
          (memory (export "memory") 1)
          (func (export "_start")
            (local $list (ref null $node)) (local $i i32)
            (loop $more
              (local.set $list (struct.new $node (local.get $list) (array.new_default $bytes (i32.const 1048576))))
              (br_if $more (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 64))))
            (call $proc_exit (i32.const 0))))"#,
    );
    sb.wrun().arg(&path).run().assert_quiet_exit(0);
    sb.wrun().args(["--max-memory", "16MiB"]).arg(&path).run().assert_message(134, &["trapped", "GC heap out of memory"]);
}

// --- The compiled-module cache --------------------------------------------------------------

fn cache_entries(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.expect("cache entry").path()).collect();
    files.sort();
    files
}

fn is_artifact(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "cwasm")
}

#[test]
fn the_cache_is_written_once_and_reused() {
    for engine in COMPILERS {
        let sb = Sandbox::new();
        let path = sb.file("hello.wat", writes_then("hello\n", ""));
        let first = sb.wrun().engine(engine).arg(&path).run();
        assert_eq!(first.assert_quiet_exit(0).stdout_text(), "hello\n");
        let entries = cache_entries(&sb.cache());
        assert!(entries.len() == 1 && is_artifact(&entries[0]), "{engine}: cache holds {entries:?}");
        let artifact = std::fs::read(&entries[0]).expect("read artifact");
        let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).expect("stat"));
        let written = inode(&entries[0]);

        let second = sb.wrun().engine(engine).arg(&path).run();
        assert_eq!(second.assert_quiet_exit(0).stdout_text(), "hello\n");
        assert_eq!(cache_entries(&sb.cache()), entries, "{engine}");
        // Loaded, not rewritten (a rewrite is a new file renamed over the old one).
        assert_eq!(inode(&entries[0]), written, "{engine}");
        assert!(std::fs::read(&entries[0]).expect("read artifact") == artifact, "{engine}: artifact changed");
    }
}

#[test]
fn the_cache_keeps_to_its_size_least_recently_used_out_and_wrun_cache_shows_and_clears_it() {
    let sb = Sandbox::new();
    let a = sb.file("a.wat", writes_then("a\n", ""));
    let b = sb.file("b.wat", writes_then("b\n", ""));
    assert_eq!(sb.wrun().arg(&a).run().assert_quiet_exit(0).stdout_text(), "a\n");
    let one = std::fs::metadata(&cache_entries(&sb.cache())[0]).expect("entry").len();
    // Room for one entry and a half: storing b's pushes a's out, then a's pushes b's out.
    let bound = (one * 3 / 2).to_string();
    for (path, want) in [(&b, "b\n"), (&a, "a\n")] {
        let r = sb.wrun().env("WRUN_CACHE_MAX_SIZE", &bound).arg(path).run();
        assert_eq!(r.assert_quiet_exit(0).stdout_text(), want);
        assert_eq!(cache_entries(&sb.cache()).len(), 1, "{want:?}: {:?}", cache_entries(&sb.cache()));
    }
    // Without the bound both fit; `wrun cache` counts them, `wrun cache clear` empties it.
    sb.wrun().arg(&b).run().assert_quiet_exit(0);
    let show = sb.wrun().arg("cache").run();
    assert_eq!(show.status, 0, "{}", show.stderr);
    let text = show.stdout_text();
    assert!(text.starts_with(&format!("{}\n2 entries, ", sb.cache().display())) && text.contains("at most 1024.0 MiB"), "{text}");
    let clear = sb.wrun().args(["cache", "clear"]).run();
    assert!(clear.stdout_text().starts_with("removed 2 entries"), "{}", clear.stdout_text());
    assert_eq!(cache_entries(&sb.cache()), Vec::<PathBuf>::new());
    sb.wrun().args(["cache", "nonsense"]).run().assert_usage_error("nonsense");
}

#[test]
fn concurrent_cold_runs_all_succeed_and_leave_one_entry() {
    let sb = Sandbox::new();
    let path = sb.file("hello.wat", writes_then("hello\n", ""));
    let runs: Vec<_> = (0..12).map(|_| std::thread::spawn({
        let cmd = sb.wrun().arg(&path);
        move || cmd.run()
    })).collect();
    for r in runs {
        let r = r.join().expect("thread");
        assert_eq!(r.assert_quiet_exit(0).stdout_text(), "hello\n");
    }
    let entries = cache_entries(&sb.cache());
    assert!(entries.len() == 1 && is_artifact(&entries[0]), "the cache holds {entries:?}");
    assert_eq!(sb.wrun().arg(&path).run().assert_quiet_exit(0).stdout_text(), "hello\n");
}

#[test]
fn no_cache_and_the_interpreter_write_nothing() {
    let sb = Sandbox::new();
    let path = sb.file("hello.wat", writes_then("hello\n", ""));
    for engine in COMPILERS {
        let r = sb.wrun().engine(engine).arg("--no-cache").arg(&path).run();
        assert_eq!(r.assert_quiet_exit(0).stdout_text(), "hello\n");
    }
    let r = sb.wrun().engine("wasmi").arg(&path).run();
    assert_eq!(r.assert_quiet_exit(0).stdout_text(), "hello\n");
    assert_eq!(cache_entries(&sb.cache()), Vec::<PathBuf>::new());
}

#[test]
fn a_corrupt_cache_entry_is_discarded_and_rebuilt() {
    for engine in COMPILERS {
        let sb = Sandbox::new();
        let path = sb.file("hello.wat", writes_then("hello\n", ""));
        sb.wrun().engine(engine).arg(&path).run().assert_quiet_exit(0);
        let entries = cache_entries(&sb.cache());
        assert_eq!(entries.len(), 1, "{engine}");
        for junk in [b"this is not a compiled module".to_vec(), common::pseudo_random(100_000)] {
            std::fs::write(&entries[0], &junk).expect("corrupt the entry");
            let r = sb.wrun().engine(engine).arg(&path).run();
            assert_eq!(r.assert_quiet_exit(0).stdout_text(), "hello\n", "{engine}");
            assert_eq!(cache_entries(&sb.cache()), entries, "{engine}");
            assert!(std::fs::read(&entries[0]).expect("read entry") != junk, "{engine}: the junk entry was kept");
        }
    }
}

#[test]
fn an_empty_cache_variable_does_not_litter_the_working_directory() {
    let sb = Sandbox::new();
    let path = sb.file("hello.wat", writes_then("hello\n", ""));
    let home = sb.path().join("home");
    let r = sb.wrun().env("WRUN_CACHE_DIR", "").env("XDG_CACHE_HOME", "").env("HOME", &home).arg(&path).run();
    r.assert_quiet_exit(0);
    let litter: Vec<PathBuf> = cache_entries(sb.path()).into_iter().filter(|p| is_artifact(p)).collect();
    assert!(litter.is_empty(), "cache files in the working directory: {litter:?}");
    assert_eq!(cache_entries(&home.join(".cache").join("wrun")).len(), 1, "the default cache directory is used");
}

// --- Where wrun's flags end --------------------------------------------------------------------

#[test]
fn flags_after_the_module_are_the_programs_even_ones_wrun_knows() {
    let sb = Sandbox::new();
    // Exits with its argument count.
    let argc = sb.file(
        "argc.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (drop (call $sizes (i32.const 0) (i32.const 4))) (call $exit (i32.load (i32.const 0)))))"#,
    );
    // wrun's own flags before the module (one with a value, one without), the program's after.
    let r = sb.wrun().args(["-e", "A=1", "-v"]).arg(&argc).args(["-e", "foo", "--version", "-v", "--dir", "x", "--help"]).run();
    assert_eq!(r.status, 8, "{}", r.stderr);
    assert!(r.stderr.starts_with("wrun: engine: "), "-v before the module is wrun's: {}", r.stderr);
    // Short flags run together, the last taking the next word, as clap reads them.
    let joined = sb.wrun().args(["-ve", "A=1"]).arg(&argc).arg("x").run();
    assert_eq!(joined.status, 2, "{}", joined.stderr);
    assert!(joined.stderr.starts_with("wrun: engine: "), "{}", joined.stderr);
    // `--` ends wrun's flags too; a module named like a flag then runs.
    let dashed = sb.file("-odd.wat", std::fs::read(sb.path().join(&argc)).expect("read"));
    assert_eq!(sb.wrun().arg("--").arg(&dashed).arg("--version").run().status, 2);
    // A value-taking flag at the end still wants its value.
    sb.wrun().arg("--dir").run().assert_usage_error("--dir");
}

// --- Tiered start (--engine auto) ----------------------------------------------------------

/// What `-v` said about the engine.
fn engine_line(r: &common::Run) -> String {
    r.stderr.lines().find(|l| l.starts_with("wrun: engine: ")).unwrap_or_default().to_string()
}

/// Waits (up to a minute) for the background compile: an artifact and no marker left.
fn wait_for_background_compile(cache: &Path) -> Vec<PathBuf> {
    let started = std::time::Instant::now();
    loop {
        let entries = cache_entries(cache);
        let done = entries.iter().any(|p| is_artifact(p)) && !entries.iter().any(|p| p.extension().is_some_and(|e| e == "filling"));
        if done {
            return entries;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "no background compile: the cache holds {entries:?}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_big_module_starts_on_wasmi_while_cranelift_fills_the_cache_for_the_next_run() {
    let sb = Sandbox::new();
    let path = sb.file("hello.wat", writes_then("hello\n", ""));
    // Every module counts as big here (the default bound is 512 KiB of code).
    let wrun = || sb.wrun().env("WRUN_TIERED_MIN_SIZE", "0").arg("-v");
    let first = wrun().arg(&path).run();
    assert_eq!(first.stdout_text(), "hello\n");
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert_eq!(engine_line(&first), "wrun: engine: wasmi (first run of this module: Cranelift compiles it in the background for the next run)");
    let entries = wait_for_background_compile(&sb.cache());
    assert_eq!(entries.len(), 1, "{entries:?}");
    let second = wrun().arg(&path).run();
    assert_eq!(second.stdout_text(), "hello\n");
    assert_eq!(engine_line(&second), "wrun: engine: cranelift (compiled code from the cache)");
    // With --timeout the code differs (it checks for the deadline): a first run of its own.
    let timed = wrun().args(["--timeout", "10s"]).arg(&path).run();
    assert!(engine_line(&timed).starts_with("wrun: engine: wasmi (first run"), "{}", timed.stderr);
    assert_eq!(wait_for_background_compile(&sb.cache()).len(), 2);
    // --engine forces one; --fuel counts one engine's units; small modules compile at once.
    let forced = wrun().args(["--engine", "winch"]).arg(&path).run();
    assert_eq!(engine_line(&forced), "wrun: engine: winch (--engine)");
    let fuel = wrun().args(["--fuel", "1000000"]).arg(&path).run();
    assert_eq!(engine_line(&fuel), "wrun: engine: cranelift (--fuel: one engine's units)");
    let other = sb.file("other.wat", writes_then("other\n", ""));
    let small = sb.wrun().arg("-v").arg(&other).run();
    assert_eq!(small.stdout_text(), "other\n");
    assert_eq!(engine_line(&small), "wrun: engine: cranelift (a small module: compiled at once)");
}

#[test]
fn simd_runs_on_every_engine() {
    let sb = Sandbox::new();
    let path = sb.file(
        "simd.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (call $exit (i32x4.extract_lane 2 (i32x4.add (v128.const i32x4 1 2 3 4) (v128.const i32x4 0 0 4 0))))))"#,
    );
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).arg(&path).run();
        assert_eq!(r.status, 7, "{engine}: {}", r.stderr);
    }
}

/// Exception handling with `exnref` (`try_table`, `throw_ref`), as wasi-sdk's C++ with
/// `-fwasm-exceptions` emits (YoWASP's Yosys from PyPI is one such program), and GC: Cranelift
/// runs them; Winch and wasmi do not have these proposals and say so in one line.
#[test]
fn exceptions_and_gc_run_on_cranelift_and_the_other_engines_say_why_not() {
    let sb = Sandbox::new();
    // Neutral file names: messages name the file, which must not be what a check finds.
    let path = sb.file("eh.wat", include_str!("../../tests/wat/exceptions.wat"));
    for engine in ["auto", "cranelift"] {
        let r = sb.wrun().engine(engine).arg(&path).run();
        assert_eq!(r.status, 7, "{engine}: {}", r.stderr);
    }
    for engine in ["winch", "wasmi"] {
        let want = format!("the {engine} engine cannot load this module");
        sb.wrun().engine(engine).arg(&path).run().assert_one_line(1, &["`eh.wat`", &want, "exceptions proposal not enabled"]);
    }
    // GC's structs (Kotlin/Wasm and other garbage-collected languages' output) come with it.
    let gc = sb.file(
        "structs.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (type $pair (struct (field i32) (field i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (local $p (ref $pair))
            (local.set $p (struct.new $pair (i32.const 3) (i32.const 4)))
            (call $exit (i32.add (struct.get $pair 0 (local.get $p)) (struct.get $pair 1 (local.get $p))))))"#,
    );
    let r = sb.wrun().arg(&gc).run();
    assert_eq!(r.status, 7, "{}", r.stderr);
    for engine in ["winch", "wasmi"] {
        let want = format!("the {engine} engine cannot load this module");
        sb.wrun().engine(engine).arg(&gc).run().assert_one_line(1, &["`structs.wat`", &want, "without the gc feature"]);
    }
}

/// Atomic instructions on an ordinary memory, as programs built with atomics use them without
/// ever starting a thread (YoWASP's nextpnr): the compilers run them; wasmi says it cannot. A
/// memory the module shares is for threads: refused in one line.
#[test]
fn atomics_run_on_the_compilers_and_a_shared_memory_is_refused_in_one_line() {
    let sb = Sandbox::new();
    let body = r#"
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 5))
            (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 2)))
            (atomic.fence)
            (call $exit (i32.atomic.load (i32.const 0)))))"#;
    let module = |memory: &str| format!("(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32))) {memory} {body}");
    let atomics = sb.file("a.wat", module(r#"(memory (export "memory") 1)"#));
    // Winch has atomics on x86-64 only.
    let engines: &[&str] = if cfg!(target_arch = "x86_64") { &["auto", "cranelift", "winch"] } else { &["auto", "cranelift"] };
    for &engine in engines {
        let r = sb.wrun().engine(engine).arg(&atomics).run();
        assert_eq!(r.status, 7, "{engine}: {}", r.stderr);
    }
    sb.wrun().engine("wasmi").arg(&atomics).run().assert_one_line(1, &["the wasmi engine cannot load this module", "threads support is not enabled"]);
    // Exported or not.
    for memory in [r#"(memory (export "memory") 1 1 shared)"#, "(memory 1 1 shared)"] {
        let shared = sb.file("m.wat", module(memory));
        for engine in COMPILERS {
            sb.wrun().engine(engine).arg(&shared).run().assert_one_line(1, &["`m.wat`", "memory is shared (it was built for threads)"]);
        }
        sb.wrun().engine("wasmi").arg(&shared).run().assert_one_line(1, &["the wasmi engine cannot load this module", "threads must be enabled for shared memories"]);
    }
}

#[test]
fn a_module_wasmi_cannot_run_is_compiled_at_once() {
    let sb = Sandbox::new();
    // A 64-bit memory: the wasmi build here has no memory64, Cranelift has.
    let path = sb.file(
        "memory64.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") i64 1)
          (func (export "_start") (call $exit (i32.wrap_i64 (i64.add (memory.size) (i64.const 6))))))"#,
    );
    let r = sb.wrun().env("WRUN_TIERED_MIN_SIZE", "0").arg("-v").arg(&path).run();
    assert_eq!(r.status, 7, "{}", r.stderr);
    assert!(engine_line(&r).starts_with("wrun: engine: cranelift (wasmi cannot run this module: "), "{}", r.stderr);
}

#[test]
fn fifty_concurrent_cold_tiered_runs_all_succeed_and_leave_one_entry() {
    let sb = Sandbox::new();
    let path = sb.file("hello.wat", writes_then("hello\n", ""));
    let runs: Vec<_> = (0..50).map(|_| std::thread::spawn({
        let cmd = sb.wrun().env("WRUN_TIERED_MIN_SIZE", "0").arg(&path);
        move || cmd.run()
    })).collect();
    for r in runs {
        let r = r.join().expect("thread");
        assert_eq!(r.assert_quiet_exit(0).stdout_text(), "hello\n");
    }
    let entries = wait_for_background_compile(&sb.cache());
    assert!(entries.len() == 1 && is_artifact(&entries[0]), "the cache holds {entries:?}");
}

// --- Stdio ----------------------------------------------------------------------------------

fn cat_guest() -> PathBuf {
    let guests = wrun_tests::all_guests().expect("list guests");
    let cat = guests.iter().find(|g| g.name == "cat").expect("the `cat` guest");
    wrun_tests::build(cat).expect("build the `cat` guest")
}

#[test]
fn five_megabytes_through_cat_are_byte_identical() {
    let cat = cat_guest();
    let input = common::pseudo_random(5_000_000);
    let sb = Sandbox::new();
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).arg(&cat).stdin(input.clone()).run();
        assert_eq!(r.status, 0, "{engine}: {}", r.stderr);
        assert_eq!(r.stderr, "5000000 bytes\n", "{engine}");
        assert!(r.stdout == input, "{engine}: stdout differs from stdin ({} bytes out)", r.stdout.len());
    }
}

#[test]
fn output_before_a_trap_is_not_lost() {
    let sb = Sandbox::new();
    // No newline, so nothing line-buffered would flush it.
    let path = sb.file("partial.wat", writes_then("written before the trap", "unreachable"));
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).arg(&path).run();
        r.assert_message(134, &["trapped", "unreachable"]);
        assert_eq!(r.stdout_text(), "written before the trap", "{engine}");
    }
}

// --- Reactors and imports wrun does not provide ----------------------------------------------

/// A reactor: `_initialize` writes a line and sets a base that `add` uses; `call_thing` calls an
/// import that is not WASI's.
const REACTOR: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "env" "host_thing" (func $thing (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "initialized\n")
  (global $base (mut i32) (i32.const 0))
  (func (export "_initialize")
    (global.set $base (i32.const 1000))
    (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 12))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "add") (param i32 i32) (result i32) (i32.add (global.get $base) (i32.add (local.get 0) (local.get 1))))
  (func (export "call_thing") (result i32) (call $thing (i32.const 1))))"#;

#[test]
fn invoke_runs_a_reactors_initialize_first() {
    let sb = Sandbox::new();
    let reactor = sb.file("reactor.wat", REACTOR);
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).args(["--unknown-imports-trap", "--invoke", "add"]).arg(&reactor).args(["2", "3"]).run();
        assert_eq!(r.assert_quiet_exit(0).stdout_text(), "initialized\n1005\n", "{engine}");
    }
}

#[test]
fn unknown_imports_are_refused_or_trap_when_called_with_the_flag() {
    let sb = Sandbox::new();
    let reactor = sb.file("reactor.wat", REACTOR);
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).args(["--invoke", "add"]).arg(&reactor).args(["2", "3"]).run();
        r.assert_one_line(1, &["`env::host_thing`", "does not provide", "--unknown-imports-trap"]);
        let r = sb.wrun().engine(engine).args(["--unknown-imports-trap", "--invoke", "call_thing"]).arg(&reactor).run();
        r.assert_message(134, &["trapped", "called `env::host_thing`, an import wrun does not provide"]);
        assert_eq!(r.stdout_text(), "initialized\n", "{engine}");
    }
}

/// A program built for `wasi_unstable` (snapshot 0) runs, its three ABI differences translated
/// (tests/wat/wasi_unstable.wat exits with the number of the check that failed), on a host
/// directory and on an in-memory tree.
#[test]
fn wasi_unstable_programs_run_with_their_own_abi() {
    let program = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/wat/wasi_unstable.wat")).expect("wat");
    let sb = Sandbox::new();
    let path = sb.file("unstable.wat", program);
    let image = sb.file("empty.tar", wasi_vfs::tar_image::export(&*wasi_vfs::mem::MemFs::new().root()).expect("image"));
    for engine in ENGINES {
        let dir = sb.path().join(format!("dir-{engine}"));
        std::fs::create_dir(&dir).expect("mkdir");
        for (flag, mount) in [("--dir", format!("{}::/work", dir.display())), ("--fs", format!("{}::/work", image.display()))] {
            let r = sb.wrun().engine(engine).arg(flag).arg(&mount).arg(&path).run();
            assert_eq!((r.status, r.stdout_text().as_str()), (0, "wasi_unstable ok\n"), "{engine} {flag}: {}", r.stderr);
        }
    }
}

