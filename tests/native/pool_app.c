/* wasm app for the pool test: asks the native probe, then keeps working. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((import_module("env"), import_name("pool_probe"))) int pool_probe(void);

int main(void)
{
    int n = pool_probe();
    printf("app: probe returned %d\n", n);
    /* the runtime and the guest still work after the pool was exhausted */
    char *s = malloc(64);
    strcpy(s, "still running");
    printf("app: %s\n", s);
    free(s);
    return 0;
}
