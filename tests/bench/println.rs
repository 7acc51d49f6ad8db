//! Benchmark: 200 000 `println!` lines. Rust's stdout is line-buffered, so each line is one
//! `fd_write` call: this measures the host-call path and the runtime's own output buffering.
use std::io::Write;

const LINES: u32 = 200_000;

fn main() {
    let mut bytes = 0usize;
    for i in 0..LINES {
        let line = format!("line {i:06} of the stdout benchmark");
        println!("{line}");
        bytes += line.len() + 1;
    }
    std::io::stdout().flush().expect("flush stdout");
    eprintln!("{LINES} lines, {bytes} bytes");
}
