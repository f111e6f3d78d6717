/* A 3x3 convolution over a 256x256 f32 image (one channel, valid borders), `rounds` times: the
 * inner loop over x computes each output in the same order in every lane, so the -msimd128
 * build gives the same bits. run(rounds) returns a checksum of the output's bits. */
#include <string.h>

enum { W = 256, H = 256 };
static float in[H][W], out[H - 2][W - 2];

__attribute__((export_name("run"))) int run(int rounds) {
    static const float k[3][3] = {{0.0625f, 0.125f, 0.0625f}, {0.125f, 0.25f, 0.125f}, {0.0625f, 0.125f, 0.0625f}};
    unsigned seed = 11;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            seed = seed * 1664525u + 1013904223u;
            in[y][x] = (float)(seed >> 20) / 4096.0f;
        }
    for (int r = 0; r < rounds; r++)
        for (int y = 0; y < H - 2; y++)
            for (int x = 0; x < W - 2; x++) {
                float s = 0.0f;
                for (int dy = 0; dy < 3; dy++)
                    for (int dx = 0; dx < 3; dx++) s += in[y + dy][x + dx] * k[dy][dx];
                out[y][x] = s;
            }
    unsigned sum = 0;
    for (int y = 0; y < H - 2; y++)
        for (int x = 0; x < W - 2; x++) {
            unsigned bits;
            memcpy(&bits, &out[y][x], sizeof bits);
            sum = sum * 31u + bits;
        }
    return (int)sum;
}
