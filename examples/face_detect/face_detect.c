/* face_detect: finds faces in a picture with MediaPipe's BlazeFace (face_detection_short_range)
 * through wasi-nn (wasi_ephemeral_nn), as a sandboxed wasm32-wasi app.
 *
 *   face_detect [--png=OUT.png] MODEL PICTURE.ppm [cpu|gpu|tpu] [REPEAT]
 *   face_detect [--png=OUT.png] @NAME PICTURE.ppm ...   (a model preloaded by --nn-preload)
 *
 * MODEL: a .tflite or .onnx file, or OpenVINO IR as MODEL.xml,MODEL.bin; the encoding is
 * autodetected, so the same app runs on every backend. --png writes the picture with each face's
 * box and its six landmarks drawn (people would rather look than read coordinates).
 *
 * Steps, as MediaPipe's face_detection_short_range graph does them:
 * 1. read a binary PPM (P6) picture, letterbox it into 128x128 (bilinear), scale to [-1, 1];
 * 2. run the model: output 0 = regressors [1,896,16], output 1 = classificators [1,896,1];
 * 3. decode the 896 SSD anchors (strides 8,16,16,16: a 16x16 grid with 2 anchors per cell and an
 *    8x8 grid with 6, fixed anchor size), scores through a sigmoid, keep those >= 0.5;
 * 4. weighted non-maximum suppression (IoU 0.3), print each face in picture pixels.
 * REPEAT > 1 runs set_input+compute that many times (for the overhead benchmark). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../wasi_nn.h"

#define SIZE 128
#define BOXES 896
#define COORDS 16
#define MIN_SCORE 0.5f
#define NMS_IOU 0.3f

typedef struct { float x, y; } anchor;
typedef struct { float xmin, ymin, w, h, score, kx[6], ky[6]; } detection;

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) { cap *= 2; buf = realloc(buf, cap); }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Binary PPM: "P6", width, height, maxval 255, then RGB bytes; comments (#) allowed. */
static unsigned char *parse_ppm(unsigned char *d, size_t len, int *w, int *h) {
    size_t p = 2;
    int vals[3], k = 0;
    if (len < 2 || d[0] != 'P' || d[1] != '6') return NULL;
    while (k < 3 && p < len) {
        if (d[p] == '#') { while (p < len && d[p] != '\n') p++; continue; }
        if (d[p] >= '0' && d[p] <= '9') {
            long v = 0;
            while (p < len && d[p] >= '0' && d[p] <= '9' && v < 100000) v = v * 10 + (d[p++] - '0');
            vals[k++] = (int)v;
            continue;
        }
        p++;
    }
    p++; /* the single whitespace after maxval */
    if (k < 3 || vals[2] != 255 || vals[0] <= 0 || vals[1] <= 0) return NULL;
    if ((size_t)vals[0] * vals[1] * 3 > len - p || p > len) return NULL;
    *w = vals[0];
    *h = vals[1];
    return d + p;
}

/* Letterbox the picture into SIZE x SIZE, values in [-1, 1]; returns scale and offsets. */
#include "preprocess.h"

/* SSD anchors of face_detection_short_range: layers with strides 8,16,16,16; consecutive layers
 * with the same stride share one grid; each layer adds 2 anchors (scale + interpolated) per cell. */
static int make_anchors(anchor *a) {
    const int strides[4] = {8, 16, 16, 16};
    int n = 0, layer = 0;
    while (layer < 4) {
        int per_cell = 0, last = layer;
        while (last < 4 && strides[last] == strides[layer]) { per_cell += 2; last++; }
        int g = SIZE / strides[layer];
        for (int y = 0; y < g; y++)
            for (int x = 0; x < g; x++)
                for (int k = 0; k < per_cell; k++) {
                    a[n].x = (x + 0.5f) / g;
                    a[n].y = (y + 0.5f) / g;
                    n++;
                }
        layer = last;
    }
    return n;
}

static float iou(const detection *a, const detection *b) {
    float x0 = fmaxf(a->xmin, b->xmin), y0 = fmaxf(a->ymin, b->ymin);
    float x1 = fminf(a->xmin + a->w, b->xmin + b->w), y1 = fminf(a->ymin + a->h, b->ymin + b->h);
    float inter = fmaxf(0, x1 - x0) * fmaxf(0, y1 - y0);
    float uni = a->w * a->h + b->w * b->h - inter;
    return uni > 0 ? inter / uni : 0;
}

