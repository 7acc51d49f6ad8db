//! Running `wrun` as a user would, for the CLI tests: each test gets a scratch directory with its
//! own compiled-module cache, and every run is checked for Rust panic text.

// Each test crate uses its own subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ENGINES: [&str; 3] = ["cranelift", "winch", "wasmi"];

/// The engines that compile to native code: they print wasm backtraces and use the cache.
pub const COMPILERS: [&str; 2] = ["cranelift", "winch"];

/// A run that takes this long is hung; the test kills it and fails.
const HANG: Duration = Duration::from_secs(60);

/// A scratch directory for the modules of one test, holding the cache directory too.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// What `WRUN_CACHE_DIR` points at.
    pub fn cache(&self) -> PathBuf {
        self.path().join("cache")
    }

    /// Writes `contents` to `name` in the sandbox, and returns `name`: wrun runs in the sandbox,
    /// so messages show the path as a user would type it.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        std::fs::write(self.path().join(name), contents).expect("write test file");
        PathBuf::from(name)
    }

    /// `wrun`, run from the sandbox with its own cache directory. RUST_BACKTRACE is set so that a
    /// Rust backtrace leaking into a message cannot hide behind the environment the tests run in.
    pub fn wrun(&self) -> Wrun {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wrun"));
        cmd.current_dir(self.path())
            .env("WRUN_CACHE_DIR", self.cache())
            .env("RUST_BACKTRACE", "1")
            .env_remove("WASMTIME_BACKTRACE_DETAILS");
        Wrun { cmd, stdin: Input::Bytes(Vec::new()), stdout: None }
    }
}

enum Input {
    Bytes(Vec<u8>),
    /// A pipe the test never writes to nor closes until wrun has exited.
    HeldOpen,
}

/// A `wrun` command line being built.
pub struct Wrun {
    cmd: Command,
    stdin: Input,
    stdout: Option<Stdio>,
}

impl Wrun {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.cmd.args(args);
        self
    }

    pub fn engine(self, engine: &str) -> Self {
        self.arg("--engine").arg(engine)
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn stdin(mut self, bytes: Vec<u8>) -> Self {
        self.stdin = Input::Bytes(bytes);
        self
    }

    pub fn stdin_held_open(mut self) -> Self {
        self.stdin = Input::HeldOpen;
        self
    }

    /// Sends wrun's stdout somewhere else than the captured pipe.
    pub fn stdout(mut self, to: Stdio) -> Self {
        self.stdout = Some(to);
        self
    }

    /// Runs to completion (failing the test if it hangs) and checks that no Rust panic showed.
    pub fn run(mut self) -> Run {
        let label = format!("{:?}", self.cmd);
        let captured = self.stdout.is_none();
        self.cmd
            .stdin(Stdio::piped())
            .stdout(self.stdout.take().unwrap_or_else(Stdio::piped))
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = self.cmd.spawn().unwrap_or_else(|e| panic!("{label}: cannot spawn: {e}"));
        let stdin = child.stdin.take().expect("stdin pipe");
        let (held, feeder) = match self.stdin {
            Input::HeldOpen => (Some(stdin), None),
            Input::Bytes(bytes) => (None, Some(std::thread::spawn(move || feed(stdin, &bytes)))),
        };
        let stdout = captured.then(|| drain(child.stdout.take().expect("stdout pipe")));
        let stderr = drain(child.stderr.take().expect("stderr pipe"));
        let status = wait(&mut child, started, &label);
        let elapsed = started.elapsed();
        drop(held);
        if let Some(f) = feeder {
            f.join().expect("stdin feeder");
        }
        let stdout = stdout.map(|t| t.join().expect("stdout reader")).unwrap_or_default();
        let stderr = String::from_utf8_lossy(&stderr.join().expect("stderr reader")).into_owned();
        let run = Run { status, stdout, stderr, elapsed, label };
        assert!(!run.stderr.contains("panicked at"), "{}: wrun panicked", run.describe());
        run
    }
}

fn feed(mut stdin: std::process::ChildStdin, bytes: &[u8]) {
    // wrun may stop before it has read everything (a failed load, a trap); that is not an error.
    let _ = stdin.write_all(bytes);
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = pipe.read_to_end(&mut out);
        out
    })
}

/// The exit status; a run killed by a signal (a host crash) fails the test.
fn wait(child: &mut Child, started: Instant, label: &str) -> i32 {
    loop {
        match child.try_wait().expect("wait for wrun") {
            Some(status) => {
                return status.code().unwrap_or_else(|| panic!("{label}: wrun was killed by a signal ({status})"));
            }
            None if started.elapsed() > HANG => {
                let _ = child.kill();
                panic!("{label}: still running after {HANG:?}");
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// How one run of wrun ended.
pub struct Run {
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// From spawning wrun to its exit.
    pub elapsed: Duration,
    label: String,
}

impl Run {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    fn describe(&self) -> String {
        format!(
            "{}\nexit status: {}\n--- stdout\n{}--- stderr\n{}---",
            self.label,
            self.status,
            String::from_utf8_lossy(&self.stdout[..self.stdout.len().min(4096)]),
            self.stderr
        )
    }

    /// Exit status `code` and nothing on stderr.
    pub fn assert_quiet_exit(&self, code: i32) -> &Self {
        assert_eq!((self.status, self.stderr.as_str()), (code, ""), "{}", self.describe());
        self
    }

    /// wrun stopped the program or refused to run it: exit status `code`, and stderr's first line
    /// is wrun's own message, containing every needle. Later lines may be a wasm backtrace.
    pub fn assert_message(&self, code: i32, needles: &[&str]) -> &Self {
        assert_eq!(self.status, code, "{}", self.describe());
        let first = self.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with("wrun: "), "message lacks the `wrun: ` prefix:\n{}", self.describe());
        for needle in needles {
            assert!(first.contains(needle), "message lacks {needle:?}:\n{}", self.describe());
        }
        self
    }

    /// Like [`Run::assert_message`], and the message is all there is on stderr: one line.
    pub fn assert_one_line(&self, code: i32, needles: &[&str]) -> &Self {
        self.assert_message(code, needles);
        assert_eq!(self.stderr.lines().count(), 1, "want a one-line message:\n{}", self.describe());
        self
    }

    /// A command-line error reported by clap: exit status 2, naming the culprit, and a hint.
    pub fn assert_usage_error(&self, needle: &str) -> &Self {
        assert_eq!(self.status, 2, "{}", self.describe());
        assert!(self.stderr.starts_with("error: "), "{}", self.describe());
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", self.describe());
        assert!(self.stderr.contains("--help"), "{}", self.describe());
        self
    }

    /// Whether some stderr line after the message contains `needle`.
    pub fn backtrace_mentions(&self, needle: &str) -> bool {
        self.stderr.lines().skip(1).any(|l| l.contains(needle))
    }
}

/// `text` as the contents of a WebAssembly text string literal.
pub fn wat_string(text: &[u8]) -> String {
    text.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// A WASI command that writes `text` to stdout, then runs the instructions `tail`. It imports
/// `fd_write` as `$fd_write` and `proc_exit` as `$proc_exit`.
pub fn writes_then(text: &str, tail: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "{data}")
  (func (export "_start")
    ;; One iovec at 0 for the text at 64; the count written goes to 8.
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const {len}))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    {tail}))"#,
        data = wat_string(text.as_bytes()),
        len = text.len()
    )
}

/// `len` bytes that are the same on every run and compress badly.
pub fn pseudo_random(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}
