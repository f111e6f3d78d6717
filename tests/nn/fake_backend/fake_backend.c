/*
 * TEST FIXTURE, not an inference backend: a minimal wasi-nn backend written in C against
 * nn/include/wasi_nn_backend.h (ABI version 2) only, used by tests/nn_dispatch.rs to exercise
 * libvmcore.so's dispatch without a real engine, and to build broken variants:
 *   -DFAKE_ABI_VERSION=N   announce another backend ABI version (must be refused);
 *   -DFAKE_ENCODING=E      the encoding it claims (default pytorch, 3: no real backend here).
 *
 * "Model": the bytes "EMBER-FAKE-MODEL:sum" (anything else is invalid_argument), as bytes
 * (load) or as a named model's file opened by path (load_named, logged at debug with the path).
 * One input (fp32 or u8, any shape); one output: the fp32 sum of the input elements, plus the
 * `offset` option. Output index 1 does not exist (invalid_argument). It tracks live graphs and
 * contexts and reports leaks or double releases on stderr at destroy time.
 *
 * Init options (option_keys): fail_init=1 (init fails: runtime_error, like a missing engine);
 * offset=NUMBER (added to every output; anything but a number is a bad value: invalid_argument).
 * Log records go through the init args' sink (target "wasi_nn_backend_fake"): debug records
 * "fake backend: loaded model ..." on every load and "fake backend: load_named PATH".
 */
#include <stdarg.h>
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
#define LOG_TARGET "wasi_nn_backend_fake"

typedef struct {
    int live_graphs;
    int live_contexts;
    float offset;
    ember_nn_host_log log;
    uint32_t log_level;
    char last_error[256];
} fake_state;

typedef struct {
    int magic;
    float offset;
} fake_graph;

typedef struct {
    float input_sum;
    int have_input;
    float output;
    int have_output;
    float offset;
} fake_ctx;

/* The detail of a failed init (there is no state yet); per thread, as the ABI asks. */
static _Thread_local char init_error[256];

static void set_error(fake_state *s, const char *msg) {
    snprintf(s->last_error, sizeof s->last_error, "%s", msg);
}

static void fake_log(const fake_state *s, uint32_t level, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    if (!s->log || level > s->log_level) return;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
    s->log(level, LOG_TARGET, (const uint8_t *)buf, (size_t)n);
}

static ember_nn_error fake_init(const ember_nn_init_args *args, void **state_out) {
    init_error[0] = 0;
    fake_state *s = calloc(1, sizeof *s);
    if (!s) return EMBER_NN_MISSING_MEMORY;
    if (args) {
        s->log = args->log;
        s->log_level = args->log_level;
    }
    for (uint32_t i = 0; args && i < args->options_len; i++) {
        const char *o = args->options[i];
        if (strcmp(o, "fail_init=1") == 0) {
            snprintf(init_error, sizeof init_error, "fail_init=1 given");
            free(s);
            return EMBER_NN_RUNTIME_ERROR;
        }
        if (strncmp(o, "offset=", 7) == 0) {
            char *end = NULL;
            float v = strtof(o + 7, &end);
            if (end == o + 7 || *end != 0) {
                snprintf(init_error, sizeof init_error, "option %s: expected a number", o);
                free(s);
                return EMBER_NN_INVALID_ARGUMENT;
            }
            s->offset = v;
        }
    }
    fake_log(s, EMBER_NN_LOG_DEBUG, "fake backend: initialised with %u option(s), offset %g",
             args ? args->options_len : 0, (double)s->offset);
    *state_out = s;
    return EMBER_NN_SUCCESS;
}

static void fake_destroy(void *state) {
    fake_state *s = state;
    if (s->live_graphs != 0 || s->live_contexts != 0)
        fprintf(stderr, "fake backend: LEAK graphs=%d contexts=%d\n", s->live_graphs, s->live_contexts);
    free(s);
}

