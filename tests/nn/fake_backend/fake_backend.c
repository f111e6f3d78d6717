/*
 * TEST FIXTURE, not an inference backend: a minimal wasi-nn backend written in C against
 * nn/include/wasi_nn_backend.h, used by tests/nn_dispatch.rs to exercise libvmcore.so's
 * dispatch without a real engine, and to build broken variants:
 *   -DFAKE_ABI_VERSION=N   announce another backend ABI version (must be refused);
 *   -DFAKE_ENCODING=E      the encoding it claims (default pytorch, 3: no real backend here).
 *
 * "Model": the bytes "EMBER-FAKE-MODEL:sum" (anything else is invalid_argument).
 * One input (fp32 or u8, any shape); one output: the fp32 sum of the input elements.
 * Output index 1 does not exist (invalid_argument). It tracks live graphs and contexts and
 * reports leaks or double releases on stderr at destroy time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_nn_backend.h"

#ifndef FAKE_ABI_VERSION
#define FAKE_ABI_VERSION EMBER_NN_BACKEND_ABI_VERSION
#endif
#ifndef FAKE_ENCODING
#define FAKE_ENCODING EMBER_NN_ENCODING_PYTORCH
#endif

#define MAGIC "EMBER-FAKE-MODEL:sum"

typedef struct {
    int live_graphs;
    int live_contexts;
    char last_error[128];
} fake_state;

typedef struct {
    int magic;
} fake_graph;

typedef struct {
    float input_sum;
    int have_input;
    float output;
    int have_output;
} fake_ctx;

static void set_error(fake_state *s, const char *msg) {
    snprintf(s->last_error, sizeof s->last_error, "%s", msg);
}

static ember_nn_error fake_init(const ember_nn_init_args *args, void **state_out) {
    fake_state *s = calloc(1, sizeof *s);
    if (!s) return EMBER_NN_MISSING_MEMORY;
    for (uint32_t i = 0; args && i < args->options_len; i++) {
        if (strcmp(args->options[i], "fail_init=1") == 0) {
            free(s);
            return EMBER_NN_RUNTIME_ERROR;
        }
    }
    *state_out = s;
    return EMBER_NN_SUCCESS;
}

static void fake_destroy(void *state) {
    fake_state *s = state;
    if (s->live_graphs != 0 || s->live_contexts != 0)
        fprintf(stderr, "fake backend: LEAK graphs=%d contexts=%d\n", s->live_graphs, s->live_contexts);
    free(s);
}

static ember_nn_error fake_load(void *state, const ember_nn_bytes *builders, uint32_t builders_len,
                                uint32_t encoding, uint32_t target, void **graph_out) {
    fake_state *s = state;
    (void)target;
    if (encoding != FAKE_ENCODING) {
        set_error(s, "wrong encoding");
        return EMBER_NN_INVALID_ENCODING;
    }
    if (builders_len != 1 || builders[0].len != strlen(MAGIC) ||
        memcmp(builders[0].data, MAGIC, strlen(MAGIC)) != 0) {
        set_error(s, "not a fake model");
        return EMBER_NN_INVALID_ARGUMENT;
    }
    fake_graph *g = malloc(sizeof *g);
    if (!g) return EMBER_NN_MISSING_MEMORY;
    g->magic = 0x6a6a;
    s->live_graphs++;
    *graph_out = g;
    return EMBER_NN_SUCCESS;
}

static void fake_unload(void *state, void *graph) {
    fake_state *s = state;
    fake_graph *g = graph;
    if (g->magic != 0x6a6a) fprintf(stderr, "fake backend: DOUBLE UNLOAD\n");
    g->magic = 0;
    s->live_graphs--;
    free(g);
}

static ember_nn_error fake_init_ctx(void *state, void *graph, void **ctx_out) {
    fake_state *s = state;
    (void)graph;
    fake_ctx *c = calloc(1, sizeof *c);
    if (!c) return EMBER_NN_MISSING_MEMORY;
    s->live_contexts++;
    *ctx_out = c;
    return EMBER_NN_SUCCESS;
}

static void fake_fini_ctx(void *state, void *ctx) {
    fake_state *s = state;
    s->live_contexts--;
    free(ctx);
}

static ember_nn_error fake_set_input(void *state, void *ctx, uint32_t index, const ember_nn_tensor *t) {
    fake_state *s = state;
    fake_ctx *c = ctx;
    if (index != 0) {
        set_error(s, "only input 0");
        return EMBER_NN_INVALID_ARGUMENT;
    }
    float sum = 0;
    if (t->type == EMBER_NN_TYPE_FP32) {
        for (size_t i = 0; i + 4 <= t->data_len; i += 4) {
            float f;
            memcpy(&f, t->data + i, 4);
            sum += f;
        }
    } else if (t->type == EMBER_NN_TYPE_U8) {
        for (size_t i = 0; i < t->data_len; i++) sum += t->data[i];
    } else {
        set_error(s, "fp32 or u8 input only");
        return EMBER_NN_INVALID_ARGUMENT;
    }
    c->input_sum = sum;
    c->have_input = 1;
    return EMBER_NN_SUCCESS;
}

static ember_nn_error fake_compute(void *state, void *ctx) {
    fake_ctx *c = ctx;
    if (!c->have_input) {
        set_error(state, "no input");
        return EMBER_NN_RUNTIME_ERROR;
    }
    c->output = c->input_sum;
    c->have_output = 1;
    return EMBER_NN_SUCCESS;
}

static ember_nn_error fake_get_output(void *state, void *ctx, uint32_t index, uint8_t *out, size_t out_len,
                                      size_t *needed) {
    fake_ctx *c = ctx;
    if (index != 0 || !c->have_output) {
        set_error(state, "no such output");
        return EMBER_NN_INVALID_ARGUMENT;
    }
    *needed = sizeof(float);
    if (out_len < sizeof(float)) return EMBER_NN_TOO_LARGE;
    memcpy(out, &c->output, sizeof(float));
    return EMBER_NN_SUCCESS;
}

static const char *fake_last_error(void *state) {
    return state ? ((fake_state *)state)->last_error : "";
}

static const uint32_t fake_encodings[] = {FAKE_ENCODING};

static const ember_nn_backend fake_table = {
    .abi_version = FAKE_ABI_VERSION,
    .name = "fake",
    .encodings = fake_encodings,
    .encodings_len = 1,
    .init = fake_init,
    .destroy = fake_destroy,
    .load = fake_load,
    .load_by_name = NULL,
    .unload = fake_unload,
    .init_execution_context = fake_init_ctx,
    .finalize_execution_context = fake_fini_ctx,
    .set_input = fake_set_input,
    .compute = fake_compute,
    .get_output = fake_get_output,
    .last_error = fake_last_error,
};

const ember_nn_backend *ember_nn_backend_entry(void) {
    return &fake_table;
}
