/* Reference C encoder of the c-sdk layout; see ei_csdk.h. */
#include "ei_csdk.h"

#define FLT_MAX_D 3.4028234663852886e38
/* Halfway between FLT_MAX and 2^128: from here on, float32 rounding gives ±Infinity. */
#define FLT_INF_FROM 3.4028235677973366e38

enum { ST_IDLE = 0, ST_VALUES = 1, ST_DONE = 2 };

typedef union { float f; uint32_t u; } f32_bits;
typedef union { double d; uint64_t u; } f64_bits;

static void flush(ei_csdk_t *e) {
    if (e->fill == 0) return;
    if (e->sign) ei_hmac_sha256_update(&e->hmac, e->buf, e->fill);
    if (!e->error && e->sink.write(e->sink.ctx, e->buf, e->fill) != 0) e->error = EI_CSDK_E_SINK;
    e->offset += e->fill;
    e->fill = 0;
}

/* The only place that writes into buf. */
static void put(ei_csdk_t *e, const uint8_t *data, size_t len) {
    while (len > 0) {
        size_t room = EI_CSDK_BUF - e->fill;
        size_t n = len < room ? len : room;
        for (size_t i = 0; i < n; i++) e->buf[e->fill + i] = data[i];
        e->fill += n;
        data += n;
        len -= n;
        if (e->fill == EI_CSDK_BUF) flush(e);
    }
}

static void put1(ei_csdk_t *e, uint8_t b) { put(e, &b, 1); }

/* CBOR head (RFC 8949 §3): major type and argument, shortest form. */
static void head(ei_csdk_t *e, uint8_t major, uint64_t n) {
    uint8_t h[9];
    size_t len;
    major = (uint8_t)(major << 5);
    if (n < 24) { h[0] = (uint8_t)(major | n); len = 1; }
    else if (n <= 0xff) { h[0] = major | 24; h[1] = (uint8_t)n; len = 2; }
    else if (n <= 0xffff) { h[0] = major | 25; h[1] = (uint8_t)(n >> 8); h[2] = (uint8_t)n; len = 3; }
    else if (n <= 0xffffffffu) { h[0] = major | 26; for (int i = 0; i < 4; i++) h[1 + i] = (uint8_t)(n >> (24 - 8 * i)); len = 5; }
    else { h[0] = major | 27; for (int i = 0; i < 8; i++) h[1 + i] = (uint8_t)(n >> (56 - 8 * i)); len = 9; }
    put(e, h, len);
}

