/* sock_*: on a socket the host hands over as stdin. Mode "stream": fd 0 is a
 * connected stream socket whose peer is the test harness. Mode "listen": fd 0
 * is a listening socket the harness connects to. */
#include <stdint.h>
#include <unistd.h>
#include "common.h"

static void show_fdstat(const char *what, int fd) {
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    printf("%s fdstat: %s stream_socket=%d\n", what, errname(e), st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
}

static void recv_show(const char *what, int fd, __wasi_riflags_t flags) {
    char a[3] = {0}, b[32] = {0};
    __wasi_iovec_t iov[2] = {{(uint8_t *)a, 2}, {(uint8_t *)b, sizeof b - 1}};
    __wasi_size_t n = 0;
    __wasi_roflags_t ro = 0;
    __wasi_errno_t e = __wasi_sock_recv(fd, iov, 2, flags, &n, &ro);
    printf("%s: %s n=%u [%s|%s] truncated=%d\n", what, errname(e), (unsigned)n, a, b, ro != 0);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    __wasi_size_t n = 0;
    __wasi_ciovec_t out[2] = {{(const uint8_t *)"ping", 4}, {(const uint8_t *)" me", 3}};
    if (!strcmp(mode, "stream")) {
        show_fdstat("stdin", 0);
        __wasi_errno_t e = __wasi_sock_send(0, out, 2, 0, &n);
        printf("sock_send: %s n=%u\n", errname(e), (unsigned)n);
        recv_show("sock_recv peek", 0, __WASI_RIFLAGS_RECV_PEEK);
        recv_show("sock_recv", 0, 0);
        printf("sock_shutdown wr: %s\n", errname(__wasi_sock_shutdown(0, __WASI_SDFLAGS_WR)));
        printf("sock_shutdown bad how: %s\n", errname(__wasi_sock_shutdown(0, 0)));
        __wasi_fd_t c;
        printf("sock_accept on a connected socket: %s\n", errname(__wasi_sock_accept(0, 0, &c)));
        printf("sock_recv on stdout: %s\n", errname(__wasi_sock_recv(1, NULL, 0, 0, &n, (__wasi_roflags_t *)&n)));
        printf("sock_send past memory: %s\n",
               errname(__wasi_sock_send(0, (const __wasi_ciovec_t *)(uintptr_t)0xfffffff8u, 2, 0, &n)));
        recv_show("sock_recv after peer closed", 0, 0);
    } else if (!strcmp(mode, "listen")) {
        show_fdstat("stdin", 0);
        __wasi_fd_t c = 0;
        /* Whether accept blocks is the listener's own flag; the flags of
         * sock_accept are those of the new connection. */
        printf("set listener nonblocking: %s\n", errname(__wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_NONBLOCK)));
        printf("accept with nothing pending: %s\n", errname(__wasi_sock_accept(0, 0, &c)));
        printf("set listener blocking: %s\n", errname(__wasi_fd_fdstat_set_flags(0, 0)));
        printf("ready\n");
        fflush(stdout);
        __wasi_errno_t e = __wasi_sock_accept(0, __WASI_FDFLAGS_NONBLOCK, &c);
        printf("accept: %s new_fd>2=%d\n", errname(e), c > 2);
        show_fdstat("accepted", c);
        __wasi_fdstat_t st;
        __wasi_fd_fdstat_get(c, &st);
        printf("accepted nonblocking: %d\n", (st.fs_flags & __WASI_FDFLAGS_NONBLOCK) != 0);
        printf("back to blocking: %s\n", errname(__wasi_fd_fdstat_set_flags(c, 0)));
        recv_show("recv", c, __WASI_RIFLAGS_RECV_WAITALL);
        e = __wasi_sock_send(c, out, 1, 0, &n);
        printf("send: %s n=%u\n", errname(e), (unsigned)n);
        printf("close: %s\n", errname(__wasi_fd_close(c)));
    }
    return 0;
}
