//! See `wrun_fuzzing::wasi_calls`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wrun_fuzzing::wasi_calls::run(data));
