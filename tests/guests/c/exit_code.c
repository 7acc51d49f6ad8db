/* proc_exit from deep inside the call stack ends the run with that status; output written before
 * it is not lost. */
#include "check.h"

static void deep(int n) {
    if (n == 0) {
        printf("leaving from depth 50\n");
        fflush(stdout);
        __wasi_proc_exit(42);
    }
    deep(n - 1);
    printf("never printed\n");
}

int main(void) {
    deep(50);
    return 0;
}
