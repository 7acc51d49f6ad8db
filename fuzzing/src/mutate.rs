//! Random mutation of the committed corpus, on the stable toolchain, without coverage guidance or
//! sanitizers: what CI runs for a few seconds per target (`tests/corpus.rs`) and the `smoke`
//! example runs for longer. Real fuzzing, guided by coverage, is `scripts/fuzz.sh`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

/// A target's body, as the fuzz target and the corpus replay call it.
pub type Body = fn(&[u8]);

/// The body of the target named `name`.
pub fn body(name: &str) -> Option<Body> {
    Some(match name {
        "module_load" => crate::module_load::run,
        "wasi_calls" => crate::wasi_calls::run,
        "differential" => crate::differential::run,
        "host_paths" => crate::host_paths::run,
        _ => return None,
    })
}

/// Every target's name.
pub const TARGETS: [&str; 4] = ["module_load", "wasi_calls", "differential", "host_paths"];

/// The committed seeds of `target` (`fuzz/corpus/<target>/`), in name order.
pub fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).expect("read seed")).collect()
}

/// What a mutation run did.
#[derive(Debug)]
pub struct Report {
    /// Inputs run.
    pub executions: u64,
    /// The first input that panicked, if one did.
    pub finding: Option<Vec<u8>>,
}

/// xorshift64: a fixed seed gives the same inputs on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A seed with one to eight edits: bit flips, byte inserts, removals, overwrites, and splices of
/// another seed's bytes.
fn mutant(corpus: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut input = corpus[rng.below(corpus.len())].clone();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(input.len());
        match rng.below(5) {
            0 if !input.is_empty() => input[at] ^= 1 << rng.below(8),
            1 => input.insert(at.min(input.len()), rng.next() as u8),
            2 if !input.is_empty() => drop(input.remove(at)),
            3 => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len()).min(other.len());
                let end = (from + rng.below(32)).min(other.len());
                input.splice(at.min(input.len())..at.min(input.len()), other[from..end].iter().copied());
            }
            _ if !input.is_empty() => input[at] = rng.next() as u8,
            _ => input.push(rng.next() as u8),
        }
    }
    input
}

/// Runs mutants of `corpus` through `body` until `budget` has passed (or `max_inputs` ran),
/// stopping at the first panic.
pub fn run(body: Body, corpus: &[Vec<u8>], budget: Duration, max_inputs: u64, seed: u64) -> Report {
    assert!(!corpus.is_empty(), "an empty corpus has nothing to mutate");
    let mut rng = Rng(seed | 1);
    let deadline = Instant::now() + budget;
    let mut executions = 0;
    while executions < max_inputs && Instant::now() < deadline {
        let input = mutant(corpus, &mut rng);
        executions += 1;
        if catch_unwind(AssertUnwindSafe(|| body(&input))).is_err() {
            return Report { executions, finding: Some(input) };
        }
    }
    Report { executions, finding: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_body_is_reported_with_its_input() {
        fn picky(data: &[u8]) {
            assert!(!data.contains(&0xAA), "found it");
        }
        let corpus = vec![vec![0u8; 4]];
        let r = run(picky, &corpus, Duration::from_secs(10), 1_000_000, 7);
        let input = r.finding.expect("a mutant with 0xAA");
        assert!(input.contains(&0xAA));
        let clean = run(|_| (), &corpus, Duration::from_secs(10), 500, 7);
        assert_eq!((clean.executions, clean.finding), (500, None));
    }
}
