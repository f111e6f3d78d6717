/*
 * Ember wasi-nn settings: named models, backend lookup, backend options.
 *
 * libvmcore.so registers the wasi-nn import modules wasi_ephemeral_nn and wasi_nn for every
 * instance. These functions configure them process-wide; call them before instantiating.
 * Errors are written as one NUL-terminated line into error_buf (if not NULL).
 *
 * Backends (libwasi_nn_backend_<name>.so, ABI in nn/include/wasi_nn_backend.h) are found:
 *  - when registered explicitly (ember_nn_register_backend, iwasm --native-lib=PATH);
 *  - by encoding in backend directories: --wasi-nn-backend-dir options, EMBER_NN_BACKEND_DIR
 *    (colon-separated), then <dir of libvmcore.so>/wasi-nn and <dir of libvmcore.so>.
 */
#ifndef EMBER_NN_H
#define EMBER_NN_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Handle one command-line argument if it is a wasi-nn option:
 *   --nn-preload NAME:ENCODING:TARGET:PATH   (or --nn-preload=...; consumes `next` in the
 *                                             first form)
 *   --wasi-nn-graph=NAME:ENCODING:TARGET:PATH
 *   --wasi-nn-backend=NAME[,NAME..]   --wasi-nn-backend-dir=DIR
 *   --wasi-nn-backend-opt=[NAME:]KEY=VALUE
 *   --wasi-nn-allow-host-paths        --wasi-nn-legacy-u8
 * `next` is the following argument or NULL. Returns the number of arguments consumed (1 or 2),
 * 0 when `arg` is not a wasi-nn option, -1 on a bad value (message in error_buf).
 */
int32_t ember_nn_cli_option(const char *arg, const char *next, char *error_buf,
                            uint32_t error_buf_size);

/* Help lines for the options above (static string). */
const char *ember_nn_cli_help(void);

/* Set one option by name without dashes, e.g. ("nn-preload", "face:tflite:cpu:/m.tflite"),
 * ("wasi-nn-backend-dir", "/opt/ember/lib/wasi-nn"), ("wasi-nn-legacy-u8", NULL). */
bool ember_nn_set_option(const char *key, const char *value, char *error_buf,
                         uint32_t error_buf_size);

/* Load and register a backend library. Fails with a message when the file cannot be opened,
 * does not export ember_nn_backend_entry ("not a wasi-nn backend"), has another backend ABI
 * version (both versions named), or fails to initialise. */
bool ember_nn_register_backend(const char *path, char *error_buf, uint32_t error_buf_size);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_NN_H */
