/* The seed's case: a separately built shared library, linked against
 * libvmcore.so, that allocates with wasm_runtime_malloc while iwasm runs.
 * Loaded through --native-lib; the app calls pool_probe(). */
#include <stdint.h>
#include <stdio.h>
#include "wasm_export.h"

#define MAX_BLOCKS 4096
#define BLOCK (64 * 1024)
static void *blocks[MAX_BLOCKS];

static int pool_probe(wasm_exec_env_t env)
{
    (void)env;
    ember_mem_stats_t before, mid, after;
    ember_runtime_get_mem_stats(&before);
    void *p = wasm_runtime_malloc(100000);
    ember_runtime_get_mem_stats(&mid);
    printf("probe: mode=%u\n", before.mode);
    printf("probe: malloc(100000) %s\n", p ? "ok" : "NULL");
    int aligned = 1;
    for (unsigned size = 1; size < 5000; size += 37) {
        void *q = wasm_runtime_malloc(size);
        if (q && (uintptr_t)q % WASM_RUNTIME_MALLOC_ALIGN != 0)
            aligned = 0;
        wasm_runtime_free(q);
    }
    printf("probe: blocks aligned to WASM_RUNTIME_MALLOC_ALIGN: %s\n", aligned ? "yes" : "no");
    printf("probe: in_use grew by at least 100000: %s\n",
           mid.in_use - before.in_use >= 100000 ? "yes" : "no");
    printf("probe: pool_free shrank by at least 100000: %s\n",
           before.pool_free - mid.pool_free >= 100000 ? "yes" : "no");
    wasm_runtime_free(p);
    if (before.mode != Alloc_With_Pool)
        return 0;

    /* Exhaust the pool: must end with NULL, not with an abort. */
    int n = 0;
    while (n < MAX_BLOCKS && (blocks[n] = wasm_runtime_malloc(BLOCK)) != NULL)
        n++;
    ember_runtime_get_mem_stats(&mid);
    printf("probe: exhausted after %d blocks of 64 KiB: %s\n", n,
           n < MAX_BLOCKS ? "NULL returned" : "never failed");
    printf("probe: failed_allocs grew: %s\n",
           mid.failed_allocs > before.failed_allocs ? "yes" : "no");
    for (int i = 0; i < n; i++)
        wasm_runtime_free(blocks[i]);
    ember_runtime_get_mem_stats(&after);
    printf("probe: after freeing, in_use is back: %s\n",
           after.in_use == before.in_use ? "yes" : "no");
    fflush(stdout);
    return n;
}

static NativeSymbol symbols[] = {
    { "pool_probe", (void *)pool_probe, "()i", NULL },
};

uint32_t get_native_lib(char **module_name, NativeSymbol **native_symbols)
{
    *module_name = "env";
    *native_symbols = symbols;
    return 1;
}