static size_t str_len(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static void text(ei_csdk_t *e, const char *s) {
    size_t n = str_len(s);
    head(e, 3, n);
    put(e, (const uint8_t *)s, n);
}

/* A C `float` of d, rounded to nearest even, without relying on out-of-range conversions. */
static float to_f32(double d) {
    f32_bits r;
    if (d != d) { r.u = 0x7fc00000u; return r.f; }
    if (d > FLT_MAX_D || d < -FLT_MAX_D) {
        double a = d < 0 ? -d : d;
        if (a >= FLT_INF_FROM) r.u = 0x7f800000u; /* IEEE 754 §4.3.1: ties go to the even 2^128 */
        else r.u = 0x7f7fffffu;
        if (d < 0) r.u |= 0x80000000u;
        return r.f;
    }
    return (float)d;
}

/* d rounded to float32, in the width QCBOR's preferred serialisation picks (see ei_csdk.h). */
static void number(ei_csdk_t *e, double d) {
    f32_bits f;
    f.f = to_f32(d);
    uint32_t b = f.u;
    uint32_t sign = (b >> 16) & 0x8000u, ex = (b >> 23) & 0xffu, mant = b & 0x7fffffu;
    uint8_t out[9];
    int half = -1;
    if (ex == 0xff) half = mant ? 0x7e00 : (int)(sign | 0x7c00u);
    else if (ex == 0 && mant == 0) half = (int)sign;
    else if (ex != 0) {
        int u = (int)ex - 127;
        if (u >= -14 && u <= 15 && (mant & 0x1fffu) == 0) half = (int)(sign | (uint32_t)(u + 15) << 10 | mant >> 13);
    }
    if (half >= 0) {
        out[0] = 0xf9; out[1] = (uint8_t)(half >> 8); out[2] = (uint8_t)half;
        put(e, out, 3);
    } else if (ex != 0) { /* normal float32 */
        out[0] = 0xfa;
        for (int i = 0; i < 4; i++) out[1 + i] = (uint8_t)(b >> (24 - 8 * i));
        put(e, out, 5);
    } else { /* float32 subnormal: QCBOR writes the double */
        f64_bits w;
        w.d = (double)f.f;
        out[0] = 0xfb;
        for (int i = 0; i < 8; i++) out[1 + i] = (uint8_t)(w.u >> (56 - 8 * i));
        put(e, out, 9);
    }
}

static int finite(double d) { return d - d == 0; }

int ei_csdk_begin(ei_csdk_t *e, const ei_csdk_doc_t *d, const ei_csdk_sink_t *sink) {
    e->fill = e->offset = e->sig_offset = e->rows = 0;
    e->error_row = e->error_col = 0;
    e->error = EI_CSDK_OK;
    e->state = ST_IDLE;
    e->width = d->sensor_count;
    e->sign = d->hmac_key != NULL;
    e->allow_non_finite = d->allow_non_finite;
    e->sink = *sink;
    /* Document checks before the first byte (as ei-ingest's validation). */
    if (d->device_type == NULL) return e->error = EI_CSDK_E_DEVICE_TYPE;
    if (d->sensor_count == 0 || d->sensors == NULL) return e->error = EI_CSDK_E_SENSORS;
    if (!finite(d->interval_ms) || d->interval_ms < 0 || d->interval_ms >= FLT_INF_FROM) return e->error = EI_CSDK_E_INTERVAL;
    if (e->sign) ei_hmac_sha256_init(&e->hmac, d->hmac_key, d->hmac_key_len);

    put1(e, 0xa3);
    text(e, "protected");
    put1(e, e->sign ? 0xa2 : 0xa3);
    text(e, "ver");
    text(e, "v1");
    text(e, "alg");
    text(e, e->sign ? "HS256" : "none");
    if (!e->sign) { /* the C SDK's none signer: a fixed exp */
        text(e, "exp");
        head(e, 0, 1564127560u);
    }
    text(e, "signature");
    if (e->sign) {
        static const uint8_t zeros[8] = { '0', '0', '0', '0', '0', '0', '0', '0' };
        head(e, 3, 64);
        e->sig_offset = e->offset + e->fill;
        for (int i = 0; i < 8; i++) put(e, zeros, 8);
    } else {
        text(e, "00");
    }
    text(e, "payload");
    put1(e, d->device_name ? 0xa5 : 0xa4);
    if (d->device_name) {
        text(e, "device_name");
        text(e, d->device_name);
    }
    text(e, "device_type");
    text(e, d->device_type);
    text(e, "interval_ms");
    number(e, d->interval_ms);
    text(e, "sensors");
    head(e, 4, d->sensor_count);
    for (size_t i = 0; i < d->sensor_count; i++) {
        put1(e, 0xa2);
        text(e, "name");
        text(e, d->sensors[i].name);
        text(e, "units");
        text(e, d->sensors[i].units);
    }
    text(e, "values");
    put1(e, 0x9f);
    e->state = ST_VALUES;
    return e->error;
}

static void value_error(ei_csdk_t *e, int code, size_t col) {
    e->error = code;
    e->error_row = e->rows;
    e->error_col = col;
}

void ei_csdk_add_row(ei_csdk_t *e, const double *v, size_t count) {
    if (e->error) return;
    if (e->state != ST_VALUES) { e->error = EI_CSDK_E_STATE; return; }
    if (count != e->width) { value_error(e, EI_CSDK_E_ROW_WIDTH, (size_t)-1); return; }
    if (!e->allow_non_finite) {
        for (size_t j = 0; j < count; j++) {
            if (!finite(v[j]) || v[j] >= FLT_INF_FROM || v[j] <= -FLT_INF_FROM) {
                value_error(e, EI_CSDK_E_NON_FINITE, j); /* a flattened single axis too: the caller gave a row */
                return;
            }
        }
    }
    if (count > 1) head(e, 4, count); /* a single axis is flattened */
    for (size_t j = 0; j < count; j++) number(e, v[j]);
    e->rows++;
}

int ei_csdk_finish(ei_csdk_t *e, char signature[65]) {
    static const char HEX[] = "0123456789abcdef";
    if (!e->error && e->state != ST_VALUES) e->error = EI_CSDK_E_STATE;
    if (e->error) return e->error;
    put1(e, 0xff);
    flush(e);
    e->state = ST_DONE;
    if (e->error) return e->error;
    if (!e->sign) {
        if (signature) { signature[0] = signature[1] = '0'; signature[2] = 0; }
        return EI_CSDK_OK;
    }
    uint8_t mac[32];
    char hex[64];
    ei_hmac_sha256_final(&e->hmac, mac);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = HEX[mac[i] >> 4];
        hex[2 * i + 1] = HEX[mac[i] & 15];
    }
    if (e->sink.patch(e->sink.ctx, e->sig_offset, (const uint8_t *)hex, 64) != 0) return e->error = EI_CSDK_E_SINK;
    if (signature) {
        for (int i = 0; i < 64; i++) signature[i] = hex[i];
        signature[64] = 0;
    }
    return EI_CSDK_OK;
}

