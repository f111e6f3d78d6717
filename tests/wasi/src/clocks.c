/* Clocks: realtime, monotonic, CPU time, resolutions, sleeping. */
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include "common.h"

static int64_t ns(clockid_t c) {
    struct timespec ts;
    if (clock_gettime(c, &ts) != 0) return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(void) {
    int64_t real = ns(CLOCK_REALTIME);
    printf("realtime after 2020: %d\n", real > 1577836800LL * 1000000000);
    printf("realtime before 2100: %d\n", real < 4102444800LL * 1000000000);
    time_t t = time(NULL);
    printf("time() agrees with realtime: %d\n", t - real / 1000000000 <= 2 && real / 1000000000 - t <= 2);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("gettimeofday agrees: %d\n", tv.tv_sec - real / 1000000000 <= 2);

    int64_t m1 = ns(CLOCK_MONOTONIC), m2 = ns(CLOCK_MONOTONIC);
    printf("monotonic non-decreasing: %d\n", m1 > 0 && m2 >= m1);
    printf("process cputime readable: %d\n", ns(CLOCK_PROCESS_CPUTIME_ID) > 0);
    printf("thread cputime readable: %d\n", ns(CLOCK_THREAD_CPUTIME_ID) > 0);

    struct timespec res;
    printf("res realtime: %s sane=%d\n", LIBC_RESULT(clock_getres(CLOCK_REALTIME, &res) == 0),
           res.tv_sec == 0 && res.tv_nsec > 0);
    printf("res monotonic: %s sane=%d\n", LIBC_RESULT(clock_getres(CLOCK_MONOTONIC, &res) == 0),
           res.tv_sec == 0 && res.tv_nsec > 0);

    __wasi_timestamp_t x;
    printf("clock_time_get bad id: %s\n", errname(__wasi_clock_time_get(9, 1, &x)));
    printf("clock_res_get bad id: %s\n", errname(__wasi_clock_res_get(9, &x)));
    printf("clock_time_get past memory: %s\n",
           errname(__wasi_clock_time_get(0, 1, (__wasi_timestamp_t *)(uintptr_t)0xfffffffcu)));

    struct timespec req = {0, 30 * 1000000};
    int64_t before = ns(CLOCK_MONOTONIC);
    int r = nanosleep(&req, NULL);
    int64_t slept = ns(CLOCK_MONOTONIC) - before;
    printf("nanosleep 30ms: %s slept>=30ms=%d slept<2s=%d\n", LIBC_RESULT(r == 0), slept >= 30000000,
           slept < 2000000000);
    return 0;
}
