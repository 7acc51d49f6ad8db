//! A Rust panic aborts: the run traps (status 134) after the panic message reached stderr.
fn main() {
    println!("about to panic");
    let v: Vec<u32> = std::env::args().map(|a| a.len() as u32).collect();
    let i = v.len() + 3;
    println!("{}", v[i]);
}
