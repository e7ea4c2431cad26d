/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), streaming, for the reference C encoder.
 * No allocation, no libc: the caller owns the context. Checked against RFC 4231's test cases
 * (hmac_test.c) and node:crypto (test/csdk-c.test.ts).
 */
#ifndef EI_HMAC_SHA256_H
#define EI_HMAC_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint64_t len;      /* bytes hashed so far */
    uint8_t block[64];
    size_t fill;       /* bytes in block */
} ei_sha256_t;

void ei_sha256_init(ei_sha256_t *s);
void ei_sha256_update(ei_sha256_t *s, const uint8_t *data, size_t len);
void ei_sha256_final(ei_sha256_t *s, uint8_t out[32]);

typedef struct {
    ei_sha256_t inner;
    uint8_t opad_key[64]; /* key (hashed first when longer than a block) XOR 0x5c */
} ei_hmac_sha256_t;

/* Any key length, 0 included (RFC 2104 pads it with zeros). */
void ei_hmac_sha256_init(ei_hmac_sha256_t *m, const uint8_t *key, size_t key_len);
void ei_hmac_sha256_update(ei_hmac_sha256_t *m, const uint8_t *data, size_t len);
void ei_hmac_sha256_final(ei_hmac_sha256_t *m, uint8_t out[32]);

#endif
