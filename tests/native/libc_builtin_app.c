/* A WAMR libc-builtin app (tests/core_libc_builtin.rs), built two ways from this one file:
 *  - for wasm32 without any libc: clang-14 --target=wasm32 -nostdlib -Wl,--allow-undefined
 *    (printf, malloc, strlen, ... are imports from "env", served by Ember's libc-builtin);
 *  - for the host with its C library: the reference. Both must print the same text, so the
 *    expected output is the real libc's, not written by hand.
 * Everything printed is independent of addresses and of the size of long/pointers.
 * Extra modes (wasm only) check traps and exit(). */
#ifdef __wasm__
typedef __SIZE_TYPE__ size_t;
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_end(ap) __builtin_va_end(ap)
#define NULL ((void *)0)
int printf(const char *, ...);
int sprintf(char *, const char *, ...);
int snprintf(char *, size_t, const char *, ...);
int vprintf(const char *, va_list);
int vsprintf(char *, const char *, va_list);
int vsnprintf(char *, size_t, const char *, va_list);
int puts(const char *);
int putchar(int);
void *malloc(size_t);
void *calloc(size_t, size_t);
void *realloc(void *, size_t);
void free(void *);
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
void *memchr(const void *, int, size_t);
size_t strlen(const char *);
char *strcpy(char *, const char *);
char *strncpy(char *, const char *, size_t);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);
int strncasecmp(const char *, const char *, size_t);
char *strchr(const char *, int);
char *strrchr(const char *, int);
char *strstr(const char *, const char *);
size_t strspn(const char *, const char *);
size_t strcspn(const char *, const char *);
char *strdup(const char *);
int atoi(const char *);
long strtol(const char *, char **, int);
unsigned long strtoul(const char *, char **, int);
int isupper(int), isalpha(int), isspace(int), isgraph(int), isprint(int), isdigit(int),
    isxdigit(int), isalnum(int), tolower(int), toupper(int);
void exit(int);
#else
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#endif

/* Read through volatile pointers so that no compiler folds the calls away. */
static const char *volatile hello = "hello, world";
static const char *volatile abc = "abc";
static const char *volatile mixed = "MiXeD 42";
static volatile double zero = 0.0;
/* Sizes the compiler cannot see, so that memcpy & co. stay calls (imports). */
static volatile size_t n4 = 4, n5 = 5, n8 = 8, n11 = 11, n64 = 64, n10 = 10, n0x10000 = 0x10000;

static int sign(int r) { return (r > 0) - (r < 0); }

static int my_vsnprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

static int my_vsprintf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsprintf(buf, fmt, ap);
    va_end(ap);
    return r;
}

static int my_vprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vprintf(fmt, ap);
    va_end(ap);
    return r;
}

static void integers(void)
{
    int n = printf("[%d|%i|%5d|%-5d|%05d|%+d|% d|%+05d]\n", -42, 42, 7, 7, -7, 3, 3, 3);
    printf("returned %d\n", n);
    printf("[%u|%x|%X|%o|%#x|%#X|%#o|%#o|%#x]\n", 4294967295u, 255, 255, 8, 255, 255, 8, 0, 0);
    printf("[%.3d|%.0d|%8.3x|%-#8x|%08.3d|%-08d]\n", 5, 0, 10, 10, 42, 42);
    printf("[%*d|%-*d|%*d|%.*d|%.*d]\n", 4, 1, 3, 2, -4, 3, 3, 4, -1, 5);
    printf("[%hhd|%hhu|%hd|%hu|%hx]\n", 300, 300, 70000, 70000, -1);
    printf("[%ld|%lu|%lx|%zu|%zd]\n", -123456L, 123456UL, 0xabcdefUL, (size_t)77, (size_t)12);
    printf("[%lld|%llu|%llx|%#llX|%lli]\n", -1234567890123LL, 18446744073709551615ULL, 0x123456789abcULL,
           0xfedcba9876ULL, 9000000000LL);
    printf("[%d %lld %d %lld]\n", 1, -5LL, 2, 6LL);
    printf("[%c|%3c|%-3c|%%|%5%]\n", 'a', 'b', 'c');
    printf("[%p|%p|%10p]\n", (void *)0x1234, (void *)0, (void *)0xab);
}

static void strings(void)
{
    printf("[%s|%10s|%-10s|%.5s|%10.3s|%-6.2s|%.0s]\n", hello, abc, abc, hello, hello, abc, abc);
    printf("[%s|%.3s]\n", (char *)NULL, (char *)NULL);
    printf("[%*s|%-*s|%.*s]\n", 6, abc, 6, abc, 2, hello);
}

