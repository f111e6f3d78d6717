/* The face demo's preprocessing (examples/face_detect/preprocess.h, included): letterbox a
 * 512x512 RGB u8 photo into 128x128 with bilinear sampling, values in [-1, 1], `rounds` times.
 * Per-pixel gathers: little for a vectorizer to take (its -msimd128 build is scalar code).
 * run(rounds) returns a checksum. */
#include <string.h>

#define SIZE 128
#include "../../examples/face_detect/preprocess.h"

enum { W = 512, H = 512 };
static unsigned char rgb[W * H * 3];
static float out[SIZE * SIZE * 3];

static void letterbox(void) {
    float scale, ox, oy;
    preprocess(rgb, W, H, out, &scale, &ox, &oy);
}

__attribute__((export_name("run"))) int run(int rounds) {
    unsigned seed = 5;
    for (int i = 0; i < W * H * 3; i++) {
        seed = seed * 1664525u + 1013904223u;
        rgb[i] = (unsigned char)(seed >> 24);
    }
    for (int r = 0; r < rounds; r++) letterbox();
    unsigned sum = 0;
    for (int i = 0; i < SIZE * SIZE * 3; i++) {
        unsigned bits;
        memcpy(&bits, &out[i], sizeof bits);
        sum = sum * 31u + bits;
    }
    return (int)sum;
}
