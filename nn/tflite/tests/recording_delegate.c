/* A TFLite external delegate for tests (not a backend, not an accelerator): it speaks the
 * external delegate plugin protocol, claims no operator (so results stay the CPU's) and appends
 * one line per event to the file given by its option "log": "create", "prepare", "destroy".
 * Built by tests/nn_tflite.rs against the TFLite 2.9 headers in the Ember cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensorflow/lite/c/common.h"

static char log_path[512];

static void note(const char *what) {
    FILE *f = log_path[0] ? fopen(log_path, "a") : NULL;
    if (f) { fprintf(f, "%s\n", what); fclose(f); }
}

static TfLiteStatus prepare(TfLiteContext *context, TfLiteDelegate *delegate) {
    (void)context; (void)delegate;
    note("prepare");
    return kTfLiteOk; /* replaces no node: the interpreter keeps running every op on the CPU */
}

TfLiteDelegate *tflite_plugin_create_delegate(char **keys, char **values, size_t n,
                                              void (*report_error)(const char *)) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i], "log")) snprintf(log_path, sizeof log_path, "%s", values[i]);
    if (!log_path[0]) { if (report_error) report_error("recording delegate: option log missing"); return NULL; }
    TfLiteDelegate *d = calloc(1, sizeof *d);
    d->Prepare = prepare;
    d->flags = kTfLiteDelegateFlagsNone;
    note("create");
    return d;
}

void tflite_plugin_destroy_delegate(TfLiteDelegate *d) {
    note("destroy");
    free(d);
}
