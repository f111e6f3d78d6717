/* A native library registering 10,000 symbols (module "many", f_0000 .. f_9999, all the same
 * function): tests/core_native.rs loads it with --native-lib in a small pool, where the
 * registration must fail with an error instead of aborting, and with the system allocator. */
#include <stddef.h>
#include "wasm_export.h"

static int32_t same(wasm_exec_env_t env, int32_t x)
{
    (void)env;
    return x + 1;
}

#define SYM(a, b, c, d) { "f_" #a #b #c #d, (void *)same, "(i)i", NULL },
#define L1(a, b, c) SYM(a, b, c, 0) SYM(a, b, c, 1) SYM(a, b, c, 2) SYM(a, b, c, 3) SYM(a, b, c, 4) \
                    SYM(a, b, c, 5) SYM(a, b, c, 6) SYM(a, b, c, 7) SYM(a, b, c, 8) SYM(a, b, c, 9)
#define L2(a, b) L1(a, b, 0) L1(a, b, 1) L1(a, b, 2) L1(a, b, 3) L1(a, b, 4) \
                 L1(a, b, 5) L1(a, b, 6) L1(a, b, 7) L1(a, b, 8) L1(a, b, 9)
#define L3(a) L2(a, 0) L2(a, 1) L2(a, 2) L2(a, 3) L2(a, 4) L2(a, 5) L2(a, 6) L2(a, 7) L2(a, 8) L2(a, 9)

static NativeSymbol symbols[] = {
    L3(0) L3(1) L3(2) L3(3) L3(4) L3(5) L3(6) L3(7) L3(8) L3(9)
};

uint32_t get_native_lib(char **module_name, NativeSymbol **native_symbols)
{
    *module_name = "many";
    *native_symbols = symbols;
    return sizeof(symbols) / sizeof(symbols[0]);
}
