/* A C program embedding libvmcore.so through wasm_export.h, written as one
 * would against WAMR: memory modes, natives (with attachment, raw, pointer
 * checks), calls, exceptions, module_malloc, context keys. Prints one line
 * per check ("ok ..." / "FAIL ..."); exits 1 on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasm_export.h"

static int failures;
#define CHECK(cond, what)                                    \
    do {                                                     \
        if (cond)                                            \
            printf("ok %s\n", what);                         \
        else {                                               \
            printf("FAIL %s (line %d)\n", what, __LINE__);   \
            failures++;                                      \
        }                                                    \
    } while (0)

/* ---- the caller's allocator (Alloc_With_Allocator) ---- */
static unsigned long n_malloc, n_free;
static void *my_malloc(unsigned int size) { n_malloc++; return malloc(size); }
static void *my_realloc(void *p, unsigned int size) { return realloc(p, size); }
static void my_free(void *p) { n_free++; free(p); }

/* ---- natives ---- */
static int att_value = 37;
static int add_att(wasm_exec_env_t env, int x)
{
    int *a = wasm_runtime_get_function_attachment(env);
    return x + *a;
}
static void raw_sum(wasm_exec_env_t env, uint64_t *args)
{
    (void)env;
    native_raw_return_type(double, args);
    native_raw_get_arg(int32_t, a, args);
    native_raw_get_arg(int64_t, b, args);
    native_raw_get_arg(double, c, args);
    native_raw_set_return((double)a + (double)b + c);
}
static void fill(wasm_exec_env_t env, char *buf, int len)
{
    wasm_module_inst_t module_inst = get_module_inst(env);
    /* the runtime already checked [buf, buf+len) */
    if (!wasm_runtime_validate_native_addr(module_inst, buf, (uint64_t)len))
        return;
    memset(buf, '!', (size_t)len);
}

static NativeSymbol init_syms[] = { { "add_att", (void *)add_att, "(i)i", &att_value } };
static NativeSymbol raw_syms[] = { { "raw_sum", (void *)raw_sum, "(iIF)F", NULL } };
static NativeSymbol fill_syms[] = { { "fill", (void *)fill, "(*~)", NULL } };

static int dtor_calls;
static void ctx_dtor(wasm_module_inst_t inst, void *ctx)
{
    (void)inst;
    if (ctx == &att_value)
        dtor_calls++;
}

static uint8_t *read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *size = (uint32_t)n;
    return buf;
}

