//! See `wrun_fuzzing::differential`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wrun_fuzzing::differential::run(data));
