/**
 * The language-neutral form of vector inputs (vectors/README.md): plain JSON, with tagged objects
 * for what JSON cannot carry. `{"$f64":"<16 hex>"}` is an IEEE 754 binary64 given by its big-endian
 * bits (used for -0, NaN, ±Infinity); `{"$typed":"f32"|"f64","data":[…]}` is a Float32Array /
 * Float64Array of row-major samples; `{"$source":[rows…]}` is a pull source yielding those rows.
 */

/** Definition value → manifest JSON value. */
export function toManifestValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { $f64: f64Hex(v) };
  if (v instanceof Float32Array || v instanceof Float64Array) {
    return { $typed: v instanceof Float32Array ? 'f32' : 'f64', data: Array.from(v, toManifestValue) };
  }
  if (Array.isArray(v)) return v.map(toManifestValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toManifestValue(x);
    return out;
  }
  return v;
}

/** Manifest JSON value → encoder input (a fresh pull source each call: sources are read once). */
export function fromManifestValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromManifestValue);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.$f64 === 'string') return f64FromHex(o.$f64);
    if (typeof o.$typed === 'string' && Array.isArray(o.data)) {
      const nums = (o.data as unknown[]).map(fromManifestValue) as number[];
      return o.$typed === 'f32' ? Float32Array.from(nums) : Float64Array.from(nums);
    }
    if (keys.length === 1 && Array.isArray(o.$source)) {
      const rows = fromManifestValue(o.$source) as unknown[];
      return rows[Symbol.iterator]();
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = fromManifestValue(o[k]);
    return out;
  }
  return v;
}

/** Like fromManifestValue but sources become plain row arrays (for comparing decoded output). */
export function plainValue(v: unknown): unknown {
  const r = fromManifestValue(v);
  return materialise(r);
}

function materialise(v: unknown): unknown {
  if (v instanceof Float32Array || v instanceof Float64Array) return v;
  if (Array.isArray(v)) return v.map(materialise);
  if (v !== null && typeof v === 'object') {
    if (typeof (v as Iterator<unknown>).next === 'function') return Array.from(v as Iterable<unknown>);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = materialise(x);
    return out;
  }
  return v;
}

const scratch = new DataView(new ArrayBuffer(8));

export function f64Hex(x: number): string {
  scratch.setFloat64(0, x);
  let s = '';
  for (let i = 0; i < 8; i++) s += scratch.getUint8(i).toString(16).padStart(2, '0');
  return s;
}

export function f64FromHex(hex: string): number {
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) throw new RangeError(`$f64 needs 16 hex digits, got '${hex}'`);
  for (let i = 0; i < 8; i++) scratch.setUint8(i, parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  return scratch.getFloat64(0);
}
