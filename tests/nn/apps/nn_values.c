/*
 * WAMR's wasi-nn test set (sum, max, average, mult_dimensions, mult_outputs, quantized) plus
 * Ember's conv_net, autodetect and named-model checks, through one ABI:
 *   built without -DLEGACY_ABI: module wasi_ephemeral_nn;  with -DLEGACY_ABI: module wasi_nn.
 * Usage: nn_values.wasm MODEL_DIR [NAMED_MODEL]
 *   MODEL_DIR (guest path) holds the models in FORMAT and, unless EXPECTED_DIR says otherwise,
 *   conv_net.expected;
 *   NAMED_MODEL, if given, is a "sum" model preloaded with --nn-preload NAME:ENC:cpu:PATH.
 * Environment (iwasm --env=KEY=VALUE):
 *   FORMAT   tflite (default): <name>.tflite, encoding tensorflowlite (4);
 *            onnx: <name>.onnx, encoding onnx (1);
 *            openvino: <name>.xml + <name>.bin (two builders), encoding openvino (0).
 *            The autodetect case loads average in FORMAT too. The same .wasm serves every format.
 *   EXPECTED_DIR  where conv_net.expected is (default MODEL_DIR).
 *   TARGET   cpu, gpu, tpu: the execution target.
 *   SKIP     comma-separated test names not to run (a format without that model); a name that
 *            is no test here is an error, and the skipped tests are listed on one line,
 *            "Skipped: NAME,NAME" (or "Skipped: none"), so a caller can check nothing else was.
 * Prints "Tests: passed!" and exits 0 only if every value matches.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_guest.h"

#define MAX_OUT 64
static int failures;
static uint32_t target = TARGET_CPU;
static const char *model_dir, *expected_dir;

/* The model format (FORMAT): file extension(s) and encoding. */
static struct {
    const char *name, *ext, *ext2; /* ext2: the second builder's file (OpenVINO's weights) */
    uint32_t enc;
} format = {"tflite", ".tflite", NULL, ENC_TFLITE};

#ifdef LEGACY_ABI
#define ABI_NAME "wasi_nn (legacy)"
#else
#define ABI_NAME "wasi_ephemeral_nn"
#endif

static uint8_t *read_file(const char *dir, const char *name, uint32_t *size) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
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

static int32_t load_model(const nn_builder *b, uint32_t n, uint32_t enc, uint32_t *graph) {
#ifdef LEGACY_ABI
    leg_builder_array arr = {b, n};
    return leg_load(&arr, enc, target, graph);
#else
    return eph_load(b, n, enc, target, graph);
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

/* Load model `name` in FORMAT (its file, or OpenVINO's two files) with encoding `enc` (FORMAT's
 * or autodetect), then run it as run_graph does. */
/* Load model `name` in FORMAT (its file, or OpenVINO's two files) with encoding `enc`. */
static int load_format_model(const char *name, uint32_t enc, uint32_t *graph) {
    const char *exts[2] = {format.ext, format.ext2};
    uint32_t n = format.ext2 ? 2 : 1;
    nn_builder b[2];
    char file[2][128];
    int32_t rc = NN_SUCCESS;
    for (uint32_t i = 0; i < n; i++) {
        snprintf(file[i], sizeof file[i], "%s%s", name, exts[i]);
        uint8_t *bytes = read_file(model_dir, file[i], &b[i].size);
        b[i].buf = bytes;
        if (!bytes) {
            while (i-- > 0) free((void *)b[i].buf);
            return -1;
        }
    }
    rc = load_model(b, n, enc, graph);
    for (uint32_t i = 0; i < n; i++) free((void *)b[i].buf); /* the runtime must not keep pointers into guest memory after load */
    if (rc != NN_SUCCESS) {
        printf("load %s%s%s (encoding %u): error %d\n", file[0], n > 1 ? " + " : "", n > 1 ? file[1] : "", enc, rc);
        return -1;
    }
    return 0;
}

/* Load model `name` (load_format_model), then run it as run_graph does. */
static int run_model(const char *name, uint32_t enc, const uint32_t *dims, uint32_t ndims, const float *input,
                     uint32_t n_in, float out[][MAX_OUT], int *n_out, uint32_t n_outputs) {
    uint32_t graph;
    if (load_format_model(name, enc, &graph) != 0) return -1;
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

/* The tests SKIP may name (each one that can be skipped, in the order they run). */
static const char *const skippable[] = {"sum", "max", "average", "quantized", "average (autodetect)",
                                        "mult_dimensions", "mult_outputs", "conv_net"};
#define N_SKIPPABLE (sizeof skippable / sizeof skippable[0])
static int was_skipped[N_SKIPPABLE];

/* Whether SKIP (environment, comma-separated test names) names `test`, of length n. */
static int in_skip_list(const char *test, size_t n) {
    const char *list = getenv("SKIP");
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, test, n) == 0) return 1;
        p = e ? e + 1 : p + len;
    }
    return 0;
}

