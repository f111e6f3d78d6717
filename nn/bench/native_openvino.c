/* The native side of the OpenVINO overhead benchmark (nn/bench/backends.sh): BlazeFace run N times
 * on OpenVINO's C API called directly (no wasm, no Ember), with the settings of Ember's openvino
 * backend (nn/openvino/src): one ov_core, the IR read from memory (the .xml text, the .bin bytes
 * as a u8 host tensor, as the backend does for a model given as two builders), compiled for
 * "CPU" with the one property INFERENCE_PRECISION_HINT=f32 (everything else OpenVINO's default:
 * threads, performance hint), one infer request. threads=K adds INFERENCE_NUM_THREADS=K, as the
 * backend's option threads=K does (iwasm --wasi-nn-backend-opt=openvino:threads=K).
 *
 *   native_openvino MODEL.xml MODEL.bin N [threads=K] [input=FILE] [mirror]
 *
 * Per inference: the input copied into the buffer that the request's input tensor wraps (a
 * host-pointer tensor set once), then ov_infer_request_infer; the outputs are copied out once at
 * the end, as the wasm app (face_detect REPEAT) calls get_output only after its loop. With
 * "mirror", each inference does what the backend's set_input does instead: the input copied into
 * a newly allocated buffer (malloc: 16-byte aligned, a different address each time), a new
 * host-pointer tensor over it set on the request, the tensor handle and the previous buffer
 * freed; to see what that way costs against the plain one.
 * The input, 1x128x128x3 f32, is FILE's raw f32 values (e.g. the wasm app's preprocessed picture,
 * nn/bench/face_input.py), else x[k] = sin(0.37 k). Prints "seconds_per_inference S
 * cpu_seconds_per_inference C" (wall and process CPU) to stderr.
 * Build: gcc -O2 -I $CACHE/engines/openvino/include native_openvino.c -L $OV -lopenvino_c
 *        -Wl,-rpath,$OV -lm   (OV = $CACHE/engines/openvino/x86_64) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "openvino/c/openvino.h"

#define IN_COUNT (128 * 128 * 3)
static float source[IN_COUNT], input[IN_COUNT] __attribute__((aligned(64)));
static float reg[896 * 16], cls[896];

static double clock_of(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void check(ov_status_e s, const char *what) {
    if (s != OK) {
        fprintf(stderr, "native_openvino: %s failed (%d): %s\n", what, (int)s, ov_get_last_err_msg());
        exit(1);
    }
}

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(n ? n : 1);
    if (!p || fread(p, 1, n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", path); exit(1); }
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void copy_output(ov_infer_request_t *req, size_t index, void *dst, size_t cap) {
    ov_tensor_t *t = NULL;
    size_t size = 0;
    void *data = NULL;
    check(ov_infer_request_get_output_tensor_by_index(req, index, &t), "get_output_tensor");
    check(ov_tensor_get_byte_size(t, &size), "byte size");
    check(ov_tensor_data(t, &data), "tensor data");
    if (size != cap) { fprintf(stderr, "native_openvino: output %zu has %zu bytes, expected %zu\n", index, size, cap); exit(1); }
    memcpy(dst, data, size);
    ov_tensor_free(t);
}

static ov_tensor_t *host_tensor(float *data) {
    static const int64_t dims[4] = {1, 128, 128, 3};
    ov_shape_t shape;
    ov_tensor_t *t = NULL;
    check(ov_shape_create(4, dims, &shape), "shape");
    check(ov_tensor_create_from_host_ptr(F32, shape, data, &t), "input tensor");
    ov_shape_free(&shape);
    return t;
}

int main(int argc, char **argv) {
    int n = argc >= 4 ? atoi(argv[3]) : 0, mirror = 0;
    const char *threads = NULL, *input_file = NULL;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "mirror")) mirror = 1;
        else if (!strncmp(argv[i], "threads=", 8)) threads = argv[i] + 8;
        else if (!strncmp(argv[i], "input=", 6)) input_file = argv[i] + 6;
        else n = 0;
    }
    if (n < 1) {
        fprintf(stderr, "usage: native_openvino MODEL.xml MODEL.bin N [threads=K] [input=FILE] [mirror]\n");
        return 2;
    }
    size_t xml_len, bin_len;
    unsigned char *xml = read_all(argv[1], &xml_len), *bin = read_all(argv[2], &bin_len);
    if (input_file) {
        size_t len;
        unsigned char *raw = read_all(input_file, &len);
        if (len != sizeof source) { fprintf(stderr, "%s: %zu bytes, the input needs %zu\n", input_file, len, sizeof source); return 1; }
        memcpy(source, raw, len); /* little-endian host */
        free(raw);
    } else {
        for (int k = 0; k < IN_COUNT; k++) source[k] = sinf(0.37f * k);
    }

    ov_core_t *core = NULL;
    ov_model_t *model = NULL;
    ov_compiled_model_t *compiled = NULL;
    ov_infer_request_t *req = NULL;
    ov_tensor_t *weights = NULL;
    check(ov_core_create(&core), "ov_core_create");
    int64_t wdim = (int64_t)bin_len;
    ov_shape_t wshape;
    check(ov_shape_create(1, &wdim, &wshape), "weights shape");
    check(ov_tensor_create_from_host_ptr(U8, wshape, bin, &weights), "weights tensor");
    ov_shape_free(&wshape);
    check(ov_core_read_model_from_memory_buffer(core, (const char *)xml, xml_len, weights, &model), "read_model");
    ov_property_t props[2] = {{"INFERENCE_PRECISION_HINT", "f32"}, {"INFERENCE_NUM_THREADS", threads}};
    check(ov_core_compile_model_props(core, model, "CPU", threads ? 2 : 1, props, &compiled), "compile_model");
    check(ov_compiled_model_create_infer_request(compiled, &req), "infer request");
    ov_tensor_t *in = host_tensor(input);
    check(ov_infer_request_set_input_tensor_by_index(req, 0, in), "set_input_tensor");
    float *previous = NULL;

    double t0 = clock_of(CLOCK_MONOTONIC), c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
    for (int r = 0; r < n; r++) {
        if (mirror) {
            float *buf = malloc(sizeof input);
            if (!buf) return 1;
            memcpy(buf, source, sizeof input);
            ov_tensor_t *t = host_tensor(buf);
            check(ov_infer_request_set_input_tensor_by_index(req, 0, t), "set_input_tensor");
            ov_tensor_free(t);
            free(previous);
            previous = buf;
        } else {
            memcpy(input, source, sizeof input);
        }
        check(ov_infer_request_infer(req), "infer");
    }
    double t1 = clock_of(CLOCK_MONOTONIC), c1 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
    copy_output(req, 0, reg, sizeof reg);
    copy_output(req, 1, cls, sizeof cls);
    double sum = 0;
    for (int i = 0; i < 896; i++) sum += cls[i];
    fprintf(stderr, "native_openvino: classificators sum %.6f\n", sum);
    fprintf(stderr, "seconds_per_inference %.9f cpu_seconds_per_inference %.9f\n", (t1 - t0) / n, (c1 - c0) / n);
    ov_tensor_free(in);
    ov_infer_request_free(req);
    free(previous);
    ov_compiled_model_free(compiled);
    ov_model_free(model);
    ov_tensor_free(weights);
    ov_core_free(core);
    return 0;
}
