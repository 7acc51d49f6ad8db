//! Hello world, echoing its arguments (the startup benchmark and the README's example).
fn main() {
    println!("Hello, world!");
    for (i, arg) in std::env::args().enumerate().skip(1) {
        println!("arg {i}: {arg}");
    }
}
