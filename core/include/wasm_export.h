/*
 * Ember libvmcore.so: the runtime C API.
 *
 * Written for Ember. Names, types and behaviour follow WAMR's wasm_export.h
 * where a function exists there, so code written against WAMR ports with a
 * recompile. Functions named ember_* are Ember extensions. What WAMR offers
 * and Ember does not, and why, is listed in core/src/capi/mod.rs ("Left out").
 *
 * Threading: the runtime may be used from several threads, but one module
 * instance (and its exec envs) from one thread at a time.
 */
#ifndef EMBER_WASM_EXPORT_H
#define EMBER_WASM_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "lib_export.h"

#ifndef WASM_RUNTIME_API_EXTERN
#define WASM_RUNTIME_API_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define get_module_inst(exec_env) wasm_runtime_get_module_inst(exec_env)
#define validate_app_addr(offset, size) \
    wasm_runtime_validate_app_addr(module_inst, offset, size)
#define validate_app_str_addr(offset) \
    wasm_runtime_validate_app_str_addr(module_inst, offset)
#define addr_app_to_native(offset) \
    wasm_runtime_addr_app_to_native(module_inst, offset)
#define addr_native_to_app(ptr) \
    wasm_runtime_addr_native_to_app(module_inst, ptr)
#define module_malloc(size, p_native_addr) \
    wasm_runtime_module_malloc(module_inst, size, p_native_addr)
#define module_free(offset) wasm_runtime_module_free(module_inst, offset)

/* Raw natives: void f(wasm_exec_env_t exec_env, uint64_t *args), one 64-bit
 * slot per argument; the result is written to args[0]. */
#define native_raw_return_type(type, args) type *raw_ret = (type *)(args)
#define native_raw_get_arg(type, name, args) type name = *((type *)(args++))
#define native_raw_set_return(val) *raw_ret = (val)

/* Opaque handles. */
struct WASMModuleCommon;
typedef struct WASMModuleCommon *wasm_module_t;
struct WASMModuleInstanceCommon;
typedef struct WASMModuleInstanceCommon *wasm_module_inst_t;
typedef void WASMFunctionInstanceCommon;
typedef WASMFunctionInstanceCommon *wasm_function_inst_t;
struct WASMExecEnv;
typedef struct WASMExecEnv *wasm_exec_env_t;

typedef enum {
    Wasm_Module_Bytecode = 0,
    Wasm_Module_AoT,
    Package_Type_Unknown = 0xFFFF
} package_type_t;

/* Memory modes. */
typedef enum {
    /* a caller-given buffer managed by a TLSF allocator (bounded-time
     * malloc/free); the runtime's own allocations come from it too */
    Alloc_With_Pool = 0,
    /* the caller's malloc_func(unsigned int) / free_func(void *);
     * realloc_func is accepted but unused (malloc+copy+free instead) */
    Alloc_With_Allocator,
    /* the C library's malloc */
    Alloc_With_System_Allocator,
} mem_alloc_type_t;

typedef union MemAllocOption {
    struct {
        void *heap_buf;
        uint32_t heap_size;
    } pool;
    struct {
        void *malloc_func;
        void *realloc_func;
        void *free_func;
        void *user_data; /* unused */
    } allocator;
} MemAllocOption;

/* Pool statistics (wasm_runtime_get_mem_alloc_info: pool mode only). */
typedef struct mem_alloc_info_t {
    uint32_t total_size;
    uint32_t total_free_size;
    uint32_t highmark_size;
} mem_alloc_info_t;

/* Ember: statistics of every mode (ember_runtime_get_mem_stats). */
typedef struct ember_mem_stats_t {
    uint32_t mode;              /* mem_alloc_type_t */
    uint64_t pool_size;         /* pool mode: buffer size, else 0 */
    uint64_t pool_free;         /* pool mode: free bytes, else 0 */
    uint64_t pool_largest_free; /* pool mode: largest free block, else 0 */
    uint64_t in_use;            /* bytes in use (runtime + wasm_runtime_malloc) */
    uint64_t peak;              /* highest in_use since the mode was set */
    uint64_t failed_allocs;     /* allocations that returned NULL */
    uint64_t allocs;            /* successful allocations */
} ember_mem_stats_t;

