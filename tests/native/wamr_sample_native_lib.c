/* A --native-lib library in the style of WAMR's samples/native-lib, written only against
 * Ember's unchanged lib_export.h / wasm_export.h: functions exported with
 * EXPORT_WASM_API_WITH_SIG(2), and a `puts` that takes precedence over the libc-builtin's
 * (a user's natives win, as in WAMR). Used by tests/core_libc_builtin.rs. */
#include <stdio.h>
#include <string.h>
#include "lib_export.h"
#include "wasm_export.h"

static int test_add_wrapper(wasm_exec_env_t exec_env, int x, int y)
{
    (void)exec_env;
    return x + y;
}

static double test_sqrt(wasm_exec_env_t exec_env, double x, double y)
{
    double s = x * x + y * y, r = s > 1 ? s : 1;
    (void)exec_env;
    for (int k = 0; k < 64; k++) /* Newton's method: no libm needed */
        r = (r + s / r) / 2;
    return r;
}

/* "($*~)i": name is a checked string, [buf, buf+len) a checked buffer. */
static int test_hello(wasm_exec_env_t exec_env, const char *name, char *buf, uint32_t len)
{
    (void)exec_env;
    return snprintf(buf, len, "Hello %s!", name);
}

static int puts_wrapper(wasm_exec_env_t exec_env, const char *s)
{
    (void)exec_env;
    printf("native puts: %s\n", s);
    fflush(stdout);
    return 1;
}

static NativeSymbol native_symbols[] = {
    EXPORT_WASM_API_WITH_SIG2(test_add, "(ii)i"),
    EXPORT_WASM_API_WITH_SIG(test_sqrt, "(FF)F"),
    EXPORT_WASM_API_WITH_SIG(test_hello, "($*~)i"),
    EXPORT_WASM_API_WITH_SIG2(puts, "($)i"),
};

uint32_t get_native_lib(char **p_module_name, NativeSymbol **p_native_symbols)
{
    *p_module_name = "env";
    *p_native_symbols = native_symbols;
    return sizeof(native_symbols) / sizeof(NativeSymbol);
}
