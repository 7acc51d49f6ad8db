//! `rhai-repl` for WASI: reads stdin line by line, evaluates each line in one persistent `Scope`
//! and prints the result. No line editor (the crate's own REPL uses rustyline, which does not
//! build for WASI): the terminal that feeds stdin does the editing.
//!
//! ```text
//! rhai> let x = 40
//! rhai> x + 2
//! 42
//! ```
//!
//! A line that leaves a bracket open continues on the next one (prompt `....> `); functions defined
//! with `fn` stay callable in later lines.

use std::io::{self, BufRead, Write};

use rhai::{Dynamic, Engine, Scope, AST};

const PROMPT: &str = "rhai> ";
const MORE: &str = "....> ";

/// Open brackets in `src`, ignoring those inside string and character literals and comments:
/// positive means the statement is not finished yet.
fn open_brackets(src: &str) -> i64 {
    let mut depth = 0i64;
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '"' | '\'' | '`' => {
                while let Some(d) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == c {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => break,
            _ => {}
        }
    }
    depth
}

fn prompt(text: &str) {
    let mut out = io::stdout();
    // A failed prompt write means stdout is gone; the read loop ends on its own at EOF.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn main() {
    let engine = Engine::new();
    let mut scope = Scope::new();
    // Functions from earlier lines, merged into each new line so they stay callable.
    let mut functions = AST::empty();
    let mut pending = String::new();

    println!("Rhai 1.27 REPL: one statement per line; Ctrl-D to quit.");
    prompt(PROMPT);
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        pending.push_str(&line);
        pending.push('\n');
        if open_brackets(&pending) > 0 {
            prompt(MORE);
            continue;
        }
        let source = std::mem::take(&mut pending);
        if !source.trim().is_empty() {
            match engine.compile_with_scope(&scope, &source) {
                Ok(ast) => {
                    let program = functions.merge(&ast);
                    match engine.eval_ast_with_scope::<Dynamic>(&mut scope, &program) {
                        Ok(value) if value.is_unit() => {}
                        Ok(value) => println!("{value:?}"),
                        Err(e) => eprintln!("error: {e}"),
                    }
                    functions = functions.merge(&ast.clone_functions_only());
                }
                Err(e) => eprintln!("error: {e}"),
            }
        }
        prompt(PROMPT);
    }
    println!();
}
