/* setvbuf modes on stdout and stderr, and stdout/stderr written in alternation. */
#include <stdio.h>

static char fullbuf[256];

int main(void) {
    /* Line buffered: each line is one write. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < 3; i++) printf("line-buffered %d\n", i);
    printf("partial line, then ");
    fflush(stdout);
    printf("flushed\n");

    /* Unbuffered stdout: every call is a write, some with an empty first iovec. */
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("unbuffered %s\n", "printf");
    fputs("unbuffered fputs\n", stdout);
    putchar('!');
    putchar('\n');

    /* Fully buffered in a small buffer: writes larger than it pass through. */
    setvbuf(stdout, fullbuf, _IOFBF, sizeof fullbuf);
    for (int i = 0; i < 40; i++) printf("full %02d .........................\n", i);

    /* stderr fully buffered, then line buffered. */
    setvbuf(stderr, NULL, _IOFBF, 64);
    for (int i = 0; i < 10; i++) fprintf(stderr, "err %d\n", i);
    fflush(stderr);
    setvbuf(stderr, NULL, _IOLBF, 0);

    for (int i = 0; i < 5; i++) {
        fprintf(stdout, "out %d\n", i);
        fprintf(stderr, "err line %d\n", i);
    }
    fflush(stdout);
    return 0;
}
