//! A longer random-mutation run of one target on the stable toolchain (see `wrun_fuzzing::mutate`):
//! `cargo run --release -p wrun-fuzzing --example smoke -- TARGET [SECONDS] [SEED]`. Stops at the
//! first panic and prints the input as hex. Real fuzzing is `scripts/fuzz.sh`.

use std::time::Duration;

use wrun_fuzzing::mutate;

fn main() {
    let mut args = std::env::args().skip(1);
    let target = args.next().unwrap_or_else(|| "wasi_calls".into());
    let secs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0x9e37_79b9_7f4a_7c15);
    let Some(body) = mutate::body(&target) else {
        eprintln!("unknown target {target}; targets: {}", mutate::TARGETS.join(", "));
        std::process::exit(2);
    };
    let report = mutate::run(body, &mutate::corpus(&target), Duration::from_secs(secs), u64::MAX, seed);
    if let Some(input) = report.finding {
        let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
        eprintln!("{target}: panicked after {} inputs on input {hex}", report.executions);
        std::process::exit(1);
    }
    println!("{target}: {} inputs in {secs} s, no panic", report.executions);
}
