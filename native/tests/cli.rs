//! The `wrun` command line as a user meets it before a program runs: files that are not modules,
//! broken modules, imports wrun does not provide, entry points and `--invoke`, and bad flags.
//! Each refusal is exit status 1 (2 for flags clap rejects) and one line naming the problem, the
//! same on every engine. How programs end, limits, the cache and stdio are in `cli_run.rs`.

mod common;

use common::{writes_then, Sandbox, ENGINES};

/// Runs `file` (written into a fresh sandbox with `contents`) on every engine and expects the same
/// one-line refusal from each.
fn refused_everywhere(file: &str, contents: impl AsRef<[u8]>, needles: &[&str]) {
    let sb = Sandbox::new();
    let path = sb.file(file, contents);
    for engine in ENGINES {
        sb.wrun().engine(engine).arg(&path).run().assert_one_line(1, needles);
    }
}

/// Like [`refused_everywhere`], with flags before the module.
fn refused_everywhere_with(flags: &[&str], wat: &str, needles: &[&str]) {
    let sb = Sandbox::new();
    let path = sb.file("module.wat", wat);
    for engine in ENGINES {
        sb.wrun().engine(engine).args(flags).arg(&path).run().assert_one_line(1, needles);
    }
}

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

fn with_header(rest: &[u8]) -> Vec<u8> {
    [HEADER, rest].concat()
}

// --- Files that are not modules -------------------------------------------------------------

#[test]
fn a_text_file_is_not_a_module() {
    refused_everywhere("notes.wasm", "hello, world\n", &["`notes.wasm`", "not a WebAssembly module", "magic"]);
}

#[test]
fn random_bytes_are_not_a_module() {
    // An ELF header, as when someone passes a native binary.
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend(common::pseudo_random(4096));
    refused_everywhere("tool", elf, &["not a WebAssembly module", "magic"]);
    refused_everywhere("noise.wasm", common::pseudo_random(1000), &["not a WebAssembly module", "magic"]);
}

#[test]
fn an_empty_file_is_not_a_module() {
    refused_everywhere("empty.wasm", b"", &["`empty.wasm`", "the file is empty"]);
}

#[test]
fn a_missing_file_or_a_directory_cannot_be_read() {
    let sb = Sandbox::new();
    for engine in ENGINES {
        sb.wrun().engine(engine).arg("nowhere.wasm").run().assert_one_line(1, &["cannot read `nowhere.wasm`", "No such file"]);
        sb.wrun().engine(engine).arg(".").run().assert_one_line(1, &["cannot read `.`", "directory"]);
    }
}

// --- Broken binaries ------------------------------------------------------------------------

#[test]
fn a_truncated_module_is_reported() {
    // A type section that declares 7 bytes (one `(i32) -> (i32)` type) but stops after 3.
    refused_everywhere("cut.wasm", with_header(b"\x01\x07\x01\x60\x01"), &["invalid module", "unexpected end of file", "truncated"]);
    // Only the magic, no version.
    refused_everywhere("magic-only.wasm", b"\0asm", &["invalid module", "truncated", "header"]);
}

#[test]
fn wrong_magic_is_not_a_module() {
    refused_everywhere("bad-magic.wasm", b"\0asx\x01\0\0\0", &["not a WebAssembly module", "magic"]);
}

#[test]
fn a_section_with_a_huge_declared_size_is_reported() {
    // Section 1 claiming 0xffff_ffff bytes, in a file of 14.
    refused_everywhere("huge.wasm", with_header(b"\x01\xff\xff\xff\xff\x0f"), &["invalid module", "section's size"]);
}

#[test]
fn a_wrong_version_is_named() {
    refused_everywhere("v2.wasm", b"\0asm\x02\0\0\0", &["unsupported WebAssembly binary version 2", "version 1"]);
}

#[test]
fn a_component_is_named() {
    refused_everywhere("component.wasm", b"\0asm\x0d\0\x01\0", &["WebAssembly component", "preview 1"]);
}

#[test]
fn invalid_text_names_line_and_column() {
    let wat = "(module\n  (func (export \"_start\")\n    (i32.bogus)))\n";
    refused_everywhere("typo.wat", wat, &["`typo.wat`", "invalid WebAssembly text at line 3, column 6", "unknown operator"]);
}

#[test]
fn an_invalid_function_body_gives_the_validators_message_on_every_engine() {
    // Well-formed, but `i32.add` has nothing to add. Engines word this differently (winch used to
    // embed a Rust backtrace); wrun reports the validator's reason everywhere.
    let wat = r#"(module (func (export "_start") (drop (i32.add (i32.const 1)))))"#;
    refused_everywhere("ill-typed.wat", wat, &["invalid module", "type mismatch", "offset"]);
}

