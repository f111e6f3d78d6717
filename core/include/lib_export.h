/*
 * Ember libvmcore.so: native symbol registration types (WAMR-compatible).
 * Written for Ember; names, types and behaviour follow WAMR's lib_export.h.
 */
#ifndef EMBER_LIB_EXPORT_H
#define EMBER_LIB_EXPORT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One native function offered to wasm imports.
 * signature: "(params)result" with i=i32 I=i64 f=f32 F=f64 r=externref,
 *   '*' pointer (app offset checked and converted to a native pointer; the
 *   length checked is the following '~' argument, or 1 byte),
 *   '~' byte length of the preceding '*', '$' NUL-terminated string.
 * A pointer that does not lie in linear memory traps before the native runs.
 * A NULL or empty signature (EXPORT_WASM_API, EXPORT_WASM_API2) means unchecked,
 *   as in WAMR: the native links to any import of that name and is called with
 *   the import's own wasm types (i32 -> int32_t, i64 -> int64_t, f32 -> float,
 *   f64 -> double); pointers arrive as app offsets, neither checked nor
 *   converted (use wasm_runtime_validate_app_addr / addr_app_to_native). */
typedef struct NativeSymbol {
    const char *symbol;
    void *func_ptr;
    const char *signature;
    /* returned by wasm_runtime_get_function_attachment() during the call */
    void *attachment;
} NativeSymbol;

#define EXPORT_WASM_API(symbol) \
    { #symbol, (void *)symbol, NULL, NULL }
#define EXPORT_WASM_API2(symbol) \
    { #symbol, (void *)symbol##_wrapper, NULL, NULL }
#define EXPORT_WASM_API_WITH_SIG(symbol, signature) \
    { #symbol, (void *)symbol, signature, NULL }
#define EXPORT_WASM_API_WITH_SIG2(symbol, signature) \
    { #symbol, (void *)symbol##_wrapper, signature, NULL }
#define EXPORT_WASM_API_WITH_ATT(symbol, signature, attachment) \
    { #symbol, (void *)symbol, signature, attachment }
#define EXPORT_WASM_API_WITH_ATT2(symbol, signature, attachment) \
    { #symbol, (void *)symbol##_wrapper, signature, attachment }

#ifdef __cplusplus
}
#endif

#endif /* EMBER_LIB_EXPORT_H */
