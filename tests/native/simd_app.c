/* Fixed-width SIMD from C (wasm_simd128.h, -msimd128): a saturating u8 add, an f32x4 multiply-add,
 * a shuffle and a bitmask, printed so the result shows every lane went through. */
#include <stdio.h>
#include <wasm_simd128.h>

int main(void) {
    v128_t px = wasm_u8x16_make(250, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255);
    v128_t sum = wasm_u8x16_add_sat(px, wasm_u8x16_splat(10));
    v128_t f = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_make(1.5f, -2.0f, 0.25f, 8.0f), wasm_f32x4_splat(2.0f)),
                              wasm_f32x4_splat(0.5f));
    v128_t rev = wasm_i8x16_shuffle(sum, sum, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    printf("simd: %u %u %u | %g %g %g %g | %u %u | mask %x\n", wasm_u8x16_extract_lane(sum, 0),
           wasm_u8x16_extract_lane(sum, 1), wasm_u8x16_extract_lane(sum, 15), wasm_f32x4_extract_lane(f, 0),
           wasm_f32x4_extract_lane(f, 1), wasm_f32x4_extract_lane(f, 2), wasm_f32x4_extract_lane(f, 3),
           wasm_u8x16_extract_lane(rev, 0), wasm_u8x16_extract_lane(rev, 15),
           wasm_i32x4_bitmask(wasm_f32x4_lt(f, wasm_f32x4_splat(0.0f))));
    return 0;
}
