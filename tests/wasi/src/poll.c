/* poll_oneoff: clock timeouts (relative and absolute), several clocks,
 * stdin readiness, regular files, bad descriptors. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include "common.h"

static int64_t mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static __wasi_subscription_t clock_sub(uint64_t ud, __wasi_clockid_t id, uint64_t timeout, uint16_t flags) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.precision = 0;
    s.u.u.clock.flags = flags;
    return s;
}

static __wasi_subscription_t fd_sub(uint64_t ud, uint8_t type, int fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = type;
    s.u.u.fd_read.file_descriptor = fd;
    return s;
}

static void show(const char *what, __wasi_errno_t e, __wasi_event_t *ev, __wasi_size_t n) {
    printf("%s: %s nevents=%u", what, errname(e), (unsigned)n);
    for (__wasi_size_t i = 0; i < n; i++)
        printf(" [ud=%llu type=%u err=%s]", (unsigned long long)ev[i].userdata, ev[i].type, errname(ev[i].error));
    printf("\n");
}

int main(void) {
    int64_t t0 = mono();
    int r = poll(NULL, 0, 50);
    int64_t dt = mono() - t0;
    printf("poll(no fds, 50ms): %d waited>=50ms=%d waited<2s=%d\n", r, dt >= 50000000, dt < 2000000000);

    __wasi_event_t ev[4];
    __wasi_size_t n = 0;
    __wasi_subscription_t s1 = clock_sub(7, __WASI_CLOCKID_MONOTONIC, 20000000, 0);
    t0 = mono();
    __wasi_errno_t e = __wasi_poll_oneoff(&s1, ev, 1, &n);
    dt = mono() - t0;
    show("relative 20ms", e, ev, n);
    printf("  waited>=20ms=%d\n", dt >= 20000000);

    __wasi_subscription_t s2 = clock_sub(8, __WASI_CLOCKID_MONOTONIC, (uint64_t)(mono() + 20000000),
                                         __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    t0 = mono();
    e = __wasi_poll_oneoff(&s2, ev, 1, &n);
    dt = mono() - t0;
    show("absolute +20ms", e, ev, n);
    printf("  waited>=19ms=%d\n", dt >= 19000000);

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    __wasi_subscription_t s3 = clock_sub(9, __WASI_CLOCKID_REALTIME, 0, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    e = __wasi_poll_oneoff(&s3, ev, 1, &n);
    show("absolute realtime in the past", e, ev, n);

    __wasi_subscription_t two[2] = {clock_sub(100, __WASI_CLOCKID_MONOTONIC, 5000000000ULL, 0),
                                    clock_sub(10, __WASI_CLOCKID_MONOTONIC, 10000000, 0)};
    t0 = mono();
    e = __wasi_poll_oneoff(two, ev, 2, &n);
    dt = mono() - t0;
    show("5s and 10ms clocks", e, ev, n);
    printf("  returned before 5s=%d\n", dt < 4000000000LL);

    /* stdin is a pipe holding "ping\n" in the test. */
    struct pollfd pfd = {0, POLLIN, 0};
    r = poll(&pfd, 1, 1000);
    printf("poll stdin: %d revents_in=%d\n", r, (pfd.revents & POLLIN) != 0);
    __wasi_subscription_t s4[2] = {fd_sub(1, __WASI_EVENTTYPE_FD_READ, 0),
                                   clock_sub(2, __WASI_CLOCKID_MONOTONIC, 1000000000, 0)};
    e = __wasi_poll_oneoff(s4, ev, 2, &n);
    show("stdin read + 1s clock", e, ev, n);
    printf("  nbytes=%llu\n", (unsigned long long)ev[0].fd_readwrite.nbytes);

    int fd = open("sandbox/hello.txt", O_RDONLY);
    __wasi_subscription_t s5[2] = {fd_sub(3, __WASI_EVENTTYPE_FD_READ, fd), fd_sub(4, __WASI_EVENTTYPE_FD_WRITE, 1)};
    e = __wasi_poll_oneoff(s5, ev, 2, &n);
    show("regular file read + stdout write", e, ev, n);

    __wasi_subscription_t s6 = fd_sub(5, __WASI_EVENTTYPE_FD_READ, 99);
    e = __wasi_poll_oneoff(&s6, ev, 1, &n);
    show("bad fd", e, ev, n);

    e = __wasi_poll_oneoff(&s6, ev, 0, &n);
    printf("no subscriptions: %s\n", errname(e));
    e = __wasi_poll_oneoff((const __wasi_subscription_t *)(uintptr_t)0xffffffe0u, ev, 1, &n);
    printf("subscriptions past memory: %s\n", errname(e));
    __wasi_subscription_t bad = s1;
    bad.u.tag = 9;
    e = __wasi_poll_oneoff(&bad, ev, 1, &n);
    printf("unknown event type: %s\n", errname(e));
    __wasi_subscription_t cpu = clock_sub(6, __WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000, 0);
    e = __wasi_poll_oneoff(&cpu, ev, 1, &n);
    show("cpu-time clock", e, ev, n);
    return 0;
}
