/* Finding 4 of the hostile-program review: proc_exit(256) made wrun exit 0, and a program could
 * exit 124 or 134 to pass for one wrun stopped. Exits with the status given as argv[1]. */
#include <stdlib.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    __wasi_proc_exit((__wasi_exitcode_t)strtoll(argc > 1 ? argv[1] : "0", NULL, 10));
}
