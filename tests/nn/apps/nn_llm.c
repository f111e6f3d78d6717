/*
 * A wasm app of the LLM API (WasmEdge's ggml plugin, as LlamaEdge apps call it): the prompt as
 * a u8 tensor at input 0, a JSON config at load (load_by_name_with_config) or as input 1, text
 * at output 0 and metadata JSON at output 1, streaming through compute_single /
 * get_output_single / fini_single, embeddings. Driven by tests/nn_ggml.rs.
 *
 *   nn_llm gen    NAME CONFIG PROMPT   generate; prints "text: <json string>", "meta: <json>" and
 *                                      "tokens: id id ..." (output 3)
 *   nn_llm stream NAME CONFIG PROMPT   stream; prints one "piece: <json string>" per token, then
 *                                      "text:" (the pieces joined), "meta:", "end: <code>"
 *   nn_llm embed  NAME CONFIG TEXT...  embedding of each TEXT: "vec: v0 v1 ..." (output 2, f32)
 *                                      and "json: <output 0>"
 *   nn_llm bytes  FILE ENCODING PROMPT load the model from bytes (read from a preopened FILE)
 *                                      with ENCODING (5 or 6), generate 4 greedy tokens
 *   nn_llm hostile NAME                the hostile-guest set; prints "hostile: passed"
 *   nn_llm bench  NAME CONFIG PROMPT RUNS   RUNS streams (embedding configs: RUNS computes);
 *                                      prints "bench: prompt_ms gen_ms tokens" of the fastest
 *                                      run (prompt: the first compute_single; gen: the rest)
 *
 * Exit 0 on success; a failed call prints "FAIL: ..." and exits 1.
 */
#include "nn_guest.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

EPH(compute_single) int32_t eph_compute_single(uint32_t ctx);
EPH(get_output_single) int32_t eph_get_output_single(uint32_t ctx, uint32_t index, uint8_t *out, uint32_t out_max,
                                                     uint32_t *bytes_written);
EPH(fini_single) int32_t eph_fini_single(uint32_t ctx);

enum { END_OF_SEQUENCE = 100, CONTEXT_FULL = 101, PROMPT_TOO_LONG = 102 };

static uint8_t out[1 << 20];
static int failures;

