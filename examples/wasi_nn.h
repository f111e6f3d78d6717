/* The wasi_ephemeral_nn imports (the current witx ABI) as a wasm32 C guest sees them.
 * Layouts and numbering: shared/reference/wasi-nn.md. */
#ifndef EMBER_EXAMPLES_WASI_NN_H
#define EMBER_EXAMPLES_WASI_NN_H
#include <stdint.h>

typedef uint32_t nn_error;  /* 0 success, 1 invalid_argument, ... 8 not_found; 100.. WasmEdge's */
typedef uint32_t nn_graph;
typedef uint32_t nn_ctx;

enum { NN_ENCODING_OPENVINO = 0, NN_ENCODING_ONNX = 1, NN_ENCODING_TFLITE = 4, NN_ENCODING_GGML = 5,
       NN_ENCODING_AUTODETECT = 6 };
enum { NN_TARGET_CPU = 0, NN_TARGET_GPU = 1, NN_TARGET_TPU = 2 };
enum { NN_TYPE_FP16 = 0, NN_TYPE_FP32 = 1, NN_TYPE_FP64 = 2, NN_TYPE_U8 = 3, NN_TYPE_I32 = 4,
       NN_TYPE_I64 = 5 };

typedef struct {
    const uint8_t *data;
    uint32_t len;
} nn_builder;

/* 20 bytes: dims_ptr, dims_len, type (one byte + 3 padding), data_ptr, data_len. */
typedef struct {
    const uint32_t *dims;
    uint32_t dims_len;
    uint8_t type;
    uint8_t pad[3];
    const uint8_t *data;
    uint32_t data_len;
} nn_tensor;

#define NN_IMPORT(name) __attribute__((import_module("wasi_ephemeral_nn"), import_name(name)))

NN_IMPORT("load")
nn_error nn_load(const nn_builder *builders, uint32_t n, uint32_t encoding, uint32_t target, nn_graph *out);
NN_IMPORT("load_by_name")
nn_error nn_load_by_name(const char *name, uint32_t name_len, nn_graph *out);
NN_IMPORT("load_by_name_with_config")
nn_error nn_load_by_name_with_config(const char *name, uint32_t name_len, const char *config, uint32_t config_len,
                                     nn_graph *out);
NN_IMPORT("init_execution_context")
nn_error nn_init_execution_context(nn_graph g, nn_ctx *out);
NN_IMPORT("set_input")
nn_error nn_set_input(nn_ctx c, uint32_t index, const nn_tensor *t);
NN_IMPORT("compute")
nn_error nn_compute(nn_ctx c);
NN_IMPORT("get_output")
nn_error nn_get_output(nn_ctx c, uint32_t index, uint8_t *out, uint32_t out_max, uint32_t *written);

#endif