static void run_module(uint8_t *bytes, uint32_t size, int pool_mode)
{
    char err[128];
    wasm_module_t module = wasm_runtime_load(bytes, size, err, sizeof err);
    CHECK(module != NULL, "load");
    if (!module) {
        printf("  %s\n", err);
        return;
    }
    wasm_module_inst_t inst = wasm_runtime_instantiate(module, 64 * 1024, 0, err, sizeof err);
    CHECK(inst != NULL, "instantiate");
    if (!inst) {
        printf("  %s\n", err);
        return;
    }
    wasm_exec_env_t env = wasm_runtime_create_exec_env(inst, 64 * 1024);
    CHECK(wasm_runtime_get_module_inst(env) == inst, "exec env knows its instance");

    /* call_wasm with attachment */
    wasm_function_inst_t f = wasm_runtime_lookup_function(inst, "call_add");
    uint32_t argv[2] = { 5, 0 };
    CHECK(f && wasm_runtime_call_wasm(env, f, 1, argv) && argv[0] == 42, "call_wasm + attachment");
    CHECK(wasm_func_get_param_count(f, inst) == 1 && wasm_func_get_result_count(f, inst) == 1, "param/result counts");

    /* call_wasm_a through a raw native */
    f = wasm_runtime_lookup_function(inst, "call_raw");
    wasm_val_t args[3] = { { .kind = WASM_I32, .of.i32 = 2 }, { .kind = WASM_I64, .of.i64 = 3 }, { .kind = WASM_F64, .of.f64 = 0.5 } };
    wasm_val_t res[2];
    CHECK(f && wasm_runtime_call_wasm_a(env, f, 1, res, 3, args) && res[0].kind == WASM_F64 && res[0].of.f64 == 5.5,
          "call_wasm_a + raw native");
    CHECK(!wasm_runtime_call_wasm_a(env, f, 1, res, 2, args), "call_wasm_a rejects a wrong argument count");
    wasm_runtime_clear_exception(inst);

    /* multi-value results */
    f = wasm_runtime_lookup_function(inst, "swap");
    wasm_val_t sargs[2] = { { .kind = WASM_I64, .of.i64 = -9 }, { .kind = WASM_F32, .of.f32 = 1.25f } };
    CHECK(f && wasm_runtime_call_wasm_a(env, f, 2, res, 2, sargs) && res[0].of.f32 == 1.25f && res[1].of.i64 == -9,
          "multi-value results");

    /* pointer+length native; linear memory seen from C */
    f = wasm_runtime_lookup_function(inst, "call_fill");
    uint32_t fargv[2] = { 16, 4 };
    char *native16 = wasm_runtime_addr_app_to_native(inst, 16);
    CHECK(f && wasm_runtime_call_wasm(env, f, 2, fargv) && native16 && memcmp(native16, "!!!!", 4) == 0 && native16[4] == 0,
          "(*~) native writes into linear memory");
    uint32_t bad[2] = { 65534, 8 };
    CHECK(!wasm_runtime_call_wasm(env, f, 2, bad), "out-of-bounds (*~) traps");
    const char *e = wasm_runtime_get_exception(inst);
    CHECK(e && strcmp(e, "Exception: out of bounds memory access") == 0, "exception text");
    wasm_runtime_clear_exception(inst);
    CHECK(wasm_runtime_get_exception(inst) == NULL, "clear_exception");

    /* address helpers */
    CHECK(wasm_runtime_validate_app_addr(inst, 65536 - 8, 8), "validate_app_addr at the end");
    CHECK(!wasm_runtime_validate_app_addr(inst, 65536 - 8, 9), "validate_app_addr past the end");
    wasm_runtime_clear_exception(inst);
    CHECK(wasm_runtime_addr_native_to_app(inst, native16) == 16, "addr_native_to_app");
    CHECK(wasm_runtime_validate_native_addr(inst, native16, 8), "validate_native_addr");
    CHECK(!wasm_runtime_validate_native_addr(inst, &att_value, 4), "validate_native_addr outside");
    wasm_runtime_clear_exception(inst);

    /* module_malloc uses the module's exported malloc */
    void *p = NULL;
    uint64_t off = wasm_runtime_module_malloc(inst, 100, &p);
    CHECK(off == 1024 && p == wasm_runtime_addr_app_to_native(inst, off), "module_malloc via exported malloc");
    strcpy(p, "in the sandbox");
    CHECK(wasm_runtime_validate_app_str_addr(inst, off), "validate_app_str_addr");
    wasm_runtime_module_free(inst, off);

    /* traps */
    f = wasm_runtime_lookup_function(inst, "boom");
    CHECK(f && !wasm_runtime_call_wasm(env, f, 0, NULL), "trap returns false");
    e = wasm_runtime_get_exception(inst);
    CHECK(e && strcmp(e, "Exception: unreachable") == 0, "trap message");
    wasm_runtime_clear_exception(inst);

    /* v128: four argv cells each way in call_wasm; call_wasm_a refuses (no v128 in wasm_val_t) */
    f = wasm_runtime_lookup_function(inst, "v128_swap");
    uint32_t vargv[9] = {1, 2, 3, 4, 5, 6, 7, 8, 41};
    CHECK(f && wasm_runtime_call_wasm(env, f, 9, vargv) && vargv[0] == 5 && vargv[1] == 6 && vargv[2] == 7 && vargv[3] == 8
              && vargv[4] == 1 && vargv[5] == 2 && vargv[6] == 3 && vargv[7] == 4 && vargv[8] == 42,
          "call_wasm with v128 params and results");
    wasm_val_t vres[3], vargs[3] = {{.kind = WASM_V128}, {.kind = WASM_V128}, {.kind = WASM_I32}};
    CHECK(f && !wasm_runtime_call_wasm_a(env, f, 3, vres, 3, vargs) && wasm_runtime_get_exception(inst), "call_wasm_a refuses v128");
    wasm_runtime_clear_exception(inst);

    /* custom data, user data, context keys */
    wasm_runtime_set_custom_data(inst, &dtor_calls);
    CHECK(wasm_runtime_get_custom_data(inst) == &dtor_calls, "custom data");
    wasm_runtime_set_user_data(env, &att_value);
    CHECK(wasm_runtime_get_user_data(env) == &att_value, "exec env user data");
    void *key = wasm_runtime_create_context_key(ctx_dtor);
    wasm_runtime_set_context(inst, key, &att_value);
    CHECK(wasm_runtime_get_context(inst, key) == &att_value, "context key");

    if (pool_mode) {
        mem_alloc_info_t info;
        CHECK(wasm_runtime_get_mem_alloc_info(&info) && info.total_size == 4u << 20 && info.total_free_size < info.total_size,
              "get_mem_alloc_info in pool mode");
    }
    else {
        mem_alloc_info_t info;
        CHECK(!wasm_runtime_get_mem_alloc_info(&info), "get_mem_alloc_info is pool-only");
    }

    wasm_runtime_destroy_exec_env(env);
    wasm_runtime_deinstantiate(inst);
    CHECK(dtor_calls == 1, "context destructor ran at deinstantiate");
    dtor_calls = 0;
    wasm_runtime_destroy_context_key(key);

    /* unregistering natives makes the import unresolvable */
    CHECK(wasm_runtime_unregister_natives("host", fill_syms), "unregister_natives");
    inst = wasm_runtime_instantiate(module, 64 * 1024, 0, err, sizeof err);
    CHECK(inst == NULL && strstr(err, "host.fill") != NULL, "missing native names module and field");
    wasm_runtime_unload(module);
}

