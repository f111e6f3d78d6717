/*
 * A hostile wasi-nn guest: bad pointers and lengths, huge dims_len, data_len not matching
 * dims and type, unknown encodings, targets and types, invalid and released handles, corrupt
 * and truncated models, output buffers too small, through both import modules. Every bad call
 * must return its error code (no trap, no crash) and the instance must keep working: the app
 * ends with a successful inference whose value is checked. Finally 200 mutated (truncated or
 * byte-flipped) copies of the model go through load/compute, then one more good inference.
 *
 * Usage: nn_hostile.wasm [--no-backend-for ENC] MODEL ENC EXPECTED_SUM
 *   MODEL: a "sum" model for encoding ENC (input [1,5,5,1] = 0..24 -> one fp32 output, the
 *          sum): sum.tflite for tflite (4), the fake test backend's model for pytorch (3).
 *   --no-backend-for ENC: first check that loading MODEL with encoding ENC fails with
 *          invalid_encoding because no backend serves ENC (missing / broken libraries).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_guest.h"

static int checks, failures;
#define MUTATIONS 200

#define CHECK(expr, want)                                                                     \
    do {                                                                                      \
        int32_t got_ = (expr);                                                                \
        checks++;                                                                             \
        if (got_ != (want)) {                                                                 \
            printf("FAIL line %d: %s = %d, want %d\n", __LINE__, #expr, got_, (int)(want));   \
            failures++;                                                                       \
        }                                                                                     \
    } while (0)

#define CHECK_ERROR(expr)                                                                     \
    do {                                                                                      \
        int32_t got_ = (expr);                                                                \
        checks++;                                                                             \
        printf("  %s -> error %d\n", #expr, got_);                                            \
        if (got_ == NN_SUCCESS) {                                                             \
            printf("FAIL line %d: %s succeeded\n", __LINE__, #expr);                          \
            failures++;                                                                       \
        }                                                                                     \
    } while (0)

static uint32_t mem_end(void) {
    return (uint32_t)(__builtin_wasm_memory_size(0) * 65536u);
}

static uint8_t *read_file(const char *path, uint32_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (uint32_t)n;
    return buf;
}

static const uint32_t dims5[] = {1, 5, 5, 1};
static float input[25];

static int32_t good_input(uint32_t ctx) {
    eph_tensor t = {dims5, 4, EPH_FP32, {0xff, 0xff, 0xff}, (const uint8_t *)input, sizeof input};
    return eph_set_input(ctx, 0, &t);
}

/* One full, checked inference; returns 0 on success. */
static int inference(const uint8_t *model, uint32_t size, uint32_t enc, float want, uint32_t *graph_out,
                     uint32_t *ctx_out) {
    nn_builder b = {model, size};
    uint32_t g, c, written = 0;
    float out[4] = {0};
    int32_t rc;
    if ((rc = eph_load(&b, 1, enc, TARGET_CPU, &g)) != NN_SUCCESS) return printf("load: %d\n", rc), -1;
    if ((rc = eph_init_execution_context(g, &c)) != NN_SUCCESS) return printf("init: %d\n", rc), -1;
    if ((rc = good_input(c)) != NN_SUCCESS) return printf("set_input: %d\n", rc), -1;
    if ((rc = eph_compute(c)) != NN_SUCCESS) return printf("compute: %d\n", rc), -1;
    if ((rc = eph_get_output(c, 0, (uint8_t *)out, sizeof out, &written)) != NN_SUCCESS)
        return printf("get_output: %d\n", rc), -1;
    if (written != 4 || out[0] != want) return printf("output %g (%u bytes), want %g\n", out[0], written, want), -1;
    if (graph_out) *graph_out = g;
    if (ctx_out) *ctx_out = c;
    return 0;
}

