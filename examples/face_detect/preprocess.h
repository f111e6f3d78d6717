/* The face demo's preprocessing: letterbox an RGB u8 picture into SIZE x SIZE with bilinear
 * sampling, values in [-1, 1] (padding -1: black). Shared by face_detect.c and the benchmark
 * benches/simd/face_pre.c, so that the benchmark measures exactly the demo's code.
 *
 * Where a source pixel falls depends on x alone or on y alone: computed once per column (a
 * table) and once per row, the same values as computing them per pixel (25% less time in the
 * interpreter than that). A vector form (a pixel's three channels as the lanes of one f32x4,
 * the bytes widened and made floats exactly) ran slower in the interpreter than this scalar
 * code: four widenings per pixel cost as much as the twelve scalar conversions they replace,
 * and clang 14 turns a plain f32x4 convert of the widened bytes into four scalar ones. */
/* Where output coordinate i samples, along an axis of n source pixels: the two neighbours
 * (times `stride` bytes) and the weight of the second; `in` is 0 outside the picture. */
typedef struct { int i0, i1; float a; int in; } sample_at;

static sample_at sample(int i, float off, float s, int n, int stride) {
    float si = (i + 0.5f - off) / s - 0.5f;
    float f = si < 0 ? 0 : (si > n - 1 ? n - 1 : si);
    int i0 = (int)f, i1 = i0 + 1 < n ? i0 + 1 : i0;
    sample_at r = {i0 * stride, i1 * stride, f - i0, si >= -0.5f && si <= n - 0.5f};
    return r;
}

static void preprocess(const unsigned char *rgb, int w, int h, float *out, float *scale, float *ox, float *oy) {
    float s = (float)SIZE / (w > h ? w : h);
    float nw = w * s, nh = h * s;
    *scale = s;
    *ox = (SIZE - nw) / 2;
    *oy = (SIZE - nh) / 2;
    sample_at cols[SIZE];
    for (int x = 0; x < SIZE; x++) cols[x] = sample(x, *ox, s, w, 3);
    for (int y = 0; y < SIZE; y++) {
        sample_at row = sample(y, *oy, s, h, w * 3);
        const unsigned char *r0 = rgb + row.i0, *r1 = rgb + row.i1;
        float ay = row.a, by = 1 - ay;
        float *o = out + y * SIZE * 3;
        for (int x = 0; x < SIZE; x++, o += 3) {
            const sample_at *col = &cols[x];
            if (!(row.in && col->in)) {
                o[0] = o[1] = o[2] = -1.0f;
                continue;
            }
            float ax = col->a, bx = 1 - ax;
            for (int c = 0; c < 3; c++) {
                float p00 = r0[col->i0 + c], p01 = r0[col->i1 + c];
                float p10 = r1[col->i0 + c], p11 = r1[col->i1 + c];
                float p = (p00 * bx + p01 * ax) * by + (p10 * bx + p11 * ax) * ay;
                o[c] = p / 127.5f - 1.0f;
            }
        }
    }
}
