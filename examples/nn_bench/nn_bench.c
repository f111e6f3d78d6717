/* nn-bench: check any model on any wasi-nn backend without writing code (the wasi-nn counterpart
 * of TFLite's benchmark_model). A wasm32-wasi app: it sees only what iwasm gives it (--dir,
 * --nn-preload), so the same .wasm runs on every board and backend.
 *
 *   nn-bench [OPTIONS] MODEL[,MODEL2]      model file(s) (OpenVINO IR: model.xml,model.bin)
 *   nn-bench [OPTIONS] @NAME               a model preloaded by iwasm (--nn-preload NAME:...)
 *
 * Options:
 *   --encoding=auto|tflite|onnx|openvino|ggml   graph encoding of a model file (default auto)
 *   --target=cpu|gpu|tpu                        execution target (default cpu)
 *   --input=INDEX:TYPE:DIMS[:SOURCE]            an input tensor (repeatable; default index 0)
 *        TYPE  f32|f16|f64|u8|i32|i64           DIMS  1x128x128x3
 *        SOURCE sin (x[k] = sin(0.37 k), the default) | zero | ramp (k) | file=PATH (raw bytes)
 *   --runs=N          timed inferences (set_input + compute + get_output), default 10
 *   --warmup=N        untimed inferences first, default 1
 *   --outputs=N       outputs to read (default: until the backend says there is none)
 *   --save=PREFIX     write each output's raw bytes to PREFIX<index>.bin
 *   --show=N          values printed per output (default 8; outputs are read as f32 when their
 *                     size is a multiple of 4, else as u8)
 *
 * Prints: load time, per-inference min/median/mean/max in ms, each output's size, first values,
 * min, max and sum. Exit 0 on success, 1 on a wasi-nn error (with the call and its code). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../wasi_nn.h"

#define MAX_INPUTS 8
#define MAX_DIMS 8
#define MAX_OUTPUTS 16
#define OUT_CAP (64u << 20)

typedef struct {
    uint32_t index, type, dims[MAX_DIMS], rank;
    uint8_t *data;
    uint32_t len;
} input;

static const char *error_name(nn_error e) {
    static const char *names[] = {"success", "invalid_argument", "invalid_encoding", "missing_memory", "busy",
                                  "runtime_error", "unsupported_operation", "too_large", "not_found"};
    if (e < sizeof names / sizeof names[0]) return names[e];
    switch (e) {
    case 100: return "end_of_sequence";
    case 101: return "context_full";
    case 102: return "prompt_too_long";
    case 103: return "model_not_found";
    default: return "unknown";
    }
}

static int fail(const char *what, nn_error e) {
    fprintf(stderr, "nn-bench: %s failed: %s (%u)\n", what, error_name(e), e);
    return 1;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, r;
    unsigned char *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            unsigned char *grown = realloc(buf, cap * 2);
            if (!grown) { free(buf); buf = NULL; break; }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int type_of(const char *s, uint32_t *type, uint32_t *size) {
    static const struct { const char *name; uint32_t type, size; } types[] = {
        {"f32", NN_TYPE_FP32, 4}, {"f16", NN_TYPE_FP16, 2}, {"f64", NN_TYPE_FP64, 8},
        {"u8", NN_TYPE_U8, 1},    {"i32", NN_TYPE_I32, 4},  {"i64", NN_TYPE_I64, 8}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(s, types[i].name) == 0) { *type = types[i].type; *size = types[i].size; return 0; }
    return -1;
}

/* INDEX:TYPE:DIMS[:SOURCE] */
static int parse_input(char *spec, input *in) {
    char *fields[4] = {0};
    int n = 0;
    for (char *p = spec; n < 4; n++) {
        fields[n] = p;
        char *colon = n < 3 ? strchr(p, ':') : NULL;
        if (!colon) { n++; break; }
        *colon = 0;
        p = colon + 1;
    }
    if (n < 3) return -1;
    in->index = (uint32_t)strtoul(fields[0], NULL, 10);
    uint32_t esize;
    if (type_of(fields[1], &in->type, &esize)) return -1;
    in->rank = 0;
    uint64_t count = 1;
    for (char *d = fields[2]; *d && in->rank < MAX_DIMS;) {
        char *end;
        unsigned long v = strtoul(d, &end, 10);
        if (end == d || v == 0) return -1;
        in->dims[in->rank++] = (uint32_t)v;
        count *= v;
        if (count * esize > OUT_CAP) return -1;
        d = *end == 'x' ? end + 1 : end;
        if (*end && *end != 'x') return -1;
    }
    in->len = (uint32_t)(count * esize);
    const char *source = fields[3] ? fields[3] : "sin";
    if (strncmp(source, "file=", 5) == 0) {
        size_t len;
        in->data = read_file(source + 5, &len);
        if (!in->data) { fprintf(stderr, "nn-bench: cannot read %s\n", source + 5); return -1; }
        if (len != in->len) {
            fprintf(stderr, "nn-bench: %s has %zu bytes, the tensor needs %u\n", source + 5, len, in->len);
            return -1;
        }
        return 0;
    }
    in->data = calloc(1, in->len ? in->len : 1);
    if (!in->data) return -1;
    for (uint64_t k = 0; k < count; k++) {
        double v = strcmp(source, "zero") == 0 ? 0 : strcmp(source, "ramp") == 0 ? (double)k : sin(0.37 * (double)k);
        if (strcmp(source, "zero") && strcmp(source, "ramp") && strcmp(source, "sin")) return -1;
        switch (in->type) {
        case NN_TYPE_FP32: ((float *)in->data)[k] = (float)v; break;
        case NN_TYPE_FP64: ((double *)in->data)[k] = v; break;
        case NN_TYPE_U8: in->data[k] = (uint8_t)(strcmp(source, "sin") == 0 ? 128 + 127 * v : (uint64_t)v); break;
        case NN_TYPE_I32: ((int32_t *)in->data)[k] = (int32_t)(strcmp(source, "sin") == 0 ? 100 * v : v); break;
        case NN_TYPE_I64: ((int64_t *)in->data)[k] = (int64_t)(strcmp(source, "sin") == 0 ? 100 * v : v); break;
        default: break; /* f16: zero bits, a valid 0.0 */
        }
    }
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void summarize(uint32_t index, const uint8_t *out, uint32_t n, int show) {
    printf("output %u: %u bytes", index, n);
    if (n % 4 == 0 && n) {
        const float *f = (const float *)out;
        uint32_t count = n / 4;
        double sum = 0, lo = f[0], hi = f[0];
        for (uint32_t i = 0; i < count; i++) {
            sum += f[i];
            if (f[i] < lo) lo = f[i];
            if (f[i] > hi) hi = f[i];
        }
        printf(" = %u f32, min %.6g max %.6g sum %.6g, first:", count, lo, hi, sum);
        for (uint32_t i = 0; i < count && (int)i < show; i++) printf(" %.6g", f[i]);
    } else {
        printf(" (u8), first:");
        for (uint32_t i = 0; i < n && (int)i < show; i++) printf(" %u", out[i]);
    }
    printf("\n");
}

int main(int argc, char **argv) {
    uint32_t encoding = NN_ENCODING_AUTODETECT, target = NN_TARGET_CPU;
    int runs = 10, warmup = 1, max_outputs = MAX_OUTPUTS, show = 8;
    const char *model = NULL, *save = NULL;
    input inputs[MAX_INPUTS];
    int n_inputs = 0;

    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (strncmp(a, "--encoding=", 11) == 0) {
            const char *e = a + 11;
            encoding = !strcmp(e, "auto") ? NN_ENCODING_AUTODETECT : !strcmp(e, "tflite") ? NN_ENCODING_TFLITE
                     : !strcmp(e, "onnx") ? NN_ENCODING_ONNX : !strcmp(e, "openvino") ? NN_ENCODING_OPENVINO
                     : !strcmp(e, "ggml") ? NN_ENCODING_GGML : 99;
            if (encoding == 99) { fprintf(stderr, "nn-bench: unknown encoding %s\n", e); return 2; }
        } else if (strncmp(a, "--target=", 9) == 0) {
            const char *t = a + 9;
            target = !strcmp(t, "cpu") ? NN_TARGET_CPU : !strcmp(t, "gpu") ? NN_TARGET_GPU : !strcmp(t, "tpu") ? NN_TARGET_TPU : 99;
            if (target == 99) { fprintf(stderr, "nn-bench: unknown target %s\n", t); return 2; }
        } else if (strncmp(a, "--input=", 8) == 0) {
            if (n_inputs == MAX_INPUTS || parse_input(a + 8, &inputs[n_inputs])) {
                fprintf(stderr, "nn-bench: bad --input (INDEX:TYPE:DIMS[:sin|zero|ramp|file=PATH]): %s\n", a + 8);
                return 2;
            }
            n_inputs++;
        } else if (strncmp(a, "--runs=", 7) == 0) {
            runs = atoi(a + 7);
        } else if (strncmp(a, "--warmup=", 9) == 0) {
            warmup = atoi(a + 9);
        } else if (strncmp(a, "--outputs=", 10) == 0) {
            max_outputs = atoi(a + 10);
            if (max_outputs > MAX_OUTPUTS) max_outputs = MAX_OUTPUTS;
        } else if (strncmp(a, "--save=", 7) == 0) {
            save = a + 7;
        } else if (strncmp(a, "--show=", 7) == 0) {
            show = atoi(a + 7);
        } else if (a[0] == '-') {
            fprintf(stderr, "nn-bench: unknown option %s (see the top of nn_bench.c)\n", a);
            return 2;
        } else {
            model = a;
        }
    }
    if (!model || n_inputs == 0 || runs < 1 || warmup < 0) {
        fprintf(stderr, "usage: nn-bench [--encoding=E] [--target=T] --input=INDEX:TYPE:DIMS[:SOURCE]... "
                        "[--runs=N] [--warmup=N] [--outputs=N] [--save=PREFIX] [--show=N] MODEL|@NAME\n");
        return 2;
    }

    nn_graph g;
    nn_error e;
    double t0 = now_ms();
    if (model[0] == '@') {
        e = nn_load_by_name(model + 1, (uint32_t)strlen(model + 1), &g);
    } else {
        nn_builder b[2];
        unsigned char *bytes[2] = {0};
        char *second = strchr(model, ',');
        int nb = second ? 2 : 1;
        if (second) *second++ = 0;
        const char *paths[2] = {model, second};
        for (int i = 0; i < nb; i++) {
            size_t len;
            bytes[i] = read_file(paths[i], &len);
            if (!bytes[i]) { fprintf(stderr, "nn-bench: cannot read %s (give iwasm --dir for its folder)\n", paths[i]); return 1; }
            b[i].data = bytes[i];
            b[i].len = (uint32_t)len;
        }
        e = nn_load(b, (uint32_t)nb, encoding, target, &g);
        for (int i = 0; i < nb; i++) free(bytes[i]);
    }
    if (e) return fail("load", e);
    double load_ms = now_ms() - t0;
    nn_ctx c;
    if ((e = nn_init_execution_context(g, &c))) return fail("init_execution_context", e);

    uint8_t *out = malloc(OUT_CAP);
    uint32_t sizes[MAX_OUTPUTS] = {0};
    int n_outputs = -1;
    double *times = calloc((size_t)runs, sizeof *times);
    if (!out || !times) { fprintf(stderr, "nn-bench: out of memory\n"); return 1; }
    for (int r = -warmup; r < runs; r++) {
        double s = now_ms();
        for (int i = 0; i < n_inputs; i++) {
            nn_tensor t = {inputs[i].dims, inputs[i].rank, (uint8_t)inputs[i].type, {0}, inputs[i].data, inputs[i].len};
            if ((e = nn_set_input(c, inputs[i].index, &t))) return fail("set_input", e);
        }
        if ((e = nn_compute(c))) return fail("compute", e);
        for (int o = 0; o < (n_outputs < 0 ? max_outputs : n_outputs); o++) {
            uint32_t written = 0;
            e = nn_get_output(c, (uint32_t)o, out, OUT_CAP, &written);
            if (e == 1 && n_outputs < 0 && o > 0) { n_outputs = o; break; } /* no such output: the count */
            if (e) return fail("get_output", e);
            sizes[o] = written;
            if (r == runs - 1) {
                summarize((uint32_t)o, out, written, show);
                if (save) {
                    char path[1024];
                    snprintf(path, sizeof path, "%s%d.bin", save, o);
                    FILE *f = fopen(path, "wb");
                    if (!f || fwrite(out, 1, written, f) != written) { fprintf(stderr, "nn-bench: cannot write %s\n", path); return 1; }
                    fclose(f);
                }
            }
        }
        if (n_outputs < 0) n_outputs = max_outputs;
        if (r >= 0) times[r] = now_ms() - s;
    }
    (void)sizes;
    qsort(times, (size_t)runs, sizeof *times, cmp_double);
    double mean = 0;
    for (int r = 0; r < runs; r++) mean += times[r];
    mean /= runs;
    printf("model %s: load %.2f ms; %d outputs; %d runs: min %.3f median %.3f mean %.3f max %.3f ms\n", model,
           load_ms, n_outputs, runs, times[0], times[runs / 2], mean, times[runs - 1]);
    return 0;
}
