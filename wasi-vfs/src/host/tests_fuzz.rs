//! Differences between the host directory and the in-memory tree that the `differential` fuzz
//! target found (see `SECURITY.md`), each checked on both backings so they stay fixed.
#![allow(clippy::unwrap_used)] // a failed unwrap is the test failing

use super::tests::{both, err};
use crate::{ops, Errno, OpenOptions};

/// `O_CREAT` with a trailing slash is `EISDIR` on Linux whatever the path names; the in-memory
/// tree said `ENOTDIR` for an existing file.
#[test]
fn create_with_a_trailing_slash_is_eisdir() {
    both(|root| {
        ops::write_file(root, "f", b"data").unwrap();
        root.create_dir("d").unwrap();
        root.symlink("f", "lf").unwrap();
        for path in ["f/", "d/", "missing/", "lf/"] {
            assert_eq!(err(root.open(path, &OpenOptions::write_create_truncate())), Errno::Isdir, "{path}");
        }
        // Without O_CREAT the file's trailing slash is ENOTDIR, as before.
        assert_eq!(err(root.open("f/", &OpenOptions::read())), Errno::Notdir);
        assert_eq!(ops::read_file(root, "f").unwrap(), b"data");
    });
}

/// `O_CREAT|O_DIRECTORY` is `EINVAL` before the path is looked at, whatever it names.
#[test]
fn create_with_directory_is_einval_first() {
    both(|root| {
        ops::write_file(root, "f", b"data").unwrap();
        let opts = OpenOptions { directory: true, create: true, ..OpenOptions::read() };
        for path in ["f", "missing/x", "", "/abs", "."] {
            assert_eq!(err(root.open(path, &opts)), Errno::Inval, "{path:?}");
        }
    });
}

/// Renaming a directory beneath itself is `EINVAL` and replacing an ancestor of the source is
/// `ENOTEMPTY`, before the types of the two ends are compared (Linux's order); the in-memory tree
/// said `ENOTDIR` for `rename("d/e", "d/e/f")` with `f` a file.
#[test]
fn rename_checks_ancestry_before_types() {
    both(|root| {
        ops::create_dir_all(root, "d/e").unwrap();
        ops::write_file(root, "d/e/f", b"f").unwrap();
        ops::write_file(root, "d/g", b"g").unwrap();
        assert_eq!(err(root.rename("d/e", root, "d/e/f")), Errno::Inval);
        assert_eq!(err(root.rename("d", root, "d/e/new")), Errno::Inval);
        root.rename("d/e", root, "d/e").unwrap();
        // A file moved onto a directory that holds it: ENOTEMPTY, not EISDIR.
        assert_eq!(err(root.rename("d/e/f", root, "d")), Errno::Notempty);
        assert_eq!(err(root.rename("d/g", root, "d")), Errno::Notempty);
        // Plain type mismatches are unchanged.
        root.create_dir("x").unwrap();
        assert_eq!(err(root.rename("d/g", root, "x")), Errno::Isdir);
        assert_eq!(err(root.rename("x", root, "d/g")), Errno::Notdir);
    });
}

/// `fd_sync` of a directory: the host directory answered `EBADF` (fsync of cap-std's `O_PATH`
/// descriptor) for a preopen and for directories opened beneath it.
#[test]
fn directories_can_be_synced() {
    both(|root| {
        root.create_dir("d").unwrap();
        root.sync().unwrap();
        let opts = OpenOptions { directory: true, ..OpenOptions::read() };
        root.open("d", &opts).unwrap().into_dir().unwrap().sync().unwrap();
        root.open("d", &OpenOptions::read()).unwrap().into_dir().unwrap().sync().unwrap();
    });
}

/// `O_DIRECTORY` with a write right or `O_TRUNC`: the host directory answered `EISDIR` before
/// resolving the path, so an escape, a missing path or a file all looked like a directory.
#[test]
fn directory_opened_for_writing_resolves_the_path_first() {
    both(|root| {
        ops::write_file(root, "f", b"data").unwrap();
        root.create_dir("d").unwrap();
        for opts in [
            OpenOptions { directory: true, write: true, follow: true, ..OpenOptions::default() },
            OpenOptions { directory: true, truncate: true, ..OpenOptions::read() },
        ] {
            assert_eq!(err(root.open("../a", &opts)), Errno::Perm);
            assert_eq!(err(root.open("missing", &opts)), Errno::Noent);
            assert_eq!(err(root.open("f", &opts)), Errno::Notdir);
            assert_eq!(err(root.open("d", &opts)), Errno::Isdir);
        }
        assert_eq!(ops::read_file(root, "f").unwrap(), b"data");
    });
}