/* SKIP: tests a format or engine cannot run (no such model). Each is reported. */
static int skipped(const char *test) {
    if (!in_skip_list(test, strlen(test))) return 0;
    for (size_t i = 0; i < N_SKIPPABLE; i++)
        if (strcmp(skippable[i], test) == 0) was_skipped[i] = 1;
    printf("%-24s skipped (SKIP)\n", test);
    return 1;
}

/* Every SKIP entry must name a test: a misspelt or stale entry would otherwise skip nothing
 * while the caller believes it did. Returns the count of unknown entries. */
static int check_skip_list(void) {
    const char *list = getenv("SKIP");
    int bad = 0;
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p), i;
        for (i = 0; i < N_SKIPPABLE; i++)
            if (strlen(skippable[i]) == len && strncmp(skippable[i], p, len) == 0) break;
        if (i == N_SKIPPABLE && len > 0) {
            printf("SKIP names no test: '%.*s'\n", (int)len, p);
            bad++;
        }
        p = e ? e + 1 : p + len;
    }
    return bad;
}

static void print_skipped(void) {
    int any = 0;
    printf("Skipped:");
    for (size_t i = 0; i < N_SKIPPABLE; i++)
        if (was_skipped[i]) printf("%s%s", any++ ? "," : " ", skippable[i]);
    printf("%s\n", any ? "" : " none");
}

