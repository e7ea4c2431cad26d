/*
 * Reference C encoder of the acquisition document in Edge Impulse's C SDK layout (`c-sdk` in
 * ei-ingest; FACTS §3): protected {ver, alg[, exp]}, signature, payload {device_name?,
 * device_type, interval_ms, sensors, values}; values indefinite-length, rows definite, a single
 * axis flattened; every number rounded to float32 and written in the width QCBOR's preferred
 * serialisation gives (half for ±0, NaN, ±Inf and normal halves that keep it; single for normal
 * float32; double for float32 subnormals). HS256 signs with HMAC-SHA256 over the bytes with 64
 * '0's in the signature, then patches the hex in; none writes exp 1564127560 and "00".
 *
 * Streaming: the document goes out through a small fixed buffer (EI_CSDK_BUF bytes) to the
 * caller's `write`; at the end the 64 signature characters are written over the placeholder
 * through `patch` (a file: fseek + fwrite; a buffer: memcpy). Nothing is allocated. Errors are
 * latched (QCBOR style): calls after the first error do nothing, ei_csdk_finish reports it.
 */
#ifndef EI_CSDK_H
#define EI_CSDK_H

#include <stddef.h>
#include <stdint.h>
#include "ei_hmac_sha256.h"

#ifndef EI_CSDK_BUF
#define EI_CSDK_BUF 32
#endif

/* Error codes: the same names as ei-ingest's DocumentError codes (ei_csdk_error_code). */
enum {
    EI_CSDK_OK = 0,
    EI_CSDK_E_DEVICE_TYPE,  /* EI_DOC_DEVICE_TYPE: device_type missing */
    EI_CSDK_E_SENSORS,      /* EI_DOC_SENSORS: no sensors */
    EI_CSDK_E_INTERVAL,     /* EI_DOC_INTERVAL: interval_ms negative, not finite or beyond float32 */
    EI_CSDK_E_ROW_WIDTH,    /* EI_DOC_ROW_WIDTH: a row with another number of values than sensors */
    EI_CSDK_E_NON_FINITE,   /* EI_DOC_NON_FINITE: NaN/±Inf (or beyond float32) without allow_non_finite */
    EI_CSDK_E_SINK,         /* EI_CSDK_SINK: write or patch failed */
    EI_CSDK_E_STATE         /* EI_CSDK_STATE: call out of order */
};

typedef struct { const char *name; const char *units; } ei_csdk_sensor_t;

typedef struct {
    const char *device_name;          /* NULL: absent */
    const char *device_type;
    double interval_ms;
    const ei_csdk_sensor_t *sensors;
    size_t sensor_count;
    const uint8_t *hmac_key;          /* NULL: alg none; else HS256 with these bytes (any length) */
    size_t hmac_key_len;
    int allow_non_finite;             /* let NaN/±Inf values through */
} ei_csdk_doc_t;

/* Sink: `write` appends bytes; `patch` overwrites bytes written earlier. Return 0 on success. */
typedef struct {
    void *ctx;
    int (*write)(void *ctx, const uint8_t *data, size_t len);
    int (*patch)(void *ctx, size_t offset, const uint8_t *data, size_t len);
} ei_csdk_sink_t;

typedef struct {
    uint8_t buf[EI_CSDK_BUF];
    size_t fill;          /* bytes in buf */
    size_t offset;        /* bytes written to the sink before buf */
    size_t sig_offset;    /* where the signature text starts */
    size_t width;
    size_t rows;
    int sign;
    int allow_non_finite;
    int error;
    size_t error_row, error_col; /* where a value error was (col = (size_t)-1: the row) */
    int state;
    ei_csdk_sink_t sink;
    ei_hmac_sha256_t hmac;
} ei_csdk_t;

/* Validates `doc` and writes everything up to the values array head. Returns 0 or an error. */
int ei_csdk_begin(ei_csdk_t *e, const ei_csdk_doc_t *doc, const ei_csdk_sink_t *sink);
/* One row of `count` values (count must equal the number of sensors; errors are latched). */
void ei_csdk_add_row(ei_csdk_t *e, const double *values, size_t count);
/* Closes the document, signs and patches the signature; `signature` (may be NULL) gets the hex
 * text and a NUL (65 bytes for HS256, 3 for none). Returns 0 or the latched error. */
int ei_csdk_finish(ei_csdk_t *e, char signature[65]);
/* Total bytes written (valid after finish). */
size_t ei_csdk_length(const ei_csdk_t *e);

/* "EI_DOC_ROW_WIDTH" etc. for an error above. */
const char *ei_csdk_error_code(int error);
/* The field at fault, e.g. "payload.values[3][1]", into `out` (NUL-terminated; 0 if it does not fit). */
size_t ei_csdk_error_path(const ei_csdk_t *e, char *out, size_t cap);

#endif