/// Both paths of a rename are resolved before either last component is looked at: the in-memory
/// tree said `ENOENT` for a missing source where the host said `EPERM` for an absolute target.
/// Malformed paths (absolute, NUL, too long) are refused alike, before any resolution.
#[test]
fn rename_resolves_both_paths_first_and_malformed_paths_are_refused_alike() {
    both(|root| {
        root.create_dir("d").unwrap();
        assert_eq!(err(root.rename("missing", root, "/")), Errno::Perm);
        assert_eq!(err(root.rename("missing", root, "../x")), Errno::Perm);
        assert_eq!(err(root.rename("d/missing", root, "nodir/x")), Errno::Noent);
        let long_name = "n".repeat(300);
        let long_path = "d/".repeat(2100);
        for path in [long_name.as_str(), long_path.as_str()] {
            assert_eq!(err(root.rename(path, root, "/")), Errno::Nametoolong);
            assert_eq!(err(root.stat_at(path, true)), Errno::Nametoolong);
            assert_eq!(err(root.open(path, &OpenOptions::write_create_truncate())), Errno::Nametoolong);
        }
        assert_eq!(err(root.rename("a\0", root, "/")), Errno::Inval);
        assert_eq!(err(root.symlink("x\0", "/abs")), Errno::Inval);
        assert_eq!(err(root.symlink(&"t".repeat(5000), "/abs")), Errno::Nametoolong);
    });
}

/// `linkat` looks up the new name before it refuses a directory source: a missing parent is
/// `ENOENT` (the in-memory tree said `EPERM`).
#[test]
fn link_looks_up_the_new_name_before_refusing_a_directory() {
    both(|root| {
        ops::create_dir_all(root, "d/e").unwrap();
        ops::write_file(root, "f", b"f").unwrap();
        assert_eq!(err(root.hard_link("d/e", false, root, "nodir/x")), Errno::Noent);
        assert_eq!(err(root.hard_link("d/e", false, root, "f")), Errno::Exist);
        assert_eq!(err(root.hard_link("d/e", false, root, "new")), Errno::Perm);
        assert_eq!(err(root.hard_link("f/", false, root, "new")), Errno::Notdir);
    });
}

/// `lstat("a/")` of a file is `ENOTDIR`: the host directory described the file (cap-std drops the
/// trailing slash), where the in-memory tree and Linux say `ENOTDIR`.
#[test]
fn stat_with_a_trailing_slash_names_a_directory() {
    both(|root| {
        ops::write_file(root, "f", b"f").unwrap();
        root.create_dir("d").unwrap();
        root.symlink("d", "ld").unwrap();
        root.symlink("f", "lf").unwrap();
        for follow in [false, true] {
            assert_eq!(err(root.stat_at("f/", follow)), Errno::Notdir, "follow {follow}");
            assert_eq!(err(root.stat_at("lf/", follow)), Errno::Notdir, "follow {follow}");
            // Through a symlink to a directory, the slash follows it even without `follow`.
            assert_eq!(root.stat_at("ld/", follow).unwrap().filetype, crate::FileType::Directory);
            assert_eq!(root.stat_at("d/", follow).unwrap().filetype, crate::FileType::Directory);
        }
    });
}

/// `O_CREAT|O_EXCL` on a symlink is `EEXIST` whatever it points at (the in-memory tree followed
/// it, and said `ELOOP` for a loop and created the target of a dangling link).
#[test]
fn exclusive_create_does_not_follow_a_symlink() {
    both(|root| {
        root.symlink("loop", "loop").unwrap();
        root.symlink("nothing", "dangling").unwrap();
        let excl = OpenOptions { exclusive: true, ..OpenOptions::write_create_truncate() };
        assert_eq!(err(root.open("loop", &excl)), Errno::Exist);
        assert_eq!(err(root.open("dangling", &excl)), Errno::Exist);
        assert_eq!(err(root.stat_at("nothing", false)), Errno::Noent);
    });
}

