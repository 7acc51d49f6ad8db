//! See `wrun_fuzzing::host_paths`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wrun_fuzzing::host_paths::run(data));
