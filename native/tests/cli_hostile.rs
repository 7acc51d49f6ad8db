//! The hostile-program review's findings, each as its guest wrote it, on every engine: an
//! in-memory tree (`--fs`) stays within its size budget, `--fs-out` writes any tree so that `--fs`
//! reads it back, and a program cannot exit with a status that passes for one wrun gives.
//! (The first finding, stdio writes with an empty first iovec, is in the guest suite: the
//! `stdio_*` programs, byte-identical with wasmtime on every engine, in Node and in Chromium.)

mod common;

use std::path::PathBuf;

use common::{Sandbox, ENGINES};
use wrun_tests::Guest;

/// Builds `native/tests/hostile/NAME.c`.
fn hostile(name: &str) -> PathBuf {
    let source = wrun_tests::repo_root().join("native/tests/hostile").join(format!("{name}.c"));
    wrun_tests::build(&Guest { name: format!("hostile_{name}"), source }).expect("build the hostile guest")
}

/// An empty tar image (two zero blocks).
const EMPTY_IMAGE: [u8; 1024] = [0; 1024];

#[test]
fn truncating_past_the_fs_budget_is_enospc_before_memory_is_touched() {
    let sb = Sandbox::new();
    let image = sb.file("empty.tar", EMPTY_IMAGE);
    let wasm = hostile("truncate");
    for engine in ENGINES {
        // 3 GiB twice, under the default 1 GiB budget and a 16 MiB memory limit.
        let r = sb.wrun().engine(engine).args(["--timeout", "10s", "--max-memory", "16MiB", "--fs"]).arg(&image).arg(&wasm).run();
        r.assert_quiet_exit(0);
        assert_eq!(
            r.stdout_text(),
            "ftruncate /big1 to 3221225472: No space left on device\nftruncate /big2 to 3221225472: No space left on device\n",
            "{engine}"
        );
        // Within a budget the size is granted; the second file no longer fits.
        let r = sb.wrun().engine(engine).args(["--fs-size", "3MiB", "--fs"]).arg(&image).arg(&wasm).arg("2097152").run();
        assert_eq!(
            r.assert_quiet_exit(0).stdout_text(),
            "ftruncate /big1 to 2097152: ok\nftruncate /big2 to 2097152: No space left on device\n",
            "{engine}"
        );
    }
}

#[test]
fn a_deep_tree_stops_at_the_budget_and_its_image_mounts_again() {
    let sb = Sandbox::new();
    let image = sb.file("empty.tar", EMPTY_IMAGE);
    let wasm = hostile("deep_dirs");
    for engine in ENGINES {
        // Each level costs 512 bytes and its path: 8 MiB holds about 2 700 levels, whose paths
        // (`d/d/...`) grow past PATH_MAX.
        let r = sb.wrun().engine(engine).args(["--fs-size", "8MiB", "--fs"]).arg(&image).args(["--fs-out", "deep.tar"]).arg(&wasm).run();
        let out = r.assert_quiet_exit(0).stdout_text();
        let depth: u32 = out.strip_prefix("depth ").and_then(|s| s.split(':').next()).and_then(|d| d.parse().ok()).unwrap_or(0);
        assert!(out.ends_with(": No space left on device\n") && (2500..3000).contains(&depth), "{engine}: {out}");
        let saved = std::fs::read(sb.path().join("deep.tar")).expect("the image was written");
        // Tar spends up to two more headers on a long name than the budget counts.
        assert!(saved.len() < 16 << 20, "{engine}: an 8 MiB tree gave a {} byte image", saved.len());

        // Mounted again, it holds the same tree, so saving it again gives the same bytes.
        let r = sb.wrun().engine(engine).args(["--fs-size", "8MiB", "--fs", "deep.tar", "--fs-out", "again.tar"]).arg(&wasm).arg("0").run();
        assert_eq!(r.assert_quiet_exit(0).stdout_text(), "depth 0: done\n", "{engine}");
        let again = std::fs::read(sb.path().join("again.tar")).expect("the image was written again");
        assert!(again == saved, "{engine}: the image changed on a round trip");

        // A smaller budget refuses the image with a message, before the program runs.
        let r = sb.wrun().engine(engine).args(["--fs-size", "64KiB", "--fs", "deep.tar"]).arg(&wasm).run();
        r.assert_one_line(1, &["deep.tar", "does not fit in --fs-size"]);
    }
}

#[test]
fn an_image_that_cannot_be_written_leaves_the_old_one() {
    let sb = Sandbox::new();
    let image = sb.file("empty.tar", EMPTY_IMAGE);
    let wasm = hostile("deep_dirs");
    std::fs::create_dir(sb.path().join("taken")).expect("mkdir");
    // `--fs-out` naming a directory: nothing can replace it, and it is left as it was.
    let r = sb.wrun().args(["--fs"]).arg(&image).args(["--fs-out", "taken"]).arg(&wasm).arg("3").run();
    r.assert_one_line(1, &["cannot write", "taken"]);
    assert!(sb.path().join("taken").is_dir());
    let strays: Vec<_> = std::fs::read_dir(sb.path()).expect("ls").filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().starts_with(".wrun-image")).collect();
    assert!(strays.is_empty(), "a temporary image was left behind");
}

#[test]
fn exit_statuses_past_125_are_status_1_with_a_message() {
    let sb = Sandbox::new();
    let wasm = hostile("exit_status");
    for engine in ENGINES {
        for ok in ["0", "7", "124", "125"] {
            let r = sb.wrun().engine(engine).arg(&wasm).arg(ok).run();
            r.assert_quiet_exit(ok.parse().expect("a number"));
        }
        for (bad, shown) in [("126", "126"), ("134", "134"), ("137", "137"), ("256", "256"), ("4294967295", "-1")] {
            let r = sb.wrun().engine(engine).arg(&wasm).arg(bad).run();
            r.assert_one_line(1, &[&format!("exited with status {shown},"), "outside 0..=125"]);
        }
    }
}
