/* fd_readdir: `.` and `..`, 1500 entries read with a tiny buffer (entries cut off and re-read from
 * their cookie, as wasi-libc does), cookies that stay valid, and a cookie past the end. */
#include "check.h"

#define COUNT 1500

int main(void) {
    __wasi_errno_t err;
    CHECK_OK(__wasi_path_create_directory(PREOPEN, "many"));
    char name[32];
    for (int i = 0; i < COUNT; i++) {
        snprintf(name, sizeof name, "many/f%04d", i);
        __wasi_fd_t fd = open_file(name, __WASI_OFLAGS_CREAT, RIGHTS_RW, 0, &err);
        CHECK_OK(err);
        CHECK_OK(__wasi_fd_close(fd));
    }
    __wasi_fd_t dir;
    CHECK_OK(__wasi_path_open(PREOPEN, 0, "many", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0, &dir));

    static unsigned char seen[COUNT];
    int dots = 0, files = 0, reads = 0;
    __wasi_dircookie_t cookie = 0, third_cookie = 0;
    uint8_t buf[40]; /* room for one header and a short name at most */
    for (;;) {
        __wasi_size_t used = 0;
        CHECK_OK(__wasi_fd_readdir(dir, buf, sizeof buf, cookie, &used));
        reads++;
        if (used == 0) break;
        CHECK(used >= sizeof(__wasi_dirent_t));
        __wasi_dirent_t ent;
        memcpy(&ent, buf, sizeof ent);
        if (used < sizeof ent + ent.d_namlen) { /* cut off: the buffer must have been full */
            CHECK(used == sizeof buf);
            break;
        }
        const char *n = (const char *)buf + sizeof ent;
        if ((ent.d_namlen == 1 && n[0] == '.') || (ent.d_namlen == 2 && n[0] == '.' && n[1] == '.')) {
            CHECK(ent.d_type == __WASI_FILETYPE_DIRECTORY);
            dots++;
        } else {
            int idx = -1;
            CHECK(ent.d_namlen == 5 && sscanf(n + 1, "%4d", &idx) == 1);
            if (idx >= 0 && idx < COUNT) {
                CHECK(!seen[idx]);
                seen[idx] = 1;
            }
            CHECK(ent.d_type == __WASI_FILETYPE_REGULAR_FILE);
            files++;
        }
        CHECK(ent.d_next > cookie);
        cookie = ent.d_next;
        if (dots + files == 3) third_cookie = cookie;
        if (reads > COUNT * 3) break;
    }
    CHECK(dots == 2);
    CHECK(files == COUNT);

    /* A saved cookie resumes at the same place. */
    __wasi_size_t used = 0;
    CHECK_OK(__wasi_fd_readdir(dir, buf, sizeof buf, third_cookie, &used));
    __wasi_dirent_t ent;
    memcpy(&ent, buf, sizeof ent);
    CHECK(ent.d_next == third_cookie + 1);
    CHECK_OK(__wasi_fd_readdir(dir, buf, sizeof buf, 1000000, &used));
    CHECK(used == 0);

    /* A big buffer gets many entries per call. */
    static uint8_t big[65536];
    CHECK_OK(__wasi_fd_readdir(dir, big, sizeof big, 0, &used));
    CHECK(used > 1000);
    CHECK_ERRNO(__wasi_fd_readdir(1, big, sizeof big, 0, &used), __WASI_ERRNO_NOTDIR);
    CHECK_OK(__wasi_fd_close(dir));

    for (int i = 0; i < COUNT; i++) {
        snprintf(name, sizeof name, "many/f%04d", i);
        CHECK_OK(__wasi_path_unlink_file(PREOPEN, name));
    }
    CHECK_OK(__wasi_path_remove_directory(PREOPEN, "many"));
    printf("listed %d entries\n", dots + files);
    return check_done();
}