static int by_score(const void *a, const void *b) {
    float d = ((const detection *)b)->score - ((const detection *)a)->score;
    return (d > 0) - (d < 0);
}

/* Weighted NMS: each kept face is the score-weighted mean of the candidates overlapping it. */
static int weighted_nms(detection *c, int n, detection *out) {
    qsort(c, n, sizeof *c, by_score);
    char *used = calloc(n ? n : 1, 1);
    int kept = 0;
    for (int i = 0; i < n; i++) {
        if (used[i]) continue;
        detection m = {0};
        float total = 0;
        for (int j = i; j < n; j++) {
            if (used[j] || iou(&c[i], &c[j]) <= NMS_IOU) continue;
            used[j] = 1;
            float s = c[j].score;
            total += s;
            m.xmin += c[j].xmin * s; m.ymin += c[j].ymin * s; m.w += c[j].w * s; m.h += c[j].h * s;
            for (int k = 0; k < 6; k++) { m.kx[k] += c[j].kx[k] * s; m.ky[k] += c[j].ky[k] * s; }
        }
        m.xmin /= total; m.ymin /= total; m.w /= total; m.h /= total;
        for (int k = 0; k < 6; k++) { m.kx[k] /= total; m.ky[k] /= total; }
        m.score = c[i].score;
        out[kept++] = m;
    }
    free(used);
    return kept;
}

/* ---- A minimal PNG writer: 8-bit RGB, zlib "stored" blocks (no compression library). ---- */
static uint32_t crc_table[256];

static uint32_t crc32_update(uint32_t c, const unsigned char *p, size_t n) {
    if (!crc_table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t v = i;
            for (int k = 0; k < 8; k++) v = v & 1 ? 0xEDB88320u ^ (v >> 1) : v >> 1;
            crc_table[i] = v;
        }
    c ^= 0xFFFFFFFFu;
    while (n--) c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static int chunk(FILE *f, const char *type, const unsigned char *data, uint32_t len) {
    unsigned char head[8], tail[4];
    put32(head, len);
    memcpy(head + 4, type, 4);
    uint32_t crc = crc32_update(crc32_update(0, head + 4, 4), data, len);
    put32(tail, crc);
    return fwrite(head, 1, 8, f) == 8 && (len == 0 || fwrite(data, 1, len, f) == len) && fwrite(tail, 1, 4, f) == 4;
}

static int write_png(const char *path, const unsigned char *rgb, int w, int h) {
    size_t raw_len = (size_t)h * (1 + (size_t)w * 3), blocks = raw_len / 65535 + 1;
    size_t z_len = 2 + raw_len + blocks * 5 + 4;
    unsigned char *raw = malloc(raw_len), *z = malloc(z_len);
    FILE *f = fopen(path, "wb");
    int ok = raw && z && f;
    if (ok) {
        for (int y = 0; y < h; y++) {
            raw[(size_t)y * (1 + (size_t)w * 3)] = 0; /* filter: none */
            memcpy(raw + (size_t)y * (1 + (size_t)w * 3) + 1, rgb + (size_t)y * w * 3, (size_t)w * 3);
        }
        size_t o = 0;
        z[o++] = 0x78; z[o++] = 0x01;
        uint32_t a = 1, b = 0;
        for (size_t i = 0; i < raw_len; i++) { a = (a + raw[i]) % 65521; b = (b + a) % 65521; }
        for (size_t done = 0; done < raw_len || done == 0;) {
            size_t n = raw_len - done > 65535 ? 65535 : raw_len - done;
            z[o++] = done + n == raw_len; /* BFINAL, BTYPE 00 (stored) */
            z[o++] = n & 0xFF; z[o++] = n >> 8; z[o++] = ~n & 0xFF; z[o++] = (~n >> 8) & 0xFF;
            memcpy(z + o, raw + done, n);
            o += n; done += n;
            if (raw_len == 0) break;
        }
        put32(z + o, (b << 16) | a); o += 4;
        unsigned char ihdr[13];
        put32(ihdr, (uint32_t)w); put32(ihdr + 4, (uint32_t)h);
        ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; /* 8-bit RGB */
        ok = fwrite("\x89PNG\r\n\x1a\n", 1, 8, f) == 8 && chunk(f, "IHDR", ihdr, 13) &&
             chunk(f, "IDAT", z, (uint32_t)o) && chunk(f, "IEND", NULL, 0);
    }
    if (f && fclose(f)) ok = 0;
    free(raw); free(z);
    return ok ? 0 : -1;
}

static void fill(unsigned char *rgb, int w, int h, int x0, int y0, int x1, int y1, const unsigned char c[3]) {
    for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < h; y++)
        for (int x = x0 < 0 ? 0 : x0; x <= x1 && x < w; x++) memcpy(rgb + ((size_t)y * w + x) * 3, c, 3);
}

