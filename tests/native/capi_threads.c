/* Four threads using libvmcore.so's C API at once, as a multi-threaded embedder would: each
 * round, the main thread loads a module that every thread instantiates and calls (its functions
 * are translated lazily, on their first call, so the threads race to translate them, each in a
 * different order), while each thread also loads, instantiates and unloads a private copy and
 * churns wasm_runtime_malloc/free and module_malloc/free. Every result is checked against the
 * C computation. In pool mode, the pool must be back to its starting use at the end.
 * Run by tests/core_capi.rs in both modes, and under ThreadSanitizer by tests/tsan.sh.
 *
 *   capi_threads MODULE.wasm (pool|system) [ROUNDS]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_export.h"

#define THREADS 4
#define FUNCS 8

static uint8_t *wasm;
static uint32_t wasm_len;
static wasm_module_t shared;

static uint32_t expect_f(int i, uint32_t n)
{
    uint32_t s = 0;
    for (uint32_t k = 0; k < n; k++)
        s += (k * (uint32_t)(2 * i + 3)) ^ (uint32_t)(i + 1);
    return s;
}

static uint32_t expect_fib(uint32_t n) { return n < 2 ? n : expect_fib(n - 1) + expect_fib(n - 2); }

struct worker {
    int id;
    int failures;
    unsigned calls;
};

#define FAIL(w, ...)                                                                               \
    do {                                                                                           \
        fprintf(stderr, "thread %d: ", (w)->id);                                                   \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        (w)->failures++;                                                                           \
    } while (0)

/* Calls NAME(ARG) (ARG ignored when the function takes none); 0 and the result in *out on
 * success. */
static int call(struct worker *w, wasm_module_inst_t inst, wasm_exec_env_t env, const char *name, int nargs,
                uint32_t arg, uint32_t *out)
{
    wasm_function_inst_t f = wasm_runtime_lookup_function(inst, name);
    if (!f) {
        FAIL(w, "no export %s", name);
        return -1;
    }
    uint32_t argv[1] = {arg};
    if (!wasm_runtime_call_wasm(env, f, (uint32_t)nargs, argv)) {
        FAIL(w, "%s trapped: %s", name, wasm_runtime_get_exception(inst));
        return -1;
    }
    w->calls++;
    *out = argv[0];
    return 0;
}

/* Instantiates MODULE and checks every function of it. */
static void exercise(struct worker *w, wasm_module_t module, int order)
{
    char err[128];
    wasm_module_inst_t inst = wasm_runtime_instantiate(module, 64 << 10, 64 << 10, err, sizeof err);
    if (!inst) {
        FAIL(w, "instantiate: %s", err);
        return;
    }
    wasm_exec_env_t env = wasm_runtime_create_exec_env(inst, 64 << 10);
    if (!env) {
        FAIL(w, "create_exec_env failed");
        wasm_runtime_deinstantiate(inst);
        return;
    }
    uint32_t got;
    for (int j = 0; j < FUNCS; j++) {
        int i = (j * (order % 2 ? 3 : 5) + order) % FUNCS;
        char name[8];
        snprintf(name, sizeof name, "f%d", i);
        uint32_t n = 500 + 37 * (uint32_t)w->id + (uint32_t)j;
        if (call(w, inst, env, name, 1, n, &got) == 0 && got != expect_f(i, n))
            FAIL(w, "%s(%u) = %u, expected %u", name, n, got, expect_f(i, n));
    }
    if (call(w, inst, env, "fib", 1, 18, &got) == 0 && got != expect_fib(18))
        FAIL(w, "fib(18) = %u", got);
    /* The old size: 1 page, plus the app heap's pages (WAMR places the heap at the end). */
    uint32_t pages;
    if (call(w, inst, env, "grow", 0, 0, &pages) == 0 && (pages < 1 || pages > 3))
        FAIL(w, "memory.grow returned %d", (int32_t)pages);
    else if (call(w, inst, env, "grow", 0, 0, &got) == 0 && got != pages + 1)
        FAIL(w, "memory.grow returned %d after %u", (int32_t)got, pages);
    if (call(w, inst, env, "calls", 0, 0, &got) == 0 && got != FUNCS)
        FAIL(w, "calls = %u, expected %d (globals are per instance)", got, FUNCS);
    for (int k = 0; k < 16; k++) {
        void *native = NULL;
        uint64_t at = wasm_runtime_module_malloc(inst, 24 + 40 * (uint64_t)k, &native);
        if (!at || !native) {
            FAIL(w, "module_malloc failed");
            break;
        }
        memset(native, w->id, 24 + 40 * (size_t)k);
        wasm_runtime_module_free(inst, at);
    }
    wasm_runtime_destroy_exec_env(env);
    wasm_runtime_deinstantiate(inst);
}

