/* Sieve of Eratosthenes over a byte array: memory loads/stores and loops.
 * run(n) sieves [0, n) ten times and returns the number of primes. */
#include <stdlib.h>
#include <string.h>

static int sieve(unsigned char *composite, int n) {
    memset(composite, 0, (size_t)n);
    int count = 0;
    for (int i = 2; i < n; i++) {
        if (composite[i]) continue;
        count++;
        if ((long long)i * i >= n) continue; /* long is 32 bits on wasm32 */
        for (int j = i * i; j < n; j += i) composite[j] = 1;
    }
    return count;
}

__attribute__((export_name("run"))) int run(int n) {
    unsigned char *buf = malloc((size_t)n);
    if (!buf) return -1;
    int count = 0;
    for (int round = 0; round < 10; round++) count = sieve(buf, n);
    free(buf);
    return count;
}
