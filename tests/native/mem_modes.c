/* Runs a wasm app's main in the memory mode named on the command line (tests/core_cli.rs and
 * BENCHMARKS.md's peak RSS per mode):
 *
 *   mem_modes system|user|pool=BYTES APP.wasm [natives=N]
 *
 * natives=N first registers N native functions of module "env" (what a native library with
 * N symbols does) and prints whether the runtime accepted them; a pool too small for them
 * must refuse, not abort. Exit status: the app's, or 1 on a runtime error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasm_export.h"

static void *user_malloc(unsigned int size) { return malloc(size); }
static void user_free(void *p) { free(p); }
static int twice(wasm_exec_env_t env, int x)
{
    (void)env;
    return 2 * x;
}

static char *read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (uint32_t)n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mem_modes system|user|pool=BYTES APP.wasm [natives=N]\n");
        return 2;
    }
    RuntimeInitArgs init;
    memset(&init, 0, sizeof init);
    if (!strcmp(argv[1], "system")) {
        init.mem_alloc_type = Alloc_With_System_Allocator;
    } else if (!strcmp(argv[1], "user")) {
        init.mem_alloc_type = Alloc_With_Allocator;
        init.mem_alloc_option.allocator.malloc_func = (void *)user_malloc;
        init.mem_alloc_option.allocator.free_func = (void *)user_free;
    } else if (!strncmp(argv[1], "pool=", 5)) {
        uint32_t size = (uint32_t)strtoul(argv[1] + 5, NULL, 0);
        init.mem_alloc_type = Alloc_With_Pool;
        /* calloc: pages are only touched as the pool uses them */
        init.mem_alloc_option.pool.heap_buf = calloc(size, 1);
        init.mem_alloc_option.pool.heap_size = size;
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    if (!wasm_runtime_full_init(&init)) {
        fprintf(stderr, "init failed\n");
        return 1;
    }
    if (argc > 3 && !strncmp(argv[3], "natives=", 8)) {
        uint32_t n = (uint32_t)strtoul(argv[3] + 8, NULL, 0);
        NativeSymbol *syms = calloc(n, sizeof *syms);
        for (uint32_t i = 0; i < n; i++) {
            char *name = malloc(24);
            snprintf(name, 24, "twice_%u", i);
            syms[i].symbol = name;
            syms[i].func_ptr = (void *)twice;
            syms[i].signature = "(i)i";
        }
        printf("natives: %s\n", wasm_runtime_register_natives("env", syms, n) ? "registered" : "refused");
        fflush(stdout);
    }
    char err[256] = "";
    uint32_t size = 0;
    char *bytes = read_file(argv[2], &size);
    wasm_module_t module = bytes ? wasm_runtime_load((uint8_t *)bytes, size, err, sizeof err) : NULL;
    if (!module) {
        fprintf(stderr, "load failed: %s\n", err);
        wasm_runtime_destroy();
        return 1;
    }
    char *app_argv[] = { argv[2] };
    wasm_runtime_set_wasi_args(module, NULL, 0, NULL, 0, NULL, 0, app_argv, 1);
    wasm_module_inst_t inst = wasm_runtime_instantiate(module, 64 * 1024, 0, err, sizeof err);
    if (!inst) {
        fprintf(stderr, "instantiate failed: %s\n", err);
        wasm_runtime_unload(module);
        wasm_runtime_destroy();
        return 1;
    }
    int status = 0;
    if (!wasm_application_execute_main(inst, 1, app_argv)) {
        fprintf(stderr, "%s\n", wasm_runtime_get_exception(inst));
        status = 1;
    } else {
        status = (int)wasm_runtime_get_wasi_exit_code(inst);
    }
    fflush(stdout);
    wasm_runtime_deinstantiate(inst);
    wasm_runtime_unload(module);
    wasm_runtime_destroy();
    free(bytes);
    return status;
}