static void floats(void)
{
    double inf = 1.0 / zero, nan = __builtin_nan(""), mnan = -__builtin_nan("");
    printf("[%f|%.2f|%.0f|%.0f|%.0f|%#.0f|%.10f]\n", 1.5, 3.14159, 2.5, 3.5, 0.5, 3.0, 1.0 / 3);
    printf("[%e|%E|%.0e|%#.0e|%.3e|%e|%e]\n", 12345.678, 0.00012, 5e10, 5e10, 0.0, 1e-300, 1e300);
    printf("[%g|%G|%g|%g|%g|%g|%g|%g]\n", 0.0001, 1e-5, 100000.0, 1e6, 0.5, 123456789.0, 1e-10, 0.0);
    printf("[%.0g|%.1g|%.3g|%#g|%#.3g|%.15g|%.17g|%g]\n", 123.0, 0.15, 1234.5, 1.0, 2.0, 0.1, 0.1, 1e100);
    printf("[%10.4f|%-10.2e|%+g|% g|%010.3g|%-+8.1f|%08.2f]\n", 3.14159, 1234.5, 2.5, 2.5, 3.14159, 2.25, -1.5);
    printf("[%f|%F|%e|%E|%g|%G]\n", inf, -inf, nan, mnan, -inf, nan);
    printf("[%8f|%-8f|%08f|%+f]\n", inf, inf, -inf, nan);
    printf("[%.20f|%.3f|%.1f|%f]\n", 0.1, 1.0005, 0.05, -0.0);
    printf("[%*.*f|%.*e]\n", 9, 2, 2.71828, 1, 6.02e23);
    printf("[%5.1f%%|%d%s]\n", 99.44, 1, "x");
}

static void to_buffers(void)
{
    char buf[64], small[8];
    int n = sprintf(buf, "%s-%05d-%.2f", abc, 42, 2.5);
    printf("sprintf %d [%s]\n", n, buf);
    n = snprintf(small, sizeof small, "%s/%d", hello, 12345);
    printf("snprintf %d [%s]\n", n, small);
    n = snprintf(NULL, 0, "%d%d", 123, 456);
    printf("snprintf(NULL, 0) %d\n", n);
    n = snprintf(small, 1, "%s", abc);
    printf("snprintf(1) %d [%s]\n", n, small);
    n = my_vsnprintf(small, 5, "%x:%c", 0xbeef, 'z');
    printf("vsnprintf %d [%s]\n", n, small);
    n = my_vsprintf(buf, "%lld/%g", -77LL, 0.25);
    printf("vsprintf %d [%s]\n", n, buf);
    n = my_vprintf("vprintf %s %d %.1f\n", abc, -1, 9.96);
    printf("vprintf returned %d\n", n);
    n = puts(hello);
    printf("puts returned %d\n", n > 0);
    putchar('P');
    putchar('\n');
}

static void string_functions(void)
{
    char buf[32], dst[16];
    strcpy(buf, hello);
    printf("strlen %d strlen(\"\") %d\n", (int)strlen(buf), (int)strlen(buf + strlen(buf)));
    printf("strcmp %d %d %d\n", sign(strcmp(buf, hello)), sign(strcmp(abc, hello)), sign(strcmp(hello, abc)));
    printf("strncmp %d %d\n", sign(strncmp(hello, "help", 3)), sign(strncmp(hello, "help", 4)));
    printf("strncasecmp %d %d\n", sign(strncasecmp(mixed, "mixed 99", 6)), sign(strncasecmp(mixed, "mixer", 5)));
    printf("strchr %d %d %d\n", (int)(strchr(hello, 'o') - hello), strchr(hello, 'z') == NULL,
           (int)(strchr(hello, 0) - hello));
    printf("strrchr %d %d\n", (int)(strrchr(hello, 'o') - hello), strrchr(hello, 'q') == NULL);
    printf("strstr %d %d %d\n", (int)(strstr(hello, "wor") - hello), strstr(hello, "xyz") == NULL,
           (int)(strstr(hello, "") - hello));
    printf("strspn %d strcspn %d\n", (int)strspn(hello, "hel"), (int)strcspn(hello, ", "));
    memset(dst, 'x', sizeof dst);
    strncpy(dst, abc, n4 + 2);
    printf("strncpy %d %d %d %c\n", dst[2], dst[3], dst[5], dst[6]);
    strncpy(dst, hello, n4);
    printf("strncpy truncates [%.4s] %c\n", dst, dst[4]);
    memcpy(buf, "0123456789", n11);
    memmove(buf + 2, buf, n8);
    printf("memmove [%s]\n", buf);
    memmove(buf, buf + 3, n5);
    printf("memmove back [%s]\n", buf);
    printf("memcmp %d %d %d\n", sign(memcmp(hello, "hello", 5)), sign(memcmp(abc, "abd", 3)),
           sign(memcmp("\xff", "\x01", 1)));
    printf("memchr %d %d\n", (int)((const char *)memchr(hello, 'w', 12) - hello), memchr(hello, 'w', 5) == NULL);
    memset(buf, '-', n5);
    buf[5] = 0;
    printf("memset [%s]\n", buf);
    char *d = strdup(hello);
    printf("strdup [%s] %d\n", d, d != hello);
    free(d);
}

