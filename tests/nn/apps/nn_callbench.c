/*
 * Cost of the wasi-nn dispatch itself: N rounds of set_input + compute + get_output on a
 * graph whose backend does almost nothing (the fake test backend) or a tiny model.
 * Usage: nn_callbench.wasm MODEL ENC N   (prints the time per round from clock_gettime).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nn_guest.h"

int main(int argc, char **argv) {
    if (argc != 4) return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 2;
    static uint8_t model[1 << 16];
    uint32_t size = (uint32_t)fread(model, 1, sizeof model, f);
    fclose(f);
    uint32_t enc = (uint32_t)atoi(argv[2]);
    long n = atol(argv[3]);
    nn_builder b = {model, size};
    uint32_t g, c, written;
    static const uint32_t dims[] = {1, 5, 5, 1};
    static float in[25], out[4];
    eph_tensor t = {dims, 4, EPH_FP32, {0}, (const uint8_t *)in, sizeof in};
    if (eph_load(&b, 1, enc, TARGET_CPU, &g) || eph_init_execution_context(g, &c)) return 3;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) {
        in[0] = (float)i;
        if (eph_set_input(c, 0, &t) || eph_compute(c) || eph_get_output(c, 0, (uint8_t *)out, sizeof out, &written))
            return 4;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / (double)n;
    printf("%ld rounds of set_input+compute+get_output: %.0f ns per round (last output %g)\n", n, ns, out[0]);
    return 0;
}
