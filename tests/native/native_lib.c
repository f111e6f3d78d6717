/* A --native-lib library (WAMR protocol) for tests/core_native.rs.
 * Every function prints before it does anything, so a test can tell that an
 * out-of-bounds pointer trapped *before* the native code ran. */
#include <stdio.h>
#include <string.h>
#include "wasm_export.h"

static int sum_bytes(wasm_exec_env_t env, const uint8_t *buf, int len)
{
    (void)env;
    printf("native: sum_bytes(len=%d)\n", len);
    fflush(stdout);
    int s = 0;
    for (int i = 0; i < len; i++)
        s += buf[i];
    return s;
}

static int str_len(wasm_exec_env_t env, const char *s)
{
    (void)env;
    printf("native: str_len(\"%s\")\n", s);
    fflush(stdout);
    return (int)strlen(s);
}

static int64_t mix(wasm_exec_env_t env, int32_t a, int64_t b, float c, double d)
{
    (void)env;
    return a + b + (int64_t)(c * 2.0f) + (int64_t)(d * 4.0);
}

static double scale(wasm_exec_env_t env, double x)
{
    const int *factor = wasm_runtime_get_function_attachment(env);
    return x * *factor;
}

static void fill(wasm_exec_env_t env, uint8_t *buf, int len, int value)
{
    (void)env;
    memset(buf, value, (size_t)len);
}

/* Copy a string into the app's memory with module_malloc. */
static int dup_string(wasm_exec_env_t env, const char *s)
{
    wasm_module_inst_t module_inst = get_module_inst(env);
    void *native = NULL;
    size_t n = strlen(s) + 1;
    uint64_t off = module_malloc(n, &native);
    if (!off)
        return 0;
    memcpy(native, s, n);
    if (addr_native_to_app(native) != off)
        return 0;
    return (int)off;
}

static void fail_with(wasm_exec_env_t env, const char *msg)
{
    wasm_runtime_set_exception(get_module_inst(env), msg);
}

/* Calls the guest's exit_with(code), which calls proc_exit: the call fails with WAMR's
 * "wasi proc exit" exception, and the outer guest must end with that status too. */
static int call_back(wasm_exec_env_t env, int code)
{
    wasm_module_inst_t inst = get_module_inst(env);
    wasm_function_inst_t f = wasm_runtime_lookup_function(inst, "exit_with");
    uint32_t argv[1] = { (uint32_t)code };
    if (!f)
        return -1;
    if (wasm_runtime_call_wasm(env, f, 1, argv))
        return -2;
    const char *e = wasm_runtime_get_exception(inst);
    printf("native: call_back: %s\n", e ? e : "(no exception)");
    fflush(stdout);
    return -3;
}

/* Registered with EXPORT_WASM_API (NULL signature): WAMR calls these with the
 * import's own types and passes pointers as unchecked app offsets. */
static double nosig_mix(wasm_exec_env_t env, int32_t a, int64_t b, float c, double d)
{
    (void)env;
    return (double)a + (double)b + (double)c + d;
}

static uint32_t nosig_strlen(wasm_exec_env_t env, uint32_t app_offset)
{
    wasm_module_inst_t module_inst = get_module_inst(env);
    if (!validate_app_str_addr(app_offset))
        return 0xffffffffu;
    return (uint32_t)strlen(addr_app_to_native(app_offset));
}

static int three = 3;

static NativeSymbol symbols[] = {
    { "sum_bytes", (void *)sum_bytes, "(*~)i", NULL },
    { "str_len", (void *)str_len, "($)i", NULL },
    { "mix", (void *)mix, "(iIfF)I", NULL },
    { "scale", (void *)scale, "(F)F", &three },
    { "fill", (void *)fill, "(*~i)", NULL },
    { "dup_string", (void *)dup_string, "($)i", NULL },
    { "fail_with", (void *)fail_with, "($)", NULL },
    { "call_back", (void *)call_back, "(i)i", NULL },
    EXPORT_WASM_API(nosig_mix),
    EXPORT_WASM_API(nosig_strlen),
};

int init_native_lib(void)
{
    printf("native: init\n");
    return 0;
}

void deinit_native_lib(void)
{
    printf("native: deinit\n");
}

uint32_t get_native_lib(char **module_name, NativeSymbol **native_symbols)
{
    *module_name = "env";
    *native_symbols = symbols;
    return sizeof(symbols) / sizeof(symbols[0]);
}
