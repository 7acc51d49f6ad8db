/* A status past 125 from proc_exit would pass for a program that was stopped (134 trapped, 137
 * killed) or wrap around (256 is 0 to a shell): it is reported as status 1 with a message. */
#include <stdio.h>
#include <wasi/api.h>

int main(void) {
    printf("output before exiting is kept\n");
    fflush(stdout);
    fputs("and stderr too\n", stderr);
    __wasi_proc_exit(256);
}
