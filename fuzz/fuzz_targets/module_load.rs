//! See `wrun_fuzzing::module_load`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wrun_fuzzing::module_load::run(data));