/// Setting no time still needs the path to exist (Linux's `utimensat` skips the lookup when both
/// times are omitted, so the host directory said OK for a missing path).
#[test]
fn setting_no_times_on_a_missing_path_is_enoent() {
    both(|root| {
        ops::write_file(root, "f", b"f").unwrap();
        assert_eq!(err(root.set_times_at("missing", false, None, None)), Errno::Noent);
        assert_eq!(err(root.set_times_at("missing", true, None, None)), Errno::Noent);
        assert_eq!(err(root.set_times_at("../x", true, None, None)), Errno::Perm);
        root.set_times_at("f", true, None, None).unwrap();
    });
}

/// A trailing slash on either path of a rename says the source is a directory: `ENOTDIR` for a
/// file. cap-std dropped it, so the host directory moved the file (or said `EISDIR` onto one).
#[test]
fn rename_with_a_trailing_slash_needs_a_directory() {
    both(|root| {
        ops::write_file(root, "f", b"f").unwrap();
        root.create_dir("d").unwrap();
        assert_eq!(err(root.rename("f", root, "d/")), Errno::Notdir);
        assert_eq!(err(root.rename("f", root, "new/")), Errno::Notdir);
        assert_eq!(err(root.rename("f/", root, "new")), Errno::Notdir);
        assert_eq!(err(root.rename("f", root, "../nope/x/")), Errno::Perm);
        assert_eq!(err(root.rename("f", root, "nope/x/")), Errno::Noent);
        assert_eq!(ops::read_file(root, "f").unwrap(), b"f");
        assert!(!ops::exists(root, "new").unwrap());
        root.rename("d", root, "d2/").unwrap();
        root.rename("d2/", root, "d").unwrap();
    });
}

/// A new name with a trailing slash for `symlink`/`link`: `EEXIST` when something is there,
/// `ENOENT` otherwise, as Linux (the host directory said `ENOTDIR`, having dropped the slash).
#[test]
fn new_link_names_with_a_trailing_slash() {
    both(|root| {
        ops::write_file(root, "a", b"a").unwrap();
        root.create_dir("d").unwrap();
        for name in ["a/", "d/", "./"] {
            assert_eq!(err(root.symlink("a", name)), Errno::Exist, "symlink {name}");
            assert_eq!(err(root.hard_link("a", false, root, name)), Errno::Exist, "link {name}");
        }
        assert_eq!(err(root.symlink("a", "new/")), Errno::Noent);
        assert_eq!(err(root.hard_link("a", false, root, "new/")), Errno::Noent);
        assert_eq!(err(root.hard_link("a", true, root, "new/")), Errno::Noent);
        assert!(!ops::exists(root, "new").unwrap());
    });
}

/// `linkat` resolves the old path before the new one (`ENOENT` for a missing source even when
/// the new path escapes or runs through a file); malformed paths are refused before either.
#[test]
fn link_resolves_the_old_path_first() {
    both(|root| {
        ops::create_dir_all(root, "d/e").unwrap();
        ops::write_file(root, "d/e/f", b"f").unwrap();
        ops::write_file(root, "a", b"a").unwrap();
        root.symlink("a", "l").unwrap();
        assert_eq!(err(root.hard_link("missing", false, root, "l/x")), Errno::Noent);
        assert_eq!(err(root.hard_link("missing", false, root, "../d/new")), Errno::Noent);
        assert_eq!(err(root.hard_link("a", false, root, "l/x")), Errno::Notdir);
        assert_eq!(err(root.hard_link("a", false, root, "../x")), Errno::Perm);
        let long = "./".repeat(2048) + "a";
        assert_eq!(err(root.hard_link("d/e/f/../../../..", true, root, &long)), Errno::Nametoolong);
        assert_eq!(err(root.rename("d/e/f/..", root, &long)), Errno::Nametoolong);
    });
}

/// `rmdir` of a path ending in `..` is `ENOTEMPTY` and in `.` `EINVAL`, once the path before it
/// resolves (the host directory said `EINVAL` for `d/..`, and `EINVAL` for `a/.` with `a` a file).
#[test]
fn rmdir_of_dot_and_dotdot() {
    both(|root| {
        root.create_dir("d").unwrap();
        ops::write_file(root, "a", b"a").unwrap();
        assert_eq!(err(root.remove_dir("d/..")), Errno::Notempty);
        assert_eq!(err(root.remove_dir("d/../")), Errno::Notempty);
        assert_eq!(err(root.remove_dir("d/.")), Errno::Inval);
        assert_eq!(err(root.remove_dir(".")), Errno::Inval);
        assert_eq!(err(root.remove_dir("a/..")), Errno::Notdir);
        assert_eq!(err(root.remove_dir("a/.")), Errno::Notdir);
        assert_eq!(err(root.remove_dir("..")), Errno::Perm);
        assert!(ops::exists(root, "d").unwrap());
    });
}

