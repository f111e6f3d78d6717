/* Image normalization to f32, as a wasi-nn app feeds a model: a 256x256 RGB u8 picture to
 * (p / 127.5 - 1) floats, `rounds` times. run(rounds) returns a checksum of the floats' bits.
 * Compiled twice by benches/build.sh: scalar, and -msimd128, where the loop is written with
 * wasm_simd128.h (clang's own vectorization of it, and even of f32x4.convert on bytes, extracts
 * and converts lane by lane): 16 bytes widened to four i32x4 and made floats exactly with the
 * 2^23 trick (bits 0x4b000000 | p is the float 2^23 + p), then the same operations per lane,
 * so the same bits as the scalar build. */
#include <stdint.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

enum { N = 256 * 256 * 3 };
static uint8_t img[N];
static float out[N];

__attribute__((export_name("run"))) int run(int rounds) {
    unsigned seed = 7;
    for (int i = 0; i < N; i++) {
        seed = seed * 1664525u + 1013904223u;
        img[i] = (uint8_t)(seed >> 24);
    }
    for (int r = 0; r < rounds; r++) {
#ifdef __wasm_simd128__
        const v128_t scale = wasm_f32x4_splat(1.0f / 127.5f), one = wasm_f32x4_splat(1.0f);
        const v128_t magic = wasm_i32x4_splat(0x4b000000), two23 = wasm_f32x4_splat(8388608.0f);
        for (int i = 0; i < N; i += 16) {
            v128_t px = wasm_v128_load(img + i);
            v128_t lo = wasm_u16x8_extend_low_u8x16(px), hi = wasm_u16x8_extend_high_u8x16(px);
            v128_t q[4] = {wasm_u32x4_extend_low_u16x8(lo), wasm_u32x4_extend_high_u16x8(lo),
                           wasm_u32x4_extend_low_u16x8(hi), wasm_u32x4_extend_high_u16x8(hi)};
            for (int k = 0; k < 4; k++)
                wasm_v128_store(out + i + 4 * k,
                                wasm_f32x4_sub(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_or(q[k], magic), two23), scale), one));
        }
#else
        for (int i = 0; i < N; i++) out[i] = (float)img[i] * (1.0f / 127.5f) - 1.0f;
#endif
    }
    unsigned sum = 0;
    for (int i = 0; i < N; i++) {
        unsigned bits;
        memcpy(&bits, &out[i], sizeof bits);
        sum = sum * 31u + bits;
    }
    return (int)sum;
}
