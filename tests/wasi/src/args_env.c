/* args and environment exactly as given by iwasm's command line. */
#include <stdlib.h>
#include "common.h"

extern char **environ;

int main(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    printf("argc=%d\n", argc);
    printf("argv[0] basename=%s\n", base ? base + 1 : argv[0]);
    for (int i = 1; i < argc; i++) printf("argv[%d]=[%s]\n", i, argv[i]);
    const char *names[] = {"FOO", "EMPTY", "WITH_EQ", "MISSING", "PATH"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        printf("getenv(%s)=%s%s%s\n", names[i], v ? "[" : "", v ? v : "(null)", v ? "]" : "");
    }
    int n = 0;
    for (char **e = environ; *e; e++) printf("environ[%d]=%s\n", n++, *e);

    __wasi_size_t count = 0, size = 0;
    __wasi_errno_t e = __wasi_args_sizes_get(&count, &size);
    printf("args_sizes_get: %s count=%u\n", errname(e), (unsigned)count);
    /* Pointers past the end of memory are refused, not written. */
    e = __wasi_args_get((uint8_t **)(uintptr_t)0xfffffff0u, (uint8_t *)(uintptr_t)16);
    printf("args_get past memory: %s\n", errname(e));
    e = __wasi_environ_sizes_get(&count, (__wasi_size_t *)(uintptr_t)0xfffffffdu);
    printf("environ_sizes_get past memory: %s\n", errname(e));
    return 0;
}
