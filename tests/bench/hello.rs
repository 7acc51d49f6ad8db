//! Benchmark: the smallest program, so the run is all start-up (load, compile or cache, link).
fn main() {
    println!("Hello, world!");
}
