/*
 * A scripted wasi-nn guest (wasi_ephemeral_nn) for the dispatch tests of tests/nn_dispatch.rs:
 * it runs the steps given as arguments, prints one line per step and goes on after a failed
 * step, so a test can check that the instance survives a backend error (or a backend panic).
 *
 * Usage: nn_steps.wasm STEP...
 *   load=PATH:ENC  load the model file PATH (guest path) with encoding ENC (load, bytes);
 *                  prints "load=PATH:ENC ok" or "load=PATH:ENC error N"
 *   name=NAME      load_by_name(NAME); prints "name=NAME ok" or "name=NAME error N"
 *   run=X          on the last graph loaded: a new execution context, input 0 = fp32 [1,4]
 *                  {X, 1, 2, 3}, compute, output 0; prints "run=X sum S" or
 *                  "run=X STAGE error N" (STAGE: init, set_input, compute, get_output); the
 *                  context is finalized either way
 * Ends with "steps: done" and exit status 0 (2 for a bad step).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_guest.h"

static uint32_t graph = 0xffffffffu;

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

static void report_load(const char *step, int32_t rc, uint32_t g) {
    if (rc == NN_SUCCESS) {
        graph = g;
        printf("%s ok\n", step);
    } else {
        printf("%s error %d\n", step, rc);
    }
}

static void load_file(const char *step, const char *spec) {
    char path[256];
    const char *colon = strrchr(spec, ':');
    size_t n = colon ? (size_t)(colon - spec) : 0;
    if (!colon || n >= sizeof path) {
        printf("%s: expected load=PATH:ENC\n", step);
        exit(2);
    }
    memcpy(path, spec, n);
    path[n] = 0;
    uint32_t size = 0, g = 0;
    uint8_t *model = read_file(path, &size);
    if (!model) {
        printf("%s cannot read %s\n", step, path);
        return;
    }
    nn_builder b = {model, size};
    int32_t rc = eph_load(&b, 1, (uint32_t)atoi(colon + 1), TARGET_CPU, &g);
    free(model);
    report_load(step, rc, g);
}

static void run(const char *step, float first) {
    static const uint32_t dims[] = {1, 4};
    float in[4] = {first, 1, 2, 3}, out = 0;
    uint32_t ctx = 0, written = 0;
    int32_t rc = eph_init_execution_context(graph, &ctx);
    if (rc != NN_SUCCESS) {
        printf("%s init error %d\n", step, rc);
        return;
    }
    eph_tensor t = {dims, 2, EPH_FP32, {0}, (const uint8_t *)in, sizeof in};
    const char *stage = "set_input";
    rc = eph_set_input(ctx, 0, &t);
    if (rc == NN_SUCCESS) {
        stage = "compute";
        rc = eph_compute(ctx);
    }
    if (rc == NN_SUCCESS) {
        stage = "get_output";
        rc = eph_get_output(ctx, 0, (uint8_t *)&out, sizeof out, &written);
    }
    if (rc == NN_SUCCESS)
        printf("%s sum %g\n", step, out);
    else
        printf("%s %s error %d\n", step, stage, rc);
    eph_finalize_execution_context(ctx);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *step = argv[i];
        if (strncmp(step, "load=", 5) == 0) {
            load_file(step, step + 5);
        } else if (strncmp(step, "name=", 5) == 0) {
            uint32_t g = 0;
            report_load(step, eph_load_by_name(step + 5, (uint32_t)strlen(step + 5), &g), g);
        } else if (strncmp(step, "run=", 4) == 0) {
            run(step, (float)atof(step + 4));
        } else {
            printf("unknown step %s\n", step);
            return 2;
        }
    }
    printf("steps: done\n");
    return 0;
}