int main(int argc, char **argv) {
    int arg = 1;
    int missing_enc = -1;
    if (argc > 2 && strcmp(argv[1], "--no-backend-for") == 0) {
        missing_enc = atoi(argv[2]);
        arg = 3;
    }
    if (argc - arg != 3) {
        printf("usage: nn_hostile.wasm [--no-backend-for ENC] MODEL ENC EXPECTED_SUM\n");
        return 2;
    }
    uint32_t size;
    uint8_t *model = read_file(argv[arg], &size);
    uint32_t enc = (uint32_t)atoi(argv[arg + 1]);
    float want = (float)atof(argv[arg + 2]);
    if (!model) {
        printf("cannot read %s\n", argv[arg]);
        return 2;
    }
    for (int i = 0; i < 25; i++) input[i] = (float)i;
    const uint32_t end = mem_end();
    uint32_t g = 0, c = 0, scratch = 0;
    nn_builder good = {model, size};

    if (missing_enc >= 0) {
        printf("-- no backend for encoding %d\n", missing_enc);
        CHECK(eph_load(&good, 1, (uint32_t)missing_enc, TARGET_CPU, &g), NN_INVALID_ENCODING);
        CHECK(eph_load(&good, 1, (uint32_t)missing_enc, TARGET_CPU, &g), NN_INVALID_ENCODING);
    }

    printf("-- load\n");
    CHECK(eph_load((const nn_builder *)(uintptr_t)(end - 4), 1, enc, TARGET_CPU, &g), NN_INVALID_ARGUMENT);
    CHECK(eph_load((const nn_builder *)(uintptr_t)0xfffffff8u, 1, enc, TARGET_CPU, &g), NN_INVALID_ARGUMENT);
    CHECK(eph_load(&good, 0x20000000u, enc, TARGET_CPU, &g), NN_INVALID_ARGUMENT);
    CHECK(eph_load(&good, 0, enc, TARGET_CPU, &g), NN_INVALID_ARGUMENT);
    {
        nn_builder oob = {(const uint8_t *)(uintptr_t)(end - 16), 64};
        CHECK(eph_load(&oob, 1, enc, TARGET_CPU, &g), NN_INVALID_ARGUMENT);
        nn_builder wrap = {(const uint8_t *)(uintptr_t)0xfffffff0u, 0x20};
        CHECK(eph_load(&wrap, 1, enc, TARGET_CPU, &g), NN_INVALID_ARGUMENT);
    }
    CHECK(eph_load(&good, 1, enc, TARGET_CPU, (uint32_t *)(uintptr_t)(end - 2)), NN_INVALID_ARGUMENT);
    CHECK(eph_load(&good, 1, 42, TARGET_CPU, &g), NN_INVALID_ENCODING);
    CHECK(eph_load(&good, 1, 0xffffffffu, TARGET_CPU, &g), NN_INVALID_ENCODING);
    CHECK(eph_load(&good, 1, enc, 7, &g), NN_INVALID_ARGUMENT);
    {
        static const uint8_t garbage[] = "this is not a model of any known kind............";
        nn_builder gb = {garbage, sizeof garbage};
        CHECK(eph_load(&gb, 1, ENC_AUTODETECT, TARGET_CPU, &g), NN_INVALID_ENCODING);
        CHECK_ERROR(eph_load(&gb, 1, enc, TARGET_CPU, &g));
        /* Truncated model: half of it, then only the first 8 bytes. */
        nn_builder half = {model, size / 2};
        CHECK_ERROR(eph_load(&half, 1, enc, TARGET_CPU, &g));
        nn_builder head = {model, size < 8 ? size : 8};
        CHECK_ERROR(eph_load(&head, 1, enc, TARGET_CPU, &g));
        /* Corrupt model: header kept, body overwritten. */
        uint8_t *bad = malloc(size);
        memcpy(bad, model, size);
        for (uint32_t i = 8; i < size; i++) bad[i] = (uint8_t)(0xff - i * 7);
        nn_builder corrupt = {bad, size};
        CHECK_ERROR(eph_load(&corrupt, 1, enc, TARGET_CPU, &g));
        free(bad);
    }
    CHECK(eph_load_by_name("no-such-model", 13, &g), NN_NOT_FOUND);
    CHECK(eph_load_by_name("/etc/passwd", 11, &g), NN_NOT_FOUND);
    CHECK(eph_load_by_name((const char *)(uintptr_t)(end - 4), 100, &g), NN_INVALID_ARGUMENT);
    CHECK(eph_load_by_name_with_config("no-such-model", 13, "{}", 2, &g), NN_NOT_FOUND);
    CHECK(eph_load_by_name_with_config("no-such-model", 13, (const char *)(uintptr_t)end, 2, &g), NN_INVALID_ARGUMENT);
    {
        leg_builder_array oob_arr = {(const nn_builder *)(uintptr_t)(end - 4), 1};
        CHECK(leg_load(&oob_arr, enc, TARGET_CPU, &g), NN_INVALID_ARGUMENT);
        CHECK(leg_load((const leg_builder_array *)(uintptr_t)(end - 4), enc, TARGET_CPU, &g), NN_INVALID_ARGUMENT);
    }

    printf("-- a good graph, then bad contexts and tensors\n");
    CHECK(eph_load(&good, 1, enc, TARGET_CPU, &g), NN_SUCCESS);
    CHECK(eph_init_execution_context(g + 1000, &c), NN_INVALID_ARGUMENT);
    CHECK(eph_init_execution_context(g, (uint32_t *)(uintptr_t)end), NN_INVALID_ARGUMENT);
    CHECK(eph_init_execution_context(g, &c), NN_SUCCESS);

    CHECK(eph_set_input(c, 0, (const eph_tensor *)(uintptr_t)(end - 12)), NN_INVALID_ARGUMENT);
    CHECK(eph_set_input(c + 1000, 0, &(eph_tensor){dims5, 4, EPH_FP32, {0}, (const uint8_t *)input, 100}),
          NN_INVALID_ARGUMENT);
    /* dims_len huge, and just over the cap. */
    CHECK(eph_set_input(c, 0, &(eph_tensor){dims5, 0x7fffffffu, EPH_FP32, {0}, (const uint8_t *)input, 100}),
          NN_INVALID_ARGUMENT);
    {
        static const uint32_t ones[17] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 25};
        CHECK(eph_set_input(c, 0, &(eph_tensor){ones, 17, EPH_FP32, {0}, (const uint8_t *)input, 100}),
              NN_INVALID_ARGUMENT);
        /* dims overflow: 0xffffffff^3 elements. */
        static const uint32_t huge[] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
        CHECK(eph_set_input(c, 0, &(eph_tensor){huge, 3, EPH_FP32, {0}, (const uint8_t *)input, 100}),
              NN_INVALID_ARGUMENT);
    }
    /* dims pointer out of bounds. */
    CHECK(eph_set_input(c, 0, &(eph_tensor){(const uint32_t *)(uintptr_t)(end - 8), 4, EPH_FP32, {0},
                                            (const uint8_t *)input, 100}),
          NN_INVALID_ARGUMENT);
    /* data_len not matching dims and type. */
    CHECK(eph_set_input(c, 0, &(eph_tensor){dims5, 4, EPH_FP32, {0}, (const uint8_t *)input, 96}), NN_INVALID_ARGUMENT);
    CHECK(eph_set_input(c, 0, &(eph_tensor){dims5, 4, EPH_FP64, {0}, (const uint8_t *)input, 100}), NN_INVALID_ARGUMENT);
    CHECK(eph_set_input(c, 0, &(eph_tensor){dims5, 4, EPH_U8, {0}, (const uint8_t *)input, 100}), NN_INVALID_ARGUMENT);
    CHECK(eph_set_input(c, 0, &(eph_tensor){dims5, 4, 9, {0}, (const uint8_t *)input, 100}), NN_INVALID_ARGUMENT);
    /* data out of bounds, and wrapping around 4 GiB. */
    CHECK(eph_set_input(c, 0, &(eph_tensor){dims5, 4, EPH_FP32, {0}, (const uint8_t *)(uintptr_t)(end - 50), 100}),
          NN_INVALID_ARGUMENT);
    CHECK(eph_set_input(c, 0, &(eph_tensor){dims5, 4, EPH_FP32, {0}, (const uint8_t *)(uintptr_t)0xffffffc0u, 100}),
          NN_INVALID_ARGUMENT);
    {
        /* Legacy tensor: dims struct out of bounds, data running past the end. */
        leg_tensor lt = {(const leg_dims *)(uintptr_t)(end - 4), LEG_FP32, {0}, (const uint8_t *)input};
        CHECK(leg_set_input(c, 0, &lt), NN_INVALID_ARGUMENT);
        leg_dims d = {dims5, 4};
        leg_tensor lt2 = {&d, LEG_FP32, {0}, (const uint8_t *)(uintptr_t)(end - 40)};
        CHECK(leg_set_input(c, 0, &lt2), NN_INVALID_ARGUMENT);
        leg_tensor lt3 = {&d, 7, {0}, (const uint8_t *)input};
        CHECK(leg_set_input(c, 0, &lt3), NN_INVALID_ARGUMENT);
    }
    CHECK(eph_compute(c + 1000), NN_INVALID_ARGUMENT);

    printf("-- outputs\n");
    CHECK(good_input(c), NN_SUCCESS);
    CHECK(eph_compute(c), NN_SUCCESS);
    {
        float out[4] = {0};
        uint32_t written = 0xdead;
        CHECK(eph_get_output(c, 0, (uint8_t *)out, 2, &written), NN_TOO_LARGE);
        CHECK((int32_t)written, 4);
        CHECK(eph_get_output(c, 0, (uint8_t *)(uintptr_t)(end - 2), 16, &written), NN_INVALID_ARGUMENT);
        CHECK(eph_get_output(c, 0, (uint8_t *)out, 16, (uint32_t *)(uintptr_t)(end - 1)), NN_INVALID_ARGUMENT);
        CHECK(eph_get_output(c + 1000, 0, (uint8_t *)out, 16, &written), NN_INVALID_ARGUMENT);
        CHECK_ERROR(eph_get_output(c, 7, (uint8_t *)out, 16, &written));
        uint32_t inout = 0;
        CHECK(leg_get_output(c, 0, (uint8_t *)out, &inout), NN_TOO_LARGE);
        CHECK((int32_t)inout, 1); /* legacy: counted in fp32 elements */
        inout = 0x40000000u;
        CHECK(leg_get_output(c, 0, (uint8_t *)out, &inout), NN_INVALID_ARGUMENT);
        CHECK(leg_get_output(c, 0, (uint8_t *)out, (uint32_t *)(uintptr_t)(end - 3)), NN_INVALID_ARGUMENT);
        inout = 4;
        CHECK(leg_get_output(c, 0, (uint8_t *)out, &inout), NN_SUCCESS);
        CHECK((int32_t)inout, 1);
        CHECK(out[0] == want, 1);
        written = 0;
        CHECK(eph_get_output(c, 0, (uint8_t *)out, 4, &written), NN_SUCCESS);
        CHECK((int32_t)written, 4);
        CHECK(out[0] == want, 1);
    }

    printf("-- released handles\n");
    CHECK(eph_finalize_execution_context(c), NN_SUCCESS);
    CHECK(eph_compute(c), NN_INVALID_ARGUMENT);
    CHECK(good_input(c), NN_INVALID_ARGUMENT);
    CHECK(eph_finalize_execution_context(c), NN_INVALID_ARGUMENT);
    CHECK(eph_init_execution_context(g, &scratch), NN_SUCCESS);
    CHECK(scratch != c, 1);
    CHECK(eph_unload(g), NN_SUCCESS);
    CHECK(eph_compute(scratch), NN_INVALID_ARGUMENT); /* unload finalized its context */
    CHECK(eph_unload(g), NN_INVALID_ARGUMENT);
    CHECK(eph_init_execution_context(g, &scratch), NN_INVALID_ARGUMENT);

    printf("-- the instance still works\n");
    uint32_t g2 = 0, c2 = 0;
    checks++;
    if (inference(model, size, enc, want, &g2, &c2) != 0) {
        printf("FAIL: inference after the bad calls\n");
        failures++;
    }
    CHECK(g2 != g, 1); /* handles are never reused */
    CHECK(c2 != c && c2 != scratch, 1);
    {
        /* Two contexts of one graph and a second graph at once, with different inputs. */
        static float ones[25];
        for (int i = 0; i < 25; i++) ones[i] = 1.0f;
        uint32_t c3 = 0, g3 = 0, c4 = 0, written = 0;
        float o2 = 0, o3 = 0, o4 = 0;
        CHECK(eph_init_execution_context(g2, &c3), NN_SUCCESS);
        CHECK(eph_load(&good, 1, enc, TARGET_CPU, &g3), NN_SUCCESS);
        CHECK(eph_init_execution_context(g3, &c4), NN_SUCCESS);
        CHECK(eph_set_input(c3, 0, &(eph_tensor){dims5, 4, EPH_FP32, {0}, (const uint8_t *)ones, 100}), NN_SUCCESS);
        CHECK(good_input(c2), NN_SUCCESS);
        CHECK(eph_set_input(c4, 0, &(eph_tensor){dims5, 4, EPH_FP32, {0}, (const uint8_t *)ones, 100}), NN_SUCCESS);
        CHECK(eph_compute(c4), NN_SUCCESS);
        CHECK(eph_compute(c2), NN_SUCCESS);
        CHECK(eph_compute(c3), NN_SUCCESS);
        CHECK(eph_get_output(c3, 0, (uint8_t *)&o3, 4, &written), NN_SUCCESS);
        CHECK(eph_get_output(c2, 0, (uint8_t *)&o2, 4, &written), NN_SUCCESS);
        CHECK(eph_get_output(c4, 0, (uint8_t *)&o4, 4, &written), NN_SUCCESS);
        CHECK(o2 == want && o3 == 25.0f && o4 == 25.0f, 1);
        CHECK(eph_unload(g3), NN_SUCCESS);
        CHECK(eph_compute(c3), NN_SUCCESS); /* g2's contexts are untouched by unloading g3 */
    }
    checks++;
    if (inference(model, size, ENC_AUTODETECT, want, NULL, NULL) != 0 && enc == ENC_TFLITE) {
        printf("FAIL: autodetected inference\n");
        failures++;
    }

    {
        /* Mutated models (deterministic): truncations and byte flips. Each load either fails
         * with a code or gives a graph that then runs or fails with a code; nothing may crash.
         * Then a last good inference. */
        printf("-- %d mutated models\n", MUTATIONS);
        uint8_t *m = malloc(size);
        uint32_t seed = 12345, loaded = 0, ran = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            memcpy(m, model, size);
            uint32_t len = size;
            if (i % 2 == 0) {
                len = (uint32_t)((uint64_t)size * (uint32_t)i / MUTATIONS);
            } else {
                for (int k = 0; k < 1 + i % 7; k++) {
                    seed = seed * 1103515245u + 12345u;
                    uint32_t at = 8 + (seed >> 8) % (size > 8 ? size - 8 : 1);
                    seed = seed * 1103515245u + 12345u;
                    if (at < size) m[at] ^= (uint8_t)(1 + (seed >> 16) % 255);
                }
            }
            nn_builder mb = {m, len};
            uint32_t mg, mc, written;
            float out[64];
            if (eph_load(&mb, 1, enc, TARGET_CPU, &mg) != NN_SUCCESS) continue;
            loaded++;
            if (eph_init_execution_context(mg, &mc) == NN_SUCCESS && good_input(mc) == NN_SUCCESS &&
                eph_compute(mc) == NN_SUCCESS && eph_get_output(mc, 0, (uint8_t *)out, sizeof out, &written) == NN_SUCCESS)
                ran++;
            eph_unload(mg);
        }
        free(m);
        printf("  %u of %d loaded, %u ran to an output\n", loaded, MUTATIONS, ran);
        checks++;
        if (inference(model, size, enc, want, NULL, NULL) != 0) {
            printf("FAIL: inference after the mutated models\n");
            failures++;
        }
    }

    free(model);
    if (failures) {
        printf("hostile: %d of %d checks FAILED\n", failures, checks);
        return 1;
    }
    printf("hostile: all %d checks passed\n", checks);
    return 0;
}
