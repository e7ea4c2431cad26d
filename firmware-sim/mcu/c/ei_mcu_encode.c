/*
 * The simulated framed MCU's firmware encoder (firmware-sim/mcu/framed-mcu.ts runs it): reads
 * documents' samples on stdin and writes each document, encoded by ei_csdk.c, as a hex line.
 *
 *   EI_MCU_HMAC_KEY=key ei_mcu_encode DEVICE_NAME DEVICE_TYPE INTERVAL_BITS NAME:UNITS...
 *
 * INTERVAL_BITS is interval_ms as 16 hex digits of its IEEE 754 binary64 bits. Each stdin line
 * is one document: its samples, row-major, as 16-hex-digit binary64 bit patterns separated by
 * spaces (no decimal parsing). The answer per line: the body in hex, or "ERR CODE PATH". Without
 * EI_MCU_HMAC_KEY the documents are alg none. The key is taken from the environment so it does
 * not show in the process list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ei_csdk.h"

#define MAX_SENSORS 32
#define MAX_BODY 262144

static uint8_t body[MAX_BODY];
static size_t body_len;

static int sink_write(void *ctx, const uint8_t *data, size_t len) {
    (void)ctx;
    if (len > MAX_BODY - body_len) return -1;
    memcpy(body + body_len, data, len);
    body_len += len;
    return 0;
}

/* stdout is not seekable: the document is held here and the signature patched in place. */
static int sink_patch(void *ctx, size_t offset, const uint8_t *data, size_t len) {
    (void)ctx;
    if (offset > body_len || len > body_len - offset) return -1;
    memcpy(body + offset, data, len);
    return 0;
}

static int hex_digit(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_bits(const char *s, double *out) {
    union { uint64_t u; double d; } c;
    c.u = 0;
    if (strlen(s) != 16) return -1;
    for (int i = 0; i < 16; i++) {
        int h = hex_digit(s[i]);
        if (h < 0) return -1;
        c.u = c.u << 4 | (uint64_t)h;
    }
    *out = c.d;
    return 0;
}

int main(int argc, char **argv) {
    static ei_csdk_sensor_t sensors[MAX_SENSORS];
    static char names[MAX_SENSORS][128];
    if (argc < 5 || argc - 4 > MAX_SENSORS) {
        fprintf(stderr, "usage: ei_mcu_encode DEVICE_NAME DEVICE_TYPE INTERVAL_BITS NAME:UNITS...\n");
        return 2;
    }
    size_t width = (size_t)(argc - 4);
    for (size_t i = 0; i < width; i++) {
        const char *a = argv[4 + i], *colon = strchr(a, ':');
        size_t n = colon ? (size_t)(colon - a) : strlen(a);
        if (n >= sizeof names[i]) return 2;
        memcpy(names[i], a, n);
        names[i][n] = 0;
        sensors[i].name = names[i];
        sensors[i].units = colon ? colon + 1 : "N/A";
    }
    ei_csdk_doc_t doc;
    const char *key = getenv("EI_MCU_HMAC_KEY");
    doc.device_name = argv[1][0] ? argv[1] : NULL;
    doc.device_type = argv[2];
    if (parse_bits(argv[3], &doc.interval_ms) != 0) return 2;
    doc.sensors = sensors;
    doc.sensor_count = width;
    doc.hmac_key = key ? (const uint8_t *)key : NULL;
    doc.hmac_key_len = key ? strlen(key) : 0;
    doc.allow_non_finite = 0;
    ei_csdk_sink_t sink = { NULL, sink_write, sink_patch };

    static ei_csdk_t enc;
    for (;;) {
        int c = getchar();
        if (c == EOF) return 0;
        body_len = 0;
        ei_csdk_begin(&enc, &doc, &sink);
        double row[MAX_SENSORS];
        size_t in_row = 0;
        char tok[17];
        size_t tl = 0;
        int bad = 0;
        for (;; c = getchar()) { /* one line, streamed value by value */
            if (c == ' ' || c == '\n' || c == EOF) {
                if (tl) {
                    tok[tl] = 0;
                    tl = 0;
                    if (parse_bits(tok, &row[in_row]) != 0) bad = 1;
                    else if (++in_row == width) {
                        ei_csdk_add_row(&enc, row, width);
                        in_row = 0;
                    }
                }
                if (c != ' ') break;
            } else if (tl < 16) {
                tok[tl++] = (char)c;
            } else {
                bad = 1;
            }
        }
        if (in_row) ei_csdk_add_row(&enc, row, in_row); /* a short last row: latched as EI_DOC_ROW_WIDTH */
        int err = ei_csdk_finish(&enc, NULL);
        if (bad) {
            printf("ERR EI_MCU_INPUT stdin\n");
        } else if (err) {
            char path[64];
            printf("ERR %s %s\n", ei_csdk_error_code(err), ei_csdk_error_path(&enc, path, sizeof path) ? path : "-");
        } else {
            for (size_t i = 0; i < body_len; i++) printf("%02x", body[i]);
            printf("\n");
        }
        fflush(stdout);
        if (c == EOF) return 0;
    }
}
