/*
 * Ember wasi-nn backend ABI.
 *
 * A backend is a shared library libwasi_nn_backend_<name>.so that links libvmcore.so dynamically
 * and exports one entry symbol, EMBER_NN_BACKEND_ENTRY_SYMBOL, returning a pointer to a static
 * ember_nn_backend table. libvmcore.so refuses a table whose abi_version differs from its own
 * EMBER_NN_BACKEND_ABI_VERSION, naming both versions.
 *
 * Ownership and lifetime:
 * - Tensors and builders point straight into guest linear memory (or into host memory for
 *   preloaded models) and are valid only for the duration of the call. Zero copy both ways:
 *   get_output writes into the caller's buffer.
 * - Graph and context handles are opaque backend pointers; libvmcore.so maps them to guest u32
 *   handles (never reused) and guarantees each is released exactly once (finalize/unload before
 *   destroy).
 * - Backends allocate through wasm_runtime_malloc/free (libvmcore.so), so pool mode bounds them
 *   (blocks are aligned to WASM_RUNTIME_MALLOC_ALIGN, wasm_export.h).
 * - Every function returns an ember_nn_error; a backend never aborts the process.
 * - Log records go to the runtime's logger through ember_nn_init_args.log, never to stderr.
 *
 * Version history: 1 (first); 2 adds option_keys, the init log sink, load_named (paths instead
 * of load_by_name), the streaming slots, and makes every function slot nullable.
 * - Calls for one graph/context are serialized by libvmcore.so; different graphs may be used
 *   from different threads.
 *
 * The Rust mirror of this header is nn/abi/src/sys.rs (crate ember-nn-abi, which also holds the
 * Rust backend SDK); nn/abi/tests/layout_matches_header.rs checks that both agree.
 */
#ifndef EMBER_WASI_NN_BACKEND_H
#define EMBER_WASI_NN_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMBER_NN_BACKEND_ABI_VERSION 2u
#define EMBER_NN_BACKEND_ENTRY_SYMBOL "ember_nn_backend_entry"

/* wasi-nn error codes (wasi_ephemeral_nn numbering). */
typedef enum {
    EMBER_NN_SUCCESS = 0,
    EMBER_NN_INVALID_ARGUMENT = 1,
    EMBER_NN_INVALID_ENCODING = 2,
    EMBER_NN_MISSING_MEMORY = 3,
    EMBER_NN_BUSY = 4,
    EMBER_NN_RUNTIME_ERROR = 5,
    EMBER_NN_UNSUPPORTED_OPERATION = 6,
    EMBER_NN_TOO_LARGE = 7,
    EMBER_NN_NOT_FOUND = 8,
    /* WasmEdge's LLM codes (streaming and context limits), passed to the guest unchanged. */
    EMBER_NN_END_OF_SEQUENCE = 100,
    EMBER_NN_CONTEXT_FULL = 101,
    EMBER_NN_PROMPT_TOO_LONG = 102,
    EMBER_NN_MODEL_NOT_FOUND = 103
} ember_nn_error;

/* Graph encodings (WAMR / WIT numbering). */
typedef enum {
    EMBER_NN_ENCODING_OPENVINO = 0,
    EMBER_NN_ENCODING_ONNX = 1,
    EMBER_NN_ENCODING_TENSORFLOW = 2,
    EMBER_NN_ENCODING_PYTORCH = 3,
    EMBER_NN_ENCODING_TENSORFLOWLITE = 4,
    EMBER_NN_ENCODING_GGML = 5,
    EMBER_NN_ENCODING_AUTODETECT = 6
} ember_nn_encoding;

typedef enum {
    EMBER_NN_TARGET_CPU = 0,
    EMBER_NN_TARGET_GPU = 1,
    EMBER_NN_TARGET_TPU = 2
} ember_nn_target;

/* Tensor element types (wasi_ephemeral_nn numbering; the runtime translates guest variants). */
typedef enum {
    EMBER_NN_TYPE_FP16 = 0,
    EMBER_NN_TYPE_FP32 = 1,
    EMBER_NN_TYPE_FP64 = 2,
    EMBER_NN_TYPE_U8 = 3,
    EMBER_NN_TYPE_I32 = 4,
    EMBER_NN_TYPE_I64 = 5
} ember_nn_tensor_type;

typedef struct {
    const uint8_t *data;
    size_t len;
} ember_nn_bytes;

/* A tensor handed to set_input. data_len was checked by the runtime to equal
 * product(dims) * element size of type. */
typedef struct {
    const uint32_t *dims;
    uint32_t dims_len;
    uint32_t type; /* ember_nn_tensor_type */
    const uint8_t *data;
    size_t data_len;
} ember_nn_tensor;

/* Log levels of ember_nn_host_log (the `log` crate's order; 0 = off). */
typedef enum {
    EMBER_NN_LOG_OFF = 0,
    EMBER_NN_LOG_ERROR = 1,
    EMBER_NN_LOG_WARN = 2,
    EMBER_NN_LOG_INFO = 3,
    EMBER_NN_LOG_DEBUG = 4,
    EMBER_NN_LOG_TRACE = 5
} ember_nn_log_level;