/* The box (green, 3 pixels wide) and the landmarks (red squares) of one face, in pixels. */
static void draw_face(unsigned char *rgb, int w, int h, float bx, float by, float bw, float bh, const float *kx, const float *ky) {
    static const unsigned char green[3] = {0, 230, 64}, red[3] = {255, 32, 32};
    int t = 1 + (w > h ? w : h) / 300, x0 = (int)bx, y0 = (int)by, x1 = (int)(bx + bw), y1 = (int)(by + bh);
    fill(rgb, w, h, x0 - t, y0 - t, x1 + t, y0, green);
    fill(rgb, w, h, x0 - t, y1, x1 + t, y1 + t, green);
    fill(rgb, w, h, x0 - t, y0, x0, y1, green);
    fill(rgb, w, h, x1, y0, x1 + t, y1, green);
    for (int k = 0; k < 6; k++) fill(rgb, w, h, (int)kx[k] - 2 * t, (int)ky[k] - 2 * t, (int)kx[k] + 2 * t, (int)ky[k] + 2 * t, red);
}

static int fail(const char *what, nn_error e) {
    fprintf(stderr, "face_detect: %s failed with wasi-nn error %u\n", what, e);
    return 1;
}

int main(int argc, char **argv) {
    const char *png = NULL;
    if (argc > 1 && strncmp(argv[1], "--png=", 6) == 0) {
        png = argv[1] + 6;
        argv++;
        argc--;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: face_detect [--png=OUT.png] MODEL|MODEL.xml,MODEL.bin|@NAME PICTURE.ppm [cpu|gpu|tpu] [REPEAT]\n");
        return 2;
    }
    uint32_t target = NN_TARGET_CPU;
    if (argc > 3) target = !strcmp(argv[3], "gpu") ? NN_TARGET_GPU : !strcmp(argv[3], "tpu") ? NN_TARGET_TPU : NN_TARGET_CPU;
    int repeat = argc > 4 ? atoi(argv[4]) : 1;
    if (repeat < 1) repeat = 1;

    size_t plen;
    unsigned char *pic = read_file(argv[2], &plen);
    int w, h;
    const unsigned char *rgb = pic ? parse_ppm(pic, plen, &w, &h) : NULL;
    if (!rgb) { fprintf(stderr, "face_detect: cannot read %s as a binary PPM picture\n", argv[2]); return 1; }

    nn_graph g;
    nn_error e;
    if (argv[1][0] == '@') {
        e = nn_load_by_name(argv[1] + 1, (uint32_t)strlen(argv[1] + 1), &g);
        if (e) return fail("load_by_name", e);
    } else {
        /* One file (.tflite, .onnx) or OpenVINO IR as "model.xml,model.bin": autodetected. */
        char *second = strchr(argv[1], ',');
        const char *paths[2] = {argv[1], second ? second + 1 : NULL};
        if (second) *second = 0;
        nn_builder b[2];
        unsigned char *bytes[2] = {0};
        uint32_t nb = second ? 2 : 1;
        for (uint32_t i = 0; i < nb; i++) {
            size_t mlen;
            bytes[i] = read_file(paths[i], &mlen);
            if (!bytes[i]) { fprintf(stderr, "face_detect: cannot read %s\n", paths[i]); return 1; }
            b[i].data = bytes[i];
            b[i].len = (uint32_t)mlen;
        }
        e = nn_load(b, nb, NN_ENCODING_AUTODETECT, target, &g);
        if (e) return fail("load", e);
        for (uint32_t i = 0; i < nb; i++) free(bytes[i]);
    }
    nn_ctx c;
    if ((e = nn_init_execution_context(g, &c))) return fail("init_execution_context", e);

    static float input[SIZE * SIZE * 3];
    float scale, ox, oy;
    preprocess(rgb, w, h, input, &scale, &ox, &oy);
    static const uint32_t dims[4] = {1, SIZE, SIZE, 3};
    nn_tensor t = {dims, 4, NN_TYPE_FP32, {0}, (const uint8_t *)input, sizeof input};
    static float reg[BOXES * COORDS], cls[BOXES];
    uint32_t n;
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    for (int r = 0; r < repeat; r++) {
        if ((e = nn_set_input(c, 0, &t))) return fail("set_input", e);
        if ((e = nn_compute(c))) return fail("compute", e);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    if (repeat > 1) /* for nn/tflite/bench/bench.sh: wall and process CPU time per inference */
        fprintf(stderr, "seconds_per_inference %.9f cpu_seconds_per_inference %.9f\n",
                ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9) / repeat,
                ((c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) * 1e-9) / repeat);
    if ((e = nn_get_output(c, 0, (uint8_t *)reg, sizeof reg, &n)) || n != sizeof reg) return fail("get_output 0", e);
    if ((e = nn_get_output(c, 1, (uint8_t *)cls, sizeof cls, &n)) || n != sizeof cls) return fail("get_output 1", e);

    static anchor anchors[BOXES];
    if (make_anchors(anchors) != BOXES) { fprintf(stderr, "face_detect: anchor count\n"); return 1; }
    static detection cand[BOXES], faces[BOXES];
    int nc = 0;
    for (int i = 0; i < BOXES; i++) {
        float raw = fmaxf(-100.0f, fminf(100.0f, cls[i]));
        float score = 1.0f / (1.0f + expf(-raw));
        if (score < MIN_SCORE) continue;
        const float *r = &reg[i * COORDS];
        float xc = r[0] / SIZE + anchors[i].x, yc = r[1] / SIZE + anchors[i].y;
        float bw = r[2] / SIZE, bh = r[3] / SIZE;
        detection *d = &cand[nc++];
        d->xmin = xc - bw / 2; d->ymin = yc - bh / 2; d->w = bw; d->h = bh; d->score = score;
        for (int k = 0; k < 6; k++) {
            d->kx[k] = r[4 + 2 * k] / SIZE + anchors[i].x;
            d->ky[k] = r[5 + 2 * k] / SIZE + anchors[i].y;
        }
    }
    int nf = weighted_nms(cand, nc, faces);
    /* From the 128x128 letterboxed frame back to picture pixels. */
#define PX(v) (((v) * SIZE - ox) / scale)
#define PY(v) (((v) * SIZE - oy) / scale)
    printf("%d face%s found in %s (%dx%d)%s\n", nf, nf == 1 ? "" : "s", argv[2], w, h, nf ? ":" : "");
    for (int i = 0; i < nf; i++) {
        detection *d = &faces[i];
        printf("  face at x=%.0f y=%.0f w=%.0f h=%.0f with score %.2f (eyes at %.0f,%.0f and %.0f,%.0f; nose at %.0f,%.0f)\n",
               PX(d->xmin), PY(d->ymin), d->w * SIZE / scale, d->h * SIZE / scale, d->score,
               PX(d->kx[0]), PY(d->ky[0]), PX(d->kx[1]), PY(d->ky[1]), PX(d->kx[2]), PY(d->ky[2]));
    }
    if (png) {
        unsigned char *canvas = (unsigned char *)rgb; /* the picture's own pixels, drawn over */
        for (int i = 0; i < nf; i++) {
            detection *d = &faces[i];
            float kx[6], ky[6];
            for (int k = 0; k < 6; k++) { kx[k] = PX(d->kx[k]); ky[k] = PY(d->ky[k]); }
            draw_face(canvas, w, h, PX(d->xmin), PY(d->ymin), d->w * SIZE / scale, d->h * SIZE / scale, kx, ky);
        }
        if (write_png(png, canvas, w, h)) { fprintf(stderr, "face_detect: cannot write %s\n", png); return 1; }
        printf("picture with %d face%s drawn: %s\n", nf, nf == 1 ? "" : "s", png);
    }
    free(pic);
    return 0;
}
