//! The compiled-module disk cache: the second run of a large tool skips compilation.
//!
//! One file per (module bytes, engine settings), named by the SHA-256 of both, under
//! `$XDG_CACHE_HOME/wrun` (or `~/.cache/wrun`). Entries are written atomically (temp file +
//! rename) so a crash or two concurrent runs never leave a torn artifact; a stale or corrupt entry
//! is discarded and rebuilt.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The default cache directory, if the environment names a home.
///
/// An empty variable counts as unset (an empty path would put cache files in whatever directory
/// wrun runs in), and so does a relative `XDG_CACHE_HOME` or `HOME`, as the XDG spec says.
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("WRUN_CACHE_DIR") {
        return Some(dir);
    }
    let absolute = |name: &str| var(name).filter(|p| p.is_absolute());
    let base = absolute("XDG_CACHE_HOME").or_else(|| absolute("HOME").map(|h| h.join(".cache")))?;
    Some(base.join("wrun"))
}

/// The file that holds (or will hold) the compiled form of `wasm` under `settings`.
pub fn entry_path(dir: &Path, wasm: &[u8], settings: &str) -> PathBuf {
    let mut h = Sha256::new();
    h.update(settings.as_bytes());
    h.update([0]);
    h.update(wasm);
    let digest = h.finalize();
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{name}.cwasm"))
}

/// Stores an artifact; failures only cost the next run a compile, so they are ignored.
pub fn store(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Removes an entry that could not be loaded.
pub fn discard(path: &Path) {
    let _ = std::fs::remove_file(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_depends_on_module_and_settings() {
        let d = Path::new("/c");
        assert_ne!(entry_path(d, b"a", "x"), entry_path(d, b"b", "x"));
        assert_ne!(entry_path(d, b"a", "x"), entry_path(d, b"a", "y"));
        assert_eq!(entry_path(d, b"a", "x"), entry_path(d, b"a", "x"));
    }
}
