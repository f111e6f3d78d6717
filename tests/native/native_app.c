/* wasm app for tests/core_native.rs: calls the natives of native_lib.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
IMPORT(sum_bytes) int sum_bytes(const void *buf, int len);
IMPORT(str_len) int str_len(const char *s);
IMPORT(mix) long long mix(int a, long long b, float c, double d);
IMPORT(scale) double scale(double x);
IMPORT(fill) void fill(void *buf, int len, int value);
IMPORT(dup_string) char *dup_string(const char *s);
IMPORT(fail_with) void fail_with(const char *msg);
IMPORT(nosig_mix) double nosig_mix(int a, long long b, float c, double d);
IMPORT(nosig_strlen) unsigned nosig_strlen(const char *s);
IMPORT(call_back) int call_back(int code);

/* Called back by the native call_back: proc_exit from inside a native call. */
__attribute__((export_name("exit_with"))) void exit_with(int code)
{
    printf("exit_with(%d)\n", code);
    fflush(stdout);
    exit(code);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "ok";
    unsigned char bytes[5] = { 1, 2, 3, 4, 5 };
    if (!strcmp(mode, "ok")) {
        printf("sum=%d\n", sum_bytes(bytes, 5));
        printf("len=%d\n", str_len("hello"));
        printf("mix=%lld\n", mix(-7, 10000000000LL, 1.5f, 2.25));
        printf("scale=%g\n", scale(2.5));
        char buf[8];
        fill(buf, 7, 'z');
        buf[7] = 0;
        printf("fill=%s\n", buf);
        char *d = dup_string("copied");
        printf("dup=%s\n", d ? d : "(null)");
        printf("nosig_mix=%g\n", nosig_mix(-1, 1LL << 40, 0.5f, 0.25));
        printf("nosig_strlen=%u\n", nosig_strlen("four"));
    }
    else if (!strcmp(mode, "oob-ptr")) {
        /* a pointer far beyond linear memory */
        printf("sum=%d\n", sum_bytes((const void *)0xfffff000u, 16));
    }
    else if (!strcmp(mode, "oob-len")) {
        /* a valid pointer with a length running past the end */
        printf("sum=%d\n", sum_bytes(bytes, 0x7fffffff));
    }
    else if (!strcmp(mode, "oob-str")) {
        /* a string whose NUL would lie beyond the end of memory */
        uintptr_t end = __builtin_wasm_memory_size(0) * 65536;
        char *tail = (char *)(end - 4);
        memset(tail, 'x', 4);
        printf("len=%d\n", str_len(tail));
    }
    else if (!strcmp(mode, "nested-exit")) {
        int r = call_back(7);
        printf("after call_back: %d\n", r);
    }
    else if (!strcmp(mode, "exception")) {
        fail_with("custom failure from native code");
        printf("after fail_with\n");
    }
    printf("done\n");
    return 0;
}
