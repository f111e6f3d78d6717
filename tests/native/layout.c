/* Prints the sizes and offsets of wasm_export.h's structs, for the Rust
 * mirror check in tests/core_capi.rs. */
#include <stddef.h>
#include <stdio.h>
#include "wasm_export.h"

#define P(T) printf(#T " size %zu\n", sizeof(T))
#define O(T, f) printf(#T "." #f " %zu\n", offsetof(T, f))

int main(void)
{
    P(RuntimeInitArgs);
    O(RuntimeInitArgs, mem_alloc_option);
    O(RuntimeInitArgs, native_module_name);
    O(RuntimeInitArgs, native_symbols);
    O(RuntimeInitArgs, n_native_symbols);
    O(RuntimeInitArgs, running_mode);
    O(RuntimeInitArgs, enable_linux_perf);
    P(MemAllocOption);
    P(NativeSymbol);
    O(NativeSymbol, attachment);
    P(mem_alloc_info_t);
    P(ember_mem_stats_t);
    O(ember_mem_stats_t, failed_allocs);
    P(wasm_val_t);
    O(wasm_val_t, of);
    printf("WASM_RUNTIME_MALLOC_ALIGN %d\n", WASM_RUNTIME_MALLOC_ALIGN);
    return 0;
}
