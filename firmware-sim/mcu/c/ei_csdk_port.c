/*
 * run_vectors adapter (vectors/c/ei_port.h) for the reference encoder ei_csdk.c: CBOR, c-sdk
 * layout, alg none or HS256, no iat. The document streams through the encoder's small buffer
 * into a fixed test buffer here (the harness needs the bytes; firmware would write a UART).
 */
#include <string.h>
#include "ei_port.h"
#include "ei_csdk.h"

#define MAX_BODY 65536
#define MAX_SENSORS 64

static uint8_t body[MAX_BODY];
static size_t body_len;
static ei_csdk_t enc;
static ei_csdk_sensor_t sensors[MAX_SENSORS];
static char path[64];

static int sink_write(void *ctx, const uint8_t *data, size_t len) {
    (void)ctx;
    if (len > MAX_BODY - body_len) return -1;
    memcpy(body + body_len, data, len);
    body_len += len;
    return 0;
}

static int sink_patch(void *ctx, size_t offset, const uint8_t *data, size_t len) {
    (void)ctx;
    if (offset > body_len || len > body_len - offset) return -1;
    memcpy(body + offset, data, len);
    return 0;
}

static int plain(const char *s, size_t len) { return s == NULL || strlen(s) == len; }

int ei_port_supports(const ei_vector_t *v) {
    const char *alg = v->alg;
    if (strcmp(v->format, "cbor") != 0 || strcmp(v->layout, "c-sdk") != 0 || v->has_iat) return 0;
    if (v->values_kind == EI_VEC_TAIL || v->values_kind == EI_VEC_ATTACHMENT || v->value_is_number) return 0;
    if (v->sensor_count > MAX_SENSORS || !plain(v->device_name, v->device_name_len) || !plain(v->device_type, v->device_type_len)) return 0;
    for (size_t i = 0; i < v->sensor_count; i++)
        if (!plain(v->sensors[i].name, v->sensors[i].name_len) || !plain(v->sensors[i].units, v->sensors[i].units_len)) return 0;
    for (size_t i = 0; i < v->field_count; i++) { /* only what this encoder writes itself */
        const ei_vec_field_t *f = &v->fields[i];
        if (strcmp(f->key, "alg") == 0 && f->type == EI_VEC_TEXT) { if (!alg) alg = f->text; continue; }
        if (strcmp(f->key, "ver") == 0 && f->type == EI_VEC_TEXT && strcmp(f->text, "v1") == 0) continue;
        if (strcmp(f->key, "exp") == 0 && f->type == EI_VEC_INT && f->integer == 1564127560) continue;
        return 0;
    }
    return alg != NULL && (strcmp(alg, "none") == 0 || strcmp(alg, "HS256") == 0);
}

int ei_port_begin(const ei_port_doc_t *d) {
    ei_csdk_doc_t doc;
    ei_csdk_sink_t sink = { NULL, sink_write, sink_patch };
    for (size_t i = 0; i < d->sensor_count; i++) {
        sensors[i].name = d->sensors[i].name;
        sensors[i].units = d->sensors[i].units;
    }
    doc.device_name = d->device_name;
    doc.device_type = d->device_type;
    doc.interval_ms = d->interval_ms;
    doc.sensors = d->sensor_count ? sensors : NULL;
    doc.sensor_count = d->sensor_count;
    doc.hmac_key = strcmp(d->alg, "HS256") == 0 ? (d->hmac_key ? d->hmac_key : (const uint8_t *)"") : NULL;
    doc.hmac_key_len = d->hmac_key_len;
    doc.allow_non_finite = d->allow_non_finite;
    body_len = 0;
    return ei_csdk_begin(&enc, &doc, &sink);
}

int ei_port_add_row(const double *values, size_t count) {
    ei_csdk_add_row(&enc, values, count);
    return enc.error;
}

int ei_port_finish(void) { return ei_csdk_finish(&enc, NULL); }

const uint8_t *ei_port_bytes(size_t *len) {
    *len = body_len;
    return body;
}

const char *ei_port_error_code(void) { return ei_csdk_error_code(enc.error); }

const char *ei_port_error_path(void) { return ei_csdk_error_path(&enc, path, sizeof path) ? path : NULL; }
