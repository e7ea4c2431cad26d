// The seven byte-exact anchors of /work/shared/reference/anchor-vectors.json (FACTS §3), read at
// run time and re-encoded with the layout each real encoder used.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { decode } from 'cbor-x';
import { encodeDocument, encodeToBytes, type DocumentInput, type LayoutName } from '../src/index.ts';

interface Anchor {
  id: string;
  input?: DocumentInput;
  hmacKey?: string;
  valuesNote?: string;
  signature?: string;
  length: number;
  hex: string;
}

const ANCHORS = JSON.parse(readFileSync(new URL('../vectors/reference/anchor-vectors.json', import.meta.url), 'utf8')).vectors as Anchor[];
const byId = (id: string): Anchor => ANCHORS.find((a) => a.id === id)!;

function layoutOf(id: string): LayoutName {
  if (id.startsWith('seed')) return 'python';
  if (id.startsWith('docs')) return 'docs';
  return 'c-sdk';
}

/** The anchor's input with values as the C float literals they were (Math.fround) when noted. */
function inputOf(a: Anchor): DocumentInput {
  const doc = structuredClone(a.input!);
  if (a.valuesNote) doc.payload.values = (doc.payload.values as number[][]).map((r) => r.map(Math.fround));
  return doc;
}

describe('anchor vectors', () => {
  it('has the seven anchors', () => {
    expect(ANCHORS.length).toBe(7);
  });

  for (const a of ANCHORS.filter((x) => x.input)) {
    it(`${a.id} is reproduced byte for byte`, () => {
      const body = encodeDocument(inputOf(a), { format: 'cbor', layout: layoutOf(a.id), hmacKey: a.hmacKey });
      const bytes = encodeToBytes(inputOf(a), { format: 'cbor', layout: layoutOf(a.id), hmacKey: a.hmacKey });
      expect(Buffer.from(bytes).toString('hex')).toBe(a.hex);
      expect(body.length).toBe(a.length);
      if (a.signature) expect(body.signature).toBe(a.signature);
    });
  }

  it('HS256 anchors verify: HMAC over the bytes with 64 zeros in place of the signature', () => {
    for (const a of ANCHORS.filter((x) => x.input && x.input.protected?.alg === 'HS256')) {
      const body = encodeDocument(inputOf(a), { format: 'cbor', layout: layoutOf(a.id), hmacKey: a.hmacKey });
      const bytes = Buffer.from(a.hex, 'hex');
      const off = body.signatureOffset;
      expect(bytes.subarray(off, off + 64).toString('latin1')).toBe(body.signature);
      const zeroed = Buffer.from(bytes);
      zeroed.fill(0x30, off, off + 64);
      expect(createHmac('sha256', a.hmacKey!).update(zeroed).digest('hex')).toBe(body.signature);
    }
  });

  it('seed-files-multipart embeds seed-data-cbor-none unchanged', () => {
    const multipart = byId('seed-files-multipart').hex;
    const doc = Buffer.from(encodeToBytes(inputOf(byId('seed-data-cbor-none')), { format: 'cbor', layout: 'python' })).toString('hex');
    expect(multipart).toContain(doc);
    const head = Buffer.from(multipart, 'hex').toString('latin1').split('\r\n\r\n')[0];
    expect(multipart.indexOf(doc) * 0.5).toBe(head.length + 4);
  });

  it('every anchor decodes with cbor-x to its input', () => {
    for (const a of ANCHORS.filter((x) => x.input)) {
      const d = decode(Buffer.from(a.hex, 'hex'));
      const want = inputOf(a);
      expect(d.payload.device_type).toBe(want.payload.device_type);
      const rows = d.payload.values as unknown[];
      const wantRows = want.payload.values as number[][];
      expect(rows.length).toBe(wantRows.length);
      rows.forEach((r, i) => expect(Array.isArray(r) ? r : [r]).toEqual(wantRows[i])); // single axis: flattened
    }
  });

  it("c-sdk 'none' writes the C SDK's exp after ver and alg without being asked (issue 17); HS256 does not", () => {
    const doc = inputOf(byId('csdk-none-3axis'));
    delete doc.protected!.exp;
    expect(Buffer.from(encodeToBytes(doc, { format: 'cbor', layout: 'c-sdk' })).toString('hex')).toBe(byId('csdk-none-3axis').hex);
    delete doc.protected;
    expect(Buffer.from(encodeToBytes(doc, { format: 'cbor', layout: 'c-sdk', alg: 'none' })).toString('hex')).toBe(byId('csdk-none-3axis').hex);
    const signed = decode(encodeToBytes(doc, { format: 'cbor', layout: 'c-sdk', hmacKey: 'made-up' }));
    expect(signed.protected).toEqual({ ver: 'v1', alg: 'HS256' });
    const compact = decode(encodeToBytes(doc, { format: 'cbor', layout: 'compact', alg: 'none' }));
    expect(compact.protected).toEqual({ ver: 'v1', alg: 'none' });
  });

  it('c-sdk rounds values and interval to float32 itself (raw doubles give the same bytes)', () => {
    const a = byId('csdk-hs256-interval-frac');
    const raw = structuredClone(a.input!);
    expect(Buffer.from(encodeToBytes(raw, { format: 'cbor', layout: 'c-sdk', hmacKey: a.hmacKey })).toString('hex')).toBe(a.hex);
    const b = byId('csdk-hs256-3axis');
    expect(Buffer.from(encodeToBytes(structuredClone(b.input!), { format: 'cbor', layout: 'c-sdk', hmacKey: b.hmacKey })).toString('hex')).toBe(b.hex);
  });

  it('typed arrays give the same bytes as arrays for every anchor', () => {
    for (const a of ANCHORS.filter((x) => x.input)) {
      const doc = inputOf(a);
      const rows = doc.payload.values as number[][];
      const width = doc.payload.sensors.length;
      const typed = { ...doc, payload: { ...doc.payload, values: { data: Float64Array.from(rows.flat()), width } } };
      // single-axis typed rows default to flat; c-sdk flattens anyway, python keeps rows
      const opts = { format: 'cbor' as const, layout: a.id.startsWith('seed') ? ({ base: 'python', flattenSingleAxis: false } as const) : layoutOf(a.id), hmacKey: a.hmacKey };
      expect(Buffer.from(encodeToBytes(typed, opts)).toString('hex')).toBe(a.hex);
    }
  });
});

describe('anchor reference copy', () => {
  // vectors/reference/ carries the shared anchors so a clone is self-contained; when the shared
  // folder sits beside the clone (as in CI), the copy must be identical to it.
  const shared = new URL('../../shared/reference/anchor-vectors.json', import.meta.url);
  it.skipIf(!existsSync(shared))('is identical to ../shared/reference/anchor-vectors.json', () => {
    const copy = readFileSync(new URL('../vectors/reference/anchor-vectors.json', import.meta.url));
    expect(copy.equals(readFileSync(shared))).toBe(true);
  });
});
