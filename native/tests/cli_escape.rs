//! Escapes through the guest ABI: a program run by `wrun` tries to leave its preopen with every
//! kind of path (`..` chains, absolute paths, symlinks leading out or looping, NUL bytes, invalid
//! UTF-8, paths past `PATH_MAX`), on every engine, over a host directory (`--dir`) and over an
//! in-memory image (`--fs`). Each attempt must fail with the errno WASI programs expect, and
//! nothing outside the preopen may appear or change.

mod common;

use std::fs;
use std::path::Path;

use common::{wat_string, Sandbox, ENGINES};

const PERM: i32 = 63;
const LOOP: i32 = 32;
const INVAL: i32 = 28;
const ILSEQ: i32 = 25;
const NAMETOOLONG: i32 = 37;
const NOENT: i32 = 44;

/// One WASI path call, on the preopen (fd 3).
enum Call {
    /// `path_open`, following symlinks; `create` adds `O_CREAT`.
    Open(Vec<u8>, bool),
    Stat(Vec<u8>),
    Mkdir(Vec<u8>),
    Symlink(Vec<u8>, Vec<u8>),
    Rename(Vec<u8>, Vec<u8>),
    Link(Vec<u8>, Vec<u8>),
}

use Call::*;

/// A program making `calls` in order and exiting with the first nonzero errno (0 if none).
fn program(calls: &[Call]) -> String {
    let mut data = String::new();
    let mut body = String::new();
    let mut at = 4096u32;
    let mut string = |bytes: &[u8]| {
        let here = at;
        data.push_str(&format!("(data (i32.const {here}) \"{}\")\n", wat_string(bytes)));
        at += bytes.len() as u32 + 16;
        (here, bytes.len())
    };
    for call in calls {
        let expr = match call {
            Open(p, create) => {
                let (ptr, len) = string(p);
                format!("(call $open (i32.const 3) (i32.const 1) (i32.const {ptr}) (i32.const {len}) (i32.const {}) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0))", u8::from(*create))
            }
            Stat(p) => {
                let (ptr, len) = string(p);
                format!("(call $stat (i32.const 3) (i32.const 1) (i32.const {ptr}) (i32.const {len}) (i32.const 64))")
            }
            Mkdir(p) => {
                let (ptr, len) = string(p);
                format!("(call $mkdir (i32.const 3) (i32.const {ptr}) (i32.const {len}))")
            }
            Symlink(target, p) => {
                let ((t, tl), (ptr, len)) = (string(target), string(p));
                format!("(call $symlink (i32.const {t}) (i32.const {tl}) (i32.const 3) (i32.const {ptr}) (i32.const {len}))")
            }
            Rename(from, to) => {
                let ((f, fl), (t, tl)) = (string(from), string(to));
                format!("(call $rename (i32.const 3) (i32.const {f}) (i32.const {fl}) (i32.const 3) (i32.const {t}) (i32.const {tl}))")
            }
            Link(from, to) => {
                let ((f, fl), (t, tl)) = (string(from), string(to));
                format!("(call $link (i32.const 3) (i32.const 0) (i32.const {f}) (i32.const {fl}) (i32.const 3) (i32.const {t}) (i32.const {tl}))")
            }
        };
        body.push_str(&format!("(local.set $e {expr}) (if (local.get $e) (then (call $exit (local.get $e))))\n"));
    }
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  {data}
  (func (export "_start") (local $e i32)
    {body}))"#
    )
}

/// An attempt: what the program does, and the errnos it may end with.
struct Case {
    name: &'static str,
    calls: Vec<Call>,
    want: &'static [i32],
    /// Needs the symlinks only a host directory holds (planted from outside).
    host_only: bool,
}

fn case(name: &'static str, calls: Vec<Call>, want: &'static [i32]) -> Case {
    Case { name, calls, want, host_only: false }
}

