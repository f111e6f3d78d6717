/*
 * Semantic search on the board: embeds a handful of sentences and a query with a sentence
 * embedding model (all-MiniLM-L6-v2 as GGUF) through wasi-nn's ggml API, and prints the
 * sentences ranked by cosine similarity to the query.
 *
 *   semantic_search MODEL_NAME QUERY [SENTENCE...]     (built-in sentences when none given)
 *
 * The model is a named model of the runtime (iwasm --nn-preload MODEL_NAME:GGML:AUTO:file.gguf).
 * The embedding is read from output 0 as WasmEdge's ggml plugin writes it,
 * {"n_embedding": N, "embedding": [...]}, so the app runs unchanged on WasmEdge too.
 */
#include "../wasi_nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIM 4096
#define MAX_TEXTS 64

static const char *builtin[] = {
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
};

static char json[1 << 17];

/* Parse {"n_embedding": N, "embedding": [v0,v1,...]} into v; returns N (0 on error). */
static int parse_embedding(const char *s, float *v) {
    const char *p = strstr(s, "\"embedding\"");
    if (!p || !(p = strchr(p, '['))) return 0;
    p++;
    int n = 0;
    while (n < MAX_DIM) {
        char *end;
        float f = strtof(p, &end);
        if (end == p) break;
        v[n++] = f;
        p = end;
        while (*p == ' ' || *p == ',') p++;
    }
    return n;
}

static int embed(nn_ctx c, const char *text, float *v) {
    uint32_t dims[1] = {(uint32_t)strlen(text)};
    nn_tensor t = {dims, 1, NN_TYPE_U8, {0}, (const uint8_t *)text, dims[0]};
    uint32_t n = 0;
    nn_error e;
    if ((e = nn_set_input(c, 0, &t)) || (e = nn_compute(c)) ||
        (e = nn_get_output(c, 0, (uint8_t *)json, sizeof json - 1, &n))) {
        fprintf(stderr, "embedding '%s' failed: wasi-nn error %u\n", text, e);
        return 0;
    }
    json[n] = 0;
    return parse_embedding(json, v);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: semantic_search MODEL_NAME QUERY [SENTENCE...]\n");
        return 2;
    }
    const char *name = argv[1], *query = argv[2];
    const char **texts = argc > 3 ? (const char **)argv + 3 : builtin;
    int n = argc > 3 ? argc - 3 : (int)(sizeof builtin / sizeof *builtin);
    if (n > MAX_TEXTS) n = MAX_TEXTS;

    const char *config = "{\"embedding\": true}";
    nn_graph g;
    nn_ctx c;
    nn_error e = nn_load_by_name_with_config(name, strlen(name), config, strlen(config), &g);
    if (e || (e = nn_init_execution_context(g, &c))) {
        fprintf(stderr, "cannot load the embedding model '%s': wasi-nn error %u\n", name, e);
        return 1;
    }
    static float q[MAX_DIM], v[MAX_DIM];
    static float score[MAX_TEXTS];
    int dim = embed(c, query, q);
    if (!dim) return 1;
    for (int i = 0; i < n; i++) {
        if (embed(c, texts[i], v) != dim) return 1;
        float dot = 0; /* the vectors are L2-normalized: the dot product is the cosine */
        for (int k = 0; k < dim; k++) dot += q[k] * v[k];
        score[i] = dot;
    }
    printf("query: %s   (%d-dim embeddings)\n", query, dim);
    int order[MAX_TEXTS];
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && score[order[j]] > score[order[j - 1]]; j--) {
            int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
        }
    for (int r = 0; r < n; r++) printf("%2d. %.4f  %s\n", r + 1, score[order[r]], texts[order[r]]);
    return 0;
}
