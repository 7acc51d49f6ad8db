/* A guest pointer out of bounds traps (WASI: "shall trap"); it is not an errno. */
#include "check.h"

int main(void) {
    printf("before\n");
    fflush(stdout);
    __wasi_size_t n;
    /* An iovec array that runs past the end of memory. */
    raw_fd_write(1, 0x7ffffff0, 4, (int32_t)&n);
    printf("after\n");
    return 0;
}
