//! Every guest program in `tests/guests`, on every engine, on a host directory and on the
//! in-memory filesystem: exact stdout, exit status, and stderr where the guest's spec says (its
//! expected files were recorded with wasmtime 49).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use wrun_tests::{build_all, guest_stderr, wasi_imports, Guest, Spec};

const ENGINES: [&str; 3] = ["cranelift", "winch", "wasmi"];

/// Where a guest's `scratch` preopen lives for one run.
#[derive(Clone, Copy, Debug)]
enum Backing {
    HostDir,
    MemFs,
}

struct Run {
    status: i32,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(guest: &Guest, wasm: &Path, spec: &Spec, engine: &str, backing: Backing) -> Run {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wrun"));
    cmd.arg("--engine").arg(engine).env("WRUN_CACHE_DIR", scratch.path().join("cache"));
    for dir in &spec.dirs {
        match backing {
            Backing::HostDir => {
                let host = scratch.path().join(dir);
                std::fs::create_dir(&host).expect("mkdir");
                cmd.arg("--dir").arg(format!("{}::/{dir}", host.display()));
            }
            Backing::MemFs => {
                let image = scratch.path().join(format!("{dir}.tar"));
                std::fs::write(&image, [0u8; 1024]).expect("write empty image");
                cmd.arg("--fs").arg(format!("{}::/{dir}", image.display()));
            }
        }
    }
    for e in &spec.env {
        cmd.arg("--env").arg(e);
    }
    cmd.arg(wasm).args(&spec.args);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{}: spawn wrun: {e}", guest.name));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = spec.stdin.clone().into_bytes();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    feeder.join().expect("stdin feeder");
    Run { status: out.status.code().unwrap_or(-1), stdout: out.stdout, stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

#[test]
fn every_guest_on_every_engine_and_backing() {
    let guests = build_all().expect("building guest programs");
    assert!(guests.len() >= 10, "expected the guest suite, found {} programs", guests.len());
    let mut failures = Vec::new();
    let mut runs = 0;
    for (guest, wasm) in &guests {
        let spec = guest.spec().expect("spec");
        let expected = guest.expected_stdout().expect("stdout file");
        let expected_stderr = guest.expected_stderr().expect("stderr file");
        let backings: &[Backing] = if spec.dirs.is_empty() { &[Backing::HostDir] } else { &[Backing::HostDir, Backing::MemFs] };
        for engine in ENGINES {
            for &backing in backings {
                let r = run(guest, wasm, &spec, engine, backing);
                runs += 1;
                let label = format!("{} on {engine} ({backing:?})", guest.name);
                if r.status != spec.exit {
                    failures.push(format!("{label}: exit {} (want {})\nstdout: {}\nstderr: {}", r.status, spec.exit, String::from_utf8_lossy(&r.stdout), r.stderr));
                    continue;
                }
                if let Some(want) = &expected {
                    if &r.stdout != want {
                        failures.push(format!(
                            "{label}: stdout differs\n--- got\n{}--- want\n{}--- stderr\n{}",
                            String::from_utf8_lossy(&r.stdout),
                            String::from_utf8_lossy(want),
                            r.stderr
                        ));
                    }
                }
                if let Some(want) = &expected_stderr {
                    let got = guest_stderr(r.stderr.as_bytes());
                    if got != want.as_slice() {
                        failures.push(format!(
                            "{label}: stderr differs\n--- got\n{}--- want\n{}",
                            String::from_utf8_lossy(got),
                            String::from_utf8_lossy(want)
                        ));
                    }
                }
                if let Some(needle) = &spec.stderr_contains {
                    if !r.stderr.contains(needle.as_str()) {
                        failures.push(format!("{label}: stderr lacks {needle:?}: {}", r.stderr));
                    }
                }
            }
        }
    }
    println!("{runs} guest runs");
    assert!(failures.is_empty(), "{} of {runs} runs failed:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// A WASI function that no guest imports is untested: fail until one does.
#[test]
fn every_wasi_function_is_exercised_by_a_guest() {
    let guests = build_all().expect("building guest programs");
    let mut used = std::collections::BTreeSet::new();
    for (_, wasm) in &guests {
        let bytes = std::fs::read(wasm).expect("read wasm");
        used.extend(wasi_imports(&bytes).expect("parse imports"));
    }
    let missing: Vec<_> =
        runtime_core::WasiFunc::ALL.iter().map(|f| f.name()).filter(|n| !used.contains(*n)).collect();
    assert!(missing.is_empty(), "no guest program exercises: {missing:?}");
}
