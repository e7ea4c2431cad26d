/**
 * Test-side document builders for the service tests. Signing here is written out by hand
 * (HMAC over the bytes with 64 '0' in place of the signature, FACTS §1) so the service's verifier
 * is checked against an independent signer, not against itself.
 */
import { createHash, createHmac } from 'node:crypto';
import { encode } from 'cbor-x';
import { p256 } from '@noble/curves/nist.js';

export const ZEROS64 = '0'.repeat(64);

export function hmacHex(key: string, bytes: Uint8Array): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(bytes).digest('hex');
}

/** Replaces the first occurrence of `placeholder` (ASCII) in `bytes` with `sig` (same length). */
export function fillSignature(bytes: Buffer, placeholder: string, sig: string): Buffer {
  const at = bytes.indexOf(Buffer.from(placeholder, 'latin1'));
  if (at < 0) throw new Error('placeholder not found');
  bytes.write(sig, at, 'latin1');
  return bytes;
}

export function payload(values: unknown[], sensors = [{ name: 'accX', units: 'm/s2' }], extra: Record<string, unknown> = {}) {
  return { device_name: 'dev-1', device_type: 'TEST', interval_ms: 10, sensors, values, ...extra };
}

/** JSON document, HS256-signed when hmacKey is given; `order` chooses the top-level key order. */
export function jsonDoc(p: Record<string, unknown>, hmacKey?: string, order: string[] = ['protected', 'signature', 'payload']): Buffer {
  const parts: Record<string, unknown> = {
    protected: { ver: 'v1', alg: hmacKey ? 'HS256' : 'none', iat: 1700000000 },
    signature: hmacKey ? ZEROS64 : '00',
    payload: p,
  };
  const doc: Record<string, unknown> = {};
  for (const k of order) doc[k] = parts[k];
  const bytes = Buffer.from(JSON.stringify(doc), 'utf8');
  return hmacKey ? fillSignature(bytes, ZEROS64, hmacHex(hmacKey, bytes)) : bytes;
}

/** CBOR document via cbor-x (definite lengths), optional binary tail, HS256 over doc + tail. */
export function cborDoc(p: Record<string, unknown>, hmacKey?: string, tail?: Uint8Array, order: string[] = ['protected', 'signature', 'payload']): Buffer {
  const parts: Record<string, unknown> = {
    protected: { ver: 'v1', alg: hmacKey ? 'HS256' : 'none' },
    signature: hmacKey ? ZEROS64 : '00',
    payload: p,
  };
  const doc: Record<string, unknown> = {};
  for (const k of order) doc[k] = parts[k];
  const bytes = Buffer.concat([Buffer.from(encode(doc)), Buffer.from(tail ?? new Uint8Array(0))]);
  return hmacKey ? fillSignature(bytes, ZEROS64, hmacHex(hmacKey, bytes)) : bytes;
}

/** ES256 JSON document: compact r||s hex over SHA-256 of the bytes with 128 '0' in place. */
export function es256JsonDoc(p: Record<string, unknown>, secretKey: Uint8Array): Buffer {
  const zeros = '0'.repeat(128);
  const bytes = Buffer.from(JSON.stringify({ protected: { ver: 'v1', alg: 'ES256' }, signature: zeros, payload: p }), 'utf8');
  const digest = createHash('sha256').update(bytes).digest();
  const sig = p256.sign(digest, secretKey, { prehash: false });
  return fillSignature(bytes, zeros, Buffer.from(sig).toString('hex'));
}

/** A minimal JPEG: SOI, APP0, SOF0 with the given size, EOI. Enough for the header reader. */
export function tinyJpeg(width: number, height: number): Buffer {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Buffer.from([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]);
}

/** A minimal PNG signature + IHDR chunk. */
export function tinyPng(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b[24] = 8;
  b[25] = 6;
  return b;
}

/** 16-bit PCM WAV from samples (mono or interleaved). */
export function wav(samples: number[], sampleRate: number, channels = 1): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
