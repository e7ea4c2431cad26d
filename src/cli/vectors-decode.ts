/**
 * Independent decode check of a vector body: cbor-x (CBOR) or JSON.parse (JSON) must give back the
 * input document (after the layout's float32 rounding and single-axis flattening), the signature,
 * and — for binary tails — the little-endian samples after the document.
 */
import { cborX } from '../optional.ts';
import { cborItemLength } from '../sign/index.ts';

export interface DecodeExpectations {
  alg?: string;
  iat?: number;
  signature: string;
  /** Payload numbers were rounded to float32 (C SDK layout). */
  round32: boolean;
  flatten: boolean | undefined;
  /** The layout's exp for alg none (the C SDK's signer adds it after ver and alg). */
  noneExp?: number;
}

type Doc = { protected?: Record<string, unknown>; signature?: unknown; payload: Record<string, unknown> };

const TAIL: Record<string, [number, (dv: DataView, o: number, x: number) => void]> = {
  i8: [1, (d, o, x) => d.setInt8(o, x)],
  u8: [1, (d, o, x) => d.setUint8(o, x)],
  i16: [2, (d, o, x) => d.setInt16(o, x, true)],
  u16: [2, (d, o, x) => d.setUint16(o, x, true)],
  i32: [4, (d, o, x) => d.setInt32(o, x, true)],
  u32: [4, (d, o, x) => d.setUint32(o, x, true)],
  f32: [4, (d, o, x) => d.setFloat32(o, x, true)],
};

export function decodedProblems(bytes: Uint8Array, format: 'cbor' | 'json', input: unknown, e: DecodeExpectations): string[] {
  const p: string[] = [];
  const inp = input as Doc;
  let got: Doc;
  let tail: Uint8Array = new Uint8Array(0);
  if (format === 'cbor') {
    const end = cborItemLength(bytes);
    tail = bytes.subarray(end);
    got = cborX('vectors decode checks').decode(bytes.subarray(0, end)) as Doc;
  } else {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    got = JSON.parse(text) as Doc;
    if (JSON.stringify(got) !== text) p.push('JSON text is not what JSON.stringify(JSON.parse(text)) gives');
  }
  const same = format === 'cbor' ? Object.is : (a: unknown, b: unknown) => a === b || (a === 0 && b === 0);

  // protected: ver, alg, iat and the caller's fields; nothing else.
  const prot = got.protected ?? {};
  const want: Record<string, unknown> = { ...(inp.protected ?? {}) };
  want.ver = 'v1';
  want.alg = e.alg ?? want.alg ?? 'none';
  if (e.iat !== undefined) want.iat = e.iat;
  if (want.alg === 'none' && e.noneExp !== undefined && want.exp === undefined) want.exp = e.noneExp;
  for (const k of new Set([...Object.keys(want), ...Object.keys(prot)])) {
    if (!same(num(prot[k]), want[k])) p.push(`protected.${k}: decoded ${String(prot[k])}, expected ${String(want[k])}`);
  }
  if (got.signature !== e.signature) p.push('decoded signature differs from the expected one');

  const gp = got.payload ?? {};
  const ip = inp.payload;
  for (const k of ['device_name', 'device_type']) if (gp[k] !== ip[k]) p.push(`payload.${k} differs`);
  if (JSON.stringify(gp.sensors) !== JSON.stringify(ip.sensors)) p.push('payload.sensors differ');
  const interval = e.round32 ? Math.fround(ip.interval_ms as number) : ip.interval_ms;
  if (!same(num(gp.interval_ms), interval)) p.push(`payload.interval_ms: decoded ${String(gp.interval_ms)}, expected ${String(interval)}`);

  const iv = ip.values as unknown;
  const gv = gp.values as unknown[];
  if (!Array.isArray(gv)) return [...p, 'payload.values is not an array'];
  if (iv && typeof iv === 'object' && 'tail' in iv) {
    const t = iv as { tail: string; data: number[] };
    if (gv.length !== 1 || gv[0] !== `Ref-BINARY-${t.tail}`) p.push(`values should be ["Ref-BINARY-${t.tail}"]`);
    const [size, put] = TAIL[t.tail]!;
    const wantTail = new Uint8Array(t.data.length * size);
    const dv = new DataView(wantTail.buffer);
    t.data.forEach((x, i) => put(dv, i * size, x));
    if (Buffer.compare(Buffer.from(tail), Buffer.from(wantTail)) !== 0) p.push('binary tail bytes differ from the little-endian samples');
    return p;
  }
  if (tail.length) p.push(`${tail.length} unexpected bytes after the CBOR document`);
  if (iv && typeof iv === 'object' && 'attachment' in iv) {
    if (gv.length !== 1 || gv[0] !== (iv as { attachment: string }).attachment) p.push('values should hold the attachment reference');
    return p;
  }
  const width = (ip.sensors as unknown[]).length;
  const wantNums = flat(iv).map((x) => (e.round32 ? Math.fround(x) : x));
  const gotNums = flat(gv);
  const rows = wantNums.length / width;
  if (gv.length !== rows) p.push(`values has ${gv.length} entries, expected ${rows} rows`);
  const flatInput = Array.isArray(iv) && iv.every((x) => typeof x === 'number');
  const flattened = width === 1 && (e.flatten === true || (e.flatten === undefined && (flatInput || ArrayBuffer.isView(iv))));
  if (gv.some((r) => typeof r === 'number' || typeof r === 'bigint') !== flattened && rows > 0) p.push(`rows should be ${flattened ? 'bare numbers' : 'arrays'}`);
  if (gotNums.length !== wantNums.length) p.push(`decoded ${gotNums.length} numbers, expected ${wantNums.length}`);
  else {
    for (let i = 0; i < wantNums.length; i++) {
      if (!same(gotNums[i], wantNums[i])) {
        p.push(`value ${i}: decoded ${gotNums[i]}, expected ${wantNums[i]}`);
        break;
      }
    }
  }
  return p;
}

function num(x: unknown): unknown {
  return typeof x === 'bigint' ? Number(x) : x;
}

function flat(v: unknown): number[] {
  if (ArrayBuffer.isView(v)) return Array.from(v as Float64Array);
  if (Array.isArray(v)) return v.flatMap((x) => (Array.isArray(x) || ArrayBuffer.isView(x) ? flat(x) : [num(x) as number]));
  return [];
}
