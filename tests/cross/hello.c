/* The footprint baseline (tests/cross/suites.sh): built twice, as wasm32-wasi for iwasm and as a
 * native ARM program for qemu's own overhead. */
#include <stdio.h>

int main(void) {
    puts("hello from ember");
    return 0;
}
