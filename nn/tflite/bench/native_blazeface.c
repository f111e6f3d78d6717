/* The native side of the wasi-nn overhead benchmark: BlazeFace run N times on an engine called
 * directly (no wasm, no Ember), with the settings the backend uses: the input copied in before
 * each run, outputs copied out once at the end, the engine's default CPU path.
 *   native_blazeface classic LIBTENSORFLOWLITE_C.so MODEL N [input=FILE]
 *   native_blazeface litert  LIBLITERT.so           MODEL N [input=FILE]
 * The input is FILE's raw f32 values (e.g. the wasm app's preprocessed picture, written by
 * nn/bench/face_input.py), else x[k] = sin(0.37 k).
 * prints "seconds_per_inference S cpu_seconds_per_inference C" (wall and process CPU). Both engines are opened with dlopen; the classic API comes
 * from the TFLite 2.9 header (nn/engines/fetch.sh puts it in the cache), LiteRT's few calls are
 * declared below with the 2.3 signatures (as nn/tflite/src/litert.rs). */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tensorflow/lite/c/c_api.h"

#define IN_BYTES (128 * 128 * 3 * 4)
static float input[128 * 128 * 3], reg[896 * 16], cls[896];
static unsigned char model_bytes[1 << 22] __attribute__((aligned(64)));

static double cpu0, cpu1;

