/*
 * Frame encoder for sending pre-encoded acquisition documents to the ei-ingest serial gateway
 * (`gateway --port PATH:framed`). Layout: see src/gateway/frame.ts. No allocation, no libc
 * beyond memcpy-free byte loops: the frame is COBS-stuffed straight into the caller's buffer
 * while the CRC-32 runs over it, and the bytes an ES256 signature covers are streamed to the
 * caller's hash (any SHA-256 + P-256 library: mbedTLS, nrf_crypto, micro-ecc…).
 */
#ifndef EI_FRAME_H
#define EI_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320); pass 0 to start, the previous result to continue. */
uint32_t ei_crc32(const uint8_t *data, size_t len, uint32_t crc);

/* Optional signer: `update` receives every covered byte in order, then `finish` writes the
 * 64-byte ES256 r||s of SHA-256(covered bytes). Return 0 on success. */
typedef struct {
    void *ctx;
    void (*update)(void *ctx, const uint8_t *data, size_t len);
    int (*finish)(void *ctx, uint8_t signature[64]);
} ei_frame_signer_t;

typedef struct {
    const char *device_id; /* 1..64 bytes, UTF-8 */
    uint16_t seq;
    const char *label;     /* NULL or "" = the gateway's --label; at most 128 bytes */
    int json;              /* body is JSON (else CBOR) */
    const uint8_t *body;
    uint32_t body_len;     /* >= 1 */
} ei_frame_t;

/* Worst-case wire size of a frame with these lengths (for sizing `out`). */
size_t ei_frame_max_wire_len(size_t device_id_len, size_t label_len, uint32_t body_len, int signed_frame);

/*
 * Writes 0x00, COBS(frame), 0x00 into `out`. Returns the number of bytes written, or 0 if an
 * argument is out of range, `out` is too small, or the signer failed.
 */
size_t ei_frame_encode(const ei_frame_t *f, const ei_frame_signer_t *signer, uint8_t *out, size_t out_cap);

#ifdef __cplusplus
}
#endif
#endif