size_t ei_csdk_length(const ei_csdk_t *e) { return e->offset + e->fill; }

const char *ei_csdk_error_code(int error) {
    switch (error) {
    case EI_CSDK_OK: return "OK";
    case EI_CSDK_E_DEVICE_TYPE: return "EI_DOC_DEVICE_TYPE";
    case EI_CSDK_E_SENSORS: return "EI_DOC_SENSORS";
    case EI_CSDK_E_INTERVAL: return "EI_DOC_INTERVAL";
    case EI_CSDK_E_ROW_WIDTH: return "EI_DOC_ROW_WIDTH";
    case EI_CSDK_E_NON_FINITE: return "EI_DOC_NON_FINITE";
    case EI_CSDK_E_SINK: return "EI_CSDK_SINK";
    default: return "EI_CSDK_STATE";
    }
}

/* Appends s (or the decimal n when s is NULL) at *at; 0 once out of room. */
static int append(char *out, size_t cap, size_t *at, const char *s, size_t n) {
    char digits[24];
    size_t k = 0;
    if (!s) {
        do { digits[k++] = (char)('0' + n % 10); n /= 10; } while (n);
    }
    size_t len = s ? str_len(s) : k;
    if (*at + len + 1 > cap) return 0;
    for (size_t i = 0; i < len; i++) out[(*at)++] = s ? s[i] : digits[k - 1 - i];
    out[*at] = 0;
    return 1;
}

size_t ei_csdk_error_path(const ei_csdk_t *e, char *out, size_t cap) {
    size_t at = 0;
    const char *field = NULL;
    switch (e->error) {
    case EI_CSDK_E_DEVICE_TYPE: field = "payload.device_type"; break;
    case EI_CSDK_E_SENSORS: field = "payload.sensors"; break;
    case EI_CSDK_E_INTERVAL: field = "payload.interval_ms"; break;
    case EI_CSDK_E_ROW_WIDTH: case EI_CSDK_E_NON_FINITE: break;
    default: return 0;
    }
    if (field) return append(out, cap, &at, field, 0) ? at : 0;
    if (!append(out, cap, &at, "payload.values[", 0) || !append(out, cap, &at, NULL, e->error_row) || !append(out, cap, &at, "]", 0)) return 0;
    if (e->error_col != (size_t)-1 && (!append(out, cap, &at, "[", 0) || !append(out, cap, &at, NULL, e->error_col) || !append(out, cap, &at, "]", 0))) return 0;
    return at;
}
