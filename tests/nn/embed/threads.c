/*
 * Several instances running wasi-nn at once from different threads of one process, through
 * the WAMR-style C API: one module, N instances, one thread each, all sharing the backend
 * given on the command line (registered once through ember_nn.h).
 * Usage: threads BACKEND.so APP.wasm MODELS_DIR N [APP_ARGS...]; exit 0 when every instance's
 * main returned 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ember_nn.h"
#include "wasm_export.h"

typedef struct {
    wasm_module_inst_t inst;
    int argc;
    char **argv;
    int status;
} job;

static void *worker(void *p) {
    job *j = p;
    if (!wasm_application_execute_main(j->inst, j->argc, j->argv)) {
        const char *e = wasm_runtime_get_exception(j->inst);
        fprintf(stderr, "trap: %s\n", e ? e : "?");
        j->status = -1;
    } else {
        j->status = (int)wasm_runtime_get_wasi_exit_code(j->inst);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 5) return 2;
    char err[512] = {0};
    int n = atoi(argv[4]);
    if (n < 1 || n > 16) return 2;
    if (!wasm_runtime_init()) return 3;
    if (!ember_nn_register_backend(argv[1], err, sizeof err)) {
        fprintf(stderr, "backend: %s\n", err);
        return 3;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) return 3;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *bytes = malloc((size_t)size);
    if (fread(bytes, 1, (size_t)size, f) != (size_t)size) return 3;
    fclose(f);
    wasm_module_t module = wasm_runtime_load(bytes, (uint32_t)size, err, sizeof err);
    if (!module) {
        fprintf(stderr, "load: %s\n", err);
        return 3;
    }
    char map[1024];
    snprintf(map, sizeof map, "/models::%s", argv[3]);
    const char *maps[] = {map};
    /* The app's argv: the wasm file name, then APP_ARGS. */
    int app_argc = argc - 4;
    char **app_argv = &argv[4];
    app_argv[0] = argv[2];
    wasm_runtime_set_wasi_args(module, NULL, 0, maps, 1, NULL, 0, app_argv, app_argc);
    job jobs[16];
    pthread_t threads[16];
    for (int i = 0; i < n; i++) {
        jobs[i].inst = wasm_runtime_instantiate(module, 256 * 1024, 16 * 1024, err, sizeof err);
        if (!jobs[i].inst) {
            fprintf(stderr, "instantiate: %s\n", err);
            return 3;
        }
        jobs[i].argc = app_argc;
        jobs[i].argv = app_argv;
    }
    for (int i = 0; i < n; i++) pthread_create(&threads[i], NULL, worker, &jobs[i]);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
        if (jobs[i].status != 0) failed++;
        wasm_runtime_deinstantiate(jobs[i].inst);
    }
    wasm_runtime_unload(module);
    free(bytes);
    wasm_runtime_destroy();
    printf("threads: %d of %d instances failed\n", failed, n);
    return failed ? 1 : 0;
}
