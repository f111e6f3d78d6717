/* Shared helpers of Ember's WASI test programs (compiled with
 * clang --target=wasm32-wasi). wasi-libc's errno values are WASI's, so one
 * table names both raw __wasi_* results and libc errno. */
#ifndef EMBER_WASI_TEST_COMMON_H
#define EMBER_WASI_TEST_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static const char *errname(int e) {
    static const char *names[] = {
        "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN", "ALREADY",
        "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD", "CONNABORTED", "CONNREFUSED", "CONNRESET",
        "DEADLK", "DESTADDRREQ", "DOM", "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM",
        "ILSEQ", "INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE", "MLINK",
        "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN", "NETRESET", "NETUNREACH", "NFILE",
        "NOBUFS", "NODEV", "NOENT", "NOEXEC", "NOLCK", "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT",
        "NOSPC", "NOSYS", "NOTCONN", "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK", "NOTSUP",
        "NOTTY", "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO", "PROTONOSUPPORT",
        "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH", "STALE", "TIMEDOUT", "TXTBSY", "XDEV",
        "NOTCAPABLE",
    };
    if (e >= 0 && e < (int)(sizeof names / sizeof names[0])) return names[e];
    return "?";
}

/* The result of a libc call returning -1/NULL on failure, as a name. */
#define LIBC_RESULT(ok) ((ok) ? "ok" : errname(errno))

/* The guest fd of the preopen named `name` (or -1). */
__attribute__((unused)) static int preopen_fd(const char *name) {
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
        char buf[256];
        if (ps.u.dir.pr_name_len >= sizeof buf) continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, ps.u.dir.pr_name_len) != 0) continue;
        buf[ps.u.dir.pr_name_len] = 0;
        if (strcmp(buf, name) == 0) return fd;
    }
    return -1;
}

#endif