/// Trailing slashes on `rmdir`, `unlink`, `mkdir` and `readlink`, as Linux answers them (the host
/// directory said `EINVAL` for `rmdir("d/")`).
#[test]
fn trailing_slashes_on_removal_and_creation() {
    both(|root| {
        ops::write_file(root, "a", b"a").unwrap();
        root.create_dir("d").unwrap();
        root.create_dir("empty").unwrap();
        root.symlink("d", "ld").unwrap();
        root.symlink("a", "la").unwrap();
        assert_eq!(err(root.remove_dir("ld/")), Errno::Notdir);
        root.remove_dir("empty/").unwrap();
        assert_eq!(err(root.unlink_file("a/")), Errno::Notdir);
        assert_eq!(err(root.unlink_file("la/")), Errno::Notdir);
        assert_eq!(err(root.unlink_file("ld/")), Errno::Notdir);
        assert_eq!(err(root.unlink_file("d/")), Errno::Isdir);
        root.create_dir("x/").unwrap();
        assert_eq!(err(root.read_link("la/")), Errno::Notdir);
        assert_eq!(err(root.read_link("ld/")), Errno::Inval);
        for name in ["a", "d", "la", "ld", "x"] {
            assert!(root.stat_at(name, false).is_ok(), "{name} is gone");
        }
    });
}

/// Renaming `.` or `..`, or onto them, is `EBUSY` (Linux), before a trailing slash or the source
/// is looked at; the host directory said `ENOTDIR` for `rename("zz", "d/../")`.
#[test]
fn rename_of_or_onto_dot_entries_is_ebusy() {
    both(|root| {
        ops::write_file(root, "zz", b"z").unwrap();
        root.create_dir("d").unwrap();
        for (from, to) in [("zz", "d/../"), ("zz", "d/.."), ("zz", "."), ("d/..", "x"), ("zz/", "."), ("nope", ".")] {
            assert_eq!(err(root.rename(from, root, to)), Errno::Busy, "{from} -> {to}");
        }
        assert_eq!(err(root.rename("zz", root, "nodir/..")), Errno::Noent);
        assert_eq!(ops::read_file(root, "zz").unwrap(), b"z");
    });
}

/// `PATH_MAX` (4096) counts the terminating NUL: a 4096-byte path is already `ENAMETOOLONG` on
/// Linux, where the in-memory tree accepted it.
#[test]
fn a_path_of_path_max_bytes_is_too_long() {
    both(|root| {
        let at_limit = "./".repeat(2048);
        let under = "./".repeat(2047) + "a";
        ops::write_file(root, "a", b"a").unwrap();
        assert_eq!(at_limit.len(), 4096);
        assert_eq!(err(root.stat_at(&at_limit, true)), Errno::Nametoolong);
        assert_eq!(under.len(), 4095);
        assert_eq!(root.stat_at(&under, true).unwrap().size, 1);
        assert_eq!(err(root.symlink(&"t".repeat(4096), "l")), Errno::Nametoolong);
        root.symlink(&"t".repeat(4095), "l").unwrap();
    });
}

/// The parents of a rename must be directories before `.`/`..` or trailing slashes matter:
/// `rename("l/x", ".")` with `l` a symlink to a file is `ENOTDIR` (the host said `EBUSY`; found
/// by libFuzzer, `fuzz/regressions/differential/rename-through-a-file-onto-dot`).
#[test]
fn rename_through_a_file_is_enotdir_before_ebusy() {
    both(|root| {
        ops::write_file(root, "a", b"a").unwrap();
        root.symlink("a", "l").unwrap();
        assert_eq!(err(root.rename("l/x", root, ".")), Errno::Notdir);
        assert_eq!(err(root.rename("a/x", root, "y/")), Errno::Notdir);
        assert_eq!(err(root.rename("a", root, "a/x/")), Errno::Notdir);
        assert_eq!(err(root.rename("a", root, "l/..")), Errno::Notdir);
    });
}