static void *work(void *arg)
{
    struct worker *w = arg;
    /* A private copy of the module (WAMR keeps the buffer until unload: so does this). */
    uint8_t *copy = malloc(wasm_len);
    memcpy(copy, wasm, wasm_len);
    char err[128];
    wasm_module_t own = wasm_runtime_load(copy, wasm_len, err, sizeof err);
    if (!own)
        FAIL(w, "load: %s", err);
    exercise(w, shared, w->id);
    if (own) {
        exercise(w, own, w->id + 1);
        wasm_runtime_unload(own);
    }
    free(copy);
    for (int k = 0; k < 200; k++) {
        size_t size = 16 + (size_t)((k * 7919 + w->id * 104729) % 6000);
        uint8_t *p = wasm_runtime_malloc((uint32_t)size);
        if (!p) {
            FAIL(w, "wasm_runtime_malloc(%zu) failed", size);
            break;
        }
        memset(p, k, size);
        p = wasm_runtime_realloc(p, (uint32_t)(size * 2));
        if (!p) {
            FAIL(w, "wasm_runtime_realloc failed");
            break;
        }
        if (p[size - 1] != (uint8_t)k)
            FAIL(w, "realloc lost the contents");
        wasm_runtime_free(p);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[2], "pool") && strcmp(argv[2], "system"))) {
        fprintf(stderr, "usage: %s MODULE.wasm (pool|system) [ROUNDS]\n", argv[0]);
        return 2;
    }
    int pool_mode = !strcmp(argv[2], "pool");
    int rounds = argc > 3 ? atoi(argv[3]) : 20;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    static uint8_t buf[1 << 16];
    wasm_len = (uint32_t)fread(buf, 1, sizeof buf, f);
    int too_big = !feof(f);
    fclose(f);
    if (too_big) {
        fprintf(stderr, "%s: larger than %zu bytes\n", argv[1], sizeof buf);
        return 2;
    }
    wasm = buf;

    static char pool[32 << 20];
    RuntimeInitArgs init;
    memset(&init, 0, sizeof init);
    if (pool_mode) {
        init.mem_alloc_type = Alloc_With_Pool;
        init.mem_alloc_option.pool.heap_buf = pool;
        init.mem_alloc_option.pool.heap_size = sizeof pool;
    } else {
        init.mem_alloc_type = Alloc_With_System_Allocator;
    }
    if (!wasm_runtime_full_init(&init)) {
        fprintf(stderr, "full_init failed\n");
        return 1;
    }
    mem_alloc_info_t before = {0}, after = {0};
    if (pool_mode && !wasm_runtime_get_mem_alloc_info(&before)) {
        fprintf(stderr, "get_mem_alloc_info failed\n");
        return 1;
    }

    int failures = 0;
    unsigned calls = 0;
    for (int r = 0; r < rounds; r++) {
        char err[128];
        uint8_t *copy = malloc(wasm_len);
        memcpy(copy, wasm, wasm_len);
        shared = wasm_runtime_load(copy, wasm_len, err, sizeof err);
        if (!shared) {
            fprintf(stderr, "load: %s\n", err);
            return 1;
        }
        pthread_t t[THREADS];
        struct worker w[THREADS];
        for (int i = 0; i < THREADS; i++) {
            w[i] = (struct worker){.id = i + r};
            if (pthread_create(&t[i], NULL, work, &w[i])) {
                fprintf(stderr, "pthread_create failed\n");
                return 1;
            }
        }
        for (int i = 0; i < THREADS; i++) {
            pthread_join(t[i], NULL);
            failures += w[i].failures;
            calls += w[i].calls;
        }
        wasm_runtime_unload(shared);
        free(copy);
    }
    if (pool_mode) {
        wasm_runtime_get_mem_alloc_info(&after);
        if (after.total_free_size != before.total_free_size) {
            fprintf(stderr, "pool: %u bytes free before, %u after\n", before.total_free_size, after.total_free_size);
            failures++;
        }
    }
    wasm_runtime_destroy();
    printf("%d rounds, %d threads, %u calls, %d failure(s)\n", rounds, THREADS, calls, failures);
    return failures ? 1 : 0;
}
