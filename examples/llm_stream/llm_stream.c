/*
 * Streaming text generation on the board: asks a small chat model (SmolLM2-135M-Instruct as
 * GGUF) a question through wasi-nn's ggml API and prints the answer token by token as it is
 * generated (compute_single / get_output_single / fini_single, WasmEdge's streaming API), then
 * the token counts from the metadata output.
 *
 *   llm_stream MODEL_NAME "question" [N_PREDICT]
 *
 * The model is a named model of the runtime (iwasm --nn-preload MODEL_NAME:GGML:AUTO:file.gguf).
 */
#include "../wasi_nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

NN_IMPORT("compute_single") nn_error nn_compute_single(nn_ctx c);
NN_IMPORT("get_output_single")
nn_error nn_get_output_single(nn_ctx c, uint32_t index, uint8_t *out, uint32_t out_max, uint32_t *written);
NN_IMPORT("fini_single") nn_error nn_fini_single(nn_ctx c);

enum { END_OF_SEQUENCE = 100, CONTEXT_FULL = 101 };

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: llm_stream MODEL_NAME \"question\" [N_PREDICT]\n");
        return 2;
    }
    const char *name = argv[1];
    int n_predict = argc > 3 ? atoi(argv[3]) : 96;
    char config[128];
    /* Greedy decoding: the same answer every run. */
    snprintf(config, sizeof config, "{\"ctx-size\": 1024, \"n-predict\": %d, \"temp\": 0}", n_predict);
    /* SmolLM2-Instruct's chat template (ChatML); the special tokens are parsed by the backend. */
    static char prompt[4096];
    snprintf(prompt, sizeof prompt,
             "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
             "<|im_start|>user\n%s<|im_end|>\n<|im_start|>assistant\n", argv[2]);

    nn_graph g;
    nn_ctx c;
    nn_error e = nn_load_by_name_with_config(name, strlen(name), config, strlen(config), &g);
    if (e || (e = nn_init_execution_context(g, &c))) {
        fprintf(stderr, "cannot load the model '%s': wasi-nn error %u\n", name, e);
        return 1;
    }
    uint32_t dims[1] = {(uint32_t)strlen(prompt)};
    nn_tensor t = {dims, 1, NN_TYPE_U8, {0}, (const uint8_t *)prompt, dims[0]};
    if ((e = nn_set_input(c, 0, &t))) {
        fprintf(stderr, "set_input: wasi-nn error %u\n", e);
        return 1;
    }
    static uint8_t piece[4096];
    for (;;) {
        e = nn_compute_single(c);
        if (e) break;
        uint32_t n = 0;
        if (nn_get_output_single(c, 0, piece, sizeof piece, &n) == 0) {
            fwrite(piece, 1, n, stdout);
            fflush(stdout);
        }
    }
    printf("\n");
    if (e != END_OF_SEQUENCE && e != CONTEXT_FULL) {
        fprintf(stderr, "compute_single: wasi-nn error %u\n", e);
        return 1;
    }
    static uint8_t meta[1024];
    uint32_t n = 0;
    if (nn_get_output_single(c, 1, meta, sizeof meta - 1, &n) == 0) fprintf(stderr, "metadata: %.*s\n", (int)n, meta);
    nn_fini_single(c);
    return 0;
}
