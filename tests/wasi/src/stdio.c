/* stdio: stdout, stderr, stdin lines, raw fd_write with several iovecs,
 * and guest pointers outside memory. */
#include <ctype.h>
#include <stdint.h>
#include "common.h"

int main(void) {
    printf("line one\n");
    fputs("to stderr\n", stderr);
    char buf[256];
    int n = 0;
    while (fgets(buf, sizeof buf, stdin)) {
        for (char *p = buf; *p; p++) *p = (char)toupper((unsigned char)*p);
        printf("%d: %s", ++n, buf);
    }
    printf("lines: %d\n", n);
    fflush(stdout);

    __wasi_ciovec_t iov[3] = {
        {(const uint8_t *)"raw ", 4}, {(const uint8_t *)"", 0}, {(const uint8_t *)"write\n", 6}};
    __wasi_size_t nw = 0;
    __wasi_errno_t e = __wasi_fd_write(1, iov, 3, &nw);
    printf("fd_write: %s nwritten=%u\n", errname(e), (unsigned)nw);

    /* A buffer that runs past the end of linear memory: EFAULT, nothing written. */
    __wasi_ciovec_t bad = {(const uint8_t *)(uintptr_t)0xfffffff0u, 100};
    e = __wasi_fd_write(1, &bad, 1, &nw);
    printf("fd_write past memory: %s\n", errname(e));
    /* An iovec array that itself lies outside memory. */
    e = __wasi_fd_write(1, (const __wasi_ciovec_t *)(uintptr_t)0xfffffffcu, 1, &nw);
    printf("iovec array past memory: %s\n", errname(e));
    /* A result pointer outside memory. */
    e = __wasi_fd_write(1, iov, 1, (__wasi_size_t *)(uintptr_t)0xfffffffeu);
    printf("result pointer past memory: %s\n", errname(e));
    e = __wasi_fd_write(77, iov, 1, &nw);
    printf("fd_write to fd 77: %s\n", errname(e));

    __wasi_fdstat_t st;
    e = __wasi_fd_fdstat_get(0, &st);
    printf("stdin fdstat: %s read=%d\n", errname(e), (st.fs_rights_base & __WASI_RIGHTS_FD_READ) != 0);
    e = __wasi_fd_fdstat_get(1, &st);
    printf("stdout fdstat: %s write=%d\n", errname(e), (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) != 0);
    /* stdin is a pipe in the test: no preopen. */
    __wasi_prestat_t ps;
    printf("prestat of stdin: %s\n", errname(__wasi_fd_prestat_get(0, &ps)));
    return 0;
}