/* libvmcore.so's log sink: one record, `target` NUL-terminated (e.g. "wasi_nn_backend_tflite"),
 * `msg` of msg_len bytes (UTF-8, no NUL needed). The record goes through the runtime's logger,
 * so iwasm -v=N and RUST_LOG filter it like the runtime's own records. Thread-safe. */
typedef void (*ember_nn_host_log)(uint32_t level, const char *target, const uint8_t *msg,
                                  size_t msg_len);

/* Given to the backend at init. */
typedef struct {
    /* NUL-terminated "key=value" strings (e.g. "threads=2"), only keys the backend declared in
     * option_keys (libvmcore.so warns about the others and does not pass them); may be empty. */
    const char *const *options;
    uint32_t options_len;
    /* The most detailed level the runtime's logger lets through now (ember_nn_log_level):
     * records above it may be skipped without formatting them. */
    uint32_t log_level;
    /* Never NULL. */
    ember_nn_host_log log;
} ember_nn_init_args;

/* A named model (iwasm --nn-preload NAME:ENCODING:TARGET:PATH[,PATH]) handed over by path, so a
 * backend may open or mmap the files itself (multi-gigabyte weights are never copied). */
typedef struct {
    const char *name;            /* NUL-terminated */
    const char *const *paths;    /* NUL-terminated paths, one per builder (OpenVINO: xml, bin) */
    uint32_t paths_len;
    uint32_t encoding;           /* ember_nn_encoding, never AUTODETECT */
    uint32_t target;             /* ember_nn_target */
} ember_nn_named_model;

/*
 * The table. Every function slot may be NULL; libvmcore.so refuses a table without load,
 * init_execution_context, set_input, compute or get_output, and otherwise:
 *  - init NULL: the state is NULL;            destroy, unload, finalize NULL: nothing to release;
 *  - load_named NULL: libvmcore.so maps the named model's files and calls load with their bytes;
 *  - last_error NULL: errors carry only their code;
 *  - compute_single / get_output_single / fini_single NULL: unsupported_operation to the guest.
 */
typedef struct ember_nn_backend {
    uint32_t abi_version;  /* EMBER_NN_BACKEND_ABI_VERSION */
    const char *name;      /* "tflite", "armnn", ... */
    const uint32_t *encodings; /* ember_nn_encoding values served */
    uint32_t encodings_len;
    /* The init option keys the backend takes (NUL-terminated); a key ending in '.' takes every
     * key with that prefix ("delegate." takes "delegate.cache"). */
    const char *const *option_keys;
    uint32_t option_keys_len;

    /* Called once after loading; *state_out is passed to every other call. An
     * EMBER_NN_INVALID_ARGUMENT result means a bad option value: libvmcore.so then refuses the
     * model loudly instead of trying another backend. */
    ember_nn_error (*init)(const ember_nn_init_args *args, void **state_out);
    /* Called once before unloading; every graph and context was released before. */
    void (*destroy)(void *state);

    /* builders: the model (usually 1 builder; some encodings use 2, e.g. OpenVINO xml+bin). */
    ember_nn_error (*load)(void *state, const ember_nn_bytes *builders, uint32_t builders_len,
                           uint32_t encoding, uint32_t target, void **graph_out);
    /* A named model by path; config: the guest's load_by_name_with_config bytes (may be empty). */
    ember_nn_error (*load_named)(void *state, const ember_nn_named_model *model,
                                 const uint8_t *config, size_t config_len, void **graph_out);
    void (*unload)(void *state, void *graph);

    ember_nn_error (*init_execution_context)(void *state, void *graph, void **ctx_out);
    void (*finalize_execution_context)(void *state, void *ctx);

    ember_nn_error (*set_input)(void *state, void *ctx, uint32_t index, const ember_nn_tensor *tensor);
    ember_nn_error (*compute)(void *state, void *ctx);
    /* Copies output `index` into out[0..out_len). Always sets *needed to the output's size in
     * bytes; returns EMBER_NN_TOO_LARGE (and writes nothing) when out_len < *needed. */
    ember_nn_error (*get_output)(void *state, void *ctx, uint32_t index, uint8_t *out,
                                 size_t out_len, size_t *needed);
    /* Streaming (LLMs, WasmEdge's API): compute one step, read its output, end the stream. */
    ember_nn_error (*compute_single)(void *state, void *ctx);
    ember_nn_error (*get_output_single)(void *state, void *ctx, uint32_t index, uint8_t *out,
                                        size_t out_len, size_t *needed);
    ember_nn_error (*fini_single)(void *state, void *ctx);
    /* Human-readable detail of the last error on this thread (valid until the next call). */
    const char *(*last_error)(void *state);
} ember_nn_backend;

/* The entry symbol every backend exports. */
typedef const ember_nn_backend *(*ember_nn_backend_entry_fn)(void);
const ember_nn_backend *ember_nn_backend_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_WASI_NN_BACKEND_H */