#define EXPECT(call, want)                                                                   \
    do {                                                                                     \
        int32_t got_ = (call);                                                               \
        if (got_ != (want)) {                                                                \
            printf("FAIL: %s = %d, expected %d (line %d)\n", #call, got_, (int)(want), __LINE__); \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

static void die(const char *what, int32_t code) {
    printf("FAIL: %s: error %d\n", what, code);
    exit(1);
}

/* Print bytes as a JSON string. */
static void print_json_string(const char *label, const uint8_t *s, uint32_t n) {
    printf("%s: \"", label);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c == '\n') printf("\\n");
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    printf("\"\n");
}

static int32_t set_bytes(uint32_t ctx, uint32_t index, const char *s, uint32_t len) {
    uint32_t dims[1] = {len};
    eph_tensor t = {dims, 1, EPH_U8, {0}, (const uint8_t *)s, len};
    return eph_set_input(ctx, index, &t);
}

static int32_t set_text(uint32_t ctx, uint32_t index, const char *s) {
    return set_bytes(ctx, index, s, (uint32_t)strlen(s));
}

static uint32_t load(const char *name, const char *config) {
    uint32_t g;
    int32_t rc = eph_load_by_name_with_config(name, strlen(name), config, strlen(config), &g);
    if (rc) die("load_by_name_with_config", rc);
    return g;
}

static uint32_t context(uint32_t g) {
    uint32_t c;
    int32_t rc = eph_init_execution_context(g, &c);
    if (rc) die("init_execution_context", rc);
    return c;
}

static void print_output(uint32_t c, uint32_t index, const char *label, int json_string) {
    uint32_t n = 0;
    int32_t rc = eph_get_output(c, index, out, sizeof out, &n);
    if (rc) die("get_output", rc);
    if (json_string) print_json_string(label, out, n);
    else printf("%s: %.*s\n", label, (int)n, out);
}

static int gen(const char *name, const char *config, const char *prompt) {
    uint32_t c = context(load(name, config));
    int32_t rc = set_text(c, 0, prompt);
    if (rc) die("set_input", rc);
    rc = eph_compute(c);
    print_output(c, 0, "text", 1);
    print_output(c, 1, "meta", 0);
    uint32_t n = 0;
    if (eph_get_output(c, 3, out, sizeof out, &n)) die("get_output(3)", 1);
    printf("tokens:");
    for (uint32_t k = 0; k + 4 <= n; k += 4) {
        int32_t t;
        memcpy(&t, out + k, 4);
        printf(" %d", t);
    }
    printf("\n");
    if (rc) die("compute", rc);
    return 0;
}

static int stream(const char *name, const char *config, const char *prompt) {
    uint32_t c = context(load(name, config));
    int32_t rc = set_text(c, 0, prompt);
    if (rc) die("set_input", rc);
    static uint8_t text[1 << 16];
    uint32_t len = 0;
    for (;;) {
        rc = eph_compute_single(c);
        if (rc) break;
        uint32_t n = 0;
        int32_t r2 = eph_get_output_single(c, 0, out, sizeof out, &n);
        if (r2) die("get_output_single", r2);
        print_json_string("piece", out, n);
        fflush(stdout);
        if (len + n <= sizeof text) {
            memcpy(text + len, out, n);
            len += n;
        }
    }
    print_json_string("text", text, len);
    uint32_t n = 0;
    if (eph_get_output_single(c, 1, out, sizeof out, &n)) die("get_output_single(1)", 1);
    printf("meta: %.*s\n", (int)n, out);
    printf("end: %d\n", rc);
    EXPECT(eph_fini_single(c), 0);
    return rc == END_OF_SEQUENCE && !failures ? 0 : 1;
}

static int embed(const char *name, const char *config, int n, char **texts) {
    uint32_t c = context(load(name, config));
    for (int i = 0; i < n; i++) {
        int32_t rc = set_text(c, 0, texts[i]);
        if (rc) die("set_input", rc);
        rc = eph_compute(c);
        if (rc) die("compute", rc);
        uint32_t bytes = 0;
        rc = eph_get_output(c, 2, out, sizeof out, &bytes);
        if (rc) die("get_output(2)", rc);
        printf("vec:");
        for (uint32_t k = 0; k + 4 <= bytes; k += 4) {
            float f;
            memcpy(&f, out + k, 4);
            printf(" %.9g", f);
        }
        printf("\n");
        print_output(c, 0, "json", 0);
    }
    return 0;
}

static int bytes(const char *file, uint32_t encoding, const char *prompt) {
    FILE *f = fopen(file, "rb");
    if (!f) die("fopen", 1);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *model = malloc((size_t)size);
    if (!model || fread(model, 1, (size_t)size, f) != (size_t)size) die("read model", 1);
    fclose(f);
    const char *config = "{\"temp\": 0, \"n-predict\": 4, \"threads\": 1}";
    nn_builder b[2] = {{model, (uint32_t)size}, {(const uint8_t *)config, (uint32_t)strlen(config)}};
    uint32_t g, c;
    int32_t rc = eph_load(b, 2, encoding, TARGET_CPU, &g);
    if (rc) die("load", rc);
    free(model);
    rc = eph_init_execution_context(g, &c);
    if (rc) die("init_execution_context", rc);
    if ((rc = set_text(c, 0, prompt)) || (rc = eph_compute(c))) die("set_input/compute", rc);
    print_output(c, 0, "text", 1);
    return 0;
}

static int hostile(const char *name) {
    uint32_t g, c, n;
    /* Bad configs: not JSON (invalid_encoding, as WasmEdge), a wrong type (invalid_argument). */
    EXPECT(eph_load_by_name_with_config(name, strlen(name), "{ctx-size: 12", 13, &g), NN_INVALID_ENCODING);
    EXPECT(eph_load_by_name_with_config(name, strlen(name), "{\"ctx-size\": \"big\"}", 19, &g), NN_INVALID_ARGUMENT);
    EXPECT(eph_load_by_name_with_config(name, strlen(name), "{\"ctx-size\": 0}", 15, &g), NN_INVALID_ARGUMENT);
    /* A config pointer outside memory is the runtime's invalid_argument. */
    EXPECT(eph_load_by_name_with_config(name, strlen(name), (const char *)0xfffffff0, 64, &g), NN_INVALID_ARGUMENT);

    /* Huge n_predict in a small context: context_full, the text so far still readable. */
    g = load(name, "{\"ctx-size\": 16, \"n-predict\": 1000000000, \"temp\": 0, \"threads\": 1, \"unknown-key\": 1}");
    c = context(g);
    EXPECT(set_text(c, 0, "Once upon a time"), 0);
    EXPECT(eph_compute(c), CONTEXT_FULL);
    n = 0;
    EXPECT(eph_get_output(c, 0, out, sizeof out, &n), 0);
    if (n == 0) { printf("FAIL: no text after context_full\n"); failures++; }
    /* Reads past the output buffer: too_large with the needed size, nothing written. */
    uint32_t need = n;
    memset(out, 0x5a, 8);
    n = 0;
    EXPECT(eph_get_output(c, 0, out, 1, &n), NN_TOO_LARGE);
    if (n != need || out[0] != 0x5a) { printf("FAIL: too_large reported %u (want %u), wrote %d\n", n, need, out[0] != 0x5a); failures++; }
    /* A buffer that runs past the end of linear memory: the runtime refuses it. */
    EXPECT(eph_get_output(c, 0, (uint8_t *)0xfffffff0, 4096, &n), NN_INVALID_ARGUMENT);
    EXPECT(eph_get_output(c, 7, out, sizeof out, &n), NN_INVALID_ARGUMENT);
    EXPECT(set_text(c, 5, "x"), NN_INVALID_ARGUMENT);

    /* A prompt over the context: prompt_too_long. */
    static char longp[8192];
    for (size_t i = 0; i + 6 < sizeof longp; i += 6) memcpy(longp + i, "hello ", 6);
    longp[sizeof longp - 1] = 0;
    EXPECT(set_text(c, 0, longp), 0);
    EXPECT(eph_compute(c), PROMPT_TOO_LONG);
    EXPECT(eph_compute_single(c), PROMPT_TOO_LONG);
    /* A prompt of 5 MiB is refused before tokenizing; the previous prompt stays. */
    {
        size_t big = 5u << 20;
        char *huge = malloc(big);
        if (!huge) die("malloc", 1);
        memset(huge, 'a', big);
        EXPECT(set_bytes(c, 0, huge, (uint32_t)big), PROMPT_TOO_LONG);
        free(huge);
    }

    /* Config as input 1: bad JSON refused, the context keeps working. */
    EXPECT(set_text(c, 1, "not json"), NN_INVALID_ENCODING);
    EXPECT(set_text(c, 1, "{\"ctx-size\": 64, \"n-predict\": 3}"), 0);
    EXPECT(set_text(c, 0, "Hello"), 0);
    EXPECT(eph_compute(c), 0);
    EXPECT(eph_get_output(c, 1, out, sizeof out, &n), 0);
    if (!strstr((char *)out, "\"output_tokens\": 3")) { printf("FAIL: metadata %.*s\n", (int)n, out); failures++; }

    /* Streaming: output before any step, after fini, steps after fini start over. */
    uint32_t c2 = context(g);
    EXPECT(eph_get_output_single(c2, 0, out, sizeof out, &n), NN_INVALID_ARGUMENT);
    EXPECT(eph_compute_single(c2), NN_INVALID_ARGUMENT); /* no prompt yet */
    EXPECT(set_text(c2, 0, "Hello"), 0);
    EXPECT(eph_compute_single(c2), 0);
    EXPECT(eph_fini_single(c2), 0);
    EXPECT(eph_get_output_single(c2, 0, out, sizeof out, &n), NN_INVALID_ARGUMENT);
    EXPECT(eph_fini_single(c2), 0);
    EXPECT(eph_compute_single(c2), 0);
    EXPECT(eph_get_output_single(c2, 0, out, sizeof out, &n), 0);
    EXPECT(eph_get_output_single(c2, 0, out, 0, &n), NN_TOO_LARGE);
    EXPECT(eph_finalize_execution_context(c2), 0);
    EXPECT(eph_compute_single(c2), NN_INVALID_ARGUMENT);
    EXPECT(eph_fini_single(c2), NN_INVALID_ARGUMENT);

    /* Bytes that are not a GGUF model, under both ggml numbers. */
    nn_builder junk = {(const uint8_t *)"GGUF\x03\0\0\0garbage", 15};
    EXPECT(eph_load(&junk, 1, 5, TARGET_CPU, &g), NN_INVALID_ARGUMENT);
    EXPECT(eph_load(&junk, 1, 6, TARGET_CPU, &g), NN_INVALID_ARGUMENT);

    /* After all that, the instance still generates. */
    EXPECT(eph_unload(g), 0);
    EXPECT(eph_compute(c), NN_INVALID_ARGUMENT);
    g = load(name, "{\"n-predict\": 2, \"temp\": 0, \"threads\": 1}");
    c = context(g);
    EXPECT(set_text(c, 0, "Hello"), 0);
    EXPECT(eph_compute(c), 0);
    if (failures) return 1;
    printf("hostile: passed\n");
    return 0;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int bench(const char *name, const char *config, const char *prompt, int runs) {
    uint32_t c = context(load(name, config));
    int embedding = strstr(config, "\"embedding\": true") != NULL;
    double best_prompt = 1e30, best_gen = 1e30;
    uint32_t tokens = 0;
    for (int r = 0; r < runs; r++) {
        int32_t rc = set_text(c, 0, prompt);
        if (rc) die("set_input", rc);
        double t0 = now_ms();
        if (embedding) {
            if ((rc = eph_compute(c))) die("compute", rc);
            double t = now_ms() - t0;
            if (t < best_prompt) best_prompt = t;
            best_gen = 0;
            continue;
        }
        if ((rc = eph_compute_single(c))) die("compute_single", rc);
        double t1 = now_ms();
        uint32_t n = 1;
        while ((rc = eph_compute_single(c)) == 0) n++;
        if (rc != END_OF_SEQUENCE) die("compute_single", rc);
        double t2 = now_ms();
        if (t1 - t0 < best_prompt) best_prompt = t1 - t0;
        if (t2 - t1 < best_gen) best_gen = t2 - t1;
        tokens = n;
        EXPECT(eph_fini_single(c), 0);
    }
    printf("bench: %.3f %.3f %u\n", best_prompt, best_gen, tokens);
    return failures != 0;
}

int main(int argc, char **argv) {
    if (argc >= 6 && !strcmp(argv[1], "bench")) return bench(argv[2], argv[3], argv[4], atoi(argv[5]));
    if (argc >= 5 && !strcmp(argv[1], "gen")) return gen(argv[2], argv[3], argv[4]);
    if (argc >= 5 && !strcmp(argv[1], "stream")) return stream(argv[2], argv[3], argv[4]);
    if (argc >= 5 && !strcmp(argv[1], "embed")) return embed(argv[2], argv[3], argc - 4, argv + 4);
    if (argc >= 5 && !strcmp(argv[1], "bytes")) return bytes(argv[2], (uint32_t)atoi(argv[3]), argv[4]);
    if (argc >= 3 && !strcmp(argv[1], "hostile")) return hostile(argv[2]);
    printf("usage: nn_llm gen|stream|embed|bytes|hostile ...\n");
    return 2;
}
