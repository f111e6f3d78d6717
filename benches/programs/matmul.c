/* Single-precision matrix multiply C = A * B (n x n, row-major, i-k-j order).
 * run(n) returns a checksum of C built from its float bits. */
#include <stdlib.h>
#include <string.h>

static unsigned lcg(unsigned *s) { *s = *s * 1664525u + 1013904223u; return *s >> 8; }

__attribute__((export_name("run"))) int run(int n) {
    size_t cells = (size_t)n * (size_t)n;
    float *a = malloc(cells * sizeof *a), *b = malloc(cells * sizeof *b), *c = malloc(cells * sizeof *c);
    if (!a || !b || !c) return -1;
    unsigned seed = 12345;
    for (size_t i = 0; i < cells; i++) {
        a[i] = (float)(lcg(&seed) % 1000) / 250.0f - 2.0f;
        b[i] = (float)(lcg(&seed) % 1000) / 250.0f - 2.0f;
    }
    memset(c, 0, cells * sizeof *c);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            float aik = a[(size_t)i * n + k];
            const float *brow = b + (size_t)k * n;
            float *crow = c + (size_t)i * n;
            for (int j = 0; j < n; j++) crow[j] += aik * brow[j];
        }
    unsigned sum = 0;
    for (size_t i = 0; i < cells; i++) {
        unsigned bits;
        memcpy(&bits, &c[i], sizeof bits);
        sum = sum * 31u + bits;
    }
    free(a); free(b); free(c);
    return (int)sum;
}
