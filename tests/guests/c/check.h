/* Tiny assertion harness for C guest programs: every failed check prints one line and makes the
 * program exit 1, so the runner's stdout comparison pinpoints it. */
#ifndef CHECK_H
#define CHECK_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static int check_failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
            check_failures++;                                                        \
        }                                                                            \
    } while (0)

#define CHECK_ERRNO(expr, want)                                                      \
    do {                                                                             \
        int got_ = (int)(expr);                                                      \
        if (got_ != (int)(want)) {                                                   \
            printf("FAIL %s:%d: %s gave errno %d, want %d\n", __FILE__, __LINE__,    \
                   #expr, got_, (int)(want));                                        \
            check_failures++;                                                        \
        }                                                                            \
    } while (0)

#define CHECK_OK(expr) CHECK_ERRNO(expr, __WASI_ERRNO_SUCCESS)

static inline int check_done(void) {
    if (check_failures) {
        printf("%d failures\n", check_failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}

/* The first preopened directory (fd 3 in wrun). */
#define PREOPEN 3

/* Raw imports, for arguments wasi-libc's wrappers cannot express (lengths with NULs, bad ptrs). */
#define WASI_IMPORT(name) __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__(#name)))
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                      int64_t base, int64_t inheriting, int32_t fdflags, int32_t out) WASI_IMPORT(path_open);
int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten) WASI_IMPORT(fd_write);
int32_t raw_proc_raise(int32_t sig) WASI_IMPORT(proc_raise);

static inline __wasi_fd_t open_file(const char *path, __wasi_oflags_t oflags, __wasi_rights_t rights,
                                    __wasi_fdflags_t fdflags, __wasi_errno_t *err) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    *err = __wasi_path_open(PREOPEN, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags, rights, rights, fdflags, &fd);
    return fd;
}

#define RIGHTS_RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | \
                   __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_ALLOCATE | \
                   __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |                \
                   __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES |                  \
                   __WASI_RIGHTS_POLL_FD_READWRITE)
#define RIGHTS_RO (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET)

#endif
