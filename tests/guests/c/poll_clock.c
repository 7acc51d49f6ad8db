/* poll_oneoff (relative and absolute clocks, fd readiness on files, stdout and a piped stdin),
 * clocks, sched_yield. Run with "abc" on stdin. */
#include "check.h"

static __wasi_timestamp_t now(void) {
    __wasi_timestamp_t t = 0;
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t));
    return t;
}

int main(void) {
    __wasi_timestamp_t res = 0;
    CHECK_OK(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res));
    CHECK(res > 0 && res <= 1000000);
    CHECK_OK(__wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &res));
    CHECK_ERRNO(__wasi_clock_res_get(99, &res), __WASI_ERRNO_INVAL);
    __wasi_timestamp_t wall = 0;
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &wall));
    CHECK(wall > 1600000000ull * 1000000000ull);
    CHECK_ERRNO(__wasi_clock_time_get(42, 1, &wall), __WASI_ERRNO_INVAL);
    __wasi_timestamp_t cpu = 0;
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu));

    /* Monotonic never goes back. */
    __wasi_timestamp_t prev = now();
    for (int i = 0; i < 1000; i++) {
        __wasi_timestamp_t t = now();
        CHECK(t >= prev);
        prev = t;
    }
    CHECK_OK(__wasi_sched_yield());

    /* A relative 20 ms sleep. */
    __wasi_subscription_t sub = {0};
    __wasi_event_t ev[4];
    __wasi_size_t nev = 0;
    sub.userdata = 7;
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = 20000000;
    __wasi_timestamp_t before = now();
    CHECK_OK(__wasi_poll_oneoff(&sub, ev, 1, &nev));
    CHECK(now() - before >= 20000000);
    CHECK(nev == 1 && ev[0].userdata == 7 && ev[0].type == __WASI_EVENTTYPE_CLOCK && ev[0].error == 0);

    /* An absolute deadline 10 ms ahead. */
    sub.u.u.clock.timeout = now() + 10000000;
    sub.u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    CHECK_OK(__wasi_poll_oneoff(&sub, ev, 1, &nev));
    CHECK(nev == 1 && now() >= sub.u.u.clock.timeout);

    /* No subscriptions is an error, not a hang. */
    CHECK_ERRNO(__wasi_poll_oneoff(&sub, ev, 0, &nev), __WASI_ERRNO_INVAL);

    /* stdout is writable at once, even with a long timeout beside it. */
    __wasi_subscription_t subs[3] = {{0}};
    subs[0].userdata = 1;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[0].u.u.fd_write.file_descriptor = 1;
    subs[1].userdata = 2;
    subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[1].u.u.clock.timeout = 60ull * 1000000000ull;
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 2, &nev));
    CHECK(nev == 1 && ev[0].userdata == 1 && ev[0].type == __WASI_EVENTTYPE_FD_WRITE);

    /* A bad fd is reported in its event. */
    subs[0].u.u.fd_write.file_descriptor = 999;
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 2, &nev));
    CHECK(nev == 1 && ev[0].error == __WASI_ERRNO_BADF);

    /* stdin (a pipe holding "abc") becomes readable; then read it. */
    subs[0].userdata = 3;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[0].u.u.fd_read.file_descriptor = 0;
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 2, &nev));
    CHECK(nev == 1 && ev[0].userdata == 3 && ev[0].type == __WASI_EVENTTYPE_FD_READ && ev[0].error == 0);
    char buf[8] = {0};
    size_t got = 0;
    while (got < 3) {
        __wasi_iovec_t io = {(uint8_t *)buf + got, sizeof buf - 1 - got};
        __wasi_size_t n = 0;
        CHECK_OK(__wasi_fd_read(0, &io, 1, &n));
        if (n == 0) break;
        got += n;
    }
    CHECK(got == 3 && strcmp(buf, "abc") == 0);
    /* At end of input stdin stays readable, with HANGUP. */
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 2, &nev));
    CHECK(nev == 1 && ev[0].userdata == 3 && (ev[0].fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP));
    printf("stdin said %s\n", buf);
    return check_done();
}
