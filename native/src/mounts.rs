//! Preopened directories from `--dir`, `--mapdir` and `--fs`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use wasi_vfs::host::HostDir;
use wasi_vfs::mem::MemFs;
use wasi_vfs::Dir;

/// One directory the guest will see, and where.
pub struct Mount {
    pub guest: String,
    pub dir: Box<dyn Dir>,
}

/// `--dir HOST[::GUEST]`: without `::GUEST` the guest sees the host path as given (like wasmtime).
pub fn parse_dir(spec: &str) -> anyhow::Result<(PathBuf, String)> {
    match spec.split_once("::") {
        Some((host, guest)) if !host.is_empty() && !guest.is_empty() => Ok((PathBuf::from(host), guest.to_string())),
        Some(_) => bail!("--dir `{spec}`: expected HOST or HOST::GUEST"),
        None if spec.is_empty() => bail!("--dir needs a host directory"),
        None => Ok((PathBuf::from(spec), spec.to_string())),
    }
}

/// `--mapdir GUEST::HOST` (Wasmer's order).
pub fn parse_mapdir(spec: &str) -> anyhow::Result<(PathBuf, String)> {
    match spec.split_once("::") {
        Some((guest, host)) if !host.is_empty() && !guest.is_empty() => Ok((PathBuf::from(host), guest.to_string())),
        _ => bail!("--mapdir `{spec}`: expected GUEST::HOST"),
    }
}

pub fn host_mount(host: &Path, guest: String) -> anyhow::Result<Mount> {
    let meta = std::fs::metadata(host).with_context(|| format!("cannot open host directory `{}`", host.display()))?;
    if !meta.is_dir() {
        bail!("`{}` is not a directory", host.display());
    }
    let dir = HostDir::open_ambient(host).map_err(|e| anyhow::anyhow!("cannot open host directory `{}`: {e}", host.display()))?;
    Ok(Mount { guest, dir: Box::new(dir) })
}

/// `--fs IMAGE.tar[::GUEST]`: the image path and where to mount it (default `/`).
pub fn parse_fs(spec: &str) -> (PathBuf, String) {
    match spec.rsplit_once("::") {
        Some((image, guest)) if !image.is_empty() && !guest.is_empty() => (PathBuf::from(image), guest.to_string()),
        _ => (PathBuf::from(spec), "/".to_string()),
    }
}

/// `--fs`: an in-memory tree loaded from the image.
pub fn image_mount(image: &Path, guest: String, fs: &MemFs) -> anyhow::Result<Mount> {
    let bytes = std::fs::read(image).with_context(|| format!("cannot read filesystem image `{}`", image.display()))?;
    wasi_vfs::tar_image::import(&*fs.root(), &bytes)
        .map_err(|e| anyhow::anyhow!("`{}` is not a usable tar image: {e}", image.display()))?;
    Ok(Mount { guest, dir: fs.root() })
}

/// `--fs-out IMAGE.tar`: writes the tree back, atomically.
pub fn save_image(fs: &MemFs, out: &Path) -> anyhow::Result<()> {
    let bytes = wasi_vfs::tar_image::export(&*fs.root()).map_err(|e| anyhow::anyhow!("cannot export the filesystem: {e}"))?;
    let tmp = out.with_extension("tar.tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write `{}`", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("cannot write `{}`", out.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_specs() {
        assert_eq!(parse_dir("data").expect("valid spec"), (PathBuf::from("data"), "data".to_string()));
        assert_eq!(parse_dir("/tmp/x::/work").expect("valid spec"), (PathBuf::from("/tmp/x"), "/work".to_string()));
        assert!(parse_dir("::/work").is_err());
        assert_eq!(parse_mapdir("/work::/tmp/x").expect("valid spec"), (PathBuf::from("/tmp/x"), "/work".to_string()));
        assert!(parse_mapdir("/work").is_err());
    }
}