typedef enum RunningMode {
    Mode_Interp = 1,
    Mode_Fast_JIT,
    Mode_LLVM_JIT,
    Mode_Multi_Tier_JIT,
} RunningMode;

typedef struct RuntimeInitArgs {
    mem_alloc_type_t mem_alloc_type;
    MemAllocOption mem_alloc_option;
    /* natives registered at init (optional) */
    const char *native_module_name;
    NativeSymbol *native_symbols;
    uint32_t n_native_symbols;
    /* the fields below are accepted for source compatibility and ignored */
    uint32_t max_thread_num;
    char ip_addr[128];
    int unused;
    int instance_port;
    uint32_t fast_jit_code_cache_size;
    uint32_t gc_heap_size;
    RunningMode running_mode;
    uint32_t llvm_jit_opt_level;
    uint32_t llvm_jit_size_level;
    uint32_t segue_flags;
    bool enable_linux_perf;
} RuntimeInitArgs;

typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum {
    WASM_I32,
    WASM_I64,
    WASM_F32,
    WASM_F64,
    WASM_V128,
    WASM_EXTERNREF = 128,
    WASM_FUNCREF,
};

struct wasm_ref_t;
typedef struct wasm_val_t {
    wasm_valkind_t kind;
    uint8_t _paddings[7];
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        uintptr_t foreign;
        struct wasm_ref_t *ref;
    } of;
} wasm_val_t;

typedef enum {
    WASM_LOG_LEVEL_FATAL = 0,
    WASM_LOG_LEVEL_ERROR = 1,
    WASM_LOG_LEVEL_WARNING = 2,
    WASM_LOG_LEVEL_DEBUG = 3,
    WASM_LOG_LEVEL_VERBOSE = 4
} log_level_t;

/* ---- Runtime ---- */

/* Init with the system allocator. Inits are counted: each needs a destroy. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_init(void);
/* Init with a memory mode (and optional natives). Only the first init of a
 * process (or after the matching destroy) sets the mode. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_full_init(RuntimeInitArgs *init_args);
/* Last destroy: unload native libraries, unregister natives, retire the
 * pool (later frees into it are ignored), back to the system allocator. */
WASM_RUNTIME_API_EXTERN void wasm_runtime_destroy(void);
/* Log level: 0-1 error, 2 warning, 3 info, 4 debug, 5 trace. RUST_LOG, when
 * set, takes precedence. Installs the logger on first use. */
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_log_level(log_level_t level);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_running_mode_supported(RunningMode running_mode);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_set_default_running_mode(RunningMode running_mode);
WASM_RUNTIME_API_EXTERN void wasm_runtime_get_version(uint32_t *major, uint32_t *minor, uint32_t *patch);

/* ---- Runtime memory (the active memory mode) ---- */

/* Every block of wasm_runtime_malloc/realloc is aligned to this many bytes, in every memory
 * mode (max_align_t of the ABIs Ember runs on; the wasi-nn backend SDK relies on it). */
#define WASM_RUNTIME_MALLOC_ALIGN 16

/* NULL when the mode has no memory left (counted in failed_allocs). */
WASM_RUNTIME_API_EXTERN void *wasm_runtime_malloc(unsigned int size);
WASM_RUNTIME_API_EXTERN void *wasm_runtime_realloc(void *ptr, unsigned int size);
/* Returns a block to the mode it came from, whatever the current mode. */
WASM_RUNTIME_API_EXTERN void wasm_runtime_free(void *ptr);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_get_mem_alloc_info(mem_alloc_info_t *mem_alloc_info);

/* ---- Modules ---- */

WASM_RUNTIME_API_EXTERN package_type_t get_package_type(const uint8_t *buf, uint32_t size);
WASM_RUNTIME_API_EXTERN package_type_t wasm_runtime_get_file_package_type(const uint8_t *buf, uint32_t size);
/* Validates the module. Ember copies what it needs: buf may be freed after
 * this call returns. */
