//! The compiled-module disk cache: the second run of a large tool skips compilation.
//!
//! One file per (module bytes, engine settings), named by the SHA-256 of both, under
//! `$XDG_CACHE_HOME/wrun` (or `~/.cache/wrun`). Entries are written atomically (temp file +
//! rename) so a crash or two concurrent runs never leave a torn artifact; a stale or corrupt entry
//! is discarded and rebuilt.
//!
//! The cache is bounded: after each store, the least recently used entries go until the rest fit
//! in [`max_bytes`] (1 GiB unless `WRUN_CACHE_MAX_SIZE` says otherwise). A hit marks its entry
//! used (its modification time). `wrun cache` shows and clears it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

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

/// The SHA-256 of a module's bytes: computed once per run (tens of milliseconds for a large
/// module), then combined with each engine's settings by [`entry_path`].
pub fn digest(wasm: &[u8]) -> [u8; 32] {
    Sha256::digest(wasm).into()
}

/// The file that holds (or will hold) the compiled form of the module whose [`digest`] is
/// `module` under `settings`.
pub fn entry_path(dir: &Path, module: &[u8; 32], settings: &str) -> PathBuf {
    let mut h = Sha256::new();
    h.update(settings.as_bytes());
    h.update([0]);
    h.update(module);
    let digest = h.finalize();
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{name}.cwasm"))
}

/// The default bound on the cache's size.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// The bound on the cache's size: `WRUN_CACHE_MAX_SIZE` (bytes, or with a K, M or G suffix),
/// else [`DEFAULT_MAX_BYTES`].
pub fn max_bytes() -> u64 {
    std::env::var("WRUN_CACHE_MAX_SIZE").ok().and_then(|v| parse_size(&v)).unwrap_or(DEFAULT_MAX_BYTES)
}

/// `123`, `64K`, `512M`, `2G` (binary units).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, shift) = match t.char_indices().last()? {
        (i, 'k' | 'K') => (&t[..i], 10),
        (i, 'm' | 'M') => (&t[..i], 20),
        (i, 'g' | 'G') => (&t[..i], 30),
        _ => (t, 0),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(1 << shift)
}

/// Stores an artifact, then keeps the cache within [`max_bytes`]; failures only cost the next run
/// a compile, so they are ignored.
pub fn store(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    evict(dir, max_bytes(), path);
}

/// Marks an entry just used, for the eviction order.
pub fn touch(path: &Path) {
    if let Ok(f) = std::fs::File::options().append(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// One cached artifact.
struct Entry {
    path: PathBuf,
    bytes: u64,
    used: SystemTime,
}

fn entries(dir: &Path) -> Vec<Entry> {
    let Ok(list) = std::fs::read_dir(dir) else { return Vec::new() };
    list.filter_map(|e| {
        let e = e.ok()?;
        let path = e.path();
        let meta = e.metadata().ok()?;
        (path.extension()? == "cwasm" && meta.is_file()).then(|| Entry { path, bytes: meta.len(), used: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH) })
    })
    .collect()
}

/// Removes the least recently used entries until the rest fit in `max` bytes (`keep`, the entry
/// just written, stays whatever its size), and temp files a crashed run left over an hour ago.
pub fn evict(dir: &Path, max: u64, keep: &Path) {
    let mut all = entries(dir);
    all.sort_by_key(|e| e.used);
    let mut total: u64 = all.iter().map(|e| e.bytes).sum();
    for e in &all {
        if total <= max {
            break;
        }
        if e.path != keep && std::fs::remove_file(&e.path).is_ok() {
            total -= e.bytes;
        }
    }
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let stale = e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < hour_ago);
        if stale && e.path().extension().and_then(|x| x.to_str()).is_some_and(|x| x.starts_with("tmp")) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// What the cache holds: (entries, bytes).
pub fn summary(dir: &Path) -> (usize, u64) {
    let all = entries(dir);
    (all.len(), all.iter().map(|e| e.bytes).sum())
}

/// Empties the cache; returns what was removed: (entries, bytes).
pub fn clear(dir: &Path) -> (usize, u64) {
    let mut removed = (0, 0);
    for e in entries(dir) {
        if std::fs::remove_file(&e.path).is_ok() {
            removed = (removed.0 + 1, removed.1 + e.bytes);
        }
    }
    removed
}

/// Removes an entry that could not be loaded.
pub fn discard(path: &Path) {
    let _ = std::fs::remove_file(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("123"), Some(123));
        assert_eq!(parse_size("64K"), Some(64 << 10));
        assert_eq!(parse_size("512m"), Some(512 << 20));
        assert_eq!(parse_size(" 2G "), Some(2 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size(""), None);
    }

    #[test]
    fn eviction_drops_the_least_recently_used_first() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let at = |name: &str, secs: u64| {
            let p = dir.path().join(name);
            std::fs::write(&p, [0u8; 100]).unwrap_or_else(|e| panic!("{e}"));
            let f = std::fs::File::options().append(true).open(&p).unwrap_or_else(|e| panic!("{e}"));
            f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).unwrap_or_else(|e| panic!("{e}"));
            p
        };
        let (old, mid, new) = (at("a.cwasm", 10), at("b.cwasm", 20), at("c.cwasm", 30));
        evict(dir.path(), 200, &new);
        assert!(!old.exists() && mid.exists() && new.exists());
        // The entry just written stays even alone over the bound.
        evict(dir.path(), 50, &new);
        assert!(!mid.exists() && new.exists());
        assert_eq!(summary(dir.path()), (1, 100));
        assert_eq!(clear(dir.path()), (1, 100));
        assert_eq!(summary(dir.path()), (0, 0));
    }

    #[test]
    fn key_depends_on_module_and_settings() {
        let d = Path::new("/c");
        let (a, b) = (digest(b"a"), digest(b"b"));
        assert_ne!(entry_path(d, &a, "x"), entry_path(d, &b, "x"));
        assert_ne!(entry_path(d, &a, "x"), entry_path(d, &a, "y"));
        assert_eq!(entry_path(d, &a, "x"), entry_path(d, &a, "x"));
    }
}
