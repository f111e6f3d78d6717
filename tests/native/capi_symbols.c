/* Takes the address of every function declared in wasm_export.h, so that a function declared
 * there but missing from libvmcore.so fails this program's link. The list, capi_symbols.inc
 * (one X(name) per function), is generated from the header by tests/core_capi.rs: the two
 * cannot drift apart. Prints how many functions it references. */
#include <stdio.h>
#include "wasm_export.h"

typedef void (*any_fn)(void);
#define X(name) (any_fn)name,
static any_fn const functions[] = {
#include "capi_symbols.inc"
};

int main(void)
{
    unsigned n = 0;
    for (unsigned k = 0; k < sizeof functions / sizeof functions[0]; k++)
        n += functions[k] != NULL;
    printf("%u functions\n", n);
    return 0;
}