#[test]
fn a_feature_an_engine_lacks_is_reported_by_that_engine() {
    // Exception handling: Cranelift has it; Winch and wasmi do not.
    let sb = Sandbox::new();
    let path = sb.file("t.wat", r#"(module (tag $t) (func (export "_start") (throw $t)))"#);
    for engine in ["winch", "wasmi"] {
        let want = format!("the {engine} engine cannot load this module");
        sb.wrun().engine(engine).arg(&path).run().assert_one_line(1, &["`t.wat`", &want, "exceptions proposal not enabled"]);
    }
}

// --- Imports --------------------------------------------------------------------------------

#[test]
fn an_unknown_import_is_named() {
    let wat = r#"(module (import "env" "foo" (func)) (func (export "_start")))"#;
    refused_everywhere("env.wat", wat, &["imports `env::foo`", "does not provide"]);
}

#[test]
fn a_wasi_import_with_the_wrong_signature_is_named() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32)))
      (memory (export "memory") 1)
      (func (export "_start")))"#;
    refused_everywhere(
        "sig.wat",
        wat,
        &["`wasi_snapshot_preview1::fd_write`", "with type (i32) -> ()", "(i32, i32, i32, i32) -> (i32)"],
    );
}

#[test]
fn a_module_importing_both_wasi_versions_is_refused() {
    let wat = r#"(module
      (import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")))"#;
    refused_everywhere("both.wat", wat, &["imports both `wasi_snapshot_preview1` and `wasi_unstable`"]);
    // sock_accept came with preview 1.
    let wat = r#"(module
      (import "wasi_unstable" "sock_accept" (func (param i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")))"#;
    refused_everywhere("accept.wat", wat, &["`wasi_unstable::sock_accept`", "does not provide"]);
}

#[test]
fn an_imported_memory_is_refused() {
    let wat = r#"(module (import "env" "memory" (memory 1)) (func (export "_start")))"#;
    refused_everywhere("imem.wat", wat, &["imports `env::memory`", "not a function"]);
}

// --- Entry points and --invoke --------------------------------------------------------------

const ADD: &str = r#"(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "mix") (param i64 f32 f64) (result i64 f32 f64) (local.get 0) (local.get 1) (local.get 2))
  (func (export "boom") unreachable))"#;

#[test]
fn a_module_without_start_suggests_invoke() {
    refused_everywhere("lib.wat", ADD, &["no `_start` function", "--invoke", "it exports: add, mix, boom"]);
}

#[test]
fn a_start_of_the_wrong_type_is_named() {
    let wat = r#"(module (func (export "_start") (param i32) (result i32) (local.get 0)))"#;
    refused_everywhere("start.wat", wat, &["`_start` has type (i32) -> (i32)", "takes no arguments"]);
}

#[test]
fn invoke_prints_the_results() {
    let sb = Sandbox::new();
    let path = sb.file("lib.wat", ADD);
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).arg("--invoke").arg("add").arg(&path).args(["2", "3"]).run();
        r.assert_quiet_exit(0);
        assert_eq!(r.stdout_text(), "5\n", "{engine}");
        let r = sb.wrun().engine(engine).args(["--invoke", "mix"]).arg(&path).args(["-5", "1.5", "2.25"]).run();
        r.assert_quiet_exit(0);
        assert_eq!(r.stdout_text(), "-5\n1.5\n2.25\n", "{engine}");
        // Negative numbers are arguments, not flags; an i32 may be written unsigned.
        let r = sb.wrun().engine(engine).args(["--invoke", "add"]).arg(&path).args(["-1", "4294967295"]).run();
        assert_eq!(r.assert_quiet_exit(0).stdout_text(), "-2\n", "{engine}");
    }
}

#[test]
fn invoke_with_the_wrong_number_of_arguments() {
    let sb = Sandbox::new();
    let path = sb.file("lib.wat", ADD);
    for engine in ENGINES {
        let run = |args: &[&str]| sb.wrun().engine(engine).args(["--invoke", "add"]).arg(&path).args(args).run();
        run(&[]).assert_one_line(1, &["`lib.wat`", "`add` takes 2 arguments, 0 given"]);
        run(&["2"]).assert_one_line(1, &["`add` takes 2 arguments, 1 given"]);
        run(&["2", "3", "4"]).assert_one_line(1, &["`add` takes 2 arguments, 3 given"]);
    }
}

#[test]
fn invoke_with_values_that_do_not_fit() {
    let sb = Sandbox::new();
    let path = sb.file("lib.wat", ADD);
    for engine in ENGINES {
        let run = |f: &str, args: &[&str]| sb.wrun().engine(engine).args(["--invoke", f]).arg(&path).args(args).run();
        run("add", &["2", "x"]).assert_one_line(1, &["argument `x` is not a valid i32"]);
        run("add", &["99999999999", "1"]).assert_one_line(1, &["argument `99999999999` is not a valid i32"]);
        run("add", &["1.5", "1"]).assert_one_line(1, &["argument `1.5` is not a valid i32"]);
        run("mix", &["1", "2", "pi"]).assert_one_line(1, &["argument `pi` is not a valid f64"]);
    }
}

#[test]
fn invoke_of_a_function_the_module_does_not_export() {
    refused_everywhere_with(&["--invoke", "sub"], ADD, &["exports no function `sub`", "it exports: add, mix, boom"]);
}

#[test]
fn invoke_of_a_trapping_function() {
    let sb = Sandbox::new();
    let path = sb.file("lib.wat", ADD);
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).args(["--invoke", "boom"]).arg(&path).run();
        r.assert_message(134, &["`lib.wat` trapped", "unreachable"]);
        assert!(r.stdout.is_empty(), "{engine}: nothing to print for a trap");
    }
}

