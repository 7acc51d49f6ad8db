//! A tiny interactive program: prompts, reads a line, answers, until `quit` or end of input.
use std::io::{BufRead, Write};

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    let mut total = 0i64;
    loop {
        print!("> ");
        out.flush().unwrap();
        let mut line = String::new();
        if stdin.lock().read_line(&mut line).unwrap() == 0 {
            println!("bye (eof)");
            break;
        }
        let line = line.trim();
        if line == "quit" {
            println!("bye");
            break;
        }
        match line.parse::<i64>() {
            Ok(n) => {
                total += n;
                println!("total {total}");
            }
            Err(_) => println!("hello, {line}!"),
        }
    }
}