fn b(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn cases() -> Vec<Case> {
    let mut v = vec![
        case("open ..", vec![Open(b(".."), false)], &[PERM]),
        case("open ../secret", vec![Open(b("../secret"), false)], &[PERM]),
        case("create ../new", vec![Open(b("../new"), true)], &[PERM]),
        case("open a/../../secret", vec![Open(b("a/../../secret"), false)], &[PERM]),
        case("open ./a/./../../outside/x", vec![Open(b("./a/./../../outside/x"), true)], &[PERM]),
        case("open /etc/passwd", vec![Open(b("/etc/passwd"), false)], &[PERM]),
        case("mkdir /tmp/x", vec![Mkdir(b("/tmp/wrun-escape-probe"))], &[PERM]),
        case("stat with a NUL", vec![Stat(b"a\0/../../secret".to_vec())], &[INVAL]),
        case("create with a NUL", vec![Open(b"new\0../../secret".to_vec(), true)], &[INVAL]),
        case("open invalid UTF-8", vec![Open(b"\xff\xfe/../secret".to_vec(), false)], &[ILSEQ]),
        case("mkdir invalid UTF-8", vec![Mkdir(b"a/\xc3\x28".to_vec())], &[ILSEQ]),
        case("stat 2000 ..", vec![Stat(("../".repeat(2000) + "secret").into_bytes())], &[PERM, NAMETOOLONG]),
        case("create past PATH_MAX", vec![Open(("a/".repeat(2100) + "x").into_bytes(), true)], &[NAMETOOLONG, NOENT]),
        case("create a 300-byte name", vec![Open("n".repeat(300).into_bytes(), true)], &[NAMETOOLONG]),
        case("symlink out, then create through it", vec![Symlink(b("../outside"), b("out")), Open(b("out/new"), true)], &[PERM]),
        case("symlink to an absolute path", vec![Symlink(b("/etc/passwd"), b("abs2")), Open(b("abs2"), false)], &[PERM]),
        case("symlink loop", vec![Symlink(b("l2"), b("l1")), Symlink(b("l1"), b("l2")), Open(b("l1"), true)], &[LOOP]),
        case("rename out", vec![Rename(b("a/f"), b("../stolen"))], &[PERM]),
        case("rename in", vec![Rename(b("../secret"), b("stolen"))], &[PERM]),
        case("link out", vec![Link(b("a/f"), b("../hl"))], &[PERM]),
        case("link in", vec![Link(b("../secret"), b("hl"))], &[PERM]),
    ];
    for (name, path, want) in [
        ("absolute symlink to a file", "abs", &[PERM][..]),
        ("create through an absolute symlink to a directory", "absdir/new", &[PERM]),
        ("relative symlink out", "up", &[PERM]),
        ("relative symlink out, deep", "a/deep/secret", &[PERM]),
        ("planted loop", "loop/x", &[LOOP]),
    ] {
        v.push(Case { name, calls: vec![Open(b(path), true)], want, host_only: true });
    }
    v
}

/// `outer/` holds the preopened `root/` (with `a/f`), a `secret` file and an empty `outside/`.
fn host_world(sb: &Sandbox) -> std::path::PathBuf {
    let outer = sb.path().join("outer");
    fs::create_dir_all(outer.join("root/a")).expect("mkdir");
    fs::create_dir(outer.join("outside")).expect("mkdir");
    fs::write(outer.join("root/a/f"), b"inside").expect("write");
    fs::write(outer.join("secret"), b"secret").expect("write");
    let link = |target: &Path, name: &str| std::os::unix::fs::symlink(target, outer.join("root").join(name)).expect("symlink");
    link(&outer.join("secret"), "abs");
    link(&outer.join("outside"), "absdir");
    link(Path::new("../secret"), "up");
    link(Path::new("../../secret"), "a/deep");
    link(Path::new("loop"), "loop");
    outer
}

/// The in-memory side: an image holding `a/f`, as the host root does.
fn image() -> Vec<u8> {
    let fs = wasi_vfs::mem::MemFs::new();
    wasi_vfs::ops::create_dir_all(&*fs.root(), "a").expect("mkdir");
    wasi_vfs::ops::write_file(&*fs.root(), "a/f", b"inside").expect("write");
    wasi_vfs::tar_image::export(&*fs.root()).expect("export")
}

fn assert_outside_untouched(outer: &Path, label: &str) {
    let mut names: Vec<_> = fs::read_dir(outer).expect("read outer").map(|e| e.expect("entry").file_name()).collect();
    names.sort();
    assert_eq!(names, ["outside", "root", "secret"], "{label}: something appeared beside the preopen");
    assert_eq!(fs::read(outer.join("secret")).expect("read secret"), b"secret", "{label}");
    assert_eq!(fs::read_dir(outer.join("outside")).expect("read outside").count(), 0, "{label}");
    assert!(!Path::new("/tmp/wrun-escape-probe").exists(), "{label}");
}

#[test]
fn escapes_through_the_guest_abi_fail_on_every_engine_and_backing() {
    let mut attempts = 0;
    for case in cases() {
        let module = program(&case.calls);
        for engine in ENGINES {
            let sb = Sandbox::new();
            let path = sb.file("escape.wat", &module);
            let outer = host_world(&sb);
            let label = format!("{} on {engine} (--dir)", case.name);
            let r = sb.wrun().engine(engine).arg("--dir").arg(format!("{}::/sandbox", outer.join("root").display())).arg(&path).run();
            assert!(case.want.contains(&r.status), "{label}: exit {} (errno), want one of {:?}\n{}", r.status, case.want, r.stderr);
            assert_outside_untouched(&outer, &label);
            attempts += 1;
            if case.host_only {
                continue;
            }
            let image = sb.file("image.tar", image());
            let label = format!("{} on {engine} (--fs)", case.name);
            let r = sb.wrun().engine(engine).arg("--fs").arg(format!("{}::/sandbox", image.display())).arg(&path).run();
            assert!(case.want.contains(&r.status), "{label}: exit {} (errno), want one of {:?}\n{}", r.status, case.want, r.stderr);
            assert_outside_untouched(&outer, &label);
            attempts += 1;
        }
    }
    println!("{attempts} escape attempts, none escaped");
}

/// The same cases through the npm package's `WASI` in Node, whose `preopens` are real directories
/// (as node:wasi's are) that the polyfill confines. Needs Node and `npm/dist` (scripts/build-web.sh);
/// without them this is skipped, unless `WRUN_REQUIRE_NODE` is set (the README's test command).
#[test]
fn escapes_through_the_node_wasi_polyfill_fail() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let runner = root.join("tests/escape/node-wasi.mjs");
    let node_ok = std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !node_ok || !root.join("npm/dist/index.js").exists() {
        assert!(std::env::var_os("WRUN_REQUIRE_NODE").is_none(), "WRUN_REQUIRE_NODE is set but node or npm/dist is missing");
        println!("skipped: node or npm/dist missing");
        return;
    }
    let mut attempts = 0;
    for case in cases() {
        let sb = Sandbox::new();
        let wasm = sb.file("escape.wasm", wat::parse_str(program(&case.calls)).expect("wat"));
        let outer = host_world(&sb);
        let label = format!("{} through WASI in Node", case.name);
        let out = std::process::Command::new("node").current_dir(sb.path()).arg(&runner).arg(&wasm).arg(outer.join("root")).output().expect("node");
        let status = out.status.code().unwrap_or(-1);
        assert!(case.want.contains(&status), "{label}: exit {status} (errno), want one of {:?}\n{}", case.want, String::from_utf8_lossy(&out.stderr));
        assert_outside_untouched(&outer, &label);
        attempts += 1;
    }
    println!("{attempts} escape attempts through node, none escaped");
}