static void numbers(void)
{
    char *end;
    const char *volatile in = "  -1234xyz";
    printf("atoi %d %d %d %d\n", atoi(in), atoi("42"), atoi("+7"), atoi("nope"));
    long v = strtol(in, &end, 10);
    printf("strtol %ld end %d\n", v, (int)(end - in));
    v = strtol("0x1fz", &end, 16);
    printf("strtol hex %ld %c\n", v, *end);
    v = strtol("0x1f", &end, 0);
    printf("strtol auto %ld, octal %ld, binary %ld, base36 %ld\n", v, strtol("0755", NULL, 0),
           strtol("-1011", NULL, 2), strtol("zz", NULL, 36));
    const char *volatile junk = "xyz";
    v = strtol(junk, &end, 10);
    printf("strtol none %ld end at start %d\n", v, end == junk);
    printf("strtoul %lu %u %lu\n", strtoul("4000000000", NULL, 10), (unsigned)strtoul("-1", NULL, 10),
           strtoul(" 0X10", NULL, 0));
}

static void ctype(void)
{
    int (*fns[])(int) = { isupper, isalpha, isspace, isgraph, isprint, isdigit, isxdigit, isalnum };
    const char *names[] = { "isupper", "isalpha", "isspace", "isgraph", "isprint", "isdigit", "isxdigit", "isalnum" };
    for (int k = 0; k < 8; k++) {
        int count = 0, sum = 0;
        for (int c = -1; c < 256; c++)
            if (fns[k](c)) {
                count++;
                sum += c;
            }
        printf("%s %d %d\n", names[k], count, sum);
    }
    long lo = 0, up = 0;
    for (int c = -1; c < 256; c++) {
        lo += tolower(c) * (c + 2);
        up += toupper(c) * (c + 2);
    }
    printf("tolower %ld toupper %ld\n", lo, up);
}

static void heap(void)
{
    char *p = malloc(100);
    memset(p, 'a', 99);
    p[99] = 0;
    printf("malloc %d\n", (int)strlen(p));
    int *volatile q = calloc(n10, sizeof(int));
    int sum = 0;
    for (int k = 0; k < 10; k++)
        sum += q[k];
    printf("calloc sum %d\n", sum);
    p = realloc(p, 300);
    printf("realloc keeps %d\n", (int)strlen(p));
    p = realloc(p, 10);
    printf("realloc shrinks [%.5s]\n", p);
    free(p);
    free(q);
    free(NULL);
    char *blocks[64];
    int ok = 0;
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < 64; k++)
            ok += (blocks[k] = malloc(150)) != NULL;
        for (int k = 0; k < 64; k++)
            free(blocks[k]);
    }
    printf("heap blocks %d\n", ok);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "all";
    if (!strcmp(mode, "all")) {
        integers();
        strings();
        floats();
        to_buffers();
        string_functions();
        numbers();
        ctype();
        heap();
        printf("done\n");
        return 0;
    }
    if (!strcmp(mode, "exit")) {
        printf("exiting\n");
        exit(7);
        printf("not reached\n");
    }
#ifdef __wasm__
    if (!strcmp(mode, "bad-string")) {
        printf("%s\n", (const char *)0xfffffff0u);
    }
    if (!strcmp(mode, "bad-va-list")) {
        /* a va_list pointer at the end of memory */
        int (*vp)(const char *, va_list) = vprintf;
        char *end = (char *)(__builtin_wasm_memory_size(0) * 65536 - 2);
        vp("%d\n", (va_list)end);
    }
    if (!strcmp(mode, "bad-memcpy")) {
        char b[64];
        memcpy(b, (const void *)0xfffffff0u, n64);
        printf("%d\n", b[0]);
    }
    if (!strcmp(mode, "bad-sprintf")) {
        char *end = (char *)(__builtin_wasm_memory_size(0) * 65536 - 4);
        sprintf(end, "%s", hello);
    }
    if (!strcmp(mode, "heap-exhaustion")) {
        int n = 0;
        void *volatile last;
        while ((last = malloc(1000)) != NULL)
            n++;
        printf("malloc returned NULL after %d blocks\n", n);
        last = calloc(n0x10000, n0x10000);
        printf("calloc overflow gives NULL: %d\n", last == NULL);
    }
#endif
    printf("after %s\n", mode);
    return 1;
}