static double clock_of(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Wall time; the process CPU time is sampled alongside into cpu0/cpu1 (start/end). */
static double now(void) {
    static int started;
    double c = clock_of(CLOCK_PROCESS_CPUTIME_ID);
    if (!started) { cpu0 = c; started = 1; } else cpu1 = c;
    return clock_of(CLOCK_MONOTONIC);
}

static void *sym(void *lib, const char *name) {
    void *p = dlsym(lib, name);
    if (!p) { fprintf(stderr, "missing %s\n", name); exit(1); }
    return p;
}

static double run_classic(void *lib, size_t len, int n) {
    TfLiteModel *(*model_create)(const void *, size_t) = sym(lib, "TfLiteModelCreate");
    TfLiteInterpreterOptions *(*opt_create)(void) = sym(lib, "TfLiteInterpreterOptionsCreate");
    void (*threads)(TfLiteInterpreterOptions *, int32_t) = sym(lib, "TfLiteInterpreterOptionsSetNumThreads");
    TfLiteInterpreter *(*create)(const TfLiteModel *, const TfLiteInterpreterOptions *) = sym(lib, "TfLiteInterpreterCreate");
    TfLiteStatus (*alloc)(TfLiteInterpreter *) = sym(lib, "TfLiteInterpreterAllocateTensors");
    TfLiteTensor *(*in)(const TfLiteInterpreter *, int32_t) = sym(lib, "TfLiteInterpreterGetInputTensor");
    const TfLiteTensor *(*out)(const TfLiteInterpreter *, int32_t) = sym(lib, "TfLiteInterpreterGetOutputTensor");
    TfLiteStatus (*copy_in)(TfLiteTensor *, const void *, size_t) = sym(lib, "TfLiteTensorCopyFromBuffer");
    TfLiteStatus (*copy_out)(const TfLiteTensor *, void *, size_t) = sym(lib, "TfLiteTensorCopyToBuffer");
    TfLiteStatus (*invoke)(TfLiteInterpreter *) = sym(lib, "TfLiteInterpreterInvoke");
    TfLiteModel *m = model_create(model_bytes, len);
    TfLiteInterpreterOptions *o = opt_create();
    threads(o, 1);
    TfLiteInterpreter *it = m ? create(m, o) : NULL;
    if (!it || alloc(it) != kTfLiteOk) { fprintf(stderr, "classic setup failed\n"); exit(1); }
    double t0 = now();
    for (int r = 0; r < n; r++) {
        copy_in(in(it, 0), input, IN_BYTES);
        if (invoke(it) != kTfLiteOk) { fprintf(stderr, "invoke failed\n"); exit(1); }
    }
    double t1 = now();
    copy_out(out(it, 0), reg, sizeof reg);
    copy_out(out(it, 1), cls, sizeof cls);
    return (t1 - t0) / n;
}

/* LiteRT 2.3: opaque handles, int status, ranked tensor type {int32 type; u32 rank bits;
 * int32 dims[8]; u32 strides[8]} (72 bytes). */
typedef void *H;
typedef struct { int32_t type; uint32_t rank; int32_t dims[8]; uint32_t strides[8]; } ranked;

static double run_litert(void *lib, size_t len, int n) {
    int (*env_create)(int, const void *, H *) = sym(lib, "LiteRtCreateEnvironment");
    int (*model_create)(H, const void *, size_t, H *) = sym(lib, "LiteRtCreateModelFromBuffer");
    int (*opts_create)(H *) = sym(lib, "LiteRtCreateOptions");
    int (*set_hw)(H, int) = sym(lib, "LiteRtSetOptionsHardwareAccelerators");
    int (*compile)(H, H, H, H *) = sym(lib, "LiteRtCreateCompiledModel");
    int (*sig)(H, size_t, H *) = sym(lib, "LiteRtGetModelSignature");
    int (*sig_in)(H, size_t, H *) = sym(lib, "LiteRtGetSignatureInputTensorByIndex");
    int (*sig_out)(H, size_t, H *) = sym(lib, "LiteRtGetSignatureOutputTensorByIndex");
    int (*rtype)(H, ranked *) = sym(lib, "LiteRtGetRankedTensorType");
    int (*in_req)(H, size_t, size_t, H *) = sym(lib, "LiteRtGetCompiledModelInputBufferRequirements");
    int (*out_req)(H, size_t, size_t, H *) = sym(lib, "LiteRtGetCompiledModelOutputBufferRequirements");
    int (*buf)(H, const ranked *, H, H *) = sym(lib, "LiteRtCreateManagedTensorBufferFromRequirements");
    int (*lock)(H, void **, int) = sym(lib, "LiteRtLockTensorBuffer");
    int (*unlock)(H) = sym(lib, "LiteRtUnlockTensorBuffer");
    int (*run)(H, size_t, size_t, H *, size_t, H *) = sym(lib, "LiteRtRunCompiledModel");
    H env, model, opts, cm, s, t, req, ins[1], outs[2];
    ranked ty;
    void *p;
    if (env_create(0, NULL, &env) || model_create(env, model_bytes, len, &model) || opts_create(&opts) ||
        set_hw(opts, 1) || compile(env, model, opts, &cm) || sig(model, 0, &s)) { fprintf(stderr, "litert setup failed\n"); exit(1); }
    if (sig_in(s, 0, &t) || rtype(t, &ty) || in_req(cm, 0, 0, &req) || buf(env, &ty, req, &ins[0])) exit(1);
    for (int i = 0; i < 2; i++)
        if (sig_out(s, i, &t) || rtype(t, &ty) || out_req(cm, 0, i, &req) || buf(env, &ty, req, &outs[i])) exit(1);
    double t0 = now();
    for (int r = 0; r < n; r++) {
        if (lock(ins[0], &p, 1)) exit(1);
        memcpy(p, input, IN_BYTES);
        unlock(ins[0]);
        if (run(cm, 0, 1, ins, 2, outs)) { fprintf(stderr, "run failed\n"); exit(1); }
    }
    double t1 = now();
    lock(outs[0], &p, 0);
    memcpy(reg, p, sizeof reg);
    unlock(outs[0]);
    return (t1 - t0) / n;
}

int main(int argc, char **argv) {
    if (argc != 5 && !(argc == 6 && !strncmp(argv[5], "input=", 6))) {
        fprintf(stderr, "usage: native_blazeface classic|litert LIB MODEL N [input=FILE]\n");
        return 2;
    }
    int n = atoi(argv[4]);
    void *lib = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    FILE *f = fopen(argv[3], "rb");
    if (!f) { perror(argv[3]); return 1; }
    size_t len = fread(model_bytes, 1, sizeof model_bytes, f);
    fclose(f);
    if (argc == 6) {
        FILE *in = fopen(argv[5] + 6, "rb");
        if (!in || fread(input, 1, sizeof input, in) != sizeof input) { fprintf(stderr, "cannot read %zu bytes from %s\n", sizeof input, argv[5] + 6); return 1; }
        fclose(in);
    } else {
        for (int k = 0; k < 128 * 128 * 3; k++) input[k] = sinf(0.37f * k);
    }
    double s = strcmp(argv[1], "litert") ? run_classic(lib, len, n) : run_litert(lib, len, n);
    fprintf(stderr, "seconds_per_inference %.9f cpu_seconds_per_inference %.9f\n", s, (cpu1 - cpu0) / n);
    return 0;
}
