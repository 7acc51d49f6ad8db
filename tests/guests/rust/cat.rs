//! Copies stdin to stdout (the piped-data benchmark), then reports the byte count on stderr.
use std::io::{Read, Write};

fn main() {
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                stdout.write_all(&buf[..n]).expect("write stdout");
                total += n as u64;
            }
            Err(e) => {
                eprintln!("read error: {e}");
                std::process::exit(1);
            }
        }
    }
    stdout.flush().expect("flush");
    eprintln!("{total} bytes");
}
