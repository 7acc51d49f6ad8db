/* fwrite larger than the stdio buffer (libc writes [buffered part, the rest] in one fd_write),
 * and many small writes that fill the buffer exactly, to stdout and stderr. */
#include <stdio.h>
#include <string.h>

static char big[20000];

int main(void) {
    for (size_t i = 0; i < sizeof big; i++) big[i] = 'a' + (char)(i % 26);
    for (size_t i = 63; i < sizeof big; i += 64) big[i] = '\n';
    printf("head\n");
    if (fwrite(big, 1, 5000, stdout) != 5000) return 2;
    if (fwrite(big, 1, sizeof big, stdout) != sizeof big) return 3;
    if (fwrite(big, 1, 5000, stderr) != 5000) return 4;
    for (int i = 0; i < 300; i++) fputs("0123456789abcdef", stdout);
    fputc('\n', stdout);
    /* An empty write changes nothing. */
    if (fwrite(big, 1, 0, stdout) != 0) return 5;
    printf("tail %zu\n", sizeof big);
    return 0;
}
