/* A CoreMark-like mixed integer workload (written for Ember, not CoreMark's
 * code): linked-list search/reverse/sort, a token-scanning state machine,
 * small int16 matrix products, and a bitwise CRC-16 folding every result.
 * run(iterations) returns the final CRC. */
#include <stdint.h>

#define LIST_NODES 64
#define MAT_N 10
#define TEXT_LEN 256

typedef struct node { struct node *next; int16_t key; int16_t value; } node;

static node pool[LIST_NODES];
static int16_t mat_a[MAT_N * MAT_N], mat_b[MAT_N * MAT_N];
static int32_t mat_c[MAT_N * MAT_N];
static char text[TEXT_LEN];

static uint16_t crc16(uint16_t crc, uint16_t data) {
    for (int i = 0; i < 16; i++) {
        int bit = ((crc >> 15) ^ (data >> (15 - i))) & 1;
        crc = (uint16_t)(crc << 1);
        if (bit) crc ^= 0x1021;
    }
    return crc;
}

/* ---- linked list ---- */
static node *list_build(uint32_t seed) {
    node *head = 0;
    for (int i = LIST_NODES - 1; i >= 0; i--) {
        seed = seed * 1103515245u + 12345u;
        pool[i].key = (int16_t)i;
        pool[i].value = (int16_t)((seed >> 16) & 0x7fff);
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static node *list_find(node *n, int16_t key) {
    while (n && n->key != key) n = n->next;
    return n;
}

static node *list_reverse(node *n) {
    node *prev = 0;
    while (n) { node *next = n->next; n->next = prev; prev = n; n = next; }
    return prev;
}

/* Merge sort by value (stable, iterative over run widths). */
static node *list_sort(node *list) {
    for (int width = 1;; width *= 2) {
        node *p = list, *tail = 0;
        list = 0;
        int merges = 0;
        while (p) {
            merges++;
            node *q = p;
            int psize = 0;
            for (int i = 0; i < width && q; i++) { psize++; q = q->next; }
            int qsize = width;
            while (psize > 0 || (qsize > 0 && q)) {
                node *e;
                if (psize == 0) { e = q; q = q->next; qsize--; }
                else if (qsize == 0 || !q || p->value <= q->value) { e = p; p = p->next; psize--; }
                else { e = q; q = q->next; qsize--; }
                if (tail) tail->next = e; else list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        if (merges <= 1) return list;
    }
}

static uint16_t bench_list(uint32_t seed, uint16_t crc) {
    node *l = list_build(seed);
    for (int16_t k = 0; k < LIST_NODES; k += 3) {
        node *f = list_find(l, k);
        crc = crc16(crc, f ? (uint16_t)f->value : 0xffff);
    }
    l = list_reverse(l);
    l = list_sort(l);
    for (node *n = l; n; n = n->next) crc = crc16(crc, (uint16_t)n->key);
    l = list_reverse(l);
    crc = crc16(crc, (uint16_t)l->value);
    return crc;
}

/* ---- state machine: classify comma-separated tokens ---- */
enum state { START, INT, FRAC, EXP_SIGN, EXP, BAD, NSTATES };

static void text_build(uint32_t seed) {
    static const char alphabet[] = "0123456789.,e-+x0123456789,,";
    for (int i = 0; i < TEXT_LEN - 1; i++) {
        seed = seed * 1664525u + 1013904223u;
        text[i] = alphabet[(seed >> 24) % (sizeof alphabet - 1)];
    }
    text[TEXT_LEN - 1] = 0;
}

static uint16_t bench_state(uint16_t crc) {
    unsigned counts[NSTATES] = {0}, transitions = 0;
    enum state s = START;
    for (const char *p = text;; p++) {
        char c = *p;
        if (c == ',' || c == 0) {
            counts[s]++;
            s = START;
            if (c == 0) break;
            continue;
        }
        enum state next = BAD;
        int digit = c >= '0' && c <= '9';
        switch (s) {
        case START: next = digit ? INT : (c == '-' || c == '+') ? INT : c == '.' ? FRAC : BAD; break;
        case INT: next = digit ? INT : c == '.' ? FRAC : c == 'e' ? EXP_SIGN : BAD; break;
        case FRAC: next = digit ? FRAC : c == 'e' ? EXP_SIGN : BAD; break;
        case EXP_SIGN: next = (digit || c == '-' || c == '+') ? EXP : BAD; break;
        case EXP: next = digit ? EXP : BAD; break;
        default: next = BAD; break;
        }
        transitions += next != s;
        s = next;
    }
    for (int i = 0; i < NSTATES; i++) crc = crc16(crc, (uint16_t)counts[i]);
    return crc16(crc, (uint16_t)transitions);
}

/* ---- small matrices ---- */
static uint16_t bench_matrix(uint32_t seed, uint16_t crc) {
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        seed = seed * 22695477u + 1u;
        mat_a[i] = (int16_t)((seed >> 16) & 0xff) - 128;
        mat_b[i] = (int16_t)((seed >> 8) & 0xff) - 128;
    }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t acc = 0;
            for (int k = 0; k < MAT_N; k++) acc += (int32_t)mat_a[i * MAT_N + k] * mat_b[k * MAT_N + j];
            mat_c[i * MAT_N + j] = acc;
        }
    int32_t sum = 0;
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        int32_t v = mat_c[i] + (int32_t)(i & 7) * 3;
        sum += (v > 0) ? (v >> 2) : -((-v) >> 3);
        mat_c[i] = v & 0xffff;
    }
    crc = crc16(crc, (uint16_t)sum);
    return crc16(crc, (uint16_t)(sum >> 16));
}

__attribute__((export_name("run"))) int run(int iterations) {
    uint16_t crc = 0xffff;
    for (int it = 0; it < iterations; it++) {
        uint32_t seed = 0x1234u + (uint32_t)it * 7919u;
        crc = bench_list(seed, crc);
        text_build(seed);
        crc = bench_state(crc);
        crc = bench_matrix(seed, crc);
    }
    return crc;
}
