/* wasm app for tests/core_cli.rs: exit codes, traps, exported functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((export_name("add"))) int add(int a, int b) { return a + b; }
__attribute__((export_name("mul64"))) long long mul64(long long a, long long b) { return a * b; }
__attribute__((export_name("half"))) double half(double x) { return x / 2; }
__attribute__((export_name("fhalf"))) float fhalf(float x) { return x / 2; }

static volatile int sink;

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "hello";
    if (!strcmp(mode, "hello")) {
        printf("hello, world\n");
        return 0;
    }
    if (!strcmp(mode, "exit")) {
        printf("exiting with %s\n", argv[2]);
        fflush(stdout);
        exit(atoi(argv[2]));
    }
    if (!strcmp(mode, "return"))
        return 42;
    if (!strcmp(mode, "trap"))
        __builtin_trap();
    if (!strcmp(mode, "divzero")) {
        int zero = argc - 2;
        sink = 10 / zero;
        return 0;
    }
    if (!strcmp(mode, "spin")) {
        for (;;)
            sink++;
    }
    if (!strcmp(mode, "args")) {
        for (int i = 0; i < argc; i++)
            printf("[%s]", argv[i]);
        printf("\n");
        return 0;
    }
    if (!strcmp(mode, "grow")) {
        /* allocate until malloc fails: must end cleanly in pool mode.
         * The blocks are chained and freed so the compiler cannot elide them. */
        size_t total = 0;
        void *head = NULL;
        for (;;) {
            void **p = malloc(1 << 20);
            if (!p)
                break;
            memset(p, 1, 1 << 20);
            *p = head;
            head = p;
            total += 1 << 20;
        }
        while (head) {
            void *next = *(void **)head;
            free(head);
            head = next;
        }
        printf("malloc failed after %zu MiB\n", total >> 20);
        return 0;
    }
    if (!strcmp(mode, "grow-pages")) {
        /* grow linear memory one page at a time until it fails, then keep
         * using WASI (the runtime must still have room for its own work) */
        int pages = 0;
        while (__builtin_wasm_memory_grow(0, 1) != (size_t)-1)
            pages++;
        printf("memory.grow failed after %d pages\n", pages);
        return 0;
    }
    printf("unknown mode\n");
    return 3;
}
