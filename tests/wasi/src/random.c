/* random_get: fresh bytes every call, bounds-checked buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "common.h"

static uint8_t big[100000];

int main(void) {
    uint8_t a[32] = {0}, b[32] = {0};
    printf("getentropy a: %s\n", LIBC_RESULT(getentropy(a, sizeof a) == 0));
    printf("getentropy b: %s\n", LIBC_RESULT(getentropy(b, sizeof b) == 0));
    printf("a != b: %d\n", memcmp(a, b, sizeof a) != 0);
    int zeros = 0;
    for (unsigned i = 0; i < sizeof a; i++) zeros += a[i] == 0;
    printf("a not all zero: %d\n", zeros < 32);

    printf("random_get 100000: %s\n", errname(__wasi_random_get(big, sizeof big)));
    int counts[256] = {0};
    for (unsigned i = 0; i < sizeof big; i++) counts[big[i]]++;
    int min = 1 << 30, max = 0;
    for (int i = 0; i < 256; i++) {
        if (counts[i] < min) min = counts[i];
        if (counts[i] > max) max = counts[i];
    }
    /* Expect ~390 of each byte value; 200..600 is far outside chance. */
    printf("byte histogram plausible: %d\n", min > 200 && max < 600);
    printf("random_get 0 bytes: %s\n", errname(__wasi_random_get(big, 0)));
    printf("random_get past memory: %s\n",
           errname(__wasi_random_get((uint8_t *)(uintptr_t)0xffffff00u, 0x1000)));
    printf("arc4random differs: %d\n", arc4random() != arc4random() || arc4random() != arc4random());
    return 0;
}
