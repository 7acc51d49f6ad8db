/* Finding 3 of the hostile-program review: a chain of directories made one level below the last
 * (so no path is ever long) used to export as an image quadratic in its depth that could not be
 * mounted again. Makes `argv[1]` levels of `d` below `/` (default: until something fails) and a
 * file at the bottom (if any level was made), and prints how deep it got and why it stopped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int want = argc > 1 ? atoi(argv[1]) : 1 << 30;
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    int depth = 0;
    const char *stop = "done";
    for (; depth < want; depth++) {
        if (mkdirat(dir, "d", 0755) != 0) {
            stop = strerror(errno);
            break;
        }
        int next = openat(dir, "d", O_RDONLY | O_DIRECTORY);
        if (next < 0) {
            stop = strerror(errno);
            break;
        }
        close(dir);
        dir = next;
    }
    int fd = depth > 0 ? openat(dir, "bottom", O_CREAT | O_WRONLY, 0644) : -1;
    if (fd >= 0) {
        write(fd, "deep\n", 5);
        close(fd);
    }
    printf("depth %d: %s\n", depth, stop);
    return 0;
}
