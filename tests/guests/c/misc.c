/* args and environ (non-ASCII), random_get, prestat, proc_raise, sock_*, fdstat of stdio. */
#include "check.h"

int main(int argc, char **argv) {
    __wasi_size_t argc2 = 0, argv_size = 0;
    CHECK_OK(__wasi_args_sizes_get(&argc2, &argv_size));
    CHECK((int)argc2 == argc);
    size_t want = 0;
    for (int i = 0; i < argc; i++) want += strlen(argv[i]) + 1;
    CHECK(argv_size == want);
    for (int i = 1; i < argc; i++) printf("arg %d: %s (%zu bytes)\n", i, argv[i], strlen(argv[i]));

    __wasi_size_t envc = 0, env_size = 0;
    CHECK_OK(__wasi_environ_sizes_get(&envc, &env_size));
    char **env = calloc(envc + 1, sizeof(char *));
    char *env_buf = malloc(env_size);
    CHECK_OK(__wasi_environ_get((uint8_t **)env, (uint8_t *)env_buf));
    for (size_t i = 0; i < envc; i++) printf("env: %s\n", env[i]);
    CHECK(getenv("GREETING") && strcmp(getenv("GREETING"), "grüße") == 0);

    unsigned char a[100] = {0}, b[100] = {0};
    CHECK_OK(__wasi_random_get(a, sizeof a));
    CHECK_OK(__wasi_random_get(b, sizeof b));
    CHECK(memcmp(a, b, sizeof a) != 0);
    static unsigned char big[200000];
    CHECK_OK(__wasi_random_get(big, sizeof big));
    int nonzero = 0;
    for (size_t i = 150000; i < sizeof big; i++) nonzero += big[i] != 0;
    CHECK(nonzero > 40000);

    __wasi_prestat_t ps;
    CHECK_OK(__wasi_fd_prestat_get(PREOPEN, &ps));
    CHECK(ps.tag == __WASI_PREOPENTYPE_DIR);
    char name[64] = {0};
    CHECK_OK(__wasi_fd_prestat_dir_name(PREOPEN, (uint8_t *)name, ps.u.dir.pr_name_len));
    printf("preopen 3: %s\n", name);
    CHECK_ERRNO(__wasi_fd_prestat_dir_name(PREOPEN, (uint8_t *)name, 1), __WASI_ERRNO_NAMETOOLONG);
    CHECK_ERRNO(__wasi_fd_prestat_get(1, &ps), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_prestat_get(PREOPEN + 1, &ps), __WASI_ERRNO_BADF);

    CHECK_ERRNO(raw_proc_raise(15 /* SIGTERM */), __WASI_ERRNO_NOTSUP);
    CHECK_ERRNO(raw_proc_raise(200), __WASI_ERRNO_INVAL);

    __wasi_fd_t nfd;
    CHECK_ERRNO(__wasi_sock_accept(1, 0, &nfd), __WASI_ERRNO_NOTSOCK);
    CHECK_ERRNO(__wasi_sock_accept(77, 0, &nfd), __WASI_ERRNO_BADF);
    char buf[4];
    __wasi_iovec_t io = {(uint8_t *)buf, 4};
    __wasi_size_t n;
    __wasi_roflags_t rf;
    CHECK_ERRNO(__wasi_sock_recv(0, &io, 1, 0, &n, &rf), __WASI_ERRNO_NOTSOCK);
    __wasi_ciovec_t co = {(const uint8_t *)"x", 1};
    CHECK_ERRNO(__wasi_sock_send(1, &co, 1, 0, &n), __WASI_ERRNO_NOTSOCK);
    CHECK_ERRNO(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);

    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(1, &st));
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
    CHECK(!(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK));
    __wasi_filestat_t fst;
    CHECK_OK(__wasi_fd_filestat_get(1, &fst));
    CHECK_ERRNO(__wasi_fd_fdstat_get(500, &st), __WASI_ERRNO_BADF);
    return check_done();
}
