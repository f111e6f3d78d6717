/* The wasm side of tests/native/wamr_sample_basic.c (in the style of WAMR's samples/basic),
 * built without libc: printf is the libc-builtin's, intToStr/get_pow/calculate_native are
 * the embedder's natives. */
int printf(const char *, ...);
int intToStr(int x, char *str, int str_len, int digit);
int get_pow(int x, int y);
int calculate_native(int n, int func1, int func2);

__attribute__((export_name("generate_float"))) float generate_float(int iteration, double seed1, float seed2)
{
    float ret = 1.0f;
    for (int i = 0; i < iteration; i++)
        ret += (float)(seed1 * 0.5) + seed2;
    return ret;
}

/* Writes n with `afterpoint` decimals into res (through the native intToStr). */
__attribute__((export_name("float_to_string"))) int float_to_string(float n, char *res, int res_size, int afterpoint)
{
    int ipart = (int)n;
    float fpart = n - (float)ipart;
    int i = intToStr(ipart, res, res_size, 0);
    if (afterpoint != 0 && i + 1 < res_size) {
        res[i] = '.';
        fpart = fpart * get_pow(10, afterpoint);
        intToStr((int)(fpart + 0.5f), res + i + 1, res_size - i - 1, afterpoint);
    }
    return i;
}

static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }

/* The embedder calls these function pointers back with wasm_runtime_call_indirect. */
__attribute__((export_name("calculate"))) int calculate(int n)
{
    int (*f1)(int, int) = n > 0 ? add : mul;
    int (*f2)(int, int) = n > 0 ? mul : add;
    printf("calling into the native with function pointers %s, %s\n", f1 == add ? "add" : "mul",
           f2 == mul ? "mul" : "add");
    return calculate_native(n, (int)(unsigned long)f1, (int)(unsigned long)f2);
}

int main(int argc, char **argv) { (void)argc; (void)argv; return 0; }
