/*
 * Golden-vector harness for C ports of the ei-ingest encoder (C99, no library beyond stdio).
 * Drives the port's adapter (ei_port.h) over every vector of ei_vectors.h that the port
 * supports, compares the bytes with the expected body (or the error code of a negative
 * vector), and prints "N passed, M failed". Exit status 1 on any failure.
 *
 *   cc -std=c99 -I vectors/c vectors/c/run_vectors.c my_port_adapter.c my_port.c -o run_vectors
 *   ./run_vectors [-v] [ID-SUBSTRING]
 */
#define EI_VECTORS_IMPLEMENTATION /* the vector data lives in this file */
#include <stdio.h>
#include <string.h>
#include "ei_port.h"

#define CONTEXT 8

static void hex_range(const uint8_t *b, size_t len, size_t from, size_t to) {
    for (size_t i = from; i < to && i < len; i++) printf("%02x", b[i]);
}

/* The first differing byte with CONTEXT bytes either side (expected and got). */
static void show_difference(const uint8_t *want, size_t wl, const uint8_t *got, size_t gl) {
    size_t i = 0;
    while (i < wl && i < gl && want[i] == got[i]) i++;
    size_t from = i > CONTEXT ? i - CONTEXT : 0;
    printf("  first difference at byte %zu of %zu (got %zu bytes)\n", i, wl, gl);
    printf("  expected ...");
    hex_range(want, wl, from, i);
    printf(" [");
    if (i < wl) printf("%02x", want[i]); else printf("end");
    printf("] ");
    hex_range(want, wl, i + 1, i + 1 + CONTEXT);
    printf("...\n  got      ...");
    hex_range(got, gl, from, i);
    printf(" [");
    if (i < gl) printf("%02x", got[i]); else printf("end");
    printf("] ");
    hex_range(got, gl, i + 1, i + 1 + CONTEXT);
    printf("...\n");
}

/* Runs one vector; returns 1 when it passes. */
static int run(const ei_vector_t *v, int verbose) {
    ei_port_doc_t d;
    d.vector = v;
    d.device_name = v->device_name;
    d.device_type = v->device_type;
    d.interval_ms = ei_vec_double(v->interval_bits);
    d.sensor_count = v->sensor_count;
    d.sensors = v->sensors;
    d.alg = v->alg;
    if (!d.alg) { /* taken from protected.alg */
        d.alg = "none";
        for (size_t i = 0; i < v->field_count; i++)
            if (strcmp(v->fields[i].key, "alg") == 0 && v->fields[i].text) d.alg = v->fields[i].text;
    }
    d.hmac_key = (const uint8_t *)v->hmac_key;
    d.hmac_key_len = v->hmac_key_len;
    d.allow_non_finite = v->allow_non_finite;

    int failed = ei_port_begin(&d);
    size_t at = 0;
    double row[256];
    for (size_t r = 0; r < v->row_count && !failed; r++) {
        size_t w = v->values_kind == EI_VEC_FLAT ? 1 : v->row_widths ? v->row_widths[r] : v->sensor_count;
        if (w > sizeof row / sizeof row[0]) {
            printf("FAIL %s: row %zu is wider than the harness's %zu values\n", v->id, r, sizeof row / sizeof row[0]);
            return 0;
        }
        for (size_t j = 0; j < w; j++) row[j] = ei_vec_double(v->values[at + j]);
        at += w;
        failed = ei_port_add_row(row, w);
    }
    if (!failed) failed = ei_port_finish();

    if (v->error_code) { /* negative: the port must refuse with the same code */
        const char *code = failed ? ei_port_error_code() : NULL;
        const char *path = failed ? ei_port_error_path() : NULL;
        if (!failed) {
            printf("FAIL %s: expected %s, but the port encoded it\n", v->id, v->error_code);
            return 0;
        }
        if (!code || strcmp(code, v->error_code) != 0) {
            printf("FAIL %s: expected %s, got %s\n", v->id, v->error_code, code ? code : "(no code)");
            return 0;
        }
        /* A flat vector's path names a bare number (values[3]); a port is given rows of one. */
        if (v->error_path && path && v->values_kind != EI_VEC_FLAT && strcmp(path, v->error_path) != 0) {
            printf("FAIL %s: expected path %s, got %s\n", v->id, v->error_path, path);
            return 0;
        }
        if (verbose) printf("ok   %s (%s)\n", v->id, code);
        return 1;
    }
    if (failed) {
        const char *path = ei_port_error_path();
        printf("FAIL %s: the port failed with %s%s%s\n", v->id, ei_port_error_code(), path ? " at " : "", path ? path : "");
        return 0;
    }
    size_t len = 0;
    const uint8_t *got = ei_port_bytes(&len);
    if (!got || len != v->body_len || memcmp(got, v->body, len) != 0) {
        printf("FAIL %s: body differs from %s.bin\n", v->id, v->id);
        show_difference(v->body, v->body_len, got ? got : (const uint8_t *)"", got ? len : 0);
        return 0;
    }
    if (verbose) printf("ok   %s\n", v->id);
    return 1;
}

int main(int argc, char **argv) {
    int verbose = 0;
    const char *filter = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) verbose = 1;
        else filter = argv[i];
    }
    int passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < EI_VECTOR_COUNT; i++) {
        const ei_vector_t *v = &ei_vectors[i];
        if (filter && !strstr(v->id, filter)) continue;
        if (!ei_port_supports(v)) {
            skipped++;
            continue;
        }
        if (run(v, verbose)) passed++;
        else failed++;
    }
    printf("skipped %d vectors this port does not support\n", skipped);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