WASM_RUNTIME_API_EXTERN wasm_module_t wasm_runtime_load(uint8_t *buf, uint32_t size, char *error_buf, uint32_t error_buf_size);
WASM_RUNTIME_API_EXTERN void wasm_runtime_unload(wasm_module_t module);
/* Ember loads WebAssembly binaries (version 1) into its interpreter: no AoT, no XIP. */
WASM_RUNTIME_API_EXTERN package_type_t wasm_runtime_get_module_package_type(const wasm_module_t module);
WASM_RUNTIME_API_EXTERN uint32_t wasm_runtime_get_file_package_version(const uint8_t *buf, uint32_t size);
WASM_RUNTIME_API_EXTERN uint32_t wasm_runtime_get_module_package_version(const wasm_module_t module);
WASM_RUNTIME_API_EXTERN uint32_t wasm_runtime_get_current_package_version(package_type_t package_type);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_xip_file(const uint8_t *buf, uint32_t size);
/* Always true for a loaded module (see wasm_runtime_load). */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_underlying_binary_freeable(const wasm_module_t module);

/* ---- Instances ---- */

/* default_stack_size: operand stack in bytes (8 bytes per slot; at least
 * 128 KiB is used). host_managed_heap_size: app heap for module_malloc when
 * the module exports no malloc/free (created on first use). A function
 * import that no native, WASI or wasi-nn function provides fails here with
 * "cannot link import MODULE.FIELD". */
WASM_RUNTIME_API_EXTERN wasm_module_inst_t
wasm_runtime_instantiate(const wasm_module_t module, uint32_t default_stack_size,
                         uint32_t host_managed_heap_size, char *error_buf, uint32_t error_buf_size);
