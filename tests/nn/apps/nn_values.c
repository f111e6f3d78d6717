/*
 * WAMR's wasi-nn test set (sum, max, average, mult_dimensions, mult_outputs, quantized) plus
 * Ember's conv_net, autodetect and named-model checks, through one ABI:
 *   built without -DLEGACY_ABI: module wasi_ephemeral_nn;  with -DLEGACY_ABI: module wasi_nn.
 * Usage: nn_values.wasm MODEL_DIR [NAMED_MODEL]
 *   MODEL_DIR (guest path) holds the .tflite files and conv_net.expected;
 *   NAMED_MODEL, if given, is a name preloaded with --nn-preload NAME:tflite:cpu:.../sum.tflite.
 * TARGET (environment: cpu, gpu, tpu) picks the execution target. Prints "Tests: passed!" and
 * exits 0 only if every value matches.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_guest.h"

#define MAX_OUT 64
static int failures;
static uint32_t target = TARGET_CPU;
static const char *model_dir;

#ifdef LEGACY_ABI
#define ABI_NAME "wasi_nn (legacy)"
#else
#define ABI_NAME "wasi_ephemeral_nn"
#endif

static uint8_t *read_file(const char *name, uint32_t *size) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", model_dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        printf("cannot read %s\n", path);
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *size = (uint32_t)n;
    return buf;
}

static int32_t load_model(const uint8_t *bytes, uint32_t size, uint32_t enc, uint32_t *graph) {
    nn_builder b = {bytes, size};
#ifdef LEGACY_ABI
    leg_builder_array arr = {&b, 1};
    return leg_load(&arr, enc, target, graph);
#else
    return eph_load(&b, 1, enc, target, graph);
#endif
}

static int32_t set_input_f32(uint32_t ctx, const uint32_t *dims, uint32_t ndims, const float *data, uint32_t n) {
#ifdef LEGACY_ABI
    leg_dims d = {dims, ndims};
    leg_tensor t = {&d, LEG_FP32, {0xde, 0xad, 0xbe}, (const uint8_t *)data};
    (void)n;
    return leg_set_input(ctx, 0, &t);
#else
    eph_tensor t = {dims, ndims, EPH_FP32, {0xde, 0xad, 0xbe}, (const uint8_t *)data, n * 4};
    return eph_set_input(ctx, 0, &t);
#endif
}

/* Output `index` as floats; returns the element count or -1. */
static int get_output_f32(uint32_t ctx, uint32_t index, float *out, uint32_t max_elems) {
#ifdef LEGACY_ABI
    uint32_t inout = max_elems; /* legacy: capacity and result in fp32 elements */
    int32_t rc = leg_get_output(ctx, index, (uint8_t *)out, &inout);
    if (rc != NN_SUCCESS) {
        printf("get_output(%u): error %d\n", index, rc);
        return -1;
    }
    return (int)inout;
#else
    uint32_t written = 0;
    int32_t rc = eph_get_output(ctx, index, (uint8_t *)out, max_elems * 4, &written);
    if (rc != NN_SUCCESS || written % 4 != 0) {
        printf("get_output(%u): error %d (%u bytes)\n", index, rc, written);
        return -1;
    }
    return (int)(written / 4);
#endif
}

/* Load `graph` already done; run one inference on input 0,1,2,... and fetch n_outputs. */
static int run_graph(uint32_t graph, const uint32_t *dims, uint32_t ndims, const float *input,
                     uint32_t n_in, float out[][MAX_OUT], int *n_out, uint32_t n_outputs) {
    uint32_t ctx;
    int32_t rc = 
#ifdef LEGACY_ABI
        leg_init_execution_context(graph, &ctx);
#else
        eph_init_execution_context(graph, &ctx);
#endif
    if (rc != NN_SUCCESS) {
        printf("init_execution_context: error %d\n", rc);
        return -1;
    }
    rc = set_input_f32(ctx, dims, ndims, input, n_in);
    if (rc != NN_SUCCESS) {
        printf("set_input: error %d\n", rc);
        return -1;
    }
#ifdef LEGACY_ABI
    rc = leg_compute(ctx);
#else
    rc = eph_compute(ctx);
#endif
    if (rc != NN_SUCCESS) {
        printf("compute: error %d\n", rc);
        return -1;
    }
    for (uint32_t i = 0; i < n_outputs; i++) {
        n_out[i] = get_output_f32(ctx, i, out[i], MAX_OUT);
        if (n_out[i] < 0) return -1;
    }
    return 0;
}

static int run_file(const char *file, uint32_t enc, const uint32_t *dims, uint32_t ndims, const float *input,
                    uint32_t n_in, float out[][MAX_OUT], int *n_out, uint32_t n_outputs) {
    uint32_t size, graph;
    uint8_t *bytes = read_file(file, &size);
    if (!bytes) return -1;
    int32_t rc = load_model(bytes, size, enc, &graph);
    free(bytes); /* the runtime must not keep pointers into guest memory after load */
    if (rc != NN_SUCCESS) {
        printf("load %s: error %d\n", file, rc);
        return -1;
    }
    return run_graph(graph, dims, ndims, input, n_in, out, n_out, n_outputs);
}

static void expect(const char *test, const float *got, int n_got, const float *want, int n_want, float eps) {
    int ok = n_got == n_want;
    for (int i = 0; ok && i < n_want; i++)
        if (!(fabsf(got[i] - want[i]) <= eps)) ok = 0;
    printf("%-24s %s:", test, ok ? "ok  " : "FAIL");
    for (int i = 0; i < n_got && i < 9; i++) printf(" %g", got[i]);
    if (!ok) {
        printf("   (want");
        for (int i = 0; i < n_want; i++) printf(" %g", want[i]);
        printf(")");
        failures++;
    }
    printf("\n");
}

