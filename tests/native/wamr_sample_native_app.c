/* The wasm side of WAMR's samples/native-lib, built without any libc
 * (clang --target=wasm32 -nostdlib): printf comes from the libc-builtin, test_* and puts
 * from tests/native/wamr_sample_native_lib.c. */
int printf(const char *, ...);
int puts(const char *);
int test_add(int x, int y);
double test_sqrt(double x, double y);
int test_hello(const char *name, char *buf, unsigned long len);

int main(int argc, char **argv)
{
    char buf[32];
    (void)argv;
    printf("test_add(10, %d) = %d\n", argc + 19, test_add(10, argc + 19));
    printf("test_sqrt(3, 4) = %f\n", test_sqrt(3, 4));
    int n = test_hello("Ember", buf, sizeof buf);
    printf("test_hello: %d [%s]\n", n, buf);
    puts("hello from the app");
    return 0;
}
