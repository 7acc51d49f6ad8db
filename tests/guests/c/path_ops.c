/* Path operations: mkdir/rmdir, unlink, rename (POSIX rules), hard links, symlinks and readlink,
 * path_filestat_get/set_times, and confinement to the preopen. */
#include "check.h"

static void touch(const char *path) {
    __wasi_errno_t err;
    __wasi_fd_t fd = open_file(path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_RW, 0, &err);
    CHECK_OK(err);
    __wasi_ciovec_t v = {(const uint8_t *)path, strlen(path)};
    __wasi_size_t n;
    CHECK_OK(__wasi_fd_write(fd, &v, 1, &n));
    CHECK_OK(__wasi_fd_close(fd));
}

int main(void) {
    __wasi_filestat_t st;
    CHECK_OK(__wasi_path_create_directory(PREOPEN, "d"));
    CHECK_ERRNO(__wasi_path_create_directory(PREOPEN, "d"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_create_directory(PREOPEN, "no/such"), __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, 0, "d", &st));
    CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);

    touch("d/a");
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, 0, "d/a", &st));
    CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 3);
    CHECK_ERRNO(__wasi_path_remove_directory(PREOPEN, "d"), __WASI_ERRNO_NOTEMPTY);
    CHECK_ERRNO(__wasi_path_remove_directory(PREOPEN, "d/a"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_unlink_file(PREOPEN, "d"), __WASI_ERRNO_ISDIR);

    /* rename: file over file, dir over empty dir; errors otherwise. */
    touch("d/b");
    CHECK_OK(__wasi_path_rename(PREOPEN, "d/a", PREOPEN, "d/b"));
    CHECK_ERRNO(__wasi_path_filestat_get(PREOPEN, 0, "d/a", &st), __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, 0, "d/b", &st));
    CHECK(st.size == 3);
    CHECK_OK(__wasi_path_create_directory(PREOPEN, "e"));
    CHECK_OK(__wasi_path_rename(PREOPEN, "e", PREOPEN, "f"));
    CHECK_OK(__wasi_path_create_directory(PREOPEN, "g"));
    CHECK_OK(__wasi_path_rename(PREOPEN, "f", PREOPEN, "g"));
    CHECK_ERRNO(__wasi_path_rename(PREOPEN, "g", PREOPEN, "d"), __WASI_ERRNO_NOTEMPTY);
    CHECK_ERRNO(__wasi_path_rename(PREOPEN, "d/b", PREOPEN, "g"), __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_rename(PREOPEN, "g", PREOPEN, "d/b"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_rename(PREOPEN, "d", PREOPEN, "d/inside"), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_rename(PREOPEN, "nothing", PREOPEN, "x"), __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_remove_directory(PREOPEN, "g"));

    /* Hard links share data and count links. */
    CHECK_OK(__wasi_path_link(PREOPEN, 0, "d/b", PREOPEN, "d/c"));
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, 0, "d/c", &st));
    CHECK(st.nlink == 2 && st.size == 3);
    CHECK_ERRNO(__wasi_path_link(PREOPEN, 0, "d/b", PREOPEN, "d/c"), __WASI_ERRNO_EXIST);
    CHECK_OK(__wasi_path_unlink_file(PREOPEN, "d/b"));
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, 0, "d/c", &st));
    CHECK(st.nlink == 1);

    /* Symlinks. */
    CHECK_OK(__wasi_path_symlink("c", PREOPEN, "d/link"));
    char target[16] = {0};
    __wasi_size_t used = 0;
    CHECK_OK(__wasi_path_readlink(PREOPEN, "d/link", (uint8_t *)target, sizeof target, &used));
    CHECK(used == 1 && target[0] == 'c');
    CHECK_ERRNO(__wasi_path_readlink(PREOPEN, "d/c", (uint8_t *)target, sizeof target, &used), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, 0, "d/link", &st));
    CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "d/link", &st));
    CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 3);
    CHECK_ERRNO(__wasi_path_symlink("c", PREOPEN, "d/link"), __WASI_ERRNO_EXIST);
    CHECK_OK(__wasi_path_symlink("loop2", PREOPEN, "loop1"));
    CHECK_OK(__wasi_path_symlink("loop1", PREOPEN, "loop2"));
    CHECK_ERRNO(__wasi_path_filestat_get(PREOPEN, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "loop1", &st),
                __WASI_ERRNO_LOOP);

    /* Times through a path. */
    CHECK_OK(__wasi_path_filestat_set_times(PREOPEN, 0, "d/c", 5000000000ull, 6000000000ull,
                                            __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, 0, "d/c", &st));
    CHECK(st.atim == 5000000000ull && st.mtim == 6000000000ull);
    CHECK_OK(__wasi_path_filestat_set_times(PREOPEN, 0, "d/c", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, 0, "d/c", &st));
    CHECK(st.atim == 5000000000ull && st.mtim != 6000000000ull);

    /* Confinement: nothing resolves outside the preopen. */
    CHECK_ERRNO(__wasi_path_filestat_get(PREOPEN, 0, "..", &st), __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_filestat_get(PREOPEN, 0, "d/../..", &st), __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_create_directory(PREOPEN, "/abs"), __WASI_ERRNO_PERM);
    CHECK_OK(__wasi_path_symlink("../../etc", PREOPEN, "out"));
    CHECK_ERRNO(__wasi_path_filestat_get(PREOPEN, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "out", &st), __WASI_ERRNO_PERM);
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, 0, "d/./../d//c", &st));
    /* A link to an absolute path is refused outright (as wasmtime does). */
    CHECK_ERRNO(__wasi_path_symlink("/", PREOPEN, "abs"), __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_filestat_get(PREOPEN, 0, "abs", &st), __WASI_ERRNO_NOENT);
    /* Every directory descriptor is its own sandbox: `..` from one opened below the preopen
     * stops at it, even though the preopen is right there (the wasi-testsuite's
     * interesting_paths does exactly this). */
    __wasi_fdstat_t pre;
    CHECK_OK(__wasi_fd_fdstat_get(PREOPEN, &pre));
    __wasi_fd_t sub;
    CHECK_OK(__wasi_path_open(PREOPEN, 0, "d", __WASI_OFLAGS_DIRECTORY, pre.fs_rights_base, pre.fs_rights_inheriting,
                              0, &sub));
    CHECK_OK(__wasi_path_filestat_get(sub, 0, "c", &st));
    CHECK_ERRNO(__wasi_path_filestat_get(sub, 0, "..", &st), __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_filestat_get(sub, 0, "../d/c", &st), __WASI_ERRNO_PERM);
    CHECK_OK(__wasi_path_symlink("../d/c", sub, "up"));
    CHECK_ERRNO(__wasi_path_filestat_get(sub, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "up", &st), __WASI_ERRNO_PERM);
    CHECK_OK(__wasi_path_filestat_get(PREOPEN, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "d/up", &st));
    CHECK_OK(__wasi_path_unlink_file(sub, "up"));
    CHECK_OK(__wasi_fd_close(sub));

    /* Clean up everything, leaving the preopen empty. */
    CHECK_OK(__wasi_path_unlink_file(PREOPEN, "out"));
    CHECK_OK(__wasi_path_unlink_file(PREOPEN, "loop1"));
    CHECK_OK(__wasi_path_unlink_file(PREOPEN, "loop2"));
    CHECK_OK(__wasi_path_unlink_file(PREOPEN, "d/link"));
    CHECK_OK(__wasi_path_unlink_file(PREOPEN, "d/c"));
    CHECK_OK(__wasi_path_remove_directory(PREOPEN, "d"));
    return check_done();
}
