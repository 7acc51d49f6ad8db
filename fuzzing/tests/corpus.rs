//! The fuzz targets' bodies over the committed corpus (`fuzz/corpus/<target>/`) and the inputs of
//! past findings (`fuzz/regressions/<target>/`): what CI runs instead of fuzzing, on stable and
//! without sanitizers, through exactly the functions the fuzz targets call.

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for sub in ["corpus", "regressions"] {
        let Ok(dir) = std::fs::read_dir(root.join(sub).join(target)) else { continue };
        files.extend(dir.map(|e| e.expect("corpus entry").path()).filter(|p| p.is_file()));
    }
    files.sort();
    files
}

fn replay(target: &str, body: fn(&[u8])) {
    let files = inputs(target);
    assert!(files.len() >= 4, "{target}: expected a seed corpus, found {} inputs", files.len());
    for file in &files {
        let data = std::fs::read(file).expect("read input");
        println!("{target}: {}", file.display());
        body(&data);
    }
    println!("{target}: {} inputs replayed", files.len());
}

#[test]
fn module_load_corpus() {
    replay("module_load", wrun_fuzzing::module_load::run);
}

#[test]
fn wasi_calls_corpus() {
    replay("wasi_calls", wrun_fuzzing::wasi_calls::run);
}

#[test]
fn differential_corpus() {
    replay("differential", wrun_fuzzing::differential::run);
}

#[test]
fn host_paths_corpus() {
    replay("host_paths", wrun_fuzzing::host_paths::run);
}

/// CI's brief fuzzing: each target runs random mutants of its corpus for a few seconds (a fixed
/// seed, so a failure reproduces; `--example smoke` runs longer with other seeds).
#[test]
fn every_target_survives_seconds_of_mutants() {
    let secs: u64 = std::env::var("WRUN_FUZZ_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    for target in wrun_fuzzing::mutate::TARGETS {
        let body = wrun_fuzzing::mutate::body(target).expect("a target");
        let corpus = wrun_fuzzing::mutate::corpus(target);
        let report = wrun_fuzzing::mutate::run(body, &corpus, std::time::Duration::from_secs(secs), u64::MAX, 0x5eed);
        if let Some(input) = &report.finding {
            let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
            panic!("{target}: panicked on mutant {} (hex {hex}); save it under fuzz/regressions/{target}/", report.executions);
        }
        assert!(report.executions > 0, "{target}: no input ran");
        println!("{target}: {} mutants in {secs} s, no panic", report.executions);
    }
}
