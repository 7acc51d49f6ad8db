//! Preopened directories from `--dir`, `--mapdir` and `--fs`.

use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _};
use wasi_vfs::host::HostDir;
use wasi_vfs::mem::MemFs;
use wasi_vfs::{Dir, Errno};

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

/// `--fs`: an in-memory tree loaded from the image (within the tree's quota, `--fs-size`).
pub fn image_mount(image: &Path, guest: String, fs: &MemFs) -> anyhow::Result<Mount> {
    let file = std::fs::File::open(image).with_context(|| format!("cannot read filesystem image `{}`", image.display()))?;
    wasi_vfs::tar_image::import_from(&*fs.root(), std::io::BufReader::new(file)).map_err(|e| match e {
        Errno::Nospc => anyhow::anyhow!("`{}` does not fit in --fs-size; give a larger one", image.display()),
        e => anyhow::anyhow!("`{}` is not a usable tar image: {e}", image.display()),
    })?;
    Ok(Mount { guest, dir: fs.root() })
}

/// Why `--fs-out` was not written; the file it names is then left as it was.
#[derive(Debug)]
pub enum SaveError {
    /// The run's `--timeout` passed while the image was being written.
    Timeout,
    Failed(anyhow::Error),
}

/// `--fs-out IMAGE.tar`: streams the tree into a file beside `out`, then renames it over `out`,
/// so `out` is either the old image or the whole new one. Stops at `deadline`, if any.
pub fn save_image(fs: &MemFs, out: &Path, deadline: Option<Instant>) -> Result<(), SaveError> {
    let fail = |e: anyhow::Error| SaveError::Failed(e);
    let mut tmp = tempfile::Builder::new()
        .prefix(".wrun-image-")
        .suffix(".tmp")
        .tempfile_in(out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))
        .with_context(|| format!("cannot write next to `{}`", out.display()))
        .map_err(fail)?;
    let mut writer = BufWriter::new(tmp.as_file_mut());
    let mut check = || match deadline {
        Some(d) if Instant::now() >= d => Err(Errno::Timedout),
        _ => Ok(()),
    };
    match wasi_vfs::tar_image::export_to(&*fs.root(), &mut writer, &mut check) {
        Ok(()) => {}
        Err(Errno::Timedout) => return Err(SaveError::Timeout),
        Err(e) => return Err(fail(anyhow::anyhow!("cannot write the filesystem image `{}`: {e}", out.display()))),
    }
    writer.flush().with_context(|| format!("cannot write `{}`", out.display())).map_err(fail)?;
    drop(writer);
    // A temporary file is private (0600); an image is an ordinary file.
    use std::os::unix::fs::PermissionsExt as _;
    let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644));
    tmp.persist(out).map_err(|e| fail(anyhow::anyhow!("cannot write `{}`: {}", out.display(), e.error)))?;
    Ok(())
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