WASM_RUNTIME_API_EXTERN void wasm_runtime_deinstantiate(wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN wasm_module_t wasm_runtime_get_module(wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_wasi_mode(wasm_module_inst_t module_inst);
/* proc_exit's status, or main's return value (0 when none). */
WASM_RUNTIME_API_EXTERN uint32_t wasm_runtime_get_wasi_exit_code(wasm_module_inst_t module_inst);
/* Only Mode_Interp. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_set_running_mode(wasm_module_inst_t module_inst, RunningMode running_mode);
WASM_RUNTIME_API_EXTERN RunningMode wasm_runtime_get_running_mode(wasm_module_inst_t module_inst);
/* Bounds checks are always on: set is ignored. */
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_bounds_checks(wasm_module_inst_t module_inst, bool enable);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_bounds_checks_enabled(wasm_module_inst_t module_inst);
/* Grow memory 0 as memory.grow would; false when it cannot. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_enlarge_memory(wasm_module_inst_t module_inst, uint64_t inc_page_count);

/* "Exception: <message>" or NULL; valid until the exception changes. */
WASM_RUNTIME_API_EXTERN const char *wasm_runtime_get_exception(wasm_module_inst_t module_inst);
/* From a native function: the guest traps with this message when it returns. */
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_exception(wasm_module_inst_t module_inst, const char *exception);
WASM_RUNTIME_API_EXTERN void wasm_runtime_clear_exception(wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_custom_data(wasm_module_inst_t module_inst, void *custom_data);
WASM_RUNTIME_API_EXTERN void *wasm_runtime_get_custom_data(wasm_module_inst_t module_inst);

/* Context keys: per-instance slots; dtor runs at deinstantiate for non-NULL values. */
WASM_RUNTIME_API_EXTERN void *wasm_runtime_create_context_key(void (*dtor)(wasm_module_inst_t inst, void *ctx));
WASM_RUNTIME_API_EXTERN void wasm_runtime_destroy_context_key(void *key);
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_context(wasm_module_inst_t inst, void *key, void *ctx);
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_context_spread(wasm_module_inst_t inst, void *key, void *ctx);
WASM_RUNTIME_API_EXTERN void *wasm_runtime_get_context(wasm_module_inst_t inst, void *key);

/* ---- Functions and calls ---- */

WASM_RUNTIME_API_EXTERN wasm_function_inst_t wasm_runtime_lookup_function(const wasm_module_inst_t module_inst, const char *name);
WASM_RUNTIME_API_EXTERN uint32_t wasm_func_get_param_count(const wasm_function_inst_t func_inst, const wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN uint32_t wasm_func_get_result_count(const wasm_function_inst_t func_inst, const wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN void wasm_func_get_param_types(const wasm_function_inst_t func_inst, const wasm_module_inst_t module_inst, wasm_valkind_t *param_types);
WASM_RUNTIME_API_EXTERN void wasm_func_get_result_types(const wasm_function_inst_t func_inst, const wasm_module_inst_t module_inst, wasm_valkind_t *result_types);

/* stack_size is recorded; the operand-stack bound is the instance's. */
WASM_RUNTIME_API_EXTERN wasm_exec_env_t wasm_runtime_create_exec_env(wasm_module_inst_t module_inst, uint32_t stack_size);
WASM_RUNTIME_API_EXTERN void wasm_runtime_destroy_exec_env(wasm_exec_env_t exec_env);
WASM_RUNTIME_API_EXTERN wasm_exec_env_t wasm_runtime_get_exec_env_singleton(wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN wasm_module_inst_t wasm_runtime_get_module_inst(wasm_exec_env_t exec_env);
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_module_inst(wasm_exec_env_t exec_env, const wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN void *wasm_runtime_get_function_attachment(wasm_exec_env_t exec_env);
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_user_data(wasm_exec_env_t exec_env, void *user_data);
WASM_RUNTIME_API_EXTERN void *wasm_runtime_get_user_data(wasm_exec_env_t exec_env);

/* argv cells: i32/f32 one uint32_t, i64/f64 two (low first); results are
 * written back from argv[0]. False on a trap (see get_exception). */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_call_wasm(wasm_exec_env_t exec_env, wasm_function_inst_t function, uint32_t argc, uint32_t argv[]);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_call_wasm_a(wasm_exec_env_t exec_env, wasm_function_inst_t function,
                                                      uint32_t num_results, wasm_val_t results[],
                                                      uint32_t num_args, wasm_val_t *args);
/* Call element element_index of table 0 (a function pointer the guest passed to a
 * native), with call_wasm's argv convention. False with the exception "undefined element"
 * or "uninitialized element" when there is no function there. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_call_indirect(wasm_exec_env_t exec_env, uint32_t element_index,
                                                        uint32_t argc, uint32_t argv[]);
/* _start, else main(argc, argv) with argv copied into linear memory. */
WASM_RUNTIME_API_EXTERN bool wasm_application_execute_main(wasm_module_inst_t module_inst, int32_t argc, char *argv[]);
/* Parses argv by the parameter types and prints results as "0x2a:i32". */
WASM_RUNTIME_API_EXTERN bool wasm_application_execute_func(wasm_module_inst_t module_inst, const char *name, int32_t argc, char *argv[]);

/* ---- Linear memory, for native code ---- */

/* The validate functions set the exception "out of bounds memory access"
 * when they fail (so the guest traps when the native returns). */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_validate_app_addr(wasm_module_inst_t module_inst, uint64_t app_offset, uint64_t size);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_validate_app_str_addr(wasm_module_inst_t module_inst, uint64_t app_str_offset);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_validate_native_addr(wasm_module_inst_t module_inst, void *native_ptr, uint64_t size);
/* Native pointers are valid until linear memory grows. */
WASM_RUNTIME_API_EXTERN void *wasm_runtime_addr_app_to_native(wasm_module_inst_t module_inst, uint64_t app_offset);
WASM_RUNTIME_API_EXTERN uint64_t wasm_runtime_addr_native_to_app(wasm_module_inst_t module_inst, void *native_ptr);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_get_app_addr_range(wasm_module_inst_t module_inst, uint64_t app_offset,
                                                             uint64_t *p_app_start_offset, uint64_t *p_app_end_offset);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_get_native_addr_range(wasm_module_inst_t module_inst, uint8_t *native_ptr,
                                                                uint8_t **p_native_start_addr, uint8_t **p_native_end_addr);
/* The module's exported malloc/free if it has both, else the host-managed
 * app heap; 0 with exception "app heap out of memory" on failure. */
WASM_RUNTIME_API_EXTERN uint64_t wasm_runtime_module_malloc(wasm_module_inst_t module_inst, uint64_t size, void **p_native_addr);
WASM_RUNTIME_API_EXTERN void wasm_runtime_module_free(wasm_module_inst_t module_inst, uint64_t ptr);
WASM_RUNTIME_API_EXTERN uint64_t wasm_runtime_module_dup_data(wasm_module_inst_t module_inst, const char *src, uint64_t size);

/* ---- Natives ---- */

/* The array must stay valid while registered. Newer registrations win. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_register_natives(const char *module_name, NativeSymbol *native_symbols, uint32_t n_native_symbols);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_register_natives_raw(const char *module_name, NativeSymbol *native_symbols, uint32_t n_native_symbols);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_unregister_natives(const char *module_name, NativeSymbol *native_symbols);
/* Would an import be linked now (registered natives, WASI, wasi-nn, libc-builtin)?
 * The host provides no globals. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_import_func_linked(const char *module_name, const char *func_name);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_import_global_linked(const char *module_name, const char *global_name);

/* ---- Threads ---- */

/* Any thread may call the runtime without set-up, and no operation needs wrapping for
 * asynchronous termination (as WAMR without its thread manager): these are no-ops. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_init_thread_env(void);
WASM_RUNTIME_API_EXTERN void wasm_runtime_destroy_thread_env(void);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_thread_env_inited(void);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_begin_blocking_op(wasm_exec_env_t exec_env);
WASM_RUNTIME_API_EXTERN void wasm_runtime_end_blocking_op(wasm_exec_env_t exec_env);

/* ---- WASI (implemented in core/src/wasi/) ---- */

WASM_RUNTIME_API_EXTERN void wasm_runtime_set_wasi_args(wasm_module_t module, const char *dir_list[], uint32_t dir_count,
                                                        const char *map_dir_list[], uint32_t map_dir_count,
                                                        const char *env[], uint32_t env_count, char *argv[], int argc);
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_wasi_args_ex(wasm_module_t module, const char *dir_list[], uint32_t dir_count,
                                                           const char *map_dir_list[], uint32_t map_dir_count,
                                                           const char *env[], uint32_t env_count, char *argv[], int argc,
                                                           int64_t stdinfd, int64_t stdoutfd, int64_t stderrfd);
/* The "_start" export of a WASI-mode instance (type () -> ()), else NULL. */
WASM_RUNTIME_API_EXTERN wasm_function_inst_t wasm_runtime_lookup_wasi_start_function(wasm_module_inst_t module_inst);

/* ---- Ember extensions ---- */

WASM_RUNTIME_API_EXTERN bool ember_runtime_get_mem_stats(ember_mem_stats_t *stats);
/* Load a native library (WAMR --native-lib protocol: get_native_lib, optional
 * init_native_lib/deinit_native_lib) and register its symbols until destroy. */
WASM_RUNTIME_API_EXTERN bool ember_runtime_load_native_lib(const char *path, char *error_buf, uint32_t error_buf_size);
/* Instruction budget of instances created afterwards; 0 = unlimited. */
WASM_RUNTIME_API_EXTERN void ember_runtime_set_default_fuel(uint64_t fuel);
/* "Ember X.Y.Z (interpreter)" */
WASM_RUNTIME_API_EXTERN const char *ember_runtime_version_string(void);
/* iwasm's whole command line (WAMR-compatible options, see `iwasm --help`): runs
 * argv[1..argc) and returns the exit status (the app's, 1 on a trap or error, 2 on a
 * usage error). bin/iwasm's main() is only this call. */
WASM_RUNTIME_API_EXTERN int ember_iwasm_main(int argc, const char *const argv[]);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_WASM_EXPORT_H */
