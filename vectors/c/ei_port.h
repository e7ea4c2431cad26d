/*
 * The adapter a C port implements so run_vectors.c can drive it over the golden vectors
 * (ei_vectors.h). A port links run_vectors.c with one file defining these functions; see
 * ../README.md ("C ports"). All calls for one vector happen in order: supports, begin,
 * add_row (row_count times, unless a call fails), finish, then bytes or error_code.
 */
#ifndef EI_PORT_H
#define EI_PORT_H

#include <stddef.h>
#include <stdint.h>
#include "ei_vectors.h"

typedef struct {
    const ei_vector_t *vector;        /* the whole vector, for ports that need more */
    const char *device_name;          /* NULL: absent */
    const char *device_type;          /* NULL: absent (a negative vector) */
    double interval_ms;
    size_t sensor_count;
    const ei_vec_sensor_t *sensors;
    const char *alg;                  /* "none", "HS256" or "ES256" */
    const uint8_t *hmac_key;          /* HS256: the key bytes (any length, 0 included) */
    size_t hmac_key_len;
    int allow_non_finite;             /* NaN/±Infinity may be written */
} ei_port_doc_t;

/* Nonzero when the port can encode this vector (format, layout, alg, options); others are skipped. */
int ei_port_supports(const ei_vector_t *v);
/* Starts a document. Returns 0, or nonzero when the port refuses it (then error_code says why). */
int ei_port_begin(const ei_port_doc_t *doc);
/* Adds one row of `count` values (count may differ from sensor_count in negative vectors). */
int ei_port_add_row(const double *values, size_t count);
/* Ends the document and signs it. Returns 0 or nonzero on a (possibly latched) error. */
int ei_port_finish(void);
/* The finished document's bytes (valid until the next begin). */
const uint8_t *ei_port_bytes(size_t *len);
/* After a failure: the ei-ingest error code ("EI_DOC_ROW_WIDTH", …) and, if known, the path
 * ("payload.values[1]") or NULL. */
const char *ei_port_error_code(void);
const char *ei_port_error_path(void);

#endif
