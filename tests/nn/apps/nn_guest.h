/*
 * Guest-side declarations of both wasi-nn import modules, as wasm apps built with
 * clang --target=wasm32-wasi see them (layouts: shared/reference/wasi-nn.md).
 */
#ifndef EMBER_TEST_NN_GUEST_H
#define EMBER_TEST_NN_GUEST_H

#include <stdint.h>

enum { NN_SUCCESS = 0, NN_INVALID_ARGUMENT = 1, NN_INVALID_ENCODING = 2, NN_MISSING_MEMORY = 3,
       NN_BUSY = 4, NN_RUNTIME_ERROR = 5, NN_UNSUPPORTED_OPERATION = 6, NN_TOO_LARGE = 7,
       NN_NOT_FOUND = 8 };
enum { ENC_OPENVINO = 0, ENC_ONNX = 1, ENC_TENSORFLOW = 2, ENC_PYTORCH = 3, ENC_TFLITE = 4,
       ENC_GGML = 5, ENC_AUTODETECT = 6 };
enum { TARGET_CPU = 0, TARGET_GPU = 1, TARGET_TPU = 2 };
/* Ephemeral tensor types. */
enum { EPH_FP16 = 0, EPH_FP32 = 1, EPH_FP64 = 2, EPH_U8 = 3, EPH_I32 = 4, EPH_I64 = 5 };
/* Legacy tensor types. */
enum { LEG_FP16 = 0, LEG_FP32 = 1, LEG_U8 = 2, LEG_I32 = 3 };

typedef struct {
    const uint8_t *buf;
    uint32_t size;
} nn_builder; /* 8 bytes */

typedef struct {
    const uint32_t *dims;
    uint32_t dims_len;
    uint8_t type;
    uint8_t pad[3]; /* guests leave garbage here */
    const uint8_t *data;
    uint32_t data_len;
} eph_tensor; /* 20 bytes */

typedef struct {
    const uint32_t *buf;
    uint32_t size;
} leg_dims;

typedef struct {
    const nn_builder *buf;
    uint32_t size;
} leg_builder_array;

typedef struct {
    const leg_dims *dims;
    uint8_t type;
    uint8_t pad[3];
    const uint8_t *data;
} leg_tensor; /* 12 bytes */

_Static_assert(sizeof(eph_tensor) == 20, "ephemeral tensor is 20 bytes");
_Static_assert(sizeof(leg_tensor) == 12, "legacy tensor is 12 bytes");

#define EPH(n) __attribute__((import_module("wasi_ephemeral_nn"), import_name(#n)))
#define LEG(n) __attribute__((import_module("wasi_nn"), import_name(#n)))

EPH(load) int32_t eph_load(const nn_builder *builders, uint32_t n, uint32_t enc, uint32_t target, uint32_t *graph);
EPH(load_by_name) int32_t eph_load_by_name(const char *name, uint32_t len, uint32_t *graph);
EPH(load_by_name_with_config) int32_t eph_load_by_name_with_config(const char *name, uint32_t len, const char *config,
                                                                   uint32_t config_len, uint32_t *graph);
EPH(init_execution_context) int32_t eph_init_execution_context(uint32_t graph, uint32_t *ctx);
EPH(set_input) int32_t eph_set_input(uint32_t ctx, uint32_t index, const eph_tensor *t);
EPH(compute) int32_t eph_compute(uint32_t ctx);
EPH(get_output) int32_t eph_get_output(uint32_t ctx, uint32_t index, uint8_t *out, uint32_t out_max,
                                       uint32_t *bytes_written);
EPH(unload) int32_t eph_unload(uint32_t graph);
EPH(finalize_execution_context) int32_t eph_finalize_execution_context(uint32_t ctx);

LEG(load) int32_t leg_load(const leg_builder_array *builders, uint32_t enc, uint32_t target, uint32_t *graph);
LEG(load_by_name) int32_t leg_load_by_name(const char *name, uint32_t len, uint32_t *graph);
LEG(init_execution_context) int32_t leg_init_execution_context(uint32_t graph, uint32_t *ctx);
LEG(set_input) int32_t leg_set_input(uint32_t ctx, uint32_t index, const leg_tensor *t);
LEG(compute) int32_t leg_compute(uint32_t ctx);
LEG(get_output) int32_t leg_get_output(uint32_t ctx, uint32_t index, uint8_t *out, uint32_t *inout_size);

#endif