static void iota(float *x, int n) {
    for (int i = 0; i < n; i++) x[i] = (float)i;
}

static void fail(const char *test) {
    printf("%-24s FAIL\n", test);
    failures++;
}

/* SKIP (environment, comma-separated test names): tests an engine cannot run. */
static int skipped(const char *test) {
    const char *list = getenv("SKIP");
    size_t n = strlen(test);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, test, n) == 0) {
            printf("%-24s skipped (SKIP)\n", test);
            return 1;
        }
        p = e ? e + 1 : p + len;
    }
    return 0;
}

static void single(const char *test, const char *file, uint32_t enc, const uint32_t *dims, int n_in,
                   const float *want, int n_want, float eps) {
    float in[64], out[1][MAX_OUT];
    int n_out[1];
    if (skipped(test)) return;
    iota(in, n_in);
    if (run_file(file, enc, dims, 4, in, (uint32_t)n_in, out, n_out, 1) != 0) {
        fail(test);
        return;
    }
    expect(test, out[0], n_out[0], want, n_want, eps);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        printf("usage: nn_values.wasm MODEL_DIR [NAMED_MODEL]\n");
        return 2;
    }
    model_dir = argv[1];
    const char *t = getenv("TARGET");
    if (t && strcmp(t, "gpu") == 0) target = TARGET_GPU;
    if (t && strcmp(t, "tpu") == 0) target = TARGET_TPU;
    printf("ABI %s, target %s\n", ABI_NAME, t ? t : "cpu");

    static const uint32_t d5[] = {1, 5, 5, 1}, d3[] = {1, 3, 3, 1}, d4[] = {1, 4, 4, 1}, d8[] = {1, 8, 8, 1};
    const float w300[] = {300}, w24[] = {24}, w12[] = {12};
    single("sum", "sum.tflite", ENC_TFLITE, d5, 25, w300, 1, 1e-4f);
    single("max", "max.tflite", ENC_TFLITE, d5, 25, w24, 1, 1e-4f);
    single("average", "average.tflite", ENC_TFLITE, d5, 25, w12, 1, 1e-4f);
    /* The quantized model (scale 24/255) is exact to within one quantization step. */
    single("quantized", "quantized.tflite", ENC_TFLITE, d5, 25, w12, 1, 24.0f / 255.0f);
    single("average (autodetect)", "average.tflite", ENC_AUTODETECT, d5, 25, w12, 1, 1e-4f);
    {
        float want[9];
        iota(want, 9);
        single("mult_dimensions", "mult_dimensions.tflite", ENC_TFLITE, d3, 9, want, 9, 1e-4f);
    }
    {
        float in[16], out[2][MAX_OUT];
        int n_out[2];
        const float w0[] = {24, 28, 32, 36}, w1[] = {6, 7, 8, 9};
        iota(in, 16);
        if (skipped("mult_outputs")) {
        } else if (run_file("mult_outputs.tflite", ENC_TFLITE, d4, 4, in, 16, out, n_out, 2) != 0) {
            fail("mult_outputs");
        } else {
            expect("mult_outputs[0]", out[0], n_out[0], w0, 4, 1e-4f);
            expect("mult_outputs[1]", out[1], n_out[1], w1, 4, 1e-4f);
        }
    }
    {
        /* conv_net: input sin(0.37 k), expected values from conv_net.expected. */
        float in[64], want[3], out[1][MAX_OUT];
        int n_out[1];
        for (int k = 0; k < 64; k++) in[k] = sinf(0.37f * (float)k);
        uint32_t size;
        uint8_t *txt = read_file("conv_net.expected", &size);
        char buf[256] = {0};
        if (txt) memcpy(buf, txt, size < 255 ? size : 255);
        free(txt);
        if (skipped("conv_net")) {
        } else if (!txt || sscanf(buf, "%f %f %f", &want[0], &want[1], &want[2]) != 3) {
            fail("conv_net (expected file)");
        } else if (run_file("conv_net.tflite", ENC_TFLITE, d8, 4, in, 64, out, n_out, 1) != 0) {
            fail("conv_net");
        } else {
            expect("conv_net", out[0], n_out[0], want, 3, 1e-4f);
        }
    }
    if (argc > 2) {
        /* A named model (--nn-preload NAME:tflite:cpu:.../sum.tflite). */
        uint32_t graph;
        const char *name = argv[2];
#ifdef LEGACY_ABI
        int32_t rc = leg_load_by_name(name, (uint32_t)strlen(name), &graph);
#else
        int32_t rc = eph_load_by_name(name, (uint32_t)strlen(name), &graph);
#endif
        float in[25], out[1][MAX_OUT];
        int n_out[1];
        iota(in, 25);
        if (rc != NN_SUCCESS) {
            printf("load_by_name(%s): error %d\n", name, rc);
            fail("named model");
        } else if (run_graph(graph, d5, 4, in, 25, out, n_out, 1) != 0) {
            fail("named model");
        } else {
            expect("named model (sum)", out[0], n_out[0], w300, 1, 1e-4f);
        }
    }
    if (failures) {
        printf("Tests: %d failed\n", failures);
        return 1;
    }
    printf("Tests: passed!\n");
    return 0;
}
