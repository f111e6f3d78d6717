/* The face demo's preprocessing (examples/face_detect/face_detect.c, `preprocess`): letterbox a
 * 512x512 RGB u8 photo into 128x128 with bilinear sampling, values in [-1, 1], `rounds` times.
 * Per-pixel gathers: little for a vectorizer to take. run(rounds) returns a checksum. */
#include <string.h>

enum { SIZE = 128, W = 512, H = 512 };
static unsigned char rgb[W * H * 3];
static float out[SIZE * SIZE * 3];

static void preprocess(const unsigned char *px, int w, int h, float *o) {
    float s = (float)SIZE / (w > h ? w : h);
    float ox = (SIZE - w * s) / 2, oy = (SIZE - h * s) / 2;
    for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++) {
            float sx = (x + 0.5f - ox) / s - 0.5f, sy = (y + 0.5f - oy) / s - 0.5f;
            for (int c = 0; c < 3; c++) {
                float v = -1.0f;
                if (sx >= -0.5f && sy >= -0.5f && sx <= w - 0.5f && sy <= h - 0.5f) {
                    float fx = sx < 0 ? 0 : (sx > w - 1 ? w - 1 : sx);
                    float fy = sy < 0 ? 0 : (sy > h - 1 ? h - 1 : sy);
                    int x0 = (int)fx, y0 = (int)fy;
                    int x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
                    float ax = fx - x0, ay = fy - y0;
                    float p00 = px[(y0 * w + x0) * 3 + c], p01 = px[(y0 * w + x1) * 3 + c];
                    float p10 = px[(y1 * w + x0) * 3 + c], p11 = px[(y1 * w + x1) * 3 + c];
                    float p = (p00 * (1 - ax) + p01 * ax) * (1 - ay) + (p10 * (1 - ax) + p11 * ax) * ay;
                    v = p / 127.5f - 1.0f;
                }
                o[(y * SIZE + x) * 3 + c] = v;
            }
        }
}

__attribute__((export_name("run"))) int run(int rounds) {
    unsigned seed = 5;
    for (int i = 0; i < W * H * 3; i++) {
        seed = seed * 1664525u + 1013904223u;
        rgb[i] = (unsigned char)(seed >> 24);
    }
    for (int r = 0; r < rounds; r++) preprocess(rgb, W, H, out);
    unsigned sum = 0;
    for (int i = 0; i < SIZE * SIZE * 3; i++) {
        unsigned bits;
        memcpy(&bits, &out[i], sizeof bits);
        sum = sum * 31u + bits;
    }
    return (int)sum;
}
