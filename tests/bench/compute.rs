//! Benchmark: CPU-bound guest code with no host calls in the hot loop. Each round fills a vector
//! with 64-bit hashes (a splitmix64 / FNV-1a mix), sorts it, and folds it into a checksum.
//! Deterministic: the checksum depends only on ROUNDS and LEN. An optional first argument
//! overrides ROUNDS (for calibrating).

/// Calibrated so one run takes about 2 s under wasmtime (Cranelift) on the benchmark machine.
const ROUNDS: u32 = 66;
const LEN: usize = 1 << 20;

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn fnv1a(x: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in x.to_le_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn main() {
    let rounds = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(ROUNDS);
    let mut data = vec![0u64; LEN];
    let mut checksum: u64 = 0;
    for round in 0..rounds {
        let seed = splitmix64(u64::from(round) ^ checksum);
        for (i, slot) in data.iter_mut().enumerate() {
            *slot = fnv1a(splitmix64(seed.wrapping_add(i as u64)));
        }
        data.sort_unstable();
        for (i, v) in data.iter().enumerate().step_by(1021) {
            checksum = checksum.rotate_left(5) ^ v.wrapping_add(i as u64);
        }
    }
    println!("rounds {rounds} len {LEN} checksum {checksum:016x}");
}
