/* Finding 2 of the hostile-program review: two ftruncate calls of a few GiB each on the in-memory
 * tree once allocated and zero-filled 6 GB on the host, outside --max-memory and past --timeout.
 * Now the tree's size budget (--fs-size) answers ENOSPC before any memory is touched. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long long size = argc > 1 ? atoll(argv[1]) : 3LL << 30;
    const char *names[] = {"/big1", "/big2"};
    for (int i = 0; i < 2; i++) {
        int fd = open(names[i], O_CREAT | O_RDWR, 0644);
        if (fd < 0) {
            printf("open %s: %s\n", names[i], strerror(errno));
            return 2;
        }
        int r = ftruncate(fd, size);
        printf("ftruncate %s to %lld: %s\n", names[i], size, r ? strerror(errno) : "ok");
        close(fd);
    }
    return 0;
}