static void single(const char *test, const char *model, uint32_t enc, const uint32_t *dims, int n_in,
                   const float *want, int n_want, float eps) {
    float in[64], out[1][MAX_OUT];
    int n_out[1];
    if (skipped(test)) return;
    iota(in, n_in);
    if (run_model(model, enc, dims, 4, in, (uint32_t)n_in, out, n_out, 1) != 0) {
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
    expected_dir = getenv("EXPECTED_DIR") ? getenv("EXPECTED_DIR") : model_dir;
    const char *t = getenv("TARGET");
    if (t && strcmp(t, "gpu") == 0) target = TARGET_GPU;
    if (t && strcmp(t, "tpu") == 0) target = TARGET_TPU;
    const char *f = getenv("FORMAT");
    if (!f || strcmp(f, "tflite") == 0) {
        /* the default */
    } else if (strcmp(f, "onnx") == 0) {
        format.name = "onnx", format.ext = ".onnx", format.enc = ENC_ONNX;
    } else if (strcmp(f, "openvino") == 0) {
        format.name = "openvino", format.ext = ".xml", format.ext2 = ".bin", format.enc = ENC_OPENVINO;
    } else {
        printf("unknown FORMAT '%s' (tflite, onnx, openvino)\n", f);
        return 2;
    }
    printf("ABI %s, target %s, format %s\n", ABI_NAME, t ? t : "cpu", format.name);
    if (check_skip_list()) {
        printf("Tests: bad SKIP list\n");
        return 2;
    }
    const uint32_t enc = format.enc;

    static const uint32_t d5[] = {1, 5, 5, 1}, d3[] = {1, 3, 3, 1}, d4[] = {1, 4, 4, 1}, d8[] = {1, 8, 8, 1};
    const float w300[] = {300}, w24[] = {24}, w12[] = {12};
    single("sum", "sum", enc, d5, 25, w300, 1, 1e-4f);
    single("max", "max", enc, d5, 25, w24, 1, 1e-4f);
    single("average", "average", enc, d5, 25, w12, 1, 1e-4f);
    /* The quantized model (scale 24/255) is exact to within one quantization step (TFLite only:
     * there is no ONNX or OpenVINO IR one, so those runs SKIP it). */
    single("quantized", "quantized", enc, d5, 25, w12, 1, 24.0f / 255.0f);
    single("average (autodetect)", "average", ENC_AUTODETECT, d5, 25, w12, 1, 1e-4f);
    {
        float want[9];
        iota(want, 9);
        single("mult_dimensions", "mult_dimensions", enc, d3, 9, want, 9, 1e-4f);
    }
    {
        float in[16], out[2][MAX_OUT];
        int n_out[2];
        const float w0[] = {24, 28, 32, 36}, w1[] = {6, 7, 8, 9};
        iota(in, 16);
        if (skipped("mult_outputs")) {
        } else if (run_model("mult_outputs", enc, d4, 4, in, 16, out, n_out, 2) != 0) {
            fail("mult_outputs");
        } else {
            expect("mult_outputs[0]", out[0], n_out[0], w0, 4, 1e-4f);
            expect("mult_outputs[1]", out[1], n_out[1], w1, 4, 1e-4f);
        }
    }
    if (!skipped("conv_net")) {
        /* conv_net: input sin(0.37 k), expected values from conv_net.expected. */
        float in[64], want[3], out[1][MAX_OUT];
        int n_out[1];
        for (int k = 0; k < 64; k++) in[k] = sinf(0.37f * (float)k);
        uint32_t size;
        uint8_t *txt = read_file(expected_dir, "conv_net.expected", &size);
        char buf[256] = {0};
        if (txt) memcpy(buf, txt, size < 255 ? size : 255);
        free(txt);
        if (!txt || sscanf(buf, "%f %f %f", &want[0], &want[1], &want[2]) != 3) {
            fail("conv_net (expected file)");
        } else if (run_model("conv_net", enc, d8, 4, in, 64, out, n_out, 1) != 0) {
            fail("conv_net");
        } else {
            expect("conv_net", out[0], n_out[0], want, 3, 1e-4f);
        }
    }
    {
        /* One context, three inferences with different inputs of the same shape: a backend that
         * refills its input buffers in place (OpenVINO, tract) must compute on the new values. */
        uint32_t graph, ctx = 0;
        int ok = load_format_model("sum", enc, &graph) == 0;
#ifdef LEGACY_ABI
        ok = ok && leg_init_execution_context(graph, &ctx) == NN_SUCCESS;
#else
        ok = ok && eph_init_execution_context(graph, &ctx) == NN_SUCCESS;
#endif
        const float scale[3] = {1, 2, -0.5f}, want[3] = {300, 600, -150};
        float in[25], out[MAX_OUT], got[3] = {0};
        for (int r = 0; ok && r < 3; r++) {
            for (int k = 0; k < 25; k++) in[k] = scale[r] * (float)k;
#ifdef LEGACY_ABI
            ok = set_input_f32(ctx, d5, 4, in, 25) == NN_SUCCESS && leg_compute(ctx) == NN_SUCCESS;
#else
            ok = set_input_f32(ctx, d5, 4, in, 25) == NN_SUCCESS && eph_compute(ctx) == NN_SUCCESS;
#endif
            ok = ok && get_output_f32(ctx, 0, out, MAX_OUT) == 1;
            got[r] = out[0];
        }
        if (!ok) {
            fail("one context, new inputs");
        } else {
            expect("one context, new inputs", got, 3, want, 3, 1e-3f);
        }
    }
    if (argc > 2) {
        /* A named model (--nn-preload NAME:ENC:cpu:PATH of sum in FORMAT). */
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
    print_skipped();
    if (failures) {
        printf("Tests: %d failed\n", failures);
        return 1;
    }
    printf("Tests: passed!\n");
    return 0;
}
