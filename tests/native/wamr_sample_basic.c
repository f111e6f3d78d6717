/* An embedder in the style of WAMR's samples/basic, built against Ember's unchanged
 * wasm_export.h and linked with libvmcore.so: full_init with natives, load, instantiate,
 * exec env, lookup, call_wasm / call_wasm_a, module_malloc, and a native that calls guest
 * function pointers back with wasm_runtime_call_indirect. Prints what it computes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasm_export.h"

/* Native: writes x as text with at least `digit` digits into str. */
static int intToStr(wasm_exec_env_t exec_env, int x, char *str, int str_len, int digit)
{
    (void)exec_env;
    return snprintf(str, (size_t)str_len, "%0*d", digit, x);
}

static int get_pow(wasm_exec_env_t exec_env, int x, int y)
{
    int r = 1;
    (void)exec_env;
    while (y-- > 0)
        r *= x;
    return r;
}

/* Native: calls the guest's function pointers func1(n, 10) and func2(result, 2). */
static int calculate_native(wasm_exec_env_t exec_env, int n, int func1, int func2)
{
    uint32_t argv[2] = { (uint32_t)n, 10 };
    if (!wasm_runtime_call_indirect(exec_env, (uint32_t)func1, 2, argv))
        return -1;
    printf("native: func1(%d, 10) = %d\n", n, (int)argv[0]);
    argv[1] = 2;
    if (!wasm_runtime_call_indirect(exec_env, (uint32_t)func2, 2, argv))
        return -1;
    return (int)argv[0];
}

static NativeSymbol native_symbols[] = {
    EXPORT_WASM_API_WITH_SIG(intToStr, "(i*~i)i"),
    EXPORT_WASM_API_WITH_SIG(get_pow, "(ii)i"),
    EXPORT_WASM_API_WITH_SIG(calculate_native, "(iii)i"),
};

static uint8_t *read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
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
    char error_buf[128];
    RuntimeInitArgs init_args;
    memset(&init_args, 0, sizeof init_args);
    init_args.mem_alloc_type = Alloc_With_System_Allocator;
    init_args.native_module_name = "env";
    init_args.native_symbols = native_symbols;
    init_args.n_native_symbols = sizeof(native_symbols) / sizeof(NativeSymbol);
    if (argc < 2 || !wasm_runtime_full_init(&init_args)) {
        printf("init failed\n");
        return 1;
    }
    uint32_t size;
    uint8_t *bytes = read_file(argv[1], &size);
    wasm_module_t module = bytes ? wasm_runtime_load(bytes, size, error_buf, sizeof error_buf) : NULL;
    free(bytes); /* Ember copies what it needs */
    if (!module) {
        printf("load failed: %s\n", error_buf);
        return 1;
    }
    wasm_module_inst_t inst = wasm_runtime_instantiate(module, 8192, 8192, error_buf, sizeof error_buf);
    if (!inst) {
        printf("instantiate failed: %s\n", error_buf);
        return 1;
    }
    wasm_exec_env_t exec_env = wasm_runtime_create_exec_env(inst, 8192);

    wasm_function_inst_t func = wasm_runtime_lookup_function(inst, "generate_float");
    wasm_val_t results[1] = { { .kind = WASM_F32, .of.f32 = 0 } };
    wasm_val_t arguments[3] = {
        { .kind = WASM_I32, .of.i32 = 10 },
        { .kind = WASM_F64, .of.f64 = 0.000101 },
        { .kind = WASM_F32, .of.f32 = 300.002f },
    };
    if (!func || !wasm_runtime_call_wasm_a(exec_env, func, 1, results, 3, arguments)) {
        printf("generate_float failed: %s\n", wasm_runtime_get_exception(inst));
        return 1;
    }
    float ret_val = results[0].of.f32;
    printf("generate_float returned %f\n", ret_val);

    char *native_buf = NULL;
    uint64_t wasm_buf = wasm_runtime_module_malloc(inst, 100, (void **)&native_buf);
    uint32_t cells[4];
    memcpy(&cells[0], &ret_val, sizeof ret_val);
    cells[1] = (uint32_t)wasm_buf;
    cells[2] = 100;
    cells[3] = 3;
    func = wasm_runtime_lookup_function(inst, "float_to_string");
    if (!wasm_buf || !func || !wasm_runtime_call_wasm(exec_env, func, 4, cells)) {
        printf("float_to_string failed: %s\n", wasm_runtime_get_exception(inst));
        return 1;
    }
    printf("float_to_string wrote \"%s\"\n", native_buf);
    wasm_runtime_module_free(inst, wasm_buf);

    func = wasm_runtime_lookup_function(inst, "calculate");
    for (int n = 3; n >= -3; n -= 6) {
        cells[0] = (uint32_t)n;
        if (!func || !wasm_runtime_call_wasm(exec_env, func, 1, cells)) {
            printf("calculate failed: %s\n", wasm_runtime_get_exception(inst));
            return 1;
        }
        printf("calculate(%d) returned %d\n", n, (int)cells[0]);
    }
    fflush(stdout);

    /* A bad element index is an exception, not a crash. */
    cells[0] = 1;
    cells[1] = 2;
    bool ok = wasm_runtime_call_indirect(exec_env, 12345, 2, cells);
    printf("call_indirect(12345): %s, %s\n", ok ? "true" : "false", wasm_runtime_get_exception(inst));
    wasm_runtime_clear_exception(inst);

    wasm_runtime_destroy_exec_env(exec_env);
    wasm_runtime_deinstantiate(inst);
    wasm_runtime_unload(module);
    wasm_runtime_destroy();
    return 0;
}
