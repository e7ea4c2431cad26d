/**
 * Shared pieces of the golden-vector definitions: the definition types, made-up keys, and the
 * sample documents (see vectors-suite.ts).
 */

import type { RequestSpec } from '../http/request.ts';

export type VectorFormat = 'cbor' | 'json';
export type VectorAlg = 'none' | 'HS256' | 'ES256';

export interface VectorKey {
  /** HS256: the key string; its UTF-8 bytes are the HMAC key. */
  hmac?: string;
  /** ES256: a label; the private key is es256KeyPair(UTF-8 bytes of this seed). */
  es256Seed?: string;
}

/** A framed request in the manifest: the JSON-serialisable subset of the HTTP layer's RequestSpec. */
export type VectorRequest = Pick<
  RequestSpec,
  'kind' | 'category' | 'host' | 'apiKey' | 'fileName' | 'label' | 'noLabel' | 'disallowDuplicates' | 'addDateId' | 'uploadSource' | 'boundary'
> & { metadata?: Record<string, string> };

export interface VectorDef {
  id: string;
  description: string;
  tags: string[];
  input: unknown;
  options: {
    format: VectorFormat;
    layout: string | Record<string, unknown>;
    /** Absent: the encoder takes protected.alg. */
    alg?: VectorAlg;
    iat?: number;
    allowNonFinite?: boolean;
  };
  key?: VectorKey;
  /** Negative vector: encoding must throw this code (and path when given), producing nothing. */
  error?: { code: string; path?: string };
  /** Also frame the raw HTTP request (`<id>.http`). */
  request?: VectorRequest;
  /** Id in vectors/reference/anchor-vectors.json whose bytes the body must equal. */
  anchor?: string;
  /** For the multipart anchor: compare the request's body (after the head) instead of the document. */
  anchorCompares?: 'body' | 'request-body';
}

// ------------------------------------------------------------------------------------ inputs

export const ANCHOR_HMAC = 'fed53116f20684c067774ebf9e7bcbdc'; // from the Edge Impulse docs example
export const HMAC = 'golden-vector-made-up-hmac-key';
export const ES_SEED = 'ei-ingest golden vectors: made-up ES256 key A';
export const API_KEY = 'ei_golden_vectors_made_up_api_key_0000000000000000';
export const HOST = 'ingestion.example.test';
export const f = Math.fround;
export const acc = [
  { name: 'accX', units: 'm/s2' },
  { name: 'accY', units: 'm/s2' },
  { name: 'accZ', units: 'm/s2' },
];
export const anchorRows = [
  [-9.81, 0.03, 1.21],
  [-9.83, 0.04, 1.28],
  [-9.12, 0.03, 1.23],
  [-9.14, 0.01, 1.25],
].map((r) => r.map(f));

/** Sizes of made-up ASCII keys: 0, one block-half, over, block, over a block (hashed first), long. */
export function madeUpKey(bytes: number): string {
  let s = '';
  for (let i = 0; s.length < bytes; i++) s += `k${i}-`;
  return s.slice(0, bytes);
}

export function axes(n: 1 | 3 | 20): { sensors: { name: string; units: string }[]; values: unknown } {
  if (n === 1) return { sensors: [{ name: 'audio', units: 'wav' }], values: [0, 1, -1.5, 0.1, 100000, 3.14159, 65504, -0.25] };
  if (n === 3) {
    return {
      sensors: acc,
      values: [
        [0.1627109944820404, -0.803987979888916, 9.82971477508545],
        [1, -2, 3],
        [0.5, 1e-7, -123456.789],
        [f(-9.81), f(0.03), f(1.21)],
      ],
    };
  }
  const sensors = Array.from({ length: 20 }, (_, i) => ({ name: `ch${String(i).padStart(2, '0')}`, units: i % 2 ? 'V' : 'N/A' }));
  const values = [0, 1, 2].map((r) => Array.from({ length: 20 }, (_, c) => (c % 4 === 0 ? r * 20 + c : ((r * 20 + c) * 0.37 - 3.5) / (c + 1))));
  return { sensors, values };
}

export function doc(sensors: unknown, values: unknown, extra: Record<string, unknown> = {}, prot?: Record<string, unknown>) {
  return {
    ...(prot ? { protected: prot } : {}),
    payload: { device_name: 'golden-01', device_type: 'GOLDEN_TEST', interval_ms: 10, sensors, values, ...extra },
  };
}

export function keyFor(alg: VectorAlg): VectorKey | undefined {
  return alg === 'HS256' ? { hmac: HMAC } : alg === 'ES256' ? { es256Seed: ES_SEED } : undefined;
}

export const LAYOUTS = ['c-sdk', 'docs', 'python', 'compact'] as const;
export const ALGS: VectorAlg[] = ['none', 'HS256', 'ES256'];

