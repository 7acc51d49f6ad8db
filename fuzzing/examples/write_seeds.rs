//! Writes the seed corpus: `cargo run -p wrun-fuzzing --example write_seeds -- fuzz/corpus
//! [GUEST.wasm...]`. Guest modules given after the directory are added to `module_load`'s seeds
//! with their custom sections (names, debug info) stripped, which keeps them small.

use std::path::{Path, PathBuf};

use wrun_fuzzing::seeds;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "fuzz/corpus".into()));
    let calls = seeds::wasi_sequences();
    write(&dir.join("wasi_calls"), &calls)?;
    write(&dir.join("differential"), &calls)?;
    write(&dir.join("host_paths"), &seeds::host_path_inputs())?;
    let mut modules = seeds::modules();
    for guest in args {
        let guest = PathBuf::from(guest);
        let name = guest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let stripped = strip_custom_sections(&std::fs::read(&guest)?);
        modules.push((Box::leak(format!("guest_{name}").into_boxed_str()), stripped));
    }
    write(&dir.join("module_load"), &modules)
}

fn write(dir: &Path, seeds: &[(&str, Vec<u8>)]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes)?;
    }
    println!("{}: {} seeds", dir.display(), seeds.len());
    Ok(())
}

/// Drops every custom section (id 0) of a module; anything unparsable is kept as it is.
fn strip_custom_sections(wasm: &[u8]) -> Vec<u8> {
    let Some(mut rest) = wasm.get(8..) else { return wasm.to_vec() };
    let mut out = wasm[..8].to_vec();
    while let Some((&id, after)) = rest.split_first() {
        let Some((size, used)) = leb(after) else { return wasm.to_vec() };
        let Some(section) = after.get(..used + size) else { return wasm.to_vec() };
        if id != 0 {
            out.push(id);
            out.extend_from_slice(section);
        }
        rest = &after[used + size..];
    }
    out
}

fn leb(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        value |= usize::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}
