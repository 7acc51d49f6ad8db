/* stdio to stderr the way C programs use it: unbuffered fputs/fprintf/perror. wasi-libc writes
 * each of these as [empty buffer, data], which once made wrun report 0 bytes and libc retry forever. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    fputs("x\n", stderr);
    fprintf(stderr, "%s %d %s\n", "fprintf", 42, "to stderr");
    fputc('c', stderr);
    fputc('\n', stderr);
    errno = ENOENT;
    perror("perror");
    FILE *f = fopen("/no/such/file", "r");
    if (!f) perror("fopen /no/such/file");
    fprintf(stderr, "%s\n", strerror(EACCES));
    puts("done");
    return 0;
}
