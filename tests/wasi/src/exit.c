/* Exit codes: return from main, exit(), proc_exit, traps, proc_raise. */
#include <stdint.h>
#include <stdlib.h>
#include "common.h"

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t raw_proc_raise(int32_t sig);

static void bye(void) { printf("atexit handler ran\n"); }

int main(int argc, char **argv) {
    if (argc < 2) return 99;
    const char *mode = argv[1];
    int code = argc > 2 ? atoi(argv[2]) : 0;
    printf("mode %s %d\n", mode, code);
    if (!strcmp(mode, "return")) return code;
    if (!strcmp(mode, "exit")) { atexit(bye); exit(code); }
    if (!strcmp(mode, "proc_exit")) { fflush(stdout); __wasi_proc_exit((__wasi_exitcode_t)code); }
    if (!strcmp(mode, "trap")) { fflush(stdout); __builtin_trap(); }
    if (!strcmp(mode, "raise")) {
        fflush(stdout);
        int32_t e = raw_proc_raise(code);
        printf("proc_raise(%d) returned %s\n", code, errname(e));
        return 0;
    }
    return 98;
}
