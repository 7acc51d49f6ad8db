/* Reading stdin as C programs do (getline, fgets, getchar, scanf), echoing what was read to
 * stdout and a count per line to stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lines = 0;
    n = getline(&line, &cap, stdin);
    if (n > 0) { printf("first: %s", line); lines++; }
    char buf[8];
    if (fgets(buf, sizeof buf, stdin)) printf("fgets(8): [%s]\n", buf);
    int c = getchar();
    printf("getchar: %c\n", c);
    if (getline(&line, &cap, stdin) > 0) printf("rest: %s", line);
    int a, b;
    if (scanf("%d %d\n", &a, &b) == 2) printf("scanf: %d\n", a + b);
    while ((n = getline(&line, &cap, stdin)) != -1) {
        lines++;
        fprintf(stderr, "%zd bytes\n", n);
        printf("%d: %s", lines, line);
        if (n > 0 && line[n - 1] != '\n') printf("  (no newline at end)\n");
    }
    free(line);
    printf("eof after %d lines, feof=%d\n", lines, feof(stdin) != 0);
    return 0;
}
