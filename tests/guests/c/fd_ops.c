/* Descriptor I/O on a preopened directory: open/create, read/write, seek/tell, pread/pwrite,
 * sizes, allocate, advise, sync, flags (APPEND), rights, renumber, close, and their errnos. */
#include "check.h"

int main(void) {
    __wasi_errno_t err;
    __wasi_fd_t fd = open_file("data.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_RW, 0, &err);
    CHECK_OK(err);

    const char *msg = "hello, world\n";
    __wasi_ciovec_t out[2] = {{(const uint8_t *)msg, 7}, {(const uint8_t *)msg + 7, strlen(msg) - 7}};
    __wasi_size_t n = 0;
    CHECK_OK(__wasi_fd_write(fd, out, 2, &n));
    CHECK(n == strlen(msg));

    __wasi_filesize_t pos = 99;
    CHECK_OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 13);
    CHECK_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    CHECK(pos == 0);
    CHECK_ERRNO(__wasi_fd_seek(fd, -1, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_seek(fd, 0, 7, &pos), __WASI_ERRNO_INVAL);

    char buf[64] = {0};
    __wasi_iovec_t in[2] = {{(uint8_t *)buf, 5}, {(uint8_t *)buf + 5, 59}};
    CHECK_OK(__wasi_fd_read(fd, in, 2, &n));
    CHECK(n == 13 && memcmp(buf, msg, 13) == 0);
    CHECK_OK(__wasi_fd_read(fd, in, 2, &n));
    CHECK(n == 0); /* end of file */

    /* pread/pwrite do not move the position. */
    CHECK_OK(__wasi_fd_seek(fd, -6, __WASI_WHENCE_END, &pos));
    CHECK(pos == 7);
    __wasi_ciovec_t patch = {(const uint8_t *)"W", 1};
    CHECK_OK(__wasi_fd_pwrite(fd, &patch, 1, 7, &n));
    CHECK(n == 1);
    memset(buf, 0, sizeof buf);
    __wasi_iovec_t one = {(uint8_t *)buf, 5};
    CHECK_OK(__wasi_fd_pread(fd, &one, 1, 7, &n));
    CHECK(n == 5 && memcmp(buf, "World", 5) == 0);
    CHECK_OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 7);

    /* Writing past the end leaves a zero-filled hole. */
    CHECK_OK(__wasi_fd_pwrite(fd, &patch, 1, 20, &n));
    __wasi_filestat_t st;
    CHECK_OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 21 && st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.nlink == 1);
    CHECK_OK(__wasi_fd_pread(fd, &one, 1, 14, &n));
    CHECK(n == 5 && buf[0] == 0 && buf[4] == 0);

    /* Sizes. */
    CHECK_OK(__wasi_fd_filestat_set_size(fd, 5));
    CHECK_OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 5);
    CHECK_OK(__wasi_fd_allocate(fd, 0, 100));
    CHECK_OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 100);
    CHECK_OK(__wasi_fd_allocate(fd, 0, 10));
    CHECK_OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 100); /* allocate never shrinks */
    CHECK_OK(__wasi_fd_advise(fd, 0, 100, __WASI_ADVICE_SEQUENTIAL));
    CHECK_ERRNO(__wasi_fd_advise(fd, 0, 100, 99), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_fd_sync(fd));
    CHECK_OK(__wasi_fd_datasync(fd));

    /* Times. */
    CHECK_OK(__wasi_fd_filestat_set_times(fd, 1000000000ull, 2000000000ull,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK_OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.atim == 1000000000ull && st.mtim == 2000000000ull);
    CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
                __WASI_ERRNO_INVAL);

    /* fdstat, APPEND, NONBLOCK round trip. */
    __wasi_fdstat_t fst;
    CHECK_OK(__wasi_fd_fdstat_get(fd, &fst));
    CHECK(fst.fs_filetype == __WASI_FILETYPE_REGULAR_FILE && fst.fs_flags == 0);
    CHECK(fst.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
    CHECK_OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_NONBLOCK));
    CHECK_OK(__wasi_fd_fdstat_get(fd, &fst));
    CHECK(fst.fs_flags == (__WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_NONBLOCK));
    CHECK_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    CHECK_OK(__wasi_fd_write(fd, &patch, 1, &n));
    CHECK_OK(__wasi_fd_filestat_get(fd, &st));
    CHECK(st.size == 101); /* appended, not written at 0 */
    CHECK_ERRNO(__wasi_fd_fdstat_set_flags(fd, 0x100), __WASI_ERRNO_INVAL);

    /* Rights can be dropped but never regained. */
    CHECK_OK(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0));
    CHECK_ERRNO(__wasi_fd_write(fd, &patch, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, RIGHTS_RW, 0), __WASI_ERRNO_NOTCAPABLE);
    CHECK_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));

    /* A read-only descriptor cannot write. */
    __wasi_fd_t ro = open_file("data.txt", 0, RIGHTS_RO, 0, &err);
    CHECK_OK(err);
    CHECK_ERRNO(__wasi_fd_write(ro, &patch, 1, &n), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_filestat_set_size(ro, 0), __WASI_ERRNO_BADF);

    /* Renumber: ro takes fd's number; the old number is closed. */
    CHECK_OK(__wasi_fd_renumber(ro, fd));
    CHECK_ERRNO(__wasi_fd_close(ro), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_renumber(ro, fd), __WASI_ERRNO_BADF);
    CHECK_OK(__wasi_fd_fdstat_get(fd, &fst));
    CHECK(fst.fs_flags == 0);

    /* The lowest free number is reused. */
    CHECK_OK(__wasi_fd_close(fd));
    __wasi_fd_t again = open_file("data.txt", 0, RIGHTS_RO, 0, &err);
    CHECK_OK(err);
    CHECK(again == fd);
    CHECK_OK(__wasi_fd_close(again));

    /* Bad descriptors. */
    CHECK_ERRNO(__wasi_fd_close(1000), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_read(1000, in, 1, &n), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_seek(1, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_SPIPE);
    CHECK_ERRNO(__wasi_fd_read(PREOPEN, in, 1, &n), __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_fd_seek(PREOPEN, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF);

    /* Opening: EXCL, ENOENT, EISDIR, ENOTDIR. */
    open_file("data.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_RW, 0, &err);
    CHECK_ERRNO(err, __WASI_ERRNO_EXIST);
    open_file("missing.txt", 0, RIGHTS_RO, 0, &err);
    CHECK_ERRNO(err, __WASI_ERRNO_NOENT);
    open_file("data.txt", __WASI_OFLAGS_DIRECTORY, RIGHTS_RO, 0, &err);
    CHECK_ERRNO(err, __WASI_ERRNO_NOTDIR);
    open_file("data.txt/", 0, RIGHTS_RO, 0, &err);
    CHECK_ERRNO(err, __WASI_ERRNO_NOTDIR);
    open_file(".", 0, RIGHTS_RW, 0, &err);
    CHECK_ERRNO(err, __WASI_ERRNO_ISDIR);

    /* Paths: bad UTF-8 is ILSEQ, an embedded NUL is INVAL. */
    static const char bad[] = "\xff\xfe.txt";
    static const char nul[] = "data.txt\0";
    __wasi_fd_t out_fd;
    CHECK_ERRNO(raw_path_open(PREOPEN, 0, (int32_t)bad, 6, 0, RIGHTS_RO, 0, 0, (int32_t)&out_fd), __WASI_ERRNO_ILSEQ);
    CHECK_ERRNO(raw_path_open(PREOPEN, 0, (int32_t)nul, 9, 0, RIGHTS_RO, 0, 0, (int32_t)&out_fd), __WASI_ERRNO_INVAL);

    CHECK_OK(__wasi_path_unlink_file(PREOPEN, "data.txt"));
    return check_done();
}