#[test]
fn invoke_into_a_closed_pipe_does_not_panic() {
    let sb = Sandbox::new();
    let path = sb.file("lib.wat", ADD);
    for engine in ENGINES {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let r = sb.wrun().engine(engine).args(["--invoke", "add"]).arg(&path).args(["2", "3"]).stdout(writer.into()).run();
        r.assert_quiet_exit(0);
    }
}

// --- Flags ----------------------------------------------------------------------------------

const NOTHING: &str = r#"(module (func (export "_start")))"#;

#[test]
fn dir_must_be_an_existing_directory() {
    let sb = Sandbox::new();
    let path = sb.file("nothing.wat", NOTHING);
    let missing = sb.path().join("absent");
    let run = |flag: &str, value: String| sb.wrun().arg(flag).arg(value).arg(&path).run();
    run("--dir", missing.display().to_string()).assert_one_line(1, &["--dir", "cannot open host directory", "absent"]);
    run("--dir", format!("{}::/data", missing.display())).assert_one_line(1, &["--dir", "absent"]);
    run("--dir", path.display().to_string()).assert_one_line(1, &["--dir", "nothing.wat` is not a directory"]);
    run("--dir", "::/data".into()).assert_one_line(1, &["expected HOST or HOST::GUEST"]);
    run("--mapdir", "/data".into()).assert_one_line(1, &["--mapdir `/data`", "expected GUEST::HOST"]);
    run("--mapdir", format!("/data::{}", missing.display())).assert_one_line(1, &["--mapdir", "absent"]);
    // And a good one works.
    run("--dir", format!("{}::/data", sb.path().display())).assert_quiet_exit(0);
}

#[test]
fn bad_flags_are_usage_errors() {
    let sb = Sandbox::new();
    let path = sb.file("nothing.wat", NOTHING);
    let run = |flags: &[&str]| sb.wrun().args(flags).arg(&path).run();
    run(&["--frobnicate"]).assert_usage_error("--frobnicate");
    run(&["--timeout", "banana"]).assert_usage_error("`banana` is not a duration");
    run(&["--timeout", "5parsecs"]).assert_usage_error("unknown duration unit");
    // Long enough to overflow a deadline: refused, not a panic.
    run(&["--timeout", "10000000000000000000"]).assert_usage_error("too long");
    run(&["--max-memory", "lots"]).assert_usage_error("`lots` is not a size");
    run(&["--fuel", "-1"]).assert_usage_error("-1");
    run(&["--engine", "v8"]).assert_usage_error("v8");
    sb.wrun().run().assert_usage_error("<FILE.wasm>");
}

#[test]
fn a_memory_larger_than_max_memory_is_refused_up_front() {
    let wat = r#"(module (memory (export "memory") 2) (func (export "_start")))"#;
    refused_everywhere_with(&["--max-memory", "64KiB"], wat, &["memory starts at 2 pages (131072 bytes)", "--max-memory", "65536"]);
}

#[test]
fn arguments_after_the_module_belong_to_the_program() {
    // `--frobnicate` after the module is the program's, not wrun's.
    let sb = Sandbox::new();
    let path = sb.file("hi.wat", writes_then("hi\n", ""));
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).arg(&path).arg("--frobnicate").run();
        assert_eq!(r.assert_quiet_exit(0).stdout_text(), "hi\n");
    }
}