/* A graph for model bytes `data` (checked against MAGIC). */
static ember_nn_error new_graph(fake_state *s, const uint8_t *data, size_t len, void **graph_out) {
    if (len != strlen(MAGIC) || memcmp(data, MAGIC, strlen(MAGIC)) != 0) {
        set_error(s, "not a fake model");
        return EMBER_NN_INVALID_ARGUMENT;
    }
    fake_graph *g = malloc(sizeof *g);
    if (!g) return EMBER_NN_MISSING_MEMORY;
    g->magic = 0x6a6a;
    g->offset = s->offset;
    s->live_graphs++;
    *graph_out = g;
    fake_log(s, EMBER_NN_LOG_DEBUG, "fake backend: loaded model (%zu bytes), %d graph(s) live", len,
             s->live_graphs);
    return EMBER_NN_SUCCESS;
}

static ember_nn_error fake_load(void *state, const ember_nn_bytes *builders, uint32_t builders_len,
                                uint32_t encoding, uint32_t target, void **graph_out) {
    fake_state *s = state;
    (void)target;
    if (encoding != FAKE_ENCODING) {
        set_error(s, "wrong encoding");
        return EMBER_NN_INVALID_ENCODING;
    }
    if (builders_len != 1) {
        set_error(s, "one builder expected");
        return EMBER_NN_INVALID_ARGUMENT;
    }
    return new_graph(s, builders[0].data, builders[0].len, graph_out);
}

/* The named model's file, opened and read here (a real backend would hand the path to its
 * engine or map it). */
static ember_nn_error fake_load_named(void *state, const ember_nn_named_model *model, const uint8_t *config,
                                      size_t config_len, void **graph_out) {
    fake_state *s = state;
    uint8_t buf[64];
    (void)config;
    if (model->encoding != FAKE_ENCODING) {
        set_error(s, "wrong encoding");
        return EMBER_NN_INVALID_ENCODING;
    }
    if (model->paths_len != 1) {
        set_error(s, "one model file expected");
        return EMBER_NN_INVALID_ARGUMENT;
    }
    const char *path = model->paths[0];
    fake_log(s, EMBER_NN_LOG_DEBUG, "fake backend: load_named %s (model '%s', %zu config bytes)", path,
             model->name, config_len);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(s->last_error, sizeof s->last_error, "cannot open %s", path);
        return EMBER_NN_NOT_FOUND;
    }
    size_t n = fread(buf, 1, sizeof buf, f);
    int read_error = ferror(f);
    fclose(f);
    if (read_error) {
        snprintf(s->last_error, sizeof s->last_error, "cannot read %s", path);
        return EMBER_NN_RUNTIME_ERROR;
    }
    return new_graph(s, buf, n, graph_out);
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
    fake_graph *g = graph;
    fake_ctx *c = calloc(1, sizeof *c);
    if (!c) return EMBER_NN_MISSING_MEMORY;
    c->offset = g->offset;
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
    c->output = c->input_sum + c->offset;
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
    return state ? ((fake_state *)state)->last_error : init_error;
}

static const uint32_t fake_encodings[] = {FAKE_ENCODING};
static const char *const fake_option_keys[] = {"fail_init", "offset"};

static const ember_nn_backend fake_table = {
    .abi_version = FAKE_ABI_VERSION,
    .name = "fake",
    .encodings = fake_encodings,
    .encodings_len = 1,
    .option_keys = fake_option_keys,
    .option_keys_len = 2,
    .init = fake_init,
    .destroy = fake_destroy,
    .load = fake_load,
    .load_named = fake_load_named,
    .unload = fake_unload,
    .init_execution_context = fake_init_ctx,
    .finalize_execution_context = fake_fini_ctx,
    .set_input = fake_set_input,
    .compute = fake_compute,
    .get_output = fake_get_output,
    /* No streaming: compute_single, get_output_single and fini_single stay NULL
     * (unsupported_operation to the guest). */
    .last_error = fake_last_error,
};

const ember_nn_backend *ember_nn_backend_entry(void) {
    return &fake_table;
}
