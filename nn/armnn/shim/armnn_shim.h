/*
 * The C face of Ember's ArmNN shim (armnn_shim.cpp). ArmNN 20.08 is C++ only; the Rust side of
 * libwasi_nn_backend_armnn.so (nn/armnn/src/shim.rs mirrors this header) calls these functions.
 *
 * Every function catches every C++ exception: nothing unwinds out of the shim. Functions that can
 * fail return 0 or an ember_nn_error code (nn/include/wasi_nn_backend.h) and write a NUL-terminated
 * message into err[0..err_len).
 */
#ifndef EMBER_ARMNN_SHIM_H
#define EMBER_ARMNN_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ember_armnn_rt ember_armnn_rt;   /* an armnn::IRuntime */
typedef struct ember_armnn_net ember_armnn_net; /* a network loaded into a runtime */

/* Element kinds of a network's input/output tensors. */
enum {
    EMBER_ARMNN_FLOAT32 = 0,
    EMBER_ARMNN_FLOAT16 = 1,
    EMBER_ARMNN_QASYMM_U8 = 2, /* uint8 with scale and offset (zero point) */
    EMBER_ARMNN_QASYMM_S8 = 3, /* int8 with scale and offset */
    EMBER_ARMNN_QSYMM_S8 = 4,  /* int8 with scale, offset 0 */
    EMBER_ARMNN_SIGNED32 = 5,
    EMBER_ARMNN_BOOLEAN = 6,
    EMBER_ARMNN_OTHER = 7
};

#define EMBER_ARMNN_MAX_DIMS 8

typedef struct {
    uint32_t kind;
    uint32_t num_dims;
    uint32_t dims[EMBER_ARMNN_MAX_DIMS];
    uint64_t num_elements;
    uint64_t num_bytes;
    float scale;
    int32_t offset;
} ember_armnn_tensor_desc;

/* backends_path: directory of dynamic backends (Arm_*_backend.so) or NULL/"" for ArmNN's
 * compiled-in default. */
uint32_t ember_armnn_rt_create(const char *backends_path, ember_armnn_rt **out, char *err, size_t err_len);
void ember_armnn_rt_destroy(ember_armnn_rt *rt);
/* Comma-separated ids of the backends this runtime can use ("CpuRef,CpuAcc"); returns the
 * length needed (without NUL); writes at most buf_len bytes including the NUL. */
size_t ember_armnn_rt_backends(const ember_armnn_rt *rt, char *buf, size_t buf_len);

/* Parses a TFLite flatbuffer, optimizes it for the comma-separated backend preference list and
 * loads it. Errors: EMBER_NN_INVALID_ARGUMENT (bytes that are not a model),
 * EMBER_NN_UNSUPPORTED_OPERATION (an operator or layer ArmNN cannot run), EMBER_NN_RUNTIME_ERROR. */
uint32_t ember_armnn_net_load(ember_armnn_rt *rt, const uint8_t *model, size_t model_len,
                              const char *backends, ember_armnn_net **out, char *err, size_t err_len);
void ember_armnn_net_unload(ember_armnn_net *net);

/* Tries ember_armnn_net_load (and, when run != 0, one inference on zeroed inputs) in a forked
 * child process, so that a model which makes ArmNN crash (some malformed models do: null options,
 * division by zero in shape arithmetic) or hang costs the child, not the host.
 * `backends` must not name a backend with worker threads (CpuAcc's thread pool does not survive
 * fork: the child would wait for workers it does not have); "CpuRef" is safe. An empty list
 * makes the child only parse the model. Returns 0 when the child finished
 * (whether ArmNN accepted the model or threw: the caller's own load reports that), or
 * EMBER_NN_INVALID_ARGUMENT with a message when the child died from a signal or exceeded
 * timeout_ms, or EMBER_NN_RUNTIME_ERROR when fork or waitpid failed (no verdict: the caller may
 * load without the probe). */
uint32_t ember_armnn_net_probe(ember_armnn_rt *rt, const uint8_t *model, size_t model_len,
                               const char *backends, int run, uint32_t timeout_ms, char *err, size_t err_len);
uint32_t ember_armnn_net_num_inputs(const ember_armnn_net *net);
uint32_t ember_armnn_net_num_outputs(const ember_armnn_net *net);
/* is_output 0: input `index`, 1: output `index`. */
uint32_t ember_armnn_net_tensor_desc(const ember_armnn_net *net, int is_output, uint32_t index,
                                     ember_armnn_tensor_desc *desc);
/* inputs[i] holds num_bytes of input i; outputs[i] has room for num_bytes of output i. */
uint32_t ember_armnn_net_run(ember_armnn_net *net, const void *const *inputs, void *const *outputs,
                             char *err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_ARMNN_SHIM_H */
