//! The bodies of wrun's fuzz targets. `fuzz/` (cargo-fuzz, nightly) wraps each in a
//! `fuzz_target!`; `tests/corpus.rs` runs the same functions over the committed seed corpus
//! (`fuzz/corpus/<target>/`) and the regression inputs, so CI exercises them on stable without
//! sanitizers. See `SECURITY.md` for what each target checks and what it found.
//!
//! | target | what it drives | what must hold |
//! |---|---|---|
//! | [`module_load`] | bytes → `to_binary` → `check` → cranelift, winch, wasmi | no panic, no abort |
//! | [`wasi_calls`] | WASI call sequences → runtime-core over a `MemFs` | no panic; fd table, file sizes and listings consistent; only out-of-bounds traps |
//! | [`differential`] | the same sequences over `MemFs` and a host directory | same errno, same guest memory, same tree |
//! | [`host_paths`] | paths and symlink layouts through `HostDir` and a confined `MemFs` | nothing outside the root touched or named |
//!
//! ```
//! // An empty input is a valid (empty) case for every target.
//! wrun_fuzzing::wasi_calls::run(&[]);
//! wrun_fuzzing::module_load::run(b"(module)");
//! ```

pub mod calls;
pub mod differential;
pub mod host_paths;
pub mod module_load;
pub mod mutate;
pub mod seeds;
pub mod tree;
pub mod wasi_calls;

/// A fresh scratch directory for one input, on a RAM disk when there is one (`/dev/shm`): the
/// host-directory targets make and remove one per input.
pub fn scratch_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    let b = tempfile::Builder::new().prefix("wrun-fuzz-").tempdir_in(shm);
    match b {
        Ok(d) => d,
        Err(_) => tempfile::Builder::new().prefix("wrun-fuzz-").tempdir().expect("temporary directory"),
    }
}
