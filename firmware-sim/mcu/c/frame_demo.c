/*
 * Test driver for ei_frame.c: `frame_demo DEVICE SEQ LABEL JSON BODYHEX SIGNED` prints the wire
 * bytes as hex. With SIGNED=1 the "signature" is a stand-in (64 bytes folded from the covered
 * bytes) so the test checks which bytes reach the signer without a crypto library.
 */
#include "ei_frame.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint8_t acc[64]; size_t n; } fold_t;

static void fold_update(void *ctx, const uint8_t *d, size_t len) {
    fold_t *f = ctx;
    for (size_t i = 0; i < len; i++, f->n++) f->acc[f->n % 64] = (uint8_t)(f->acc[f->n % 64] * 31u + d[i] + 1u);
}
static int fold_finish(void *ctx, uint8_t sig[64]) {
    memcpy(sig, ((fold_t *)ctx)->acc, 64);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 7) return 2;
    size_t hexlen = strlen(argv[5]);
    uint8_t *body = malloc(hexlen / 2 + 1);
    for (size_t i = 0; i < hexlen / 2; i++) sscanf(argv[5] + 2 * i, "%2hhx", &body[i]);
    ei_frame_t f = { argv[1], (uint16_t)atoi(argv[2]), argv[3], atoi(argv[4]), body, (uint32_t)(hexlen / 2) };
    fold_t fold = { {0}, 0 };
    ei_frame_signer_t signer = { &fold, fold_update, fold_finish };
    int sign = atoi(argv[6]);
    size_t cap = ei_frame_max_wire_len(strlen(argv[1]), strlen(argv[3]), f.body_len, sign);
    uint8_t *out = malloc(cap);
    size_t n = ei_frame_encode(&f, sign ? &signer : NULL, out, cap);
    if (n == 0) return 1;
    /* Every smaller buffer must fail cleanly (run under -fsanitize=address in the test). */
    for (size_t cap2 = 0; cap2 < n; cap2 += 1 + cap2 / 8) {
        fold_t fold2 = { {0}, 0 };
        ei_frame_signer_t signer2 = { &fold2, fold_update, fold_finish };
        uint8_t *small = malloc(cap2 ? cap2 : 1);
        if (ei_frame_encode(&f, sign ? &signer2 : NULL, small, cap2) != 0) return 3;
        free(small);
    }
    for (size_t i = 0; i < n; i++) printf("%02x", out[i]);
    printf("\n");
    free(out);
    free(body);
    return 0;
}
