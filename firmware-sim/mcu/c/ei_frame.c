/* Frame encoder for the ei-ingest serial gateway; see ei_frame.h and src/gateway/frame.ts. */
#include "ei_frame.h"
#include <string.h>

uint32_t ei_crc32(const uint8_t *data, size_t len, uint32_t crc) {
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int k = 0; k < 8; k++) crc = (crc & 1u) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    return ~crc;
}

/* COBS writer over the caller's buffer; `code_at` is back-patched when a block ends. */
typedef struct {
    uint8_t *out;
    size_t cap, pos, code_at;
    uint8_t code;
    int overflow;
    uint32_t crc;
    const ei_frame_signer_t *signer; /* non-NULL while covered bytes flow */
} writer_t;

static void put_raw(writer_t *w, uint8_t b) {
    if (w->pos >= w->cap) { w->overflow = 1; return; }
    w->out[w->pos++] = b;
}

static void cobs_byte(writer_t *w, uint8_t b) {
    if (w->overflow) return; /* code_at may not be a written byte any more */
    if (b == 0) {
        w->out[w->code_at] = w->code;
        w->code_at = w->pos;
        put_raw(w, 0xFF); /* placeholder */
        w->code = 1;
        return;
    }
    put_raw(w, b);
    if (++w->code == 0xFF) {
        w->out[w->code_at] = w->code;
        w->code_at = w->pos;
        put_raw(w, 0xFF);
        w->code = 1;
    }
}

static void emit(writer_t *w, const uint8_t *data, size_t len) {
    if (w->overflow) return;
    w->crc = ei_crc32(data, len, w->crc);
    if (w->signer) w->signer->update(w->signer->ctx, data, len);
    for (size_t i = 0; i < len && !w->overflow; i++) cobs_byte(w, data[i]);
}

size_t ei_frame_max_wire_len(size_t id_len, size_t label_len, uint32_t body_len, int signed_frame) {
    size_t raw = 5 + id_len + 1 + label_len + 4 + (size_t)body_len + (signed_frame ? 64 : 0) + 4;
    return raw + raw / 254 + 1 + 2;
}

size_t ei_frame_encode(const ei_frame_t *f, const ei_frame_signer_t *signer, uint8_t *out, size_t out_cap) {
    size_t id_len = f->device_id ? strlen(f->device_id) : 0;
    size_t label_len = f->label ? strlen(f->label) : 0;
    if (id_len < 1 || id_len > 64 || label_len > 128 || f->body_len < 1 || !f->body || out_cap < 3) return 0;
    writer_t w = { out, out_cap, 0, 0, 1, 0, 0, signer };
    put_raw(&w, 0x00);  /* leading delimiter: ends any noise before the frame */
    w.code_at = w.pos;
    put_raw(&w, 0xFF);  /* first code placeholder */
    uint8_t head[5] = { 1, (uint8_t)((signer ? 1 : 0) | (f->json ? 2 : 0)), (uint8_t)(f->seq & 0xFF), (uint8_t)(f->seq >> 8), (uint8_t)id_len };
    emit(&w, head, sizeof head);
    emit(&w, (const uint8_t *)f->device_id, id_len);
    uint8_t ll = (uint8_t)label_len;
    emit(&w, &ll, 1);
    emit(&w, (const uint8_t *)f->label, label_len);
    uint8_t bl[4] = { (uint8_t)f->body_len, (uint8_t)(f->body_len >> 8), (uint8_t)(f->body_len >> 16), (uint8_t)(f->body_len >> 24) };
    emit(&w, bl, 4);
    emit(&w, f->body, f->body_len);
    if (signer) {
        uint8_t sig[64];
        w.signer = NULL; /* the signature and CRC are not covered */
        if (w.overflow || signer->finish(signer->ctx, sig) != 0) return 0;
        emit(&w, sig, 64);
    }
    uint32_t crc = w.crc;
    uint8_t c[4] = { (uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24) };
    w.signer = NULL;
    emit(&w, c, 4); /* its own bytes also enter w.crc, which is no longer used */
    if (w.overflow) return 0;
    w.out[w.code_at] = w.code; /* close the last block */
    put_raw(&w, 0x00);
    return w.overflow ? 0 : w.pos;
}