static bool register_all(void)
{
    return wasm_runtime_register_natives_raw("host", raw_syms, 1) && wasm_runtime_register_natives("host", fill_syms, 1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: capi_host MODULE.wasm\n");
        return 2;
    }
    uint32_t size;
    uint8_t *bytes = read_file(argv[1], &size);
    if (!bytes) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }

    /* 1. the caller's allocator, natives given at init */
    RuntimeInitArgs init;
    memset(&init, 0, sizeof init);
    init.mem_alloc_type = Alloc_With_Allocator;
    init.mem_alloc_option.allocator.malloc_func = (void *)my_malloc;
    init.mem_alloc_option.allocator.realloc_func = (void *)my_realloc;
    init.mem_alloc_option.allocator.free_func = (void *)my_free;
    init.native_module_name = "host";
    init.native_symbols = init_syms;
    init.n_native_symbols = 1;
    CHECK(wasm_runtime_full_init(&init), "full_init with the caller's allocator");
    CHECK(register_all(), "register natives (raw and with signature)");
    NativeSymbol bad_sig[] = { { "bad", (void *)fill, "(x)", NULL } };
    CHECK(!wasm_runtime_register_natives("host", bad_sig, 1), "a bad signature is refused");
    ember_mem_stats_t st;
    CHECK(ember_runtime_get_mem_stats(&st) && st.mode == Alloc_With_Allocator, "mode is Alloc_With_Allocator");
    void *m = wasm_runtime_malloc(1000);
    m = wasm_runtime_realloc(m, 5000);
    CHECK(m != NULL, "wasm_runtime_malloc/realloc");
    wasm_runtime_free(m);
    run_module(bytes, size, 0);
    CHECK(n_malloc > 10 && n_free > 10, "the runtime's own allocations used the caller's allocator");
    /* A raw native registered without a signature gets one 64-bit slot per argument: an import
       taking a v128 is refused at instantiation, never called with half of it. */
    static NativeSymbol raw_v128_syms[] = { { "raw_v128", (void *)raw_sum, NULL, NULL } };
    static uint8_t v128_import[] = { 0, 'a', 's', 'm', 1, 0, 0, 0, /* (type (func (param v128))) */ 1, 5, 1, 0x60, 1, 0x7b, 0,
                                     /* (import "host" "raw_v128" (func (type 0))) */ 2, 0x11, 1, 4, 'h', 'o', 's', 't', 8,
                                     'r', 'a', 'w', '_', 'v', '1', '2', '8', 0, 0 };
    char verr[160] = "";
    wasm_module_t vm = wasm_runtime_register_natives_raw("host", raw_v128_syms, 1)
                           ? wasm_runtime_load(v128_import, sizeof v128_import, verr, sizeof verr)
                           : NULL;
    wasm_module_inst_t vi = vm ? wasm_runtime_instantiate(vm, 65536, 65536, verr, sizeof verr) : NULL;
    CHECK(vm && !vi && strstr(verr, "V128"), "a raw native without signature is not linked to a v128 import");
    if (vi)
        wasm_runtime_deinstantiate(vi);
    if (vm)
        wasm_runtime_unload(vm);
    wasm_runtime_destroy();

    /* 2. re-initialised in pool mode */
    static char pool[4 << 20];
    memset(&init, 0, sizeof init);
    init.mem_alloc_type = Alloc_With_Pool;
    init.mem_alloc_option.pool.heap_buf = pool;
    init.mem_alloc_option.pool.heap_size = sizeof pool;
    init.native_module_name = "host";
    init.native_symbols = init_syms;
    init.n_native_symbols = 1;
    CHECK(wasm_runtime_full_init(&init), "full_init with a pool");
    CHECK(register_all(), "register natives again");
    unsigned long frees_before = n_free;
    run_module(bytes, size, 1);
    CHECK(ember_runtime_get_mem_stats(&st) && st.mode == Alloc_With_Pool && st.peak > 65536, "the instance lived in the pool");
    CHECK(n_free >= frees_before, "blocks of the earlier mode still go back to the caller's free");
    void *big = wasm_runtime_malloc(8u << 20);
    CHECK(big == NULL, "an allocation larger than the pool fails with NULL");
    wasm_runtime_destroy();

    free(bytes);
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
