// .h1-cmp.tmp.mts
import { createHmac } from "node:crypto";
import { encode as cborxEncode } from "cbor-x";

// src/errors.ts
var EiError = class extends Error {
  code;
  constructor(code, message, options) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
};

// src/model/document.ts
var ALGS = ["none", "HS256", "ES256"];
var TAIL_TYPES = ["i8", "u8", "i16", "u16", "i32", "u32", "f32"];

// src/model/errors.ts
var DocumentError = class extends EiError {
  /** Where in the document: `payload.values[17][2]`, `protected.alg`, `options.hmacKey`. */
  path;
  constructor(code, path, message, options) {
    super(code, `${path}: ${message}`, options);
    this.path = path;
  }
};
function valuePath(row, col) {
  return col < 0 ? `payload.values[${row}]` : `payload.values[${row}][${col}]`;
}

// src/model/strings.ts
function loneSurrogateAt(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 55296 || c > 57343) continue;
    if (c <= 56319) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 56320 && d <= 57343) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}
function utf8Length(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) continue;
    if (c < 2048) n += 1;
    else if (c >= 55296 && c <= 56319) {
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

// src/model/validate.ts
var MAX_ROWS = 2 ** 32;
function isObject(x) {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
function checkString(s, path) {
  if (typeof s !== "string") throw new DocumentError("EI_DOC_STRING", path, `expected a string, got ${typeName(s)}`);
  const at = loneSurrogateAt(s);
  if (at >= 0) throw new DocumentError("EI_DOC_STRING", path, `lone surrogate at index ${at} (not encodable as UTF-8)`);
}
function typeName(x) {
  if (x === null) return "null";
  if (Array.isArray(x)) return "array";
  if (typeof x === "number") return Number.isNaN(x) ? "NaN" : String(x);
  return typeof x;
}
function badValue(x, row, col, format) {
  if (typeof x !== "number") return new DocumentError("EI_DOC_VALUE_TYPE", valuePath(row, col), `expected a number, got ${typeName(x)}`);
  const why = format === "json" ? "JSON cannot carry it" : "pass allowNonFinite to send it in CBOR";
  return new DocumentError("EI_DOC_NON_FINITE", valuePath(row, col), `${typeName(x)} is not finite (${why})`);
}
function badRow(row, got, width) {
  const what = got !== null && typeof got === "object" && typeof got.length === "number" ? `${got.length} values` : typeName(got);
  return new DocumentError("EI_DOC_ROW_WIDTH", valuePath(row, -1), `row has ${what}, expected ${width} (one per sensor)`);
}
function checkProtected(p) {
  if (p === void 0) return;
  if (!isObject(p)) throw new DocumentError("EI_DOC_SHAPE", "protected", `expected an object, got ${typeName(p)}`);
  for (const key3 of Object.keys(p)) {
    const v = p[key3];
    const path = `protected.${key3}`;
    checkString(key3, "protected (field name)");
    if (v === void 0) continue;
    if (key3 === "ver") {
      if (v !== "v1") throw new DocumentError("EI_DOC_VERSION", path, `expected "v1", got ${JSON.stringify(v)}`);
    } else if (key3 === "alg") {
      if (!ALGS.includes(v)) throw new DocumentError("EI_DOC_ALG", path, `unknown alg ${JSON.stringify(v)} (none, HS256 or ES256)`);
    } else if (key3 === "iat") {
      checkIat(v, path);
    } else if (typeof v === "string") {
      checkString(v, path);
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new DocumentError("EI_DOC_PROTECTED", path, `${typeName(v)} is not finite`);
    } else if (typeof v !== "boolean" && v !== null) {
      throw new DocumentError("EI_DOC_PROTECTED", path, `expected a string, number, boolean or null, got ${typeName(v)}`);
    }
  }
}
function checkIat(v, path) {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new DocumentError("EI_DOC_IAT", path, `expected non-negative integer seconds, got ${typeName(v)}`);
  }
}
function isTyped(x) {
  return x instanceof Float32Array || x instanceof Float64Array;
}
function inspectDocument(doc, opts) {
  if (!isObject(doc)) throw new DocumentError("EI_DOC_SHAPE", "document", `expected an object, got ${typeName(doc)}`);
  checkProtected(doc.protected);
  const p = doc.payload;
  if (!isObject(p)) throw new DocumentError("EI_DOC_SHAPE", "payload", `expected an object, got ${typeName(p)}`);
  if (p.device_name !== void 0) checkString(p.device_name, "payload.device_name");
  if (typeof p.device_type !== "string" || p.device_type === "") {
    throw new DocumentError("EI_DOC_DEVICE_TYPE", "payload.device_type", p.device_type === void 0 ? "missing (required)" : `expected a non-empty string, got ${typeName(p.device_type)}`);
  }
  checkString(p.device_type, "payload.device_type");
  const iv = p.interval_ms;
  if (typeof iv !== "number" || !Number.isFinite(iv) || iv < 0) {
    throw new DocumentError("EI_DOC_INTERVAL", "payload.interval_ms", iv === void 0 ? "missing (required)" : `expected a finite number >= 0, got ${typeName(iv)}`);
  }
  const sensors2 = p.sensors;
  if (!Array.isArray(sensors2) || sensors2.length === 0) {
    throw new DocumentError("EI_DOC_SENSORS", "payload.sensors", Array.isArray(sensors2) ? "empty (at least one sensor)" : `expected an array, got ${typeName(sensors2)}`);
  }
  for (let i = 0; i < sensors2.length; i++) {
    const s = sensors2[i];
    if (!isObject(s)) throw new DocumentError("EI_DOC_SENSOR", `payload.sensors[${i}]`, `expected {name, units}, got ${typeName(s)}`);
    if (typeof s.name !== "string" || s.name === "") throw new DocumentError("EI_DOC_SENSOR", `payload.sensors[${i}].name`, "expected a non-empty string");
    if (loneSurrogateAt(s.name) >= 0) checkString(s.name, `payload.sensors[${i}].name`);
    if (typeof s.units !== "string") throw new DocumentError("EI_DOC_SENSOR", `payload.sensors[${i}].units`, "expected a string");
    if (loneSurrogateAt(s.units) >= 0) checkString(s.units, `payload.sensors[${i}].units`);
  }
  return inspectValues(p.values, sensors2.length, opts);
}
function inspectValues(v, width, opts) {
  const allowNF = opts.allowNonFinite === true && opts.format === "cbor";
  if (Array.isArray(v)) {
    if (v.length >= MAX_ROWS) throw new DocumentError("EI_DOC_TOO_MANY_ROWS", "payload.values", "more than 2^32 rows");
    if (v.length > 0 && !Array.isArray(v[0]) && !isTyped(v[0])) {
      if (width !== 1) throw badRow(0, v[0], width);
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x !== "number" || x - x !== 0 && !allowNF) {
          if (Array.isArray(x)) throw new DocumentError("EI_DOC_VALUES", valuePath(i, -1), "mixes bare numbers and rows");
          throw badValue(x, i, -1, opts.format);
        }
      }
      return { kind: "flat", width: 1, count: v.length, flat: v };
    }
    for (let i = 0; i < v.length; i++) {
      const r = v[i];
      if (!(Array.isArray(r) || isTyped(r)) || r.length !== width) throw badRow(i, r, width);
      for (let j = 0; j < width; j++) {
        const x = r[j];
        if (typeof x !== "number" || x - x !== 0 && !allowNF) throw badValue(x, i, j, opts.format);
      }
    }
    return { kind: "rows", width, count: v.length, rows: v };
  }
  if (isTyped(v)) return typedShape(v, width, width);
  if (!isObject(v) && typeof v !== "function") {
    throw new DocumentError("EI_DOC_VALUES", "payload.values", `expected rows, a typed array, a row source, a binary tail or an attachment, got ${typeName(v)}`);
  }
  if (typeof v === "function") return { kind: "pull", width, count: -1, pull: v };
  const o = v;
  if ("data" in o && "width" in o && !("tail" in o)) {
    if (!isTyped(o.data)) throw new DocumentError("EI_DOC_VALUES", "payload.values.data", "expected a Float32Array or Float64Array");
    return typedShape(o.data, o.width, width);
  }
  if ("tail" in o) {
    if (opts.format !== "cbor") throw new DocumentError("EI_DOC_TAIL", "payload.values", "binary tails exist only in CBOR bodies");
    if (!TAIL_TYPES.includes(o.tail)) throw new DocumentError("EI_DOC_TAIL", "payload.values.tail", `unknown tail type ${JSON.stringify(o.tail)} (${TAIL_TYPES.join(", ")})`);
    const data2 = o.data;
    if (data2 === null || typeof data2 !== "object" || typeof data2.length !== "number") throw new DocumentError("EI_DOC_TAIL", "payload.values.data", "expected an array or typed array of samples");
    if (data2.length % width !== 0) throw badRow(Math.floor(data2.length / width), { length: data2.length % width }, width);
    if (data2.length / width >= MAX_ROWS) throw new DocumentError("EI_DOC_TOO_MANY_ROWS", "payload.values", "more than 2^32 rows");
    const tail = o.tail;
    if (!ArrayBuffer.isView(data2) || !matchesTail(data2, tail)) checkTailNumbers(data2, tail, width);
    return { kind: "tail", width, count: data2.length / width, tail, data: data2 };
  }
  if ("attachment" in o) {
    checkString(o.attachment, "payload.values.attachment");
    if (!o.attachment.startsWith("Ref-BINARY-")) throw new DocumentError("EI_DOC_VALUES", "payload.values.attachment", 'expected a "Ref-BINARY-..." reference');
    return { kind: "attachment", width, count: 1, ref: o.attachment };
  }
  if (typeof o.next === "function") {
    const it = o;
    return { kind: "pull", width, count: -1, pull: iteratorPull(it) };
  }
  const iterable = o;
  const open = iterable[Symbol.iterator];
  if (typeof open === "function") {
    return { kind: "pull", width, count: -1, pull: iteratorPull(open.call(iterable)) };
  }
  throw new DocumentError("EI_DOC_VALUES", "payload.values", "expected rows, a typed array, a row source, a binary tail or an attachment");
}
function iteratorPull(it) {
  return () => {
    const r = it.next();
    return r.done ? null : r.value;
  };
}
function typedShape(data2, w, width) {
  if (w !== width) throw new DocumentError("EI_DOC_ROW_WIDTH", "payload.values.width", `width ${typeName(w)} does not match ${width} sensors`);
  if (data2.length % width !== 0) throw badRow(Math.floor(data2.length / width), { length: data2.length % width }, width);
  const count = data2.length / width;
  if (count >= MAX_ROWS) throw new DocumentError("EI_DOC_TOO_MANY_ROWS", "payload.values", "more than 2^32 rows");
  return { kind: "typed", width, count, data: data2 };
}
var TAIL_ARRAYS = {
  i8: Int8Array,
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array
};
var TAIL_RANGE = {
  i8: [-128, 127],
  u8: [0, 255],
  i16: [-32768, 32767],
  u16: [0, 65535],
  i32: [-(2 ** 31), 2 ** 31 - 1],
  u32: [0, 2 ** 32 - 1],
  f32: [-Infinity, Infinity]
};
function matchesTail(data2, tail) {
  return data2.constructor === TAIL_ARRAYS[tail];
}
function checkTailNumbers(data2, tail, width) {
  const [lo, hi] = TAIL_RANGE[tail];
  for (let i = 0; i < data2.length; i++) {
    const x = data2[i];
    const row = Math.floor(i / width);
    const col = width === 1 ? -1 : i % width;
    if (typeof x !== "number") throw badValue(x, row, col, "cbor");
    if (tail !== "f32" && (!Number.isInteger(x) || x < lo || x > hi)) {
      throw new DocumentError("EI_DOC_TAIL", valuePath(row, col), `${typeName(x)} does not fit ${tail}`);
    }
  }
}

// src/encode/float.ts
var f32 = new Float32Array(1);
var u32 = new Uint32Array(f32.buffer);
function halfBits(x) {
  f32[0] = x;
  const b = u32[0];
  const sign = b >>> 16 & 32768;
  const exp = b >>> 23 & 255;
  const mant = b & 8388607;
  if (exp === 255) return mant === 0 ? sign | 31744 : 32256;
  if (exp === 0) return mant === 0 ? sign : -1;
  const e = exp - 127;
  if (e > 15 || e < -24) return -1;
  if (e >= -14) return (mant & 8191) === 0 ? sign | e + 15 << 10 | mant >>> 13 : -1;
  const m = mant | 8388608;
  const shift = -(e + 1);
  return (m & (1 << shift) - 1) === 0 ? sign | m >>> shift : -1;
}

// src/encode/cbor.ts
var MT_UINT = 0;
var MT_NINT = 1;
var MT_TEXT = 3;
var MT_ARRAY = 4;
var MT_MAP = 5;
var CBOR_BREAK = 255;
var CBOR_INDEF_ARRAY = 159;
var NUM_FLOAT64 = 0;
var NUM_SHORTEST = 1;
var NUM_FLOAT32 = 2;
function cborHead(w, major, n) {
  const m = major << 5;
  if (n < 24) w.u8(m | n);
  else if (n < 256) {
    w.u8(m | 24);
    w.u8(n);
  } else if (n < 65536) {
    w.u8(m | 25);
    w.u16(n);
  } else if (n < 4294967296) {
    w.u8(m | 26);
    w.u32(n);
  } else {
    w.u8(m | 27);
    w.u32(Math.floor(n / 4294967296));
    w.u32(n >>> 0);
  }
}
function cborText(w, s) {
  const n = utf8Length(s);
  w.reserve(9 + n);
  cborHead(w, MT_TEXT, n);
  w.utf8(s);
}
function cborInt(w, x) {
  if (x >= 0) cborHead(w, MT_UINT, x);
  else cborHead(w, MT_NINT, -1 - x);
}
function cborFloatShortest(w, x) {
  const f2 = Math.fround(x);
  if (f2 === x || x !== x) {
    const h = halfBits(f2);
    if (h >= 0) {
      w.u8(249);
      w.u16(h);
    } else {
      w.u8(250);
      w.f32(f2);
    }
  } else {
    w.u8(251);
    w.f64(x);
  }
}
function cborFloat32Shortest(w, x) {
  const f2 = Math.fround(x);
  const h = halfBits(f2);
  if (h >= 0) {
    w.u8(249);
    w.u16(h);
  } else {
    w.u8(250);
    w.f32(f2);
  }
}
function isCborInt(x) {
  return Number.isSafeInteger(x) && (x !== 0 || 1 / x > 0);
}
function cborNumber(w, x, policy) {
  if (policy === NUM_FLOAT64) {
    w.u8(251);
    w.f64(x);
  } else if (policy === NUM_FLOAT32) {
    cborFloat32Shortest(w, x);
  } else if (isCborInt(x)) {
    cborInt(w, x);
  } else {
    cborFloatShortest(w, x);
  }
}
function cborScalar(w, v) {
  if (typeof v === "string") return cborText(w, v);
  w.reserve(9);
  if (typeof v === "number") cborNumber(w, v, NUM_SHORTEST);
  else if (v === null) w.u8(246);
  else w.u8(v ? 245 : 244);
}
function cborTextBytes(s) {
  const utf82 = new TextEncoder().encode(s);
  const head = utf82.length < 24 ? [96 | utf82.length] : [120, utf82.length];
  const out = new Uint8Array(head.length + utf82.length);
  out.set(head);
  out.set(utf82, head.length);
  return out;
}

// src/encode/json.ts
var JSON_NUMBER_MAX = 25;
var HEX = "0123456789abcdef";
function escapedLength(c) {
  if (c === 34 || c === 92 || c === 8 || c === 9 || c === 10 || c === 12 || c === 13) return 2;
  return c < 32 ? 6 : 1;
}
function jsonStringLength(s) {
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) n += escapedLength(c);
    else if (c < 2048) n += 2;
    else if (c >= 55296 && c <= 56319) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
function jsonString(w, s) {
  w.reserve(jsonStringLength(s));
  w.u8(34);
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c !== 34 && c !== 92) continue;
    if (i > start) w.utf8(start === 0 && i === s.length ? s : s.slice(start, i));
    start = i + 1;
    w.u8(92);
    switch (c) {
      case 34:
        w.u8(34);
        break;
      case 92:
        w.u8(92);
        break;
      case 8:
        w.u8(98);
        break;
      case 9:
        w.u8(116);
        break;
      case 10:
        w.u8(110);
        break;
      case 12:
        w.u8(102);
        break;
      case 13:
        w.u8(114);
        break;
      default:
        w.u8(117);
        w.u8(48);
        w.u8(48);
        w.u8(HEX.charCodeAt(c >> 4));
        w.u8(HEX.charCodeAt(c & 15));
    }
  }
  if (start === 0) w.utf8(s);
  else if (start < s.length) w.utf8(s.slice(start));
  w.u8(34);
}
function jsonNumber(w, x) {
  if (Number.isSafeInteger(x)) {
    if (x < 0) {
      w.u8(45);
      x = -x;
    }
    if (x < 10) w.u8(48 + x);
    else w.decimal(x);
    return;
  }
  if (!w.fixedDecimal(x)) w.ascii(String(x));
}
function jsonScalar(w, v) {
  if (typeof v === "string") return jsonString(w, v);
  w.reserve(JSON_NUMBER_MAX);
  if (typeof v === "number") jsonNumber(w, v);
  else w.ascii(v === null ? "null" : v ? "true" : "false");
}
function asciiBytes(s) {
  return new TextEncoder().encode(s);
}

// src/encode/layout.ts
var LAYOUT_NAMES = ["c-sdk", "docs", "python", "compact"];
var PRESETS = {
  // Edge Impulse C SDK (QCBOR): floats only, float32, indefinite values, flattened single axis.
  "c-sdk": {
    name: "c-sdk",
    keyOrder: ["protected", "signature", "payload"],
    addedProtectedOrder: "ver-alg",
    numbers: "float32-shortest",
    valuesIndefinite: true,
    flattenSingleAxis: true,
    noneExp: void 0
  },
  // The docs' CBOR example: integers as integers, shortest floats, indefinite values.
  docs: {
    name: "docs",
    keyOrder: ["protected", "signature", "payload"],
    addedProtectedOrder: "ver-alg",
    numbers: "shortest",
    valuesIndefinite: true,
    flattenSingleAxis: void 0,
    noneExp: void 0
  },
  // The seed's Python client: payload first, alg before ver, float64 everywhere, definite arrays.
  python: {
    name: "python",
    keyOrder: ["payload", "protected", "signature"],
    addedProtectedOrder: "alg-ver",
    numbers: "float64",
    valuesIndefinite: false,
    flattenSingleAxis: void 0,
    noneExp: void 0
  },
  // Ours: protected first, JSON identical to JSON.stringify, CBOR shortest numbers, definite.
  compact: {
    name: "compact",
    keyOrder: ["protected", "signature", "payload"],
    addedProtectedOrder: "ver-alg",
    numbers: "shortest",
    valuesIndefinite: false,
    flattenSingleAxis: void 0,
    noneExp: void 0
  }
};
function resolveLayout(layout) {
  if (layout === void 0) return PRESETS.compact;
  if (typeof layout === "string") {
    const p = PRESETS[layout];
    if (!p || !Object.hasOwn(PRESETS, layout)) throw new DocumentError("EI_DOC_OPTION", "options.layout", `unknown layout '${layout}' (${LAYOUT_NAMES.join(", ")})`);
    return p;
  }
  const base = resolveLayout(layout.base ?? "compact");
  const r = {
    name: "custom",
    keyOrder: layout.keyOrder ?? base.keyOrder,
    addedProtectedOrder: layout.addedProtectedOrder ?? base.addedProtectedOrder,
    numbers: layout.numbers ?? base.numbers,
    valuesIndefinite: layout.valuesIndefinite ?? base.valuesIndefinite,
    flattenSingleAxis: "flattenSingleAxis" in layout ? layout.flattenSingleAxis : base.flattenSingleAxis,
    noneExp: layout.noneExp ?? base.noneExp
  };
  const k = r.keyOrder;
  if (k.length !== 3 || !k.includes("protected") || !k.includes("signature") || !k.includes("payload")) {
    throw new DocumentError("EI_DOC_OPTION", "options.layout.keyOrder", "expected a permutation of protected, signature, payload");
  }
  if (!["float64", "shortest", "float32-shortest"].includes(r.numbers)) {
    throw new DocumentError("EI_DOC_OPTION", "options.layout.numbers", `unknown number policy '${String(r.numbers)}'`);
  }
  if (r.noneExp !== void 0 && (!Number.isSafeInteger(r.noneExp) || r.noneExp < 0)) {
    throw new DocumentError("EI_DOC_OPTION", "options.layout.noneExp", "expected a non-negative integer");
  }
  return r;
}

// src/encode/plan.ts
var MIN_BUFFER = 64;
var ADDED = {};
for (const order of ["ver-alg", "alg-ver"]) {
  for (const alg of ALGS) {
    ADDED[order + alg] = order === "ver-alg" ? { keys: ["ver", "alg"], values: ["v1", alg] } : { keys: ["alg", "ver"], values: [alg, "v1"] };
  }
}
function protectedEntries(doc, alg, iat, layout) {
  const given = doc.protected;
  const exp = alg === "none" ? layout.noneExp : void 0;
  if (given === void 0 && iat === void 0 && exp === void 0) return ADDED[layout.addedProtectedOrder + alg];
  const keys = [];
  const values = [];
  if (given !== void 0) {
    for (const k of Object.keys(given)) {
      const v = given[k];
      if (v === void 0) continue;
      keys.push(k);
      values.push(k === "alg" ? alg : k === "iat" && iat !== void 0 ? iat : v);
    }
  }
  const added = layout.addedProtectedOrder === "ver-alg" ? ["alg", "ver"] : ["ver", "alg"];
  for (const k of added) {
    if (keys.includes(k)) continue;
    keys.unshift(k);
    values.unshift(k === "ver" ? "v1" : alg);
  }
  if (iat !== void 0 && !keys.includes("iat")) {
    keys.push("iat");
    values.push(iat);
  }
  if (exp !== void 0 && !keys.includes("exp")) {
    keys.push("exp");
    values.push(exp);
  }
  return { keys, values };
}
function makePlan(doc, opts) {
  if (opts === null || typeof opts !== "object") throw new DocumentError("EI_DOC_OPTION", "options", "expected an options object");
  const format = opts.format;
  if (format !== "cbor" && format !== "json") throw new DocumentError("EI_DOC_OPTION", "options.format", `expected 'cbor' or 'json', got ${typeName(format)}`);
  const layout = resolveLayout(opts.layout);
  const allowNonFinite = opts.allowNonFinite === true && format === "cbor";
  const shape = inspectDocument(doc, { format, allowNonFinite });
  let alg = opts.alg ?? doc.protected?.alg;
  if (alg === void 0) alg = opts.hmacKey !== void 0 ? "HS256" : opts.privateKey !== void 0 ? "ES256" : "none";
  if (!ALGS.includes(alg)) throw new DocumentError("EI_DOC_ALG", opts.alg !== void 0 ? "options.alg" : "protected.alg", `unknown alg ${JSON.stringify(alg)} (none, HS256 or ES256)`);
  if (alg === "HS256" && typeof opts.hmacKey !== "string") throw new DocumentError("EI_DOC_OPTION", "options.hmacKey", "HS256 needs an HMAC key string");
  if (alg === "ES256" && !(opts.privateKey instanceof Uint8Array)) throw new DocumentError("EI_DOC_OPTION", "options.privateKey", "ES256 needs a 32-byte private key");
  if (opts.iat !== void 0) checkIat(opts.iat, "options.iat");
  const { keys, values } = protectedEntries(doc, alg, opts.iat, layout);
  const policy = layout.numbers === "float64" ? NUM_FLOAT64 : layout.numbers === "float32-shortest" ? NUM_FLOAT32 : NUM_SHORTEST;
  const round32 = policy === NUM_FLOAT32;
  const width = shape.width;
  let flatten = false;
  if (width === 1 && (shape.kind === "flat" || shape.kind === "rows" || shape.kind === "typed" || shape.kind === "pull")) {
    flatten = layout.flattenSingleAxis ?? shape.kind !== "rows";
  }
  const perValue = format === "cbor" ? 9 : JSON_NUMBER_MAX;
  const maxRow = 4 + perValue * width;
  let bufferSize = opts.bufferSize ?? 64 * 1024;
  if (!Number.isSafeInteger(bufferSize) || bufferSize < MIN_BUFFER) {
    throw new DocumentError("EI_DOC_OPTION", "options.bufferSize", `expected an integer >= ${MIN_BUFFER}`);
  }
  const interval = doc.payload.interval_ms;
  return {
    format,
    layout,
    policy,
    round32,
    doc,
    shape,
    alg,
    protectedKeys: keys,
    protectedValues: values,
    interval: round32 ? Math.fround(interval) : interval,
    flatten,
    indefinite: shape.kind === "pull" || shape.kind === "tail" || layout.valuesIndefinite,
    allowNonFinite,
    contentType: shape.kind === "tail" ? "application/octet-stream" : format === "cbor" ? "application/cbor" : "application/json",
    maxRow,
    bufferSize
  };
}

// src/encode/sections-cbor.ts
var K_PROTECTED = cborTextBytes("protected");
var K_SIGNATURE = cborTextBytes("signature");
var K_PAYLOAD = cborTextBytes("payload");
var K_DEVICE_NAME = cborTextBytes("device_name");
var K_DEVICE_TYPE = cborTextBytes("device_type");
var K_INTERVAL = cborTextBytes("interval_ms");
var K_SENSORS = cborTextBytes("sensors");
var K_VALUES = cborTextBytes("values");
var K_NAME = cborTextBytes("name");
var K_UNITS = cborTextBytes("units");
function key(w, k) {
  w.reserve(k.length);
  w.bytes(k);
}
function topEntry(run, w, k) {
  const plan = run.plan;
  if (k === "protected") {
    key(w, K_PROTECTED);
    const keys = plan.protectedKeys;
    w.reserve(9);
    cborHead(w, MT_MAP, keys.length);
    for (let i = 0; i < keys.length; i++) {
      cborText(w, keys[i]);
      cborScalar(w, plan.protectedValues[i]);
    }
  } else if (k === "signature") {
    key(w, K_SIGNATURE);
    const sig = run.sig;
    w.reserve(9 + sig.length);
    cborHead(w, MT_TEXT, sig.length);
    run.sigOffset = w.offset;
    w.ascii(sig);
  }
}
function cborHeader(run, w) {
  const plan = run.plan;
  w.reserve(1);
  w.u8(163);
  const order = plan.layout.keyOrder;
  for (let i = 0; i < order.length && order[i] !== "payload"; i++) topEntry(run, w, order[i]);
  const p = plan.doc.payload;
  key(w, K_PAYLOAD);
  w.reserve(1);
  w.u8(p.device_name === void 0 ? 164 : 165);
  if (p.device_name !== void 0) {
    key(w, K_DEVICE_NAME);
    cborText(w, p.device_name);
  }
  key(w, K_DEVICE_TYPE);
  cborText(w, p.device_type);
  key(w, K_INTERVAL);
  w.reserve(9);
  cborNumber(w, plan.interval, plan.policy);
  key(w, K_SENSORS);
  w.reserve(9);
  cborHead(w, MT_ARRAY, p.sensors.length);
  for (let i = 0; i < p.sensors.length; i++) {
    const s = p.sensors[i];
    w.reserve(1);
    w.u8(162);
    key(w, K_NAME);
    cborText(w, s.name);
    key(w, K_UNITS);
    cborText(w, s.units);
  }
  key(w, K_VALUES);
  const shape = plan.shape;
  w.reserve(9);
  if (shape.kind === "tail") {
    w.u8(CBOR_INDEF_ARRAY);
    cborText(w, `Ref-BINARY-${shape.tail}`);
    w.reserve(1);
    w.u8(CBOR_BREAK);
  } else if (shape.kind === "attachment") {
    w.u8(plan.indefinite ? CBOR_INDEF_ARRAY : 129);
    cborText(w, shape.ref);
    if (plan.indefinite) {
      w.reserve(1);
      w.u8(CBOR_BREAK);
    }
  } else if (plan.indefinite) {
    w.u8(CBOR_INDEF_ARRAY);
  } else {
    cborHead(w, MT_ARRAY, shape.count);
  }
}
function cborTrailer(run, w) {
  const plan = run.plan;
  const kind = plan.shape.kind;
  if (plan.indefinite && kind !== "tail" && kind !== "attachment") {
    w.reserve(1);
    w.u8(CBOR_BREAK);
  }
  const order = plan.layout.keyOrder;
  for (let i = order.indexOf("payload") + 1; i < order.length; i++) topEntry(run, w, order[i]);
}

// src/encode/sections-json.ts
var K_PROTECTED2 = asciiBytes('"protected":{');
var K_SIGNATURE2 = asciiBytes('"signature":"');
var K_PAYLOAD2 = asciiBytes('"payload":{');
var K_DEVICE_NAME2 = asciiBytes('"device_name":');
var K_DEVICE_TYPE2 = asciiBytes('"device_type":');
var K_INTERVAL2 = asciiBytes(',"interval_ms":');
var K_SENSORS2 = asciiBytes(',"sensors":[');
var K_VALUES2 = asciiBytes('],"values":[');
var K_NAME2 = asciiBytes('{"name":');
var K_UNITS2 = asciiBytes(',"units":');
function raw(w, b) {
  w.reserve(b.length);
  w.bytes(b);
}
function ch(w, c) {
  w.reserve(1);
  w.u8(c);
}
function topEntry2(run, w, k) {
  const plan = run.plan;
  if (k === "protected") {
    raw(w, K_PROTECTED2);
    const keys = plan.protectedKeys;
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) ch(w, 44);
      jsonString(w, keys[i]);
      ch(w, 58);
      jsonScalar(w, plan.protectedValues[i]);
    }
    ch(w, 125);
  } else if (k === "signature") {
    raw(w, K_SIGNATURE2);
    const sig = run.sig;
    w.reserve(sig.length + 1);
    run.sigOffset = w.offset;
    w.ascii(sig);
    w.u8(34);
  }
}
function jsonHeader(run, w) {
  const plan = run.plan;
  ch(w, 123);
  const order = plan.layout.keyOrder;
  for (let i = 0; i < order.length && order[i] !== "payload"; i++) {
    topEntry2(run, w, order[i]);
    ch(w, 44);
  }
  const p = plan.doc.payload;
  raw(w, K_PAYLOAD2);
  if (p.device_name !== void 0) {
    raw(w, K_DEVICE_NAME2);
    jsonString(w, p.device_name);
    ch(w, 44);
  }
  raw(w, K_DEVICE_TYPE2);
  jsonString(w, p.device_type);
  raw(w, K_INTERVAL2);
  w.reserve(JSON_NUMBER_MAX);
  jsonNumber(w, plan.interval);
  raw(w, K_SENSORS2);
  const sensors2 = p.sensors;
  for (let i = 0; i < sensors2.length; i++) {
    if (i > 0) ch(w, 44);
    raw(w, K_NAME2);
    jsonString(w, sensors2[i].name);
    raw(w, K_UNITS2);
    jsonString(w, sensors2[i].units);
    ch(w, 125);
  }
  raw(w, K_VALUES2);
  if (plan.shape.kind === "attachment") jsonString(w, plan.shape.ref);
}
function jsonTrailer(run, w) {
  const order = run.plan.layout.keyOrder;
  ch(w, 93);
  ch(w, 125);
  for (let i = order.indexOf("payload") + 1; i < order.length; i++) {
    ch(w, 44);
    topEntry2(run, w, order[i]);
  }
  ch(w, 125);
}

// src/encode/values-cbor.ts
function cborTypedStep(run, w) {
  const plan = run.plan;
  if (plan.shape.kind !== "typed") return true;
  w.ensureSlack(plan.maxRow);
  const policy = plan.policy;
  const row = policy === NUM_FLOAT64 ? typedF64(run, w) : policy === NUM_FLOAT32 ? typedF32(run, w) : typedShortest(run, w);
  run.row = row;
  return row >= plan.shape.count || run.error !== null;
}
function rowHead(w, width) {
  if (width < 24) w.u8(128 | width);
  else cborHead(w, MT_ARRAY, width);
}
function typedF64(run, w) {
  const plan = run.plan;
  const { data: data2, width, count } = plan.shape;
  const check = !plan.allowNonFinite;
  const flat = plan.flatten;
  const cap = w.cap;
  let row = run.row;
  let i = row * width;
  while (row < count && w.pos < cap) {
    if (!flat) rowHead(w, width);
    for (let j = 0; j < width; j++) {
      const x = data2[i++];
      if (check && x - x !== 0) return latch(run, x, row, flat ? -1 : j);
      w.u8(251);
      w.f64(x);
    }
    row++;
  }
  return row;
}
function typedF32(run, w) {
  const plan = run.plan;
  const { data: data2, width, count } = plan.shape;
  const check = !plan.allowNonFinite;
  const flat = plan.flatten;
  const cap = w.cap;
  let row = run.row;
  let i = row * width;
  while (row < count && w.pos < cap) {
    if (!flat) rowHead(w, width);
    for (let j = 0; j < width; j++) {
      const x = data2[i++];
      if (check && x - x !== 0) return latch(run, x, row, flat ? -1 : j);
      const f2 = Math.fround(x);
      const h = halfBits(f2);
      if (h >= 0) {
        w.u8(249);
        w.u16(h);
      } else {
        w.u8(250);
        w.f32(f2);
      }
    }
    row++;
  }
  return row;
}
function typedShortest(run, w) {
  const plan = run.plan;
  const { data: data2, width, count } = plan.shape;
  const check = !plan.allowNonFinite;
  const flat = plan.flatten;
  const cap = w.cap;
  let row = run.row;
  let i = row * width;
  while (row < count && w.pos < cap) {
    if (!flat) rowHead(w, width);
    for (let j = 0; j < width; j++) {
      const x = data2[i++];
      if (check && x - x !== 0) return latch(run, x, row, flat ? -1 : j);
      const f2 = Math.fround(x);
      if (f2 !== x && x === x) {
        w.u8(251);
        w.f64(x);
      } else if (Number.isSafeInteger(x) && (x !== 0 || 1 / x > 0)) {
        cborInt(w, x);
      } else {
        const h = halfBits(f2);
        if (h >= 0) {
          w.u8(249);
          w.u16(h);
        } else {
          w.u8(250);
          w.f32(f2);
        }
      }
    }
    row++;
  }
  return row;
}
function latch(run, x, row, col) {
  run.fail(badValue(x, row, col, "cbor"));
  return row;
}
function cborArrayStep(run, w) {
  const plan = run.plan;
  const shape = plan.shape;
  if (shape.kind !== "rows" && shape.kind !== "flat") return true;
  const width = shape.width;
  const count = shape.count;
  const policy = plan.policy;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
  let row = run.row;
  while (row < count && w.pos < cap) {
    if (shape.kind === "flat") {
      if (!plan.flatten) w.u8(129);
      cborNumber(w, shape.flat[row], policy);
    } else {
      const r = shape.rows[row];
      if (!plan.flatten) cborHead(w, MT_ARRAY, width);
      for (let j = 0; j < width; j++) cborNumber(w, r[j], policy);
    }
    row++;
  }
  run.row = row;
  return row >= count;
}
function cborPullStep(run, w) {
  const plan = run.plan;
  const shape = plan.shape;
  if (shape.kind !== "pull") return true;
  const width = shape.width;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
  while (w.pos < cap) {
    const r = pullRow(run, shape.pull);
    if (r === null) return true;
    if (run.error) return true;
    if (typeof r === "number") {
      if (!plan.flatten) w.u8(129);
      cborNumber(w, r, plan.policy);
    } else {
      if (!plan.flatten) cborHead(w, MT_ARRAY, width);
      for (let j = 0; j < width; j++) cborNumber(w, r[j], plan.policy);
    }
    run.row++;
  }
  return false;
}
function pullRow(run, pull) {
  const plan = run.plan;
  const width = plan.shape.width;
  const row = run.row;
  if (row >= MAX_ROWS) {
    run.fail(new DocumentError("EI_DOC_TOO_MANY_ROWS", "payload.values", "more than 2^32 rows"));
    return null;
  }
  let r;
  try {
    r = pull();
  } catch (e) {
    run.fail(new DocumentError("EI_DOC_SOURCE", `payload.values[${row}]`, "the row source threw", { cause: e }));
    return null;
  }
  if (r === null || r === void 0) return null;
  const check = !plan.allowNonFinite;
  if (typeof r === "number") {
    if (width !== 1) return failRow(run, badRow(row, r, width));
    if (check && r - r !== 0) return failRow(run, badValue(r, row, -1, plan.format));
    return r;
  }
  if (typeof r !== "object" || r.length !== width) return failRow(run, badRow(row, r, width));
  for (let j = 0; j < width; j++) {
    const x = r[j];
    if (typeof x !== "number" || check && x - x !== 0) return failRow(run, badValue(x, row, plan.flatten ? -1 : j, plan.format));
  }
  return r;
}
function failRow(run, e) {
  run.fail(e);
  return null;
}
function tailStep(run, w) {
  const shape = run.plan.shape;
  if (shape.kind !== "tail") return true;
  const { data: data2, tail } = shape;
  const cap = w.cap;
  w.ensureSlack(8);
  let i = run.tailIndex;
  while (i < data2.length && w.pos < cap) w.le(data2[i++], tail);
  run.tailIndex = i;
  return i >= data2.length;
}

// src/encode/values-json.ts
var COMMA = 44;
var OPEN = 91;
var CLOSE = 93;
function jsonTypedStep(run, w) {
  const plan = run.plan;
  if (plan.shape.kind !== "typed") return true;
  const { data: data2, width, count } = plan.shape;
  const round = plan.round32;
  const rows2 = !plan.flatten;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
  let row = run.row;
  let i = row * width;
  while (row < count && w.pos < cap) {
    if (row > 0) w.u8(COMMA);
    if (rows2) w.u8(OPEN);
    for (let j = 0; j < width; j++) {
      const x = data2[i++];
      if (x - x !== 0) {
        run.fail(badValue(x, row, rows2 ? j : -1, "json"));
        return true;
      }
      if (j > 0) w.u8(COMMA);
      jsonNumber(w, round ? Math.fround(x) : x);
    }
    if (rows2) w.u8(CLOSE);
    row++;
  }
  run.row = row;
  return row >= count;
}
function jsonArrayStep(run, w) {
  const plan = run.plan;
  const shape = plan.shape;
  if (shape.kind !== "rows" && shape.kind !== "flat") return true;
  const round = plan.round32;
  const rows2 = !plan.flatten;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
  let row = run.row;
  while (row < shape.count && w.pos < cap) {
    if (row > 0) w.u8(COMMA);
    if (rows2) w.u8(OPEN);
    if (shape.kind === "flat") {
      const x = shape.flat[row];
      jsonNumber(w, round ? Math.fround(x) : x);
    } else {
      const r = shape.rows[row];
      for (let j = 0; j < shape.width; j++) {
        if (j > 0) w.u8(COMMA);
        jsonNumber(w, round ? Math.fround(r[j]) : r[j]);
      }
    }
    if (rows2) w.u8(CLOSE);
    row++;
  }
  run.row = row;
  return row >= shape.count;
}
function jsonPullStep(run, w) {
  const plan = run.plan;
  const shape = plan.shape;
  if (shape.kind !== "pull") return true;
  const round = plan.round32;
  const rows2 = !plan.flatten;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
  while (w.pos < cap) {
    const r = pullRow(run, shape.pull);
    if (r === null) return true;
    if (run.row > 0) w.u8(COMMA);
    if (rows2) w.u8(OPEN);
    if (typeof r === "number") {
      jsonNumber(w, round ? Math.fround(r) : r);
    } else {
      for (let j = 0; j < shape.width; j++) {
        if (j > 0) w.u8(COMMA);
        jsonNumber(w, round ? Math.fround(r[j]) : r[j]);
      }
    }
    if (rows2) w.u8(CLOSE);
    run.row++;
  }
  return false;
}

// src/encode/run.ts
var HEADER = 0;
var VALUES = 1;
var TRAILER = 2;
var TAIL = 3;
var LAST = 4;
var DONE = 5;
function noValues() {
  return true;
}
function pickStep(plan) {
  const cbor = plan.format === "cbor";
  switch (plan.shape.kind) {
    case "typed":
      return cbor ? cborTypedStep : jsonTypedStep;
    case "rows":
    case "flat":
      return cbor ? cborArrayStep : jsonArrayStep;
    case "pull":
      return cbor ? cborPullStep : jsonPullStep;
    default:
      return noValues;
  }
}
var EncodeRun = class {
  constructor(plan, w, sig) {
    this.plan = plan;
    this.w = w;
    this.sig = sig;
    this.step = pickStep(plan);
    const cbor = plan.format === "cbor";
    this.header = cbor ? cborHeader : jsonHeader;
    this.trailer = cbor ? cborTrailer : jsonTrailer;
  }
  plan;
  w;
  sig;
  row = 0;
  tailIndex = 0;
  sigOffset = -1;
  error = null;
  phase = HEADER;
  pendingShift = false;
  step;
  header;
  trailer;
  fail(e) {
    if (this.error === null) this.error = e;
  }
  /** Bytes handed out so far. */
  get emitted() {
    return this.w.flushed;
  }
  /**
   * The next chunk (a borrowed view, valid until the next call) or null at the end. After null,
   * `error` tells whether the pass stopped on a latched error.
   */
  next() {
    const w = this.w;
    if (this.pendingShift) {
      w.shift();
      this.pendingShift = false;
    }
    while (w.pos < w.cap) {
      if (this.error !== null) return null;
      switch (this.phase) {
        case HEADER:
          this.header(this, w);
          this.phase = VALUES;
          break;
        case VALUES:
          if (this.step(this, w)) this.phase = TRAILER;
          break;
        case TRAILER:
          if (this.error !== null) return null;
          this.trailer(this, w);
          this.phase = this.plan.shape.kind === "tail" ? TAIL : LAST;
          break;
        case TAIL:
          if (tailStep(this, w)) this.phase = LAST;
          break;
        case LAST:
          this.phase = DONE;
          if (w.pos > 0) return w.takeRest();
          return null;
        default:
          return null;
      }
    }
    if (this.error !== null) return null;
    this.pendingShift = true;
    return w.full;
  }
};

// src/sign/errors.ts
var SignError = class extends EiError {
};

// node_modules/@noble/hashes/_u64.js
var fromNumH = (n) => n / 2 ** 32 | 0;
var fromNumL = (n) => n >>> 0;
function setU64FromNum(view, byteOffset, n, isLE) {
  const h = fromNumH(n);
  const l = fromNumL(n);
  view.setUint32(byteOffset, isLE ? l : h, isLE);
  view.setUint32(byteOffset + 4, isLE ? h : l, isLE);
}

// node_modules/@noble/hashes/utils.js
function isBytes(a) {
  return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && "BYTES_PER_ELEMENT" in a && a.BYTES_PER_ELEMENT === 1;
}
var atitle = (title) => title ? `"${title}" ` : "";
function anumber(n, title = "") {
  if (typeof n !== "number")
    throw new TypeError(atitle(title) + "expected number, got " + typeof n);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(atitle(title) + "expected integer >= 0, got " + n);
  return n;
}
function abytes(value, length, title = "") {
  if (isBytes(value) && (length === void 0 || value.length === length))
    return value;
  if (length !== void 0)
    anumber(length, "length");
  const bytes = isBytes(value);
  const ofLen = length !== void 0 ? ` of length ${length}` : "";
  const got = bytes ? `length=${value.length}` : `type=${typeof value}`;
  const message = atitle(title) + "expected Uint8Array" + ofLen + ", got " + got;
  if (!bytes)
    throw new TypeError(message);
  throw new RangeError(message);
}
function ahash(h) {
  if (typeof h !== "function" || typeof h.create !== "function")
    throw new TypeError("expected hash wrapped by utils.createHasher");
  anumber(h.outputLen);
  anumber(h.blockLen);
  if (h.outputLen < 1 || h.blockLen < 1)
    throw new Error("hash blockLen / outputLen must be >= 1");
}
var aobject = (value, label) => {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new TypeError((label === "object" ? "" : `"${label}" `) + "expected object, got type=" + typeof value);
};
var aopts = (value, label) => {
  aobject(value, label);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null)
    throw new TypeError(`"${label}" expected plain object`);
  if (Object.hasOwn(value, "__proto__"))
    throw new TypeError(`"${label}.__proto__" is not allowed`);
};
function aexists(instance, checkFinished = true) {
  if (instance.destroyed)
    throw new Error("hash was destroyed");
  if (checkFinished && instance.finished)
    throw new Error("digest() was already called");
}
function aoutput(out, instance) {
  abytes(out, void 0, "output");
  const min = instance.outputLen;
  if (!(out.length >= min)) {
    throw new RangeError('"output" expected length >= ' + min);
  }
}
function clean(...arrays) {
  for (let i = 0; i < arrays.length; i++) {
    arrays[i].fill(0);
  }
}
function createView(arr) {
  return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
}
function rotr(word, shift) {
  return word << 32 - shift | word >>> shift;
}
var hasHexBuiltin = /* @__PURE__ */ (() => (
  // @ts-ignore
  typeof Uint8Array.from([]).toHex === "function" && typeof Uint8Array.fromHex === "function"
))();
var hexes = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
function bytesToHex(bytes) {
  abytes(bytes);
  if (hasHexBuiltin)
    return bytes.toHex();
  let hex = "";
  for (let i = 0; i < bytes.length; i++) {
    hex += hexes[bytes[i]];
  }
  return hex;
}
function asciiToBase16(ch2) {
  return ch2 >= 48 && ch2 <= 57 ? ch2 - 48 : ch2 >= 65 && ch2 <= 70 ? ch2 - (65 - 10) : ch2 >= 97 && ch2 <= 102 ? ch2 - (97 - 10) : void 0;
}
function hexToBytes(hex) {
  if (typeof hex !== "string")
    throw new TypeError("hex string expected, got " + typeof hex);
  if (hasHexBuiltin) {
    try {
      return Uint8Array.fromHex(hex);
    } catch (error) {
      if (error instanceof SyntaxError)
        throw new RangeError(error.message);
      throw error;
    }
  }
  const hl = hex.length;
  const al = hl / 2;
  if (hl % 2)
    throw new RangeError("hex string expected, got unpadded hex of length " + hl);
  const array = new Uint8Array(al);
  for (let ai = 0, hi = 0; ai < al; ai++, hi += 2) {
    const n1 = asciiToBase16(hex.charCodeAt(hi));
    const n2 = asciiToBase16(hex.charCodeAt(hi + 1));
    if (n1 === void 0 || n2 === void 0) {
      const char = hex[hi] + hex[hi + 1];
      throw new RangeError('hex string expected, got non-hex character "' + char + '" at index ' + hi);
    }
    array[ai] = n1 * 16 + n2;
  }
  return array;
}
function concatBytes(...arrays) {
  let sum = 0;
  for (let i = 0; i < arrays.length; i++) {
    const a = arrays[i];
    abytes(a);
    sum += a.length;
  }
  const res = new Uint8Array(sum);
  for (let i = 0, pad = 0; i < arrays.length; i++) {
    const a = arrays[i];
    res.set(a, pad);
    pad += a.length;
  }
  return res;
}
function checkOpts(defaults, opts, title = "opts") {
  aopts(defaults, "defaults");
  if (opts !== void 0)
    aopts(opts, title);
  const merged = Object.assign(/* @__PURE__ */ Object.create(null), defaults, opts);
  return merged;
}
function createHasher(hashCons, info = {}) {
  if (typeof hashCons !== "function")
    throw new TypeError('"hashCons" expected function, got type=' + typeof hashCons);
  info = checkOpts({}, info, "info");
  const hashC = (msg, opts) => hashCons(opts).update(msg).digest();
  const tmp = hashCons(void 0);
  hashC.outputLen = tmp.outputLen;
  hashC.blockLen = tmp.blockLen;
  hashC.canXOF = tmp.canXOF;
  hashC.create = (opts) => hashCons(opts);
  Object.assign(hashC, info);
  return Object.freeze(hashC);
}
function randomBytes(bytesLength = 32) {
  anumber(bytesLength, "bytesLength");
  const cr = typeof globalThis === "object" ? globalThis.crypto : null;
  if (typeof cr?.getRandomValues !== "function")
    throw new Error("crypto.getRandomValues must be defined");
  if (bytesLength > 65536)
    throw new RangeError(`"bytesLength" expected <= 65536, got ${bytesLength}`);
  return cr.getRandomValues(new Uint8Array(bytesLength));
}
var oidNist = (suffix) => ({
  // Current NIST hashAlgs suffixes used here fit in one DER subidentifier octet.
  // Larger suffix values would need base-128 OID encoding and a different length byte.
  oid: Uint8Array.from([6, 9, 96, 134, 72, 1, 101, 3, 4, 2, suffix])
});

// node_modules/@noble/hashes/_md.js
function Chi(a, b, c) {
  return a & b ^ ~a & c;
}
function Maj(a, b, c) {
  return a & b ^ a & c ^ b & c;
}
var HashMD = class {
  blockLen;
  outputLen;
  canXOF = false;
  padOffset;
  isLE;
  // For partial updates less than block size
  buffer;
  view;
  finished = false;
  length = 0;
  pos = 0;
  destroyed = false;
  constructor(blockLen, outputLen, padOffset, isLE) {
    this.blockLen = blockLen;
    this.outputLen = outputLen;
    this.padOffset = padOffset;
    this.isLE = isLE;
    this.buffer = new Uint8Array(blockLen);
    this.view = createView(this.buffer);
  }
  update(data2) {
    aexists(this);
    abytes(data2);
    const { view, buffer, blockLen } = this;
    const len = data2.length;
    let processed = false;
    for (let pos = 0; pos < len; ) {
      const take = Math.min(blockLen - this.pos, len - pos);
      if (take === blockLen) {
        const dataView = createView(data2);
        for (; blockLen <= len - pos; pos += blockLen)
          this.process(dataView, pos);
        processed = true;
        continue;
      }
      buffer.set(pos === 0 && take === len ? data2 : data2.subarray(pos, pos + take), this.pos);
      this.pos += take;
      pos += take;
      if (this.pos === blockLen) {
        this.process(view, 0);
        this.pos = 0;
        processed = true;
      }
    }
    this.length += data2.length;
    if (processed)
      this.roundClean();
    return this;
  }
  digestInto(out) {
    aexists(this);
    aoutput(out, this);
    this.finished = true;
    const { buffer, view, blockLen, isLE } = this;
    let { pos } = this;
    buffer[pos++] = 128;
    buffer.fill(0, pos);
    if (this.padOffset > blockLen - pos) {
      this.process(view, 0);
      buffer.fill(0);
    }
    setU64FromNum(view, blockLen - 8, this.length * 8, isLE);
    this.process(view, 0);
    this.roundClean();
    const oview = out === buffer ? view : createView(out);
    const len = this.outputLen;
    const outLen = len / 4;
    const state = this.get();
    if (len % 4 || outLen > state.length)
      throw new Error("invalid outputLen");
    for (let i = 0; i < outLen; i++)
      oview.setUint32(4 * i, state[i], isLE);
  }
  digest() {
    const { buffer, outputLen } = this;
    this.digestInto(buffer);
    const res = buffer.slice(0, outputLen);
    this.destroy();
    return res;
  }
  _cloneIntoMeta(to) {
    const { buffer, length, finished, destroyed, pos } = this;
    to.destroyed = destroyed;
    to.finished = finished;
    to.length = length;
    to.pos = pos;
    if (pos)
      to.buffer.set(buffer);
    return to;
  }
  clone() {
    return this._cloneInto();
  }
};
var SHA256_IV = /* @__PURE__ */ Uint32Array.from([
  1779033703,
  3144134277,
  1013904242,
  2773480762,
  1359893119,
  2600822924,
  528734635,
  1541459225
]);

// node_modules/@noble/hashes/sha2.js
var SHA256_K = /* @__PURE__ */ Uint32Array.from([
  1116352408,
  1899447441,
  3049323471,
  3921009573,
  961987163,
  1508970993,
  2453635748,
  2870763221,
  3624381080,
  310598401,
  607225278,
  1426881987,
  1925078388,
  2162078206,
  2614888103,
  3248222580,
  3835390401,
  4022224774,
  264347078,
  604807628,
  770255983,
  1249150122,
  1555081692,
  1996064986,
  2554220882,
  2821834349,
  2952996808,
  3210313671,
  3336571891,
  3584528711,
  113926993,
  338241895,
  666307205,
  773529912,
  1294757372,
  1396182291,
  1695183700,
  1986661051,
  2177026350,
  2456956037,
  2730485921,
  2820302411,
  3259730800,
  3345764771,
  3516065817,
  3600352804,
  4094571909,
  275423344,
  430227734,
  506948616,
  659060556,
  883997877,
  958139571,
  1322822218,
  1537002063,
  1747873779,
  1955562222,
  2024104815,
  2227730452,
  2361852424,
  2428436474,
  2756734187,
  3204031479,
  3329325298
]);
var SHA256_W = /* @__PURE__ */ new Uint32Array(64);
var SHA2_32B = class extends HashMD {
  // We cannot use array here since array allows indexing by variable
  // which means optimizer/compiler cannot use registers.
  // Numeric initializers matter: starting the fields as `undefined` changes
  // V8's field representation and makes sha256 3x slower (measured).
  A = 0;
  B = 0;
  C = 0;
  D = 0;
  E = 0;
  F = 0;
  G = 0;
  H = 0;
  constructor(outputLen, IV) {
    super(64, outputLen, 8, false);
    this.A = IV[0] | 0;
    this.B = IV[1] | 0;
    this.C = IV[2] | 0;
    this.D = IV[3] | 0;
    this.E = IV[4] | 0;
    this.F = IV[5] | 0;
    this.G = IV[6] | 0;
    this.H = IV[7] | 0;
  }
  get() {
    const { A, B, C, D, E, F, G, H } = this;
    return [A, B, C, D, E, F, G, H];
  }
  // prettier-ignore
  set(A, B, C, D, E, F, G, H) {
    this.A = A | 0;
    this.B = B | 0;
    this.C = C | 0;
    this.D = D | 0;
    this.E = E | 0;
    this.F = F | 0;
    this.G = G | 0;
    this.H = H | 0;
  }
  _cloneInto(to) {
    (to ||= new this.constructor()).set(...this.get());
    return this._cloneIntoMeta(to);
  }
  process(view, offset) {
    for (let i = 0; i < 16; i++, offset += 4)
      SHA256_W[i] = view.getUint32(offset, false);
    for (let i = 16; i < 64; i++) {
      const W15 = SHA256_W[i - 15];
      const W2 = SHA256_W[i - 2];
      const s0 = rotr(W15, 7) ^ rotr(W15, 18) ^ W15 >>> 3;
      const s1 = rotr(W2, 17) ^ rotr(W2, 19) ^ W2 >>> 10;
      SHA256_W[i] = s1 + SHA256_W[i - 7] + s0 + SHA256_W[i - 16] | 0;
    }
    let { A, B, C, D, E, F, G, H } = this;
    for (let i = 0; i < 64; i++) {
      const sigma1 = rotr(E, 6) ^ rotr(E, 11) ^ rotr(E, 25);
      const T1 = H + sigma1 + Chi(E, F, G) + SHA256_K[i] + SHA256_W[i] | 0;
      const sigma0 = rotr(A, 2) ^ rotr(A, 13) ^ rotr(A, 22);
      const T2 = sigma0 + Maj(A, B, C) | 0;
      H = G;
      G = F;
      F = E;
      E = D + T1 | 0;
      D = C;
      C = B;
      B = A;
      A = T1 + T2 | 0;
    }
    A = A + this.A | 0;
    B = B + this.B | 0;
    C = C + this.C | 0;
    D = D + this.D | 0;
    E = E + this.E | 0;
    F = F + this.F | 0;
    G = G + this.G | 0;
    H = H + this.H | 0;
    this.set(A, B, C, D, E, F, G, H);
  }
  roundClean() {
    clean(SHA256_W);
  }
  destroy() {
    this.destroyed = true;
    this.set(0, 0, 0, 0, 0, 0, 0, 0);
    clean(this.buffer);
  }
};
var _SHA256 = class extends SHA2_32B {
  constructor() {
    super(32, SHA256_IV);
  }
};
var sha256 = /* @__PURE__ */ createHasher(
  () => new _SHA256(),
  /* @__PURE__ */ oidNist(1)
);

// node_modules/@noble/curves/utils.js
function aarray(item, title, inner = () => {
}) {
  if (!Array.isArray(item))
    throw new TypeError(`"${title}" expected array, got type=${typeof item}`);
  for (let i = 0; i < item.length; i++)
    inner(item[i], `${title}[${i}]`);
  return item;
}
var abytes2 = (value, length, title) => abytes(value, length, title);
var anumber2 = anumber;
function astring(value, title = "") {
  if (typeof value !== "string") {
    const prefix = title && `"${title}" `;
    throw new TypeError(prefix + "expected string, got type=" + typeof value);
  }
  return value;
}
function aobject2(value, title = "object") {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new TypeError(title === "object" ? "expected valid options object" : `"${title}" expected object, got type=${typeof value}`);
  return value;
}
function afunction(value, title) {
  if (typeof value !== "function")
    throw new TypeError(`"${title}" is invalid: expected function, got ${typeof value}`);
  return value;
}
var bytesToHex2 = bytesToHex;
var concatBytes2 = (...arrays) => concatBytes(...arrays);
var hexToBytes2 = (hex) => hexToBytes(hex);
var isBytes2 = isBytes;
var randomBytes2 = (bytesLength) => randomBytes(bytesLength);
var _0n = /* @__PURE__ */ BigInt(0);
var _1n = /* @__PURE__ */ BigInt(1);
var atitle2 = (title) => title ? `"${title}" ` : "";
function abool(value, title = "") {
  if (typeof value !== "boolean")
    throw new TypeError(atitle2(title) + "expected boolean, got type=" + typeof value);
  return value;
}
function abignumber(n) {
  if (typeof n === "bigint") {
    if (!isPosBig(n))
      throw new RangeError("positive bigint expected, got " + n);
  } else
    anumber2(n);
  return n;
}
function asafenumber(value, title = "") {
  if (typeof value !== "number") {
    const prefix = title && `"${title}" `;
    throw new TypeError(prefix + "expected number, got type=" + typeof value);
  }
  if (!Number.isSafeInteger(value)) {
    const prefix = title && `"${title}" `;
    throw new RangeError(prefix + "expected safe integer, got " + value);
  }
}
function numberToHexUnpadded(num) {
  const hex = abignumber(num).toString(16);
  return hex.length & 1 ? "0" + hex : hex;
}
function hexToNumber(hex) {
  if (typeof hex !== "string")
    throw new TypeError("hex string expected, got " + typeof hex);
  return hex === "" ? _0n : BigInt("0x" + hex);
}
function bytesToNumberBE(bytes) {
  return hexToNumber(bytesToHex(bytes));
}
function bytesToNumberLE(bytes) {
  return hexToNumber(bytesToHex(copyBytes(abytes(bytes)).reverse()));
}
function numberToBytesBE(n, len) {
  anumber(len);
  if (len === 0)
    throw new Error("zero output length is invalid");
  n = abignumber(n);
  const expectedLen = len * 2;
  const hex = n.toString(16);
  if (hex.length > expectedLen)
    throw new RangeError("number is too large");
  return hexToBytes(hex.padStart(expectedLen, "0"));
}
function numberToBytesLE(n, len) {
  return numberToBytesBE(n, len).reverse();
}
function copyBytes(bytes) {
  return Uint8Array.from(abytes2(bytes));
}
function isPosBig(n) {
  return typeof n === "bigint" && _0n <= n;
}
function inRange(n, min, max) {
  return isPosBig(n) && isPosBig(min) && isPosBig(max) && min <= n && n < max;
}
function aInRange(title, n, min, max) {
  if (!inRange(n, min, max))
    throw new RangeError("expected valid " + title + ": " + min + " <= n < " + max + ", got " + n);
}
function bitLen(n) {
  if (n < _0n)
    throw new Error("expected non-negative bigint, got " + n);
  return n === _0n ? 0 : n.toString(2).length;
}
var bitMask = (n) => {
  asafenumber(n, "n");
  return (_1n << BigInt(n)) - _1n;
};
function createHmacDrbg(hashLen, qByteLen, hmacFn) {
  anumber(hashLen, "hashLen");
  anumber(qByteLen, "qByteLen");
  if (typeof hmacFn !== "function")
    throw new TypeError("hmacFn must be a function");
  const u8n = (len) => new Uint8Array(len);
  const NULL = Uint8Array.of();
  const byte0 = Uint8Array.of(0);
  const byte1 = Uint8Array.of(1);
  const _maxDrbgIters = 1e3;
  let v = u8n(hashLen);
  let k = u8n(hashLen);
  let i = 0;
  const reset = () => {
    v.fill(1);
    k.fill(0);
    i = 0;
  };
  const h = (...msgs) => hmacFn(k, concatBytes2(v, ...msgs));
  const reseed = (seed = NULL) => {
    k = h(byte0, seed);
    v = h();
    if (seed.length === 0)
      return;
    k = h(byte1, seed);
    v = h();
  };
  const gen = () => {
    if (i++ >= _maxDrbgIters)
      throw new Error("drbg: tried max amount of iterations");
    let len = 0;
    const out = [];
    while (len < qByteLen) {
      v = h();
      const sl = v.slice();
      out.push(sl);
      len += v.length;
    }
    return concatBytes2(...out);
  };
  const genUntil = (seed, pred) => {
    reset();
    reseed(seed);
    let res = void 0;
    while ((res = pred(gen())) === void 0)
      reseed();
    reset();
    return res;
  };
  return genUntil;
}
function validateObject(object, fields = {}, optFields = {}, title = "object") {
  aobject2(object, title);
  aobject2(fields, "fields");
  aobject2(optFields, "optFields");
  function checkField(fieldName, expectedType, isOpt) {
    const label = title === "object" ? `param "${String(fieldName)}"` : `"${title}.${String(fieldName)}"`;
    const val = object[fieldName];
    if (!Object.hasOwn(object, fieldName) && (isOpt ? val !== void 0 : expectedType !== "function")) {
      throw new TypeError(`${label} is invalid: expected own property`);
    }
    if (isOpt && val === void 0)
      return;
    const current = typeof val;
    if (current !== expectedType || val === null)
      throw new TypeError(`${label} is invalid: expected ${expectedType}, got ${current}`);
  }
  const iter = (f2, isOpt) => Object.entries(f2).forEach(([k, v]) => checkField(k, v, isOpt));
  iter(fields, false);
  iter(optFields, true);
}

// node_modules/@noble/curves/abstract/modular.js
var _0n2 = /* @__PURE__ */ BigInt(0);
var _1n2 = /* @__PURE__ */ BigInt(1);
var _2n = /* @__PURE__ */ BigInt(2);
var _3n = /* @__PURE__ */ BigInt(3);
var _4n = /* @__PURE__ */ BigInt(4);
var _5n = /* @__PURE__ */ BigInt(5);
var _7n = /* @__PURE__ */ BigInt(7);
var _8n = /* @__PURE__ */ BigInt(8);
var _9n = /* @__PURE__ */ BigInt(9);
var _15n = /* @__PURE__ */ BigInt(15);
var _16n = /* @__PURE__ */ BigInt(16);
var POW_WINDOWED_MIN = /* @__PURE__ */ BigInt("0x10000000000000000");
function mod(a, b) {
  if (b <= _0n2)
    throw new Error("mod: expected positive modulus, got " + b);
  const result = a % b;
  return result >= _0n2 ? result : b + result;
}
function pow(num, power, modulo) {
  if (modulo <= _1n2)
    throw new Error("pow: expected modulus > 1, got " + modulo);
  if (typeof power !== "bigint")
    throw new TypeError("invalid exponent: expected bigint, got " + typeof power);
  if (power < _0n2)
    throw new Error("invalid exponent, negatives unsupported");
  if (power === _0n2)
    return _1n2;
  if (power === _1n2)
    return num;
  let d = num % modulo;
  if (d < _0n2)
    d += modulo;
  if (power < POW_WINDOWED_MIN) {
    let p2 = _1n2;
    while (power > _0n2) {
      if (power & _1n2)
        p2 = p2 * d % modulo;
      d = d * d % modulo;
      power >>= _1n2;
    }
    return p2;
  }
  const digits = [];
  while (power > _0n2) {
    digits.push(Number(power & _15n));
    power >>= _4n;
  }
  const table = new Array(16);
  table[0] = _1n2;
  table[1] = d;
  for (let i = 2; i < 16; i++)
    table[i] = table[i - 1] * d % modulo;
  let p = table[digits[digits.length - 1]];
  for (let w = digits.length - 2; w >= 0; w--) {
    p = p * p % modulo;
    p = p * p % modulo;
    p = p * p % modulo;
    p = p * p % modulo;
    const digit = digits[w];
    if (digit !== 0)
      p = p * table[digit] % modulo;
  }
  return p;
}
function invert(number, modulo) {
  if (number === _0n2)
    throw new Error("invert: expected non-zero number");
  if (modulo <= _1n2)
    throw new Error("invert: expected modulus > 1, got " + modulo);
  let a = mod(number, modulo);
  let b = modulo;
  let x = _0n2, u = _1n2;
  while (a !== _0n2) {
    const q = b / a;
    const r = b - a * q;
    const m = x - u * q;
    b = a, a = r, x = u, u = m;
  }
  const gcd = b;
  if (gcd !== _1n2)
    throw new Error("invert: does not exist");
  return mod(x, modulo);
}
function invertCt(a, prime) {
  if (prime <= _1n2)
    throw new Error("invertCt: expected prime modulus > 1, got " + prime);
  const an = mod(a, prime);
  if (an === _0n2)
    throw new Error("invertCt: expected non-zero number");
  const inverse = pow(an, prime - _2n, prime);
  if (mod(an * inverse, prime) !== _1n2)
    throw new Error("invertCt: does not exist");
  return inverse;
}
function assertIsSquare(Fp, root, n) {
  const F = Fp;
  if (!F.eql(F.sqr(root), n))
    throw new Error("Cannot find square root");
}
function aoddModulus(order, fnName) {
  if ((order & _1n2) === _0n2)
    throw new Error(fnName + ": expected odd modulus, got " + order);
}
function sqrt3mod4(Fp, n) {
  const F = Fp;
  const p1div4 = (F.ORDER + _1n2) / _4n;
  const root = F.pow(n, p1div4);
  assertIsSquare(F, root, n);
  return root;
}
function sqrt5mod8(Fp, n) {
  const F = Fp;
  const p5div8 = (F.ORDER - _5n) / _8n;
  const n2 = F.mul(n, _2n);
  const v = F.pow(n2, p5div8);
  const nv = F.mul(n, v);
  const i = F.mul(F.mul(nv, _2n), v);
  const root = F.mul(nv, F.sub(i, F.ONE));
  assertIsSquare(F, root, n);
  return root;
}
function sqrt9mod16(P) {
  const Fp_ = Field(P);
  const tn = tonelliShanks(P);
  const c1 = tn(Fp_, Fp_.neg(Fp_.ONE));
  const c2 = tn(Fp_, c1);
  const c3 = tn(Fp_, Fp_.neg(c1));
  const c4 = (P + _7n) / _16n;
  return ((Fp, n) => {
    const F = Fp;
    let tv1 = F.pow(n, c4);
    let tv2 = F.mul(tv1, c1);
    const tv3 = F.mul(tv1, c2);
    const tv4 = F.mul(tv1, c3);
    const e1 = F.eql(F.sqr(tv2), n);
    const e2 = F.eql(F.sqr(tv3), n);
    tv1 = F.cmov(tv1, tv2, e1);
    tv2 = F.cmov(tv4, tv3, e2);
    const e3 = F.eql(F.sqr(tv2), n);
    const root = F.cmov(tv1, tv2, e3);
    assertIsSquare(F, root, n);
    return root;
  });
}
function tonelliShanks(P) {
  if (P < _3n)
    throw new Error("sqrt is not defined for small field");
  aoddModulus(P, "tonelliShanks");
  let Q = P - _1n2;
  let S = 0;
  while (Q % _2n === _0n2) {
    Q /= _2n;
    S++;
  }
  let Z = _2n;
  const _Fp = Field(P);
  while (FpLegendre(_Fp, Z) === 1) {
    if (Z++ > 1e3)
      throw new Error("Cannot find square root: probably non-prime P");
  }
  if (S === 1)
    return sqrt3mod4;
  let cc = _Fp.pow(Z, Q);
  const Q1div2 = (Q + _1n2) / _2n;
  return function tonelliSlow(Fp, n) {
    const F = Fp;
    if (F.is0(n))
      return n;
    if (FpLegendre(F, n) !== 1)
      throw new Error("Cannot find square root");
    let M = S;
    let c = F.mul(F.ONE, cc);
    let t = F.pow(n, Q);
    let R = F.pow(n, Q1div2);
    while (!F.eql(t, F.ONE)) {
      if (F.is0(t))
        throw new Error("Cannot find square root: probably non-prime P");
      let i = 1;
      let t_tmp = F.sqr(t);
      while (!F.eql(t_tmp, F.ONE)) {
        i++;
        t_tmp = F.sqr(t_tmp);
        if (i === M)
          throw new Error("Cannot find square root");
      }
      const exponent = _1n2 << BigInt(M - i - 1);
      const b = F.pow(c, exponent);
      M = i;
      c = F.sqr(b);
      t = F.mul(t, c);
      R = F.mul(R, b);
    }
    return R;
  };
}
function FpSqrt(P) {
  aoddModulus(P, "Fp.sqrt");
  if (P % _4n === _3n)
    return sqrt3mod4;
  if (P % _8n === _5n)
    return sqrt5mod8;
  if (P % _16n === _9n)
    return sqrt9mod16(P);
  return tonelliShanks(P);
}
var FIELD_FIELDS = [
  "create",
  "isValid",
  "is0",
  "neg",
  "inv",
  "sqrt",
  "sqr",
  "eql",
  "add",
  "sub",
  "mul",
  "pow",
  "div",
  "addN",
  "subN",
  "mulN",
  "sqrN"
];
function validateField(field) {
  aobject2(field, "field");
  if (typeof field.ORDER !== "bigint")
    throw new TypeError('param "ORDER" is invalid: expected bigint, got ' + typeof field.ORDER);
  asafenumber(field.BYTES, "BYTES");
  asafenumber(field.BITS, "BITS");
  for (const name of FIELD_FIELDS)
    afunction(field[name], "field." + name);
  if (field.BYTES < 1 || field.BITS < 1)
    throw new Error("invalid field: expected BYTES/BITS > 0");
  if (field.ORDER <= _1n2)
    throw new Error("invalid field: expected ORDER > 1, got " + field.ORDER);
  return field;
}
function FpInvertBatch(Fp, nums, passZero = false) {
  validateField(Fp);
  aarray(nums, "nums");
  abool(passZero, "passZero");
  const F = Fp;
  const inverted = new Array(nums.length).fill(passZero ? F.ZERO : void 0);
  const multipliedAcc = nums.reduce((acc, num, i) => {
    if (F.is0(num))
      return acc;
    inverted[i] = acc;
    return F.mul(acc, num);
  }, F.ONE);
  const invertedAcc = F.inv(multipliedAcc);
  nums.reduceRight((acc, num, i) => {
    if (F.is0(num))
      return acc;
    inverted[i] = F.mul(acc, inverted[i]);
    return F.mul(acc, num);
  }, invertedAcc);
  return inverted;
}
function FpLegendre(Fp, n) {
  validateField(Fp);
  const F = Fp;
  aoddModulus(F.ORDER, "FpLegendre");
  const p1mod2 = (F.ORDER - _1n2) / _2n;
  const powered = F.pow(n, p1mod2);
  const yes = F.eql(powered, F.ONE);
  const zero = F.eql(powered, F.ZERO);
  const no = F.eql(powered, F.neg(F.ONE));
  if (!yes && !zero && !no)
    throw new Error("invalid Legendre symbol result");
  return yes ? 1 : zero ? 0 : -1;
}
function nLength(n, nBitLength) {
  if (nBitLength !== void 0)
    anumber2(nBitLength);
  if (n <= _0n2)
    throw new Error("invalid n length: expected positive n, got " + n);
  if (nBitLength !== void 0 && nBitLength < 1)
    throw new Error("invalid n length: expected positive bit length, got " + nBitLength);
  const bits = bitLen(n);
  if (nBitLength !== void 0 && nBitLength < bits)
    throw new Error(`invalid n length: expected nBitLength (${nBitLength}) >= bitLen(n) (${bits})`);
  const _nBitLength = nBitLength !== void 0 ? nBitLength : bits;
  const nByteLength = Math.ceil(_nBitLength / 8);
  return { nBitLength: _nBitLength, nByteLength };
}
var FIELD_SQRT = /* @__PURE__ */ new WeakMap();
var _Field = class {
  ORDER;
  BITS;
  BYTES;
  isLE;
  ZERO = _0n2;
  ONE = _1n2;
  _lengths;
  _mod;
  constructor(ORDER, opts = {}) {
    if (ORDER <= _1n2)
      throw new Error("invalid field: expected ORDER > 1, got " + ORDER);
    let _nbitLength = void 0;
    this.isLE = false;
    if (opts != null && typeof opts === "object") {
      if (typeof opts.BITS === "number")
        _nbitLength = opts.BITS;
      if (typeof opts.sqrt === "function")
        Object.defineProperty(this, "sqrt", { value: opts.sqrt, enumerable: true });
      if (typeof opts.isLE === "boolean")
        this.isLE = opts.isLE;
      if (opts.allowedLengths)
        this._lengths = Object.freeze(opts.allowedLengths.slice());
      if (typeof opts.modFromBytes === "boolean")
        this._mod = opts.modFromBytes;
    }
    const { nBitLength, nByteLength } = nLength(ORDER, _nbitLength);
    if (nByteLength > 2048)
      throw new Error("invalid field: expected ORDER of <= 2048 bytes");
    this.ORDER = ORDER;
    this.BITS = nBitLength;
    this.BYTES = nByteLength;
    Object.freeze(this);
  }
  create(num) {
    return mod(num, this.ORDER);
  }
  isValid(num) {
    if (typeof num !== "bigint")
      throw new TypeError("invalid field element: expected bigint, got " + typeof num);
    return _0n2 <= num && num < this.ORDER;
  }
  is0(num) {
    return num === _0n2;
  }
  // is valid and invertible
  isValidNot0(num) {
    return !this.is0(num) && this.isValid(num);
  }
  isOdd(num) {
    return (num & _1n2) === _1n2;
  }
  neg(num) {
    return mod(-num, this.ORDER);
  }
  eql(lhs, rhs) {
    return lhs === rhs;
  }
  sqr(num) {
    return mod(num * num, this.ORDER);
  }
  add(lhs, rhs) {
    return mod(lhs + rhs, this.ORDER);
  }
  sub(lhs, rhs) {
    return mod(lhs - rhs, this.ORDER);
  }
  mul(lhs, rhs) {
    return mod(lhs * rhs, this.ORDER);
  }
  pow(num, power) {
    return pow(num, power, this.ORDER);
  }
  div(lhs, rhs) {
    return mod(lhs * invert(rhs, this.ORDER), this.ORDER);
  }
  // Same as above, but doesn't normalize
  sqrN(num) {
    return num * num;
  }
  addN(lhs, rhs) {
    return lhs + rhs;
  }
  subN(lhs, rhs) {
    return lhs - rhs;
  }
  mulN(lhs, rhs) {
    return lhs * rhs;
  }
  inv(num) {
    return invert(num, this.ORDER);
  }
  sqrt(num) {
    let sqrt = FIELD_SQRT.get(this);
    if (!sqrt)
      FIELD_SQRT.set(this, sqrt = FpSqrt(this.ORDER));
    return sqrt(this, num);
  }
  toBytes(num) {
    return this.isLE ? numberToBytesLE(num, this.BYTES) : numberToBytesBE(num, this.BYTES);
  }
  fromBytes(bytes, skipValidation = false) {
    abytes2(bytes);
    const { _lengths: allowedLengths, BYTES, isLE, ORDER, _mod: modFromBytes } = this;
    if (allowedLengths) {
      if (bytes.length < 1 || !allowedLengths.includes(bytes.length) || bytes.length > BYTES) {
        throw new Error("Field.fromBytes: expected " + allowedLengths + " bytes, got " + bytes.length);
      }
      const padded = new Uint8Array(BYTES);
      padded.set(bytes, isLE ? 0 : padded.length - bytes.length);
      bytes = padded;
    }
    if (bytes.length !== BYTES)
      throw new Error("Field.fromBytes: expected " + BYTES + " bytes, got " + bytes.length);
    let scalar = isLE ? bytesToNumberLE(bytes) : bytesToNumberBE(bytes);
    if (modFromBytes)
      scalar = mod(scalar, ORDER);
    if (!skipValidation) {
      if (!this.isValid(scalar))
        throw new Error("invalid field element: outside of range 0..ORDER");
    }
    return scalar;
  }
  // TODO: we don't need it here, move out to separate fn
  invertBatch(lst) {
    return FpInvertBatch(this, lst, true);
  }
  // We can't move this out because Fp6, Fp12 implement it
  // and it's unclear what to return in there.
  cmov(a, b, condition) {
    abool(condition, "condition");
    return condition ? b : a;
  }
};
function Field(ORDER, opts = {}) {
  Object.freeze(_Field.prototype);
  return new _Field(ORDER, opts);
}
function getFieldBytesLength(fieldOrder) {
  if (typeof fieldOrder !== "bigint")
    throw new Error("field order must be bigint");
  if (fieldOrder <= _1n2)
    throw new Error("field order must be greater than 1");
  const bitLength = bitLen(fieldOrder - _1n2);
  return Math.ceil(bitLength / 8);
}
function getMinHashLength(fieldOrder) {
  const length = getFieldBytesLength(fieldOrder);
  return length + Math.ceil(length / 2);
}
function mapHashToField(key3, fieldOrder, isLE = false) {
  abytes2(key3);
  const len = key3.length;
  const fieldLen = getFieldBytesLength(fieldOrder);
  const minLen = Math.max(getMinHashLength(fieldOrder), 16);
  if (len < minLen || len > 1024)
    throw new Error("expected " + minLen + "-1024 bytes of input, got " + len);
  const num = isLE ? bytesToNumberLE(key3) : bytesToNumberBE(key3);
  const reduced = mod(num, fieldOrder - _1n2) + _1n2;
  return isLE ? numberToBytesLE(reduced, fieldLen) : numberToBytesBE(reduced, fieldLen);
}

// node_modules/@noble/curves/abstract/curve.js
var _0n3 = /* @__PURE__ */ BigInt(0);
var _1n3 = /* @__PURE__ */ BigInt(1);
var _4n2 = /* @__PURE__ */ BigInt(4);
var BLIND_BYTES = 16;
var BLIND_BITS = 128;
var FW_WINDOW = 5;
var TABLE_BYTES_MAX = /* @__PURE__ */ (() => 2 ** 31)();
function validatePointCons(Point) {
  const pc = Point;
  if (typeof pc !== "function")
    throw new TypeError('"Point" expected constructor, got type=' + typeof Point);
  afunction(pc.fromAffine, "Point.fromAffine");
  afunction(pc.fromBytes, "Point.fromBytes");
  afunction(pc.fromHex, "Point.fromHex");
  aobject2(pc.BASE, "Point.BASE");
  aobject2(pc.ZERO, "Point.ZERO");
  validateField(pc.Fp);
  validateField(pc.Fn);
}
function normalizeZ(c, points) {
  validatePointCons(c);
  validateMSMPoints(points, c);
  const invertedZs = FpInvertBatch(c.Fp, points.map((p) => p.Z));
  return points.map((p, i) => c.fromAffine(p.toAffine(invertedZs[i])));
}
function validateW(W, bits, min = 1) {
  if (!Number.isSafeInteger(W) || W < min || W > bits)
    throw new Error("invalid window size, expected [" + min + ".." + bits + "], got W=" + W);
}
function validateTableBytes(numPoints, fpBytes) {
  const bytes = numPoints * (4 * fpBytes + 128);
  if (bytes > TABLE_BYTES_MAX)
    throw new Error("invalid window size: table would need ~" + Math.ceil(bytes / 2 ** 20) + " MiB, max " + TABLE_BYTES_MAX / 2 ** 20 + " MiB");
}
function probeRandomBytes(randomBytes3, length) {
  if (randomBytes3 === void 0)
    return void 0;
  afunction(randomBytes3, "randomBytes");
  try {
    const probe = randomBytes3(length);
    if (!isBytes2(probe) || probe.length !== length)
      return void 0;
  } catch {
    return void 0;
  }
  return randomBytes3;
}
function validateMSMPoints(points, c) {
  aarray(points, "points");
  points.forEach((p, i) => {
    if (!(p instanceof c))
      throw new Error("invalid point at index " + i);
  });
}
function validateMSMScalars(scalars, field, maxScalar) {
  if (!Array.isArray(scalars))
    throw new Error("array of scalars expected");
  scalars.forEach((s, i) => {
    const ok = maxScalar === void 0 ? field.isValid(s) : isPosBig(s) && s < maxScalar;
    if (!ok)
      throw new Error("invalid scalar at index " + i);
  });
}
var pointWindowSizes = /* @__PURE__ */ new WeakMap();
function getWindowSize(P) {
  return pointWindowSizes.get(P) || 1;
}
function oddMultiples(p, size) {
  const dbl = p.double();
  const t = [p];
  for (let j = 1; j < size; j++)
    t.push(t[j - 1].add(dbl));
  return t;
}
function wnafDigits(n, W) {
  const size = 2 ** W;
  const half = size / 2;
  const mask = BigInt(size - 1);
  const d = [];
  while (n > _0n3) {
    let w = 0;
    if (n & _1n3) {
      w = Number(n & mask);
      if (w >= half)
        w -= size;
      n -= BigInt(w);
    }
    d.push(w);
    n >>= _1n3;
  }
  return d;
}
function signedWindowDigits(n, W, windows) {
  const size = 2 ** W;
  const half = size / 2;
  const mask = BigInt(size - 1);
  const shiftBy = BigInt(W);
  const d = [];
  for (let w = 0; w < windows; w++) {
    let v = Number(n & mask);
    n >>= shiftBy;
    if (v > half) {
      v -= size;
      n += _1n3;
    }
    d.push(v);
  }
  if (n !== _0n3)
    throw new Error("invalid wnaf");
  return d;
}
function wnafWalk(zero, tables, digits) {
  let max = 0;
  for (const d of digits)
    max = Math.max(max, d.length);
  let acc = zero;
  for (let bit = max - 1; bit >= 0; bit--) {
    if (bit !== max - 1)
      acc = acc.double();
    for (let i = 0; i < digits.length; i++) {
      const w = digits[i][bit];
      if (w) {
        const item = tables[i][Math.abs(w) - 1 >> 1];
        acc = acc.add(w < 0 ? item.negate() : item);
      }
    }
  }
  return acc;
}
var ScalarMultiplier = class {
  Point;
  BASE;
  ZERO;
  randomBytes;
  wnafPrecomputes = /* @__PURE__ */ new WeakMap();
  baseCanBeBlinded;
  bits;
  // Parametrized with a given Point class (not individual point)
  constructor(Point, randomBytes3) {
    validatePointCons(Point);
    this.randomBytes = probeRandomBytes(randomBytes3, BLIND_BYTES);
    this.Point = Point;
    this.BASE = Point.BASE;
    this.ZERO = Point.ZERO;
    this.bits = Point.Fn.BITS;
  }
  /**
   * Creates a signed fixed-window wNAF precomputation table: for every window w, the
   * multiples `[1..2^(W−1)]⋅2^(w⋅W)⋅P`, flattened. All doublings are baked into the table,
   * so cached multiplication is additions-only. `windows = ceil(bits/W) + 1`: the extra
   * window absorbs the final carry of signed-digit recoding.
   * For a 256-bit curve and W=6, the table is 44⋅32 = 1408 points.
   * @param point - Point instance
   * @param W - window size
   * @param bits - scalar bitlength the table must cover
   */
  buildWnafTable(point, W, bits) {
    const windows = Math.ceil(bits / W) + 1;
    const half = 2 ** (W - 1);
    const comp = [];
    let base = point;
    for (let w = 0; w < windows; w++) {
      let acc = base;
      for (let i = 0; i < half; i++) {
        comp.push(acc);
        acc = acc.add(base);
      }
      base = comp[comp.length - 1].double();
    }
    return { W, bits, windows, comp };
  }
  /**
   * Implements ec multiplication using precomputed signed fixed-window wNAF tables.
   * Constant-time: fixed window count with one table addition per window — zero digits feed
   * the fake accumulator — and no doublings; the lookup scans the whole window slice.
   * Scalar bounds are validated by the public entry points ({@link ScalarMultiplier.mulCT},
   * {@link ScalarMultiplier.mulCTBlinded}, {@link ScalarMultiplier.mulUnsafe});
   * signedWindowDigits throws if `n` exceeds the table.
   * @returns real and fake (for const-time) points
   */
  wnafCachedCT(precomputes, n) {
    const { W, windows, comp } = precomputes;
    const half = 2 ** (W - 1);
    const digits = signedWindowDigits(n, W, windows);
    let p = this.ZERO;
    let f2 = this.BASE;
    for (let w = 0; w < windows; w++) {
      const digit = digits[w];
      const start = w * half;
      const idx = Math.abs(digit) - 1;
      let sel = comp[start];
      for (let i = 1; i < half; i++)
        sel = i === idx ? comp[start + i] : sel;
      const neg = sel.negate();
      if (digit === 0)
        f2 = f2.add(comp[start]);
      else
        p = p.add(digit < 0 ? neg : sel);
    }
    return { p, f: f2 };
  }
  // Cache key is point identity plus (W, bits); at most two entries exist per point (public-width
  // `Fn.BITS` and blinded `Fn.BITS + BLIND_BITS`). Callers must not reuse the same point with
  // incompatible `transform(...)` layouts and expect a separate cache entry.
  getWnafPrecomputes(W, point, bits, transform) {
    let entries = this.wnafPrecomputes.get(point);
    let comp = entries?.find((entry) => entry.W === W && entry.bits === bits);
    if (!comp) {
      comp = this.buildWnafTable(point, W, bits);
      if (typeof transform === "function")
        comp = { ...comp, comp: transform(comp.comp) };
      if (!entries) {
        entries = [];
        this.wnafPrecomputes.set(point, entries);
      }
      entries.push(comp);
    }
    return comp;
  }
  assertPoint(point) {
    if (!(point instanceof this.Point))
      throw new TypeError('"point" expected Point instance, got type=' + typeof point);
  }
  // Shared prologue of the constant-time entry points. Rejects scalar 0: in key/signature-style
  // callers a zero scalar means broken upstream plumbing, and concrete Points already reject it.
  // Uses inRange instead of Fn.isValidNot0: validateField() only certifies the arithmetic subset.
  validateMulInput(point, scalar) {
    this.assertPoint(point);
    if (!inRange(scalar, _1n3, this.Point.Fn.ORDER))
      throw new Error("invalid scalar");
  }
  // Constant-time dispatch shared by mulCT / mulCTBlinded. Un-precomputed points (W===1, e.g.
  // ECDH peer keys) skip building a throwaway cached table in favor of a small fixed-window
  // multiply. `n` must be < 2^bits.
  runCT(point, n, bits, transform) {
    const W = getWindowSize(point);
    if (W === 1)
      return this.fixedWindowCT(point, n, bits);
    return this.wnafCachedCT(this.getWnafPrecomputes(W, point, bits, transform), n);
  }
  mulCT(point, scalar, transform) {
    this.validateMulInput(point, scalar);
    return this.runCT(point, scalar, this.bits, transform);
  }
  mulCTBlinded(point, scalar, transform) {
    this.validateMulInput(point, scalar);
    if (this.randomBytes === void 0)
      throw new Error("randomBytes is required for scalar blinding");
    const bits = this.Point.Fn.BITS + BLIND_BITS;
    const blind = this.randomBytes(BLIND_BYTES);
    if (!isBytes2(blind) || blind.length !== BLIND_BYTES)
      throw new Error("randomBytes returned invalid byte array");
    blind[0] = blind[0] & 63 | 128;
    const n = scalar + bytesToNumberBE(blind) * this.Point.Fn.ORDER;
    return this.runCT(point, n, bits, transform);
  }
  /**
   * Constant-time multiplication `n*point` for an un-precomputed point, via a small fixed window.
   * A cached wNAF table only pays off when reused; a flat 2^FW_WINDOW table (`size-1` adds) is
   * far cheaper to build for a single use. The point-operation sequence is independent of `n`:
   * build the table, then per window exactly FW_WINDOW doublings, a data-oblivious scan over
   * every table entry, and one addition (adds the identity when the window digit is 0 — never
   * skipped).
   *
   * `n` must be `< 2^bits`. Assumes complete addition (adding the identity costs the same as any
   * add), which holds for the Weierstrass/Edwards point types used here. The table is left in
   * projective form (no normalizeZ): normalizing this small a table costs more than the
   * mixed-add savings it would buy for a single multiply.
   * @returns real point `p`; `f` duplicates it only to match {@link wnafCachedCT}'s return shape
   * (this path needs no fake accumulator — its op-count is already scalar-independent).
   */
  fixedWindowCT(point, n, bits) {
    const W = FW_WINDOW;
    const size = 1 << W;
    const mask = bitMask(W);
    const table = new Array(size);
    table[0] = this.ZERO;
    for (let i = 1; i < size; i++)
      table[i] = table[i - 1].add(point);
    const windows = Math.ceil(bits / W);
    let acc = this.ZERO;
    for (let window = windows - 1; window >= 0; window--) {
      if (window !== windows - 1)
        for (let d = 0; d < W; d++)
          acc = acc.double();
      const digit = Number(n >> BigInt(window * W) & mask);
      let sel = table[0];
      for (let i = 1; i < size; i++)
        sel = i === digit ? table[i] : sel;
      acc = acc.add(sel);
    }
    return { p: acc, f: acc };
  }
  shouldBlind(point, cofactor) {
    if (this.randomBytes === void 0)
      return false;
    if (cofactor === _1n3)
      return true;
    if (point !== this.BASE)
      return false;
    if (this.baseCanBeBlinded === void 0)
      this.baseCanBeBlinded = this.mulUnsafe(this.BASE, this.Point.Fn.ORDER).is0();
    return this.baseCanBeBlinded;
  }
  mulSecret(point, scalar, cofactor, transform) {
    return this.shouldBlind(point, cofactor) ? this.mulCTBlinded(point, scalar, transform) : this.mulCT(point, scalar, transform);
  }
  mulUnsafe(point, scalar, transform) {
    this.assertPoint(point);
    if (!isPosBig(scalar))
      throw new Error("invalid scalar");
    const W = getWindowSize(point);
    if (W === 1 || scalar >= this.Point.Fn.ORDER)
      return mulAddUnsafe(this.Point, [point], [scalar], true);
    const precomputes = this.getWnafPrecomputes(W, point, this.bits, transform);
    return this.wnafCachedCT(precomputes, scalar).p;
  }
  // Remembers the window size used for precomputed wNAF multiplication of the given point
  // and drops any previously built tables. Usually only the base point is precomputed.
  // W=1 resets the point to the un-precomputed (table-less) paths.
  // W is additionally capped so tables stay under ~2 GiB ({@link TABLE_BYTES_MAX}).
  setWindowSize(point, W) {
    this.assertPoint(point);
    validateW(W, this.bits);
    const windows = Math.ceil((this.bits + BLIND_BITS) / W) + 1;
    validateTableBytes(windows * 2 ** (W - 1), this.Point.Fp.BYTES);
    pointWindowSizes.set(point, W);
    this.wnafPrecomputes.delete(point);
  }
  // True when a window size is set: tables themselves are built lazily on first multiply.
  hasWindowSize(point) {
    return getWindowSize(point) !== 1;
  }
};
function mulAddUnsafe(c, points, scalars, allowOversized = false) {
  validatePointCons(c);
  validateMSMPoints(points, c);
  abool(allowOversized, "allowOversized");
  validateMSMScalars(scalars, c.Fn, allowOversized ? c.Fn.ORDER ** _4n2 : void 0);
  if (points.length !== scalars.length)
    throw new Error("arrays of points and scalars must have equal length");
  const tables = points.map((p) => oddMultiples(p, 4));
  const digits = scalars.map((n) => wnafDigits(n, 4));
  return wnafWalk(c.ZERO, tables, digits);
}
function createField(order, field, isLE) {
  if (field) {
    if (field.ORDER !== order)
      throw new Error("Field.ORDER must match order: Fp == p, Fn == n");
    validateField(field);
    return field;
  } else {
    return Field(order, { isLE });
  }
}
function createCurveFields(type, CURVE, curveOpts = {}, FpFnLE) {
  if (type !== "weierstrass" && type !== "edwards")
    throw new Error('expected curve type "weierstrass" or "edwards"');
  if (FpFnLE === void 0)
    FpFnLE = type === "edwards";
  if (!CURVE || typeof CURVE !== "object")
    throw new Error(`expected valid ${type} CURVE object`);
  validateObject(curveOpts);
  for (const p of ["p", "n", "h"]) {
    const val = CURVE[p];
    if (!(isPosBig(val) && val !== _0n3))
      throw new Error(`CURVE.${p} must be positive bigint`);
  }
  const Fp = createField(CURVE.p, curveOpts.Fp, FpFnLE);
  const Fn = createField(CURVE.n, curveOpts.Fn, FpFnLE);
  const _b = type === "weierstrass" ? "b" : "d";
  const params = ["Gx", "Gy", "a", _b];
  for (const p of params) {
    if (!Fp.isValid(CURVE[p]))
      throw new Error(`CURVE.${p} must be valid field element of CURVE.Fp`);
  }
  CURVE = Object.freeze(Object.assign({}, CURVE));
  return { CURVE, Fp, Fn };
}
function createKeygen(randomSecretKey, getPublicKey) {
  return function keygen(seed) {
    const secretKey = randomSecretKey(seed);
    return { secretKey, publicKey: getPublicKey(secretKey) };
  };
}

// node_modules/@noble/hashes/hmac.js
var _HMAC = class {
  oHash;
  iHash;
  blockLen;
  outputLen;
  canXOF = false;
  finished = false;
  destroyed = false;
  constructor(hash, key3) {
    ahash(hash);
    abytes(key3, void 0, "key");
    this.iHash = hash.create();
    if (typeof this.iHash.update !== "function")
      throw new Error("expected Hash instance");
    this.blockLen = this.iHash.blockLen;
    this.outputLen = this.iHash.outputLen;
    const blockLen = this.blockLen;
    const pad = new Uint8Array(blockLen);
    pad.set(key3.length > blockLen ? hash.create().update(key3).digest() : key3);
    for (let i = 0; i < pad.length; i++)
      pad[i] ^= 54;
    this.iHash.update(pad);
    this.oHash = hash.create();
    for (let i = 0; i < pad.length; i++)
      pad[i] ^= 54 ^ 92;
    this.oHash.update(pad);
    clean(pad);
  }
  update(buf) {
    aexists(this);
    this.iHash.update(buf);
    return this;
  }
  digestInto(out) {
    aexists(this);
    aoutput(out, this);
    this.finished = true;
    const buf = out.subarray(0, this.outputLen);
    this.iHash.digestInto(buf);
    this.oHash.update(buf);
    this.oHash.digestInto(buf);
    this.destroy();
  }
  digest() {
    const out = new Uint8Array(this.oHash.outputLen);
    this.digestInto(out);
    return out;
  }
  _cloneInto(to) {
    to ||= Object.create(Object.getPrototypeOf(this), {});
    const { oHash, iHash, finished, destroyed, blockLen, outputLen, canXOF } = this;
    to = to;
    to.finished = finished;
    to.destroyed = destroyed;
    to.blockLen = blockLen;
    to.outputLen = outputLen;
    to.canXOF = canXOF;
    to.oHash = oHash._cloneInto(to.oHash);
    to.iHash = iHash._cloneInto(to.iHash);
    return to;
  }
  clone() {
    return this._cloneInto();
  }
  destroy() {
    this.destroyed = true;
    this.oHash.destroy();
    this.iHash.destroy();
  }
};
var hmac = /* @__PURE__ */ (() => {
  const hmac_ = ((hash, key3, message) => new _HMAC(hash, key3).update(message).digest());
  hmac_.create = (hash, key3) => new _HMAC(hash, key3);
  return hmac_;
})();

// node_modules/@noble/curves/abstract/der.js
var _0n4 = /* @__PURE__ */ BigInt(0);
var DERErr = class extends Error {
  constructor(m = "") {
    super(m);
  }
};
var _DER = {
  // asn.1 DER encoding utils
  Err: DERErr,
  // Basic building block is TLV (Tag-Length-Value)
  _tlv: {
    encode: (tag, data2) => {
      const { Err: E } = _DER;
      asafenumber(tag, "tag");
      if (tag < 0 || tag > 255)
        throw new E("tlv.encode: wrong tag");
      astring(data2, "data");
      if (data2.length & 1)
        throw new E("tlv.encode: unpadded data");
      const dataLen = data2.length / 2;
      const len = numberToHexUnpadded(dataLen);
      if (len.length / 2 & 128)
        throw new E("tlv.encode: long form length too big");
      const lenLen = dataLen > 127 ? numberToHexUnpadded(len.length / 2 | 128) : "";
      const t = numberToHexUnpadded(tag);
      return t + lenLen + len + data2;
    },
    // v - value, l - left bytes (unparsed)
    decode(tag, data2) {
      const { Err: E } = _DER;
      data2 = abytes2(data2, void 0, "DER data");
      let pos = 0;
      if (tag < 0 || tag > 255)
        throw new E("tlv.decode: wrong tag");
      if (data2.length < 2 || data2[pos++] !== tag)
        throw new E("tlv.decode: wrong tlv");
      const first = data2[pos++];
      const isLong = !!(first & 128);
      let length = 0;
      if (!isLong)
        length = first;
      else {
        const lenLen = first & 127;
        if (!lenLen)
          throw new E("tlv.decode(long): indefinite length not supported");
        if (lenLen > 4)
          throw new E("tlv.decode(long): byte length is too big");
        const lengthBytes = data2.subarray(pos, pos + lenLen);
        if (lengthBytes.length !== lenLen)
          throw new E("tlv.decode: length bytes not complete");
        if (lengthBytes[0] === 0)
          throw new E("tlv.decode(long): zero leftmost byte");
        for (const b of lengthBytes)
          length = length << 8 | b;
        pos += lenLen;
        if (length < 128)
          throw new E("tlv.decode(long): not minimal encoding");
      }
      const v = data2.subarray(pos, pos + length);
      if (v.length !== length)
        throw new E("tlv.decode: wrong value length");
      return { v, l: data2.subarray(pos + length) };
    }
  },
  // https://crypto.stackexchange.com/a/57734 Leftmost bit of first byte is 'negative' flag,
  // since we always use positive integers here. It must always be empty:
  // - add zero byte if exists
  // - if next byte doesn't have a flag, leading zero is not allowed (minimal encoding)
  _int: {
    encode(num) {
      const { Err: E } = _DER;
      abignumber(num);
      if (num < _0n4)
        throw new E("integer: negative integers are not allowed");
      let hex = numberToHexUnpadded(num);
      if (Number.parseInt(hex[0], 16) & 8)
        hex = "00" + hex;
      if (hex.length & 1)
        throw new E("unexpected DER parsing assertion: unpadded hex");
      return hex;
    },
    decode(data2) {
      const { Err: E } = _DER;
      if (data2.length < 1)
        throw new E("invalid signature integer: empty");
      if (data2[0] & 128)
        throw new E("invalid signature integer: negative");
      if (data2.length > 1 && data2[0] === 0 && !(data2[1] & 128))
        throw new E("invalid signature integer: unnecessary leading zero");
      return bytesToNumberBE(data2);
    }
  },
  toSig(bytes, maxScalarBytes) {
    const { Err: E, _int: int, _tlv: tlv } = _DER;
    if (maxScalarBytes !== void 0) {
      asafenumber(maxScalarBytes, "maxScalarBytes");
      if (maxScalarBytes < 1)
        throw new E("invalid signature: maxScalarBytes must be positive");
    }
    const data2 = abytes2(bytes, void 0, "signature");
    const { v: seqBytes, l: seqLeftBytes } = tlv.decode(48, data2);
    if (seqLeftBytes.length)
      throw new E("invalid signature: left bytes after parsing");
    const { v: rBytes, l: rLeftBytes } = tlv.decode(2, seqBytes);
    const { v: sBytes, l: sLeftBytes } = tlv.decode(2, rLeftBytes);
    if (sLeftBytes.length)
      throw new E("invalid signature: left bytes after parsing");
    if (maxScalarBytes !== void 0 && (rBytes.length > maxScalarBytes || sBytes.length > maxScalarBytes))
      throw new E("invalid signature: integer too large");
    return { r: int.decode(rBytes), s: int.decode(sBytes) };
  },
  hexFromSig(sig) {
    const { _tlv: tlv, _int: int } = _DER;
    validateObject(sig, { r: "bigint", s: "bigint" }, {}, "sig");
    const rs = tlv.encode(2, int.encode(sig.r));
    const ss = tlv.encode(2, int.encode(sig.s));
    const seq = rs + ss;
    return tlv.encode(48, seq);
  }
};
var DER = /* @__PURE__ */ (() => {
  Object.freeze(_DER._tlv);
  Object.freeze(_DER._int);
  return Object.freeze(_DER);
})();

// node_modules/@noble/curves/abstract/weierstrass.js
var divNearest = (num, den) => (num + (num >= 0 ? den : -den) / _2n2) / den;
function _splitEndoScalar(k, basis, n) {
  aInRange("scalar", k, _0n5, n);
  const [[a1, b1], [a2, b2]] = basis;
  const c1 = divNearest(b2 * k, n);
  const c2 = divNearest(-b1 * k, n);
  let k1 = k - c1 * a1 - c2 * a2;
  let k2 = -c1 * b1 - c2 * b2;
  const k1neg = k1 < _0n5;
  const k2neg = k2 < _0n5;
  if (k1neg)
    k1 = -k1;
  if (k2neg)
    k2 = -k2;
  const MAX_NUM = bitMask(Math.ceil(bitLen(n) / 2)) + _1n4;
  if (k1 < _0n5 || k1 >= MAX_NUM || k2 < _0n5 || k2 >= MAX_NUM) {
    throw new Error("splitScalar (endomorphism): failed for k");
  }
  return { k1neg, k1, k2neg, k2 };
}
function validateSigFormat(format) {
  if (!["compact", "recovered", "der"].includes(format))
    throw new Error('Signature format must be "compact", "recovered", or "der"');
  return format;
}
function validateSigOpts(opts, def) {
  validateObject(opts);
  const optsn = {};
  for (let optName of Object.keys(def)) {
    optsn[optName] = opts[optName] === void 0 ? def[optName] : opts[optName];
  }
  abool(optsn.lowS, "lowS");
  abool(optsn.prehash, "prehash");
  if (optsn.format !== void 0)
    validateSigFormat(optsn.format);
  return optsn;
}
var _0n5 = /* @__PURE__ */ BigInt(0);
var _1n4 = /* @__PURE__ */ BigInt(1);
var _2n2 = /* @__PURE__ */ BigInt(2);
var _3n2 = /* @__PURE__ */ BigInt(3);
var _4n3 = /* @__PURE__ */ BigInt(4);
function weierstrass(params, extraOpts = {}) {
  const validated = createCurveFields("weierstrass", params, extraOpts);
  const Fp = validated.Fp;
  const Fn = validated.Fn;
  let CURVE = validated.CURVE;
  const { h: cofactor, n: CURVE_ORDER } = CURVE;
  validateObject(extraOpts, {}, {
    allowInfinityPoint: "boolean",
    clearCofactor: "function",
    isTorsionFree: "function",
    fromBytes: "function",
    toBytes: "function",
    endo: "object",
    randomBytes: "function"
  });
  const { endo: endoOpts, allowInfinityPoint, clearCofactor, isTorsionFree, fromBytes, toBytes } = extraOpts;
  const randomBytes3 = extraOpts.randomBytes === void 0 ? randomBytes2 : extraOpts.randomBytes;
  if (endoOpts) {
    if (!Fp.is0(CURVE.a) || typeof endoOpts.beta !== "bigint" || !Array.isArray(endoOpts.basises)) {
      throw new Error('invalid endo: expected "beta": bigint and "basises": array');
    }
  }
  const endo = endoOpts ? {
    beta: endoOpts.beta,
    basises: endoOpts.basises.map((basis) => [...basis])
  } : void 0;
  const lengths = getWLengths(Fp, Fn);
  function assertCompressionIsSupported() {
    if (!Fp.isOdd)
      throw new Error("compression is not supported: Field does not have .isOdd()");
  }
  function pointToBytes(_c, point, isCompressed) {
    if (point.is0()) {
      if (!allowInfinityPoint)
        throw new Error("bad point: ZERO");
      return Uint8Array.of(0);
    }
    const { x, y } = point.toAffine();
    const bx = Fp.toBytes(x);
    abool(isCompressed, "isCompressed");
    if (isCompressed) {
      assertCompressionIsSupported();
      const hasEvenY = !Fp.isOdd(y);
      return concatBytes2(pprefix(hasEvenY), bx);
    } else {
      return concatBytes2(Uint8Array.of(4), bx, Fp.toBytes(y));
    }
  }
  function pointFromBytes(bytes) {
    abytes2(bytes, void 0, "Point");
    const { publicKey: comp, publicKeyUncompressed: uncomp } = lengths;
    const length = bytes.length;
    const head = bytes[0];
    const tail = bytes.subarray(1);
    if (allowInfinityPoint && length === 1 && head === 0)
      return { x: Fp.ZERO, y: Fp.ZERO };
    if (length === comp && (head === 2 || head === 3)) {
      const x = Fp.fromBytes(tail);
      if (!Fp.isValid(x))
        throw new Error("bad point: is not on curve, wrong x");
      const y2 = weierstrassEquation(x);
      let y;
      try {
        y = Fp.sqrt(y2);
      } catch (sqrtError) {
        const err = sqrtError instanceof Error ? ": " + sqrtError.message : "";
        throw new Error("bad point: is not on curve, sqrt error" + err);
      }
      assertCompressionIsSupported();
      const evenY = Fp.isOdd(y);
      const evenH = (head & 1) === 1;
      if (evenH !== evenY)
        y = Fp.neg(y);
      return { x, y };
    } else if (length === uncomp && head === 4) {
      const L = Fp.BYTES;
      const x = Fp.fromBytes(tail.subarray(0, L));
      const y = Fp.fromBytes(tail.subarray(L, L * 2));
      if (!isValidXY(x, y))
        throw new Error("bad point: is not on curve");
      return { x, y };
    } else {
      throw new Error(`bad point: got length ${length}, expected compressed=${comp} or uncompressed=${uncomp}`);
    }
  }
  const encodePoint = toBytes === void 0 ? pointToBytes : toBytes;
  const decodePoint = fromBytes === void 0 ? pointFromBytes : fromBytes;
  const b3 = Fp.mul(CURVE.b, _3n2);
  const mulA = Fp.is0(CURVE.a) ? (_) => Fp.ZERO : (x) => Fp.mul(CURVE.a, x);
  function weierstrassEquation(x) {
    const x2 = Fp.sqr(x);
    const x3 = Fp.mul(x2, x);
    return Fp.add(Fp.add(x3, Fp.mul(x, CURVE.a)), CURVE.b);
  }
  function isValidXY(x, y) {
    const left = Fp.sqr(y);
    const right = weierstrassEquation(x);
    return Fp.eql(left, right);
  }
  if (!isValidXY(CURVE.Gx, CURVE.Gy))
    throw new Error("bad curve params: generator point");
  const _4a3 = Fp.mul(Fp.pow(CURVE.a, _3n2), _4n3);
  const _27b2 = Fp.mul(Fp.sqr(CURVE.b), BigInt(27));
  if (Fp.is0(Fp.add(_4a3, _27b2)))
    throw new Error("bad curve params: a or b");
  function acoord(title, n, banZero = false) {
    if (!Fp.isValid(n) || banZero && Fp.is0(n))
      throw new Error(`bad point coordinate ${title}`);
    return typeof n === "object" && n !== null ? Fp.create(n) : n;
  }
  function aprjpoint(other) {
    if (!(other instanceof Point))
      throw new Error("Weierstrass Point expected");
  }
  function splitEndoScalarN(k) {
    if (!endo || !endo.basises)
      throw new Error("no endo");
    return _splitEndoScalar(k, endo.basises, Fn.ORDER);
  }
  function pushWnafPair(points, scalars, p, k) {
    if (!Fn.isValid(k))
      throw new RangeError("invalid scalar: out of range");
    if (endo) {
      const { k1neg, k1, k2neg, k2 } = splitEndoScalarN(k);
      const psi = new Point(Fp.mul(p.X, endo.beta), p.Y, p.Z);
      points.push(k1neg ? p.negate() : p, k2neg ? psi.negate() : psi);
      scalars.push(k1, k2);
    } else {
      points.push(p);
      scalars.push(k);
    }
  }
  const validityCache = /* @__PURE__ */ new WeakSet();
  class Point {
    static BASE = new Point(CURVE.Gx, CURVE.Gy, Fp.ONE);
    static ZERO = new Point(Fp.ZERO, Fp.ONE, Fp.ZERO);
    static Fp = Fp;
    static Fn = Fn;
    X;
    Y;
    Z;
    /** Does NOT validate if the point is valid. Use `.assertValidity()`. */
    constructor(X, Y, Z) {
      this.X = acoord("x", X);
      this.Y = acoord("y", Y, true);
      this.Z = acoord("z", Z);
      Object.freeze(this);
    }
    static CURVE() {
      return CURVE;
    }
    /** Does NOT validate if the point is valid. Use `.assertValidity()`. */
    static fromAffine(p) {
      const { x, y } = p || {};
      if (!p || !Fp.isValid(x) || !Fp.isValid(y))
        throw new Error("invalid affine point");
      if (p instanceof Point)
        throw new Error("projective point not allowed");
      if (Fp.is0(x) && Fp.is0(y))
        return Point.ZERO;
      return new Point(x, y, Fp.ONE);
    }
    static fromBytes(bytes) {
      const P = Point.fromAffine(decodePoint(abytes2(bytes, void 0, "point")));
      P.assertValidity();
      return P;
    }
    static fromHex(hex) {
      return Point.fromBytes(hexToBytes2(hex));
    }
    get x() {
      return this.toAffine().x;
    }
    get y() {
      return this.toAffine().y;
    }
    /**
     * @param isLazy - true will defer table computation until the first multiplication
     */
    precompute(windowSize = 6, isLazy = true) {
      wnaf.setWindowSize(this, windowSize);
      if (!isLazy)
        this.multiply(_3n2);
      return this;
    }
    // TODO: return `this`
    /** A point on curve is valid if it conforms to equation. */
    assertValidity() {
      const p = this;
      if (p.is0()) {
        if (allowInfinityPoint && Fp.is0(p.X) && Fp.eql(p.Y, Fp.ONE) && Fp.is0(p.Z))
          return;
        throw new Error("bad point: ZERO");
      }
      if (validityCache.has(p))
        return;
      const { x, y } = p.toAffine();
      if (!Fp.isValid(x) || !Fp.isValid(y))
        throw new Error("bad point: x or y not field elements");
      if (!isValidXY(x, y))
        throw new Error("bad point: equation left != right");
      if (!p.isTorsionFree())
        throw new Error("bad point: not in prime-order subgroup");
      validityCache.add(p);
    }
    hasEvenY() {
      const { y } = this.toAffine();
      if (!Fp.isOdd)
        throw new Error("Field doesn't support isOdd");
      return !Fp.isOdd(y);
    }
    /** Compare one point to another. */
    equals(other) {
      aprjpoint(other);
      const { X: X1, Y: Y1, Z: Z1 } = this;
      const { X: X2, Y: Y2, Z: Z2 } = other;
      const U1 = Fp.eql(Fp.mul(X1, Z2), Fp.mul(X2, Z1));
      const U2 = Fp.eql(Fp.mul(Y1, Z2), Fp.mul(Y2, Z1));
      return U1 && U2;
    }
    /** Flips point to one corresponding to (x, -y) in Affine coordinates. */
    negate() {
      return new Point(this.X, Fp.neg(this.Y), this.Z);
    }
    // Renes-Costello-Batina exception-free doubling formula.
    // There is 30% faster Jacobian formula, but it is not complete.
    // https://eprint.iacr.org/2015/1060, algorithm 3
    // Cost: 8M + 3S + 3*a + 2*b3 + 15add.
    double() {
      const { X: X1, Y: Y1, Z: Z1 } = this;
      let X3 = Fp.ZERO, Y3 = Fp.ZERO, Z3 = Fp.ZERO;
      let t0 = Fp.mul(X1, X1);
      let t1 = Fp.mul(Y1, Y1);
      let t2 = Fp.mul(Z1, Z1);
      let t3 = Fp.mul(X1, Y1);
      t3 = Fp.add(t3, t3);
      Z3 = Fp.mul(X1, Z1);
      Z3 = Fp.add(Z3, Z3);
      X3 = mulA(Z3);
      Y3 = Fp.mul(b3, t2);
      Y3 = Fp.add(X3, Y3);
      X3 = Fp.sub(t1, Y3);
      Y3 = Fp.add(t1, Y3);
      Y3 = Fp.mul(X3, Y3);
      X3 = Fp.mul(t3, X3);
      Z3 = Fp.mul(b3, Z3);
      t2 = mulA(t2);
      t3 = Fp.sub(t0, t2);
      t3 = mulA(t3);
      t3 = Fp.add(t3, Z3);
      Z3 = Fp.add(t0, t0);
      t0 = Fp.add(Z3, t0);
      t0 = Fp.add(t0, t2);
      t0 = Fp.mul(t0, t3);
      Y3 = Fp.add(Y3, t0);
      t2 = Fp.mul(Y1, Z1);
      t2 = Fp.add(t2, t2);
      t0 = Fp.mul(t2, t3);
      X3 = Fp.sub(X3, t0);
      Z3 = Fp.mul(t2, t1);
      Z3 = Fp.add(Z3, Z3);
      Z3 = Fp.add(Z3, Z3);
      return new Point(X3, Y3, Z3);
    }
    // Renes-Costello-Batina exception-free addition formula.
    // There is 30% faster Jacobian formula, but it is not complete.
    // https://eprint.iacr.org/2015/1060, algorithm 1
    // Cost: 12M + 0S + 3*a + 3*b3 + 23add.
    add(other) {
      aprjpoint(other);
      const { X: X1, Y: Y1, Z: Z1 } = this;
      const { X: X2, Y: Y2, Z: Z2 } = other;
      let X3 = Fp.ZERO, Y3 = Fp.ZERO, Z3 = Fp.ZERO;
      let t0 = Fp.mul(X1, X2);
      let t1 = Fp.mul(Y1, Y2);
      let t2 = Fp.mul(Z1, Z2);
      let t3 = Fp.add(X1, Y1);
      let t4 = Fp.add(X2, Y2);
      t3 = Fp.mul(t3, t4);
      t4 = Fp.add(t0, t1);
      t3 = Fp.sub(t3, t4);
      t4 = Fp.add(X1, Z1);
      let t5 = Fp.add(X2, Z2);
      t4 = Fp.mul(t4, t5);
      t5 = Fp.add(t0, t2);
      t4 = Fp.sub(t4, t5);
      t5 = Fp.add(Y1, Z1);
      X3 = Fp.add(Y2, Z2);
      t5 = Fp.mul(t5, X3);
      X3 = Fp.add(t1, t2);
      t5 = Fp.sub(t5, X3);
      Z3 = mulA(t4);
      X3 = Fp.mul(b3, t2);
      Z3 = Fp.add(X3, Z3);
      X3 = Fp.sub(t1, Z3);
      Z3 = Fp.add(t1, Z3);
      Y3 = Fp.mul(X3, Z3);
      t1 = Fp.add(t0, t0);
      t1 = Fp.add(t1, t0);
      t2 = mulA(t2);
      t4 = Fp.mul(b3, t4);
      t1 = Fp.add(t1, t2);
      t2 = Fp.sub(t0, t2);
      t2 = mulA(t2);
      t4 = Fp.add(t4, t2);
      t0 = Fp.mul(t1, t4);
      Y3 = Fp.add(Y3, t0);
      t0 = Fp.mul(t5, t4);
      X3 = Fp.mul(t3, X3);
      X3 = Fp.sub(X3, t0);
      t0 = Fp.mul(t3, t1);
      Z3 = Fp.mul(t5, Z3);
      Z3 = Fp.add(Z3, t0);
      return new Point(X3, Y3, Z3);
    }
    subtract(other) {
      aprjpoint(other);
      return this.add(other.negate());
    }
    is0() {
      return this.equals(Point.ZERO);
    }
    /**
     * Constant time multiplication.
     * Uses precomputed tables (signed fixed-window wNAF) when available.
     * Uses scalar blinding and avoids endomorphism splitting in the secret-scalar path.
     * @param scalar - by which the point would be multiplied
     * @returns New point
     */
    multiply(scalar) {
      if (!Fn.isValidNot0(scalar))
        throw new RangeError("invalid scalar: out of range");
      const { p, f: f2 } = wnaf.mulSecret(this, scalar, cofactor, normalize);
      return normalize([p, f2])[0];
    }
    /**
     * Non-constant-time multiplication. Uses width-4 wNAF with GLV endomorphism splitting
     * when available (two half-width scalars sharing one halved doubling chain).
     * It's faster, but should only be used when you don't care about
     * an exposed secret key e.g. sig verification, which works over *public* keys.
     */
    multiplyUnsafe(scalar) {
      const p = this;
      const sc = scalar;
      if (!Fn.isValid(sc))
        throw new RangeError("invalid scalar: out of range");
      if (sc === _0n5 || p.is0())
        return Point.ZERO;
      if (sc === _1n4)
        return p;
      if (wnaf.hasWindowSize(this))
        return wnaf.mulUnsafe(p, sc, normalize);
      const points = [];
      const scalars = [];
      pushWnafPair(points, scalars, p, sc);
      return mulAddUnsafe(Point, points, scalars);
    }
    /**
     * Non-constant-time double-scalar multiplication `a⋅this + b⋅other` (Strauss–Shamir).
     * Both walks share one doubling chain via {@link mulAddUnsafe}, and GLV endomorphism
     * (when available) halves the chain again by splitting each scalar into two half-width
     * parts. Used by ECDSA verification and public-key recovery for `R = u1⋅G + u2⋅P`.
     * Only for public scalars.
     */
    mulAddUnsafe(a, other, b) {
      aprjpoint(other);
      const points = [];
      const scalars = [];
      pushWnafPair(points, scalars, this, a);
      pushWnafPair(points, scalars, other, b);
      return mulAddUnsafe(Point, points, scalars);
    }
    /**
     * Converts Projective point to affine (x, y) coordinates.
     * (X, Y, Z) ∋ (x=X/Z, y=Y/Z).
     * @param invertedZ - Z^-1 (inverted zero) - optional, precomputation is useful for invertBatch
     */
    toAffine(invertedZ) {
      const p = this;
      let iz = invertedZ;
      if (iz != null && !Fp.isValid(iz))
        throw new RangeError('"invertedZ" expected valid field element');
      const { X, Y, Z } = p;
      if (Fp.eql(Z, Fp.ONE))
        return { x: X, y: Y };
      const is0 = p.is0();
      if (iz == null)
        iz = is0 ? Fp.ONE : Fp.inv(Z);
      const x = Fp.mul(X, iz);
      const y = Fp.mul(Y, iz);
      const zz = Fp.mul(Z, iz);
      if (is0)
        return { x: Fp.ZERO, y: Fp.ZERO };
      if (!Fp.eql(zz, Fp.ONE))
        throw new Error("invZ was invalid");
      return { x, y };
    }
    /**
     * Checks whether Point is free of torsion elements (is in prime subgroup).
     * Always torsion-free for cofactor=1 curves.
     */
    isTorsionFree() {
      if (cofactor === _1n4)
        return true;
      if (isTorsionFree)
        return isTorsionFree(Point, this);
      return wnaf.mulUnsafe(this, CURVE_ORDER).is0();
    }
    clearCofactor() {
      if (cofactor === _1n4)
        return this;
      if (clearCofactor)
        return clearCofactor(Point, this);
      return this.multiplyUnsafe(cofactor);
    }
    isSmallOrder() {
      if (cofactor === _1n4)
        return this.is0();
      return this.clearCofactor().is0();
    }
    toBytes(isCompressed = true) {
      abool(isCompressed, "isCompressed");
      this.assertValidity();
      return encodePoint(Point, this, isCompressed);
    }
    toHex(isCompressed = true) {
      return bytesToHex2(this.toBytes(isCompressed));
    }
    toString() {
      return `<Point ${this.is0() ? "ZERO" : this.toHex()}>`;
    }
  }
  const normalize = (points) => normalizeZ(Point, points);
  const wnaf = new ScalarMultiplier(Point, randomBytes3);
  if (wnaf.bits >= 6)
    Point.BASE.precompute(6);
  Object.freeze(Point.prototype);
  Object.freeze(Point);
  return Point;
}
function pprefix(hasEvenY) {
  return Uint8Array.of(hasEvenY ? 2 : 3);
}
function getWLengths(Fp, Fn) {
  return {
    secretKey: Fn.BYTES,
    publicKey: 1 + Fp.BYTES,
    publicKeyUncompressed: 1 + 2 * Fp.BYTES,
    publicKeyHasPrefix: true,
    // Raw compact `(r || s)` signature width; DER and recovered signatures use
    // different lengths outside this helper.
    signature: 2 * Fn.BYTES
  };
}
function ecdh(Point, ecdhOpts = {}) {
  validatePointCons(Point);
  const { Fn } = Point;
  const randomBytes_ = ecdhOpts.randomBytes === void 0 ? randomBytes2 : ecdhOpts.randomBytes;
  const lengths = Object.assign(getWLengths(Point.Fp, Fn), {
    seed: Math.max(getMinHashLength(Fn.ORDER), 16)
  });
  function isValidSecretKey(secretKey) {
    try {
      const num = Fn.fromBytes(secretKey);
      return Fn.isValidNot0(num);
    } catch (error) {
      return false;
    }
  }
  function isValidPublicKey(publicKey, isCompressed) {
    const { publicKey: comp, publicKeyUncompressed } = lengths;
    try {
      const l = publicKey.length;
      if (isCompressed === true && l !== comp)
        return false;
      if (isCompressed === false && l !== publicKeyUncompressed)
        return false;
      return !Point.fromBytes(publicKey).is0();
    } catch (error) {
      return false;
    }
  }
  function randomSecretKey(seed) {
    seed = seed === void 0 ? randomBytes_(lengths.seed) : seed;
    return mapHashToField(abytes2(seed, lengths.seed, "seed"), Fn.ORDER);
  }
  function getPublicKey(secretKey, isCompressed = true) {
    return Point.BASE.multiply(Fn.fromBytes(secretKey)).toBytes(isCompressed);
  }
  function isProbPub(item) {
    const { secretKey, publicKey, publicKeyUncompressed } = lengths;
    const allowedLengths = Fn._lengths;
    if (!isBytes2(item))
      return void 0;
    const l = abytes2(item, void 0, "key").length;
    const isPub = l === publicKey || l === publicKeyUncompressed;
    const isSec = l === secretKey || !!allowedLengths?.includes(l);
    if (isPub && isSec)
      return void 0;
    return isPub;
  }
  function getSharedSecret(secretKeyA, publicKeyB, isCompressed = true) {
    if (isProbPub(secretKeyA) === true)
      throw new Error("first arg must be private key");
    if (isProbPub(publicKeyB) === false)
      throw new Error("second arg must be public key");
    const s = Fn.fromBytes(secretKeyA);
    const b = Point.fromBytes(publicKeyB);
    if (b.is0())
      throw new Error("invalid public key: point at infinity");
    return b.multiply(s).toBytes(isCompressed);
  }
  const utils = {
    isValidSecretKey,
    isValidPublicKey,
    randomSecretKey
  };
  const keygen = createKeygen(randomSecretKey, getPublicKey);
  Object.freeze(utils);
  Object.freeze(lengths);
  return Object.freeze({ getPublicKey, getSharedSecret, keygen, Point, utils, lengths });
}
function ecdsa(Point, hash, ecdsaOpts = {}) {
  validatePointCons(Point);
  const hash_ = hash;
  ahash(hash_);
  validateObject(ecdsaOpts, {}, {
    hmac: "function",
    lowS: "boolean",
    randomBytes: "function",
    bits2int: "function",
    bits2int_modN: "function"
  });
  const opts = Object.assign({}, ecdsaOpts);
  const randomBytes3 = opts.randomBytes === void 0 ? randomBytes2 : opts.randomBytes;
  const hmac2 = opts.hmac === void 0 ? (key3, msg) => hmac(hash_, key3, msg) : opts.hmac;
  const { Fp, Fn } = Point;
  const { ORDER: CURVE_ORDER, BITS: fnBits } = Fn;
  const blindLength = getMinHashLength(CURVE_ORDER);
  const csprng = probeRandomBytes(randomBytes3, blindLength);
  const { keygen, getPublicKey, getSharedSecret, utils, lengths } = ecdh(Point, opts);
  const defaultSigOpts = {
    prehash: true,
    lowS: typeof opts.lowS === "boolean" ? opts.lowS : true,
    format: "compact",
    extraEntropy: false
  };
  const hasLargeRecoveryLifts = CURVE_ORDER * _2n2 + _1n4 < Fp.ORDER;
  function isBiggerThanHalfOrder(number) {
    const HALF = CURVE_ORDER >> _1n4;
    return number > HALF;
  }
  function validateRS(title, num) {
    if (!Fn.isValidNot0(num))
      throw new Error(`invalid signature ${title}: out of range 1..Point.Fn.ORDER`);
    return num;
  }
  function assertFieldSignIsSupported() {
    if (!Fp.isOdd)
      throw new Error("Field doesn't support isOdd");
  }
  function getRecoveryBit(x, y, r) {
    assertFieldSignIsSupported();
    return (x === r ? 0 : 2) | Number(Fp.isOdd(y));
  }
  function assertRecoverableCurve() {
    if (hasLargeRecoveryLifts)
      throw new Error('"recovered" sig type is not supported for cofactor >2 curves');
  }
  function validateSigLength(bytes, format) {
    validateSigFormat(format);
    const size = lengths.signature;
    const sizer = format === "compact" ? size : format === "recovered" ? size + 1 : void 0;
    return abytes2(bytes, sizer);
  }
  class Signature {
    r;
    s;
    recovery;
    constructor(r, s, recovery) {
      this.r = validateRS("r", r);
      this.s = validateRS("s", s);
      if (recovery != null) {
        assertRecoverableCurve();
        if (![0, 1, 2, 3].includes(recovery))
          throw new Error("invalid recovery id");
        this.recovery = recovery;
      }
      Object.freeze(this);
    }
    static fromBytes(bytes, format = defaultSigOpts.format) {
      validateSigLength(bytes, format);
      let recid;
      if (format === "der") {
        if (bytes.length > 2 * Fn.BYTES + 16)
          throw new DER.Err("invalid signature: DER signature too long");
        const { r: r2, s: s2 } = DER.toSig(abytes2(bytes), Fn.BYTES + 1);
        return new Signature(r2, s2);
      }
      if (format === "recovered") {
        recid = bytes[0];
        format = "compact";
        bytes = bytes.subarray(1);
      }
      const L = lengths.signature / 2;
      const r = bytes.subarray(0, L);
      const s = bytes.subarray(L, L * 2);
      return new Signature(Fn.fromBytes(r), Fn.fromBytes(s), recid);
    }
    static fromHex(hex, format) {
      return this.fromBytes(hexToBytes2(hex), format);
    }
    assertRecovery() {
      const { recovery } = this;
      if (recovery == null)
        throw new Error("invalid recovery id: must be present");
      return recovery;
    }
    addRecoveryBit(recovery) {
      return new Signature(this.r, this.s, recovery);
    }
    // Unlike the top-level helper below, this method expects a digest that has
    // already been hashed to the curve's message representative.
    recoverPublicKey(messageHash) {
      const { r, s } = this;
      const recovery = this.assertRecovery();
      const radj = recovery === 2 || recovery === 3 ? r + CURVE_ORDER : r;
      if (!Fp.isValid(radj))
        throw new Error("invalid recovery id: sig.r+curve.n != R.x");
      const x = Fp.toBytes(radj);
      const R = Point.fromBytes(concatBytes2(pprefix((recovery & 1) === 0), x));
      const ir = Fn.inv(radj);
      const h = bits2int_modN(abytes2(messageHash, void 0, "msgHash"));
      const u1 = Fn.create(-h * ir);
      const u2 = Fn.create(s * ir);
      const Q = Point.BASE.mulAddUnsafe(u1, R, u2);
      if (Q.is0())
        throw new Error("invalid recovery: point at infinify");
      Q.assertValidity();
      return Q;
    }
    // Signatures should be low-s, to prevent malleability.
    hasHighS() {
      return isBiggerThanHalfOrder(this.s);
    }
    toBytes(format = defaultSigOpts.format) {
      validateSigFormat(format);
      if (format === "der")
        return hexToBytes2(DER.hexFromSig(this));
      const { r, s } = this;
      const rb = Fn.toBytes(r);
      const sb = Fn.toBytes(s);
      if (format === "recovered") {
        assertRecoverableCurve();
        return concatBytes2(Uint8Array.of(this.assertRecovery()), rb, sb);
      }
      return concatBytes2(rb, sb);
    }
    toHex(format) {
      return bytesToHex2(this.toBytes(format));
    }
  }
  Object.freeze(Signature.prototype);
  Object.freeze(Signature);
  const bits2int = opts.bits2int === void 0 ? function bits2int_def(bytes) {
    if (bytes.length > 8192)
      throw new Error("input is too large");
    const num = bytesToNumberBE(bytes);
    const delta = bytes.length * 8 - fnBits;
    return delta > 0 ? num >> BigInt(delta) : num;
  } : opts.bits2int;
  const bits2int_modN = opts.bits2int_modN === void 0 ? function bits2int_modN_def(bytes) {
    return Fn.create(bits2int(bytes));
  } : opts.bits2int_modN;
  const ORDER_MASK = bitMask(fnBits);
  function int2octets(num) {
    aInRange("num < 2^" + fnBits, num, _0n5, ORDER_MASK);
    return Fn.toBytes(num);
  }
  function validateMsgAndHash(message, prehash) {
    abytes2(message, void 0, "message");
    return prehash ? abytes2(hash_(message), void 0, "prehashed message") : message;
  }
  function prepSig(message, secretKey, opts2) {
    const { lowS, prehash, extraEntropy } = validateSigOpts(opts2, defaultSigOpts);
    message = validateMsgAndHash(message, prehash);
    const h1int = bits2int_modN(message);
    const d = Fn.fromBytes(secretKey);
    if (!Fn.isValidNot0(d))
      throw new Error("invalid private key");
    const seedArgs = [int2octets(d), int2octets(h1int)];
    if (extraEntropy != null && extraEntropy !== false) {
      const e = extraEntropy === true ? randomBytes3(lengths.secretKey) : extraEntropy;
      seedArgs.push(abytes2(e, void 0, "extraEntropy"));
    }
    const seed = concatBytes2(...seedArgs);
    const m = h1int;
    function k2sig(kBytes) {
      const k = bits2int(kBytes);
      if (!Fn.isValidNot0(k))
        return;
      const q = Point.BASE.multiply(k).toAffine();
      const r = Fn.create(q.x);
      if (r === _0n5)
        return;
      let s;
      if (csprng !== void 0) {
        const b = bytesToNumberBE(mapHashToField(csprng(blindLength), CURVE_ORDER));
        const ibk = Fn.inv(Fn.mul(b, k));
        const bm = Fn.mul(b, m);
        const bd = Fn.mul(b, d);
        s = Fn.create(ibk * Fn.create(bm + bd * r));
      } else {
        const ik = invertCt(k, CURVE_ORDER);
        s = Fn.create(ik * Fn.create(m + r * d));
      }
      if (s === _0n5)
        return;
      let recovery = getRecoveryBit(q.x, q.y, r);
      let normS = s;
      if (lowS && isBiggerThanHalfOrder(s)) {
        normS = Fn.neg(s);
        recovery ^= 1;
      }
      return new Signature(r, normS, hasLargeRecoveryLifts ? void 0 : recovery);
    }
    return { seed, k2sig };
  }
  function sign(message, secretKey, opts2 = {}) {
    const { seed, k2sig } = prepSig(message, secretKey, opts2);
    const drbg = createHmacDrbg(hash_.outputLen, Fn.BYTES, hmac2);
    const sig = drbg(seed, k2sig);
    return sig.toBytes(opts2.format);
  }
  function verify(signature, message, publicKey, opts2 = {}) {
    const { lowS, prehash, format } = validateSigOpts(opts2, defaultSigOpts);
    publicKey = abytes2(publicKey, void 0, "publicKey");
    message = validateMsgAndHash(message, prehash);
    if (!isBytes2(signature)) {
      const end = signature instanceof Signature ? ", use sig.toBytes()" : "";
      throw new Error("verify expects Uint8Array signature" + end);
    }
    validateSigLength(signature, format);
    try {
      const sig = Signature.fromBytes(signature, format);
      const P = Point.fromBytes(publicKey);
      if (P.is0())
        return false;
      if (lowS && sig.hasHighS())
        return false;
      const { r, s } = sig;
      const h = bits2int_modN(message);
      const is = Fn.inv(s);
      const u1 = Fn.create(h * is);
      const u2 = Fn.create(r * is);
      const R = Point.BASE.mulAddUnsafe(u1, P, u2);
      if (R.is0())
        return false;
      const q = R.toAffine();
      const v = Fn.create(q.x);
      if (v !== r)
        return false;
      if (format === "recovered" && sig.recovery !== getRecoveryBit(q.x, q.y, r))
        return false;
      return true;
    } catch (e) {
      return false;
    }
  }
  function recoverPublicKey(signature, message, opts2 = {}) {
    const { prehash } = validateSigOpts(opts2, defaultSigOpts);
    message = validateMsgAndHash(message, prehash);
    return Signature.fromBytes(signature, "recovered").recoverPublicKey(message).toBytes();
  }
  return Object.freeze({
    keygen,
    getPublicKey,
    getSharedSecret,
    utils,
    lengths,
    Point,
    sign,
    verify,
    recoverPublicKey,
    Signature,
    hash: hash_
  });
}

// node_modules/@noble/curves/nist.js
var p256_CURVE = /* @__PURE__ */ (() => ({
  p: BigInt("0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
  n: BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
  h: BigInt(1),
  a: BigInt("0xffffffff00000001000000000000000000000000fffffffffffffffffffffffc"),
  b: BigInt("0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
  Gx: BigInt("0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
  Gy: BigInt("0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")
}))();
var p256_Point = /* @__PURE__ */ weierstrass(p256_CURVE);
var p256 = /* @__PURE__ */ ecdsa(p256_Point, sha256);

// src/sign/keys.ts
var LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
var utf8 = new TextEncoder();
function hmacKeyBytes(key3) {
  if (key3 === void 0 || key3 === null) throw new SignError("EI_SIGN_NO_KEY", "HS256 needs an HMAC key (hmacKey)");
  if (key3 instanceof Uint8Array) return key3;
  if (typeof key3 !== "string") throw new SignError("EI_SIGN_BAD_KEY", `HMAC key must be a string, got ${typeof key3}`);
  if (LONE_SURROGATE.test(key3)) throw new SignError("EI_SIGN_BAD_KEY", "HMAC key is not well-formed Unicode (lone surrogate)");
  return utf8.encode(key3);
}
function es256PrivateKey(key3) {
  if (key3 === void 0 || key3 === null) throw new SignError("EI_SIGN_NO_KEY", "ES256 needs a P-256 private key (privateKey)");
  if (!(key3 instanceof Uint8Array) || key3.length !== 32 || !p256.utils.isValidSecretKey(key3)) {
    throw new SignError("EI_SIGN_BAD_KEY", `ES256 private key must be a 32-byte P-256 scalar (got ${describe(key3)})`);
  }
  return key3;
}
function describe(key3) {
  return key3 instanceof Uint8Array ? `${key3.length} bytes` : typeof key3;
}

// src/sign/es256.ts
function es256SignDigest(digest2, privateKey) {
  return p256.sign(digest2, es256PrivateKey(privateKey), { prehash: false, lowS: false, format: "compact" });
}

// src/sign/hex.ts
var HEX2 = new Uint8Array(16);
for (let i = 0; i < 16; i++) HEX2[i] = "0123456789abcdef".charCodeAt(i);
function writeHexInto(bytes, out, offset) {
  if (offset < 0 || offset + bytes.length * 2 > out.length) {
    throw new RangeError(`hex output needs ${bytes.length * 2} bytes at offset ${offset}, buffer has ${out.length}`);
  }
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out[offset + 2 * i] = HEX2[b >>> 4];
    out[offset + 2 * i + 1] = HEX2[b & 15];
  }
}
function toHex(bytes) {
  const need = bytes.length * 2;
  const out = need === 64 ? ascii64 : need === 128 ? ascii128 : new Uint8Array(need);
  writeHexInto(bytes, out, 0);
  return latin1.decode(out);
}
var ascii64 = new Uint8Array(64);
var ascii128 = new Uint8Array(128);
var latin1 = new TextDecoder("latin1");

// src/sign/hash-backend.ts
var nodeCryptoCache;
function nodeCrypto() {
  if (nodeCryptoCache === void 0) {
    const proc = globalThis.process;
    let mod2;
    try {
      mod2 = proc?.getBuiltinModule?.("node:crypto");
    } catch {
      mod2 = void 0;
    }
    nodeCryptoCache = mod2 && typeof mod2.createHmac === "function" ? mod2 : null;
  }
  return nodeCryptoCache;
}
var NodeMac = class {
  constructor(h) {
    this.h = h;
  }
  h;
  update(chunk) {
    this.h.update(chunk);
  }
  digestInto(out) {
    out.set(this.h.digest());
  }
  digestHex() {
    return this.h.digest("hex");
  }
};
function nodeBackend(c) {
  return {
    name: "node",
    sha256: () => new NodeMac(c.createHash("sha256")),
    hmacSha256(key3) {
      const k = c.createSecretKey(key3);
      return { create: () => new NodeMac(c.createHmac("sha256", k)) };
    }
  };
}
var NobleMac = class {
  constructor(h, release) {
    this.h = h;
    this.release = release;
  }
  h;
  release;
  update(chunk) {
    this.h.update(chunk);
  }
  digestInto(out) {
    this.h.digestInto(out);
    this.release?.(this.h);
  }
  digestHex() {
    this.digestInto(scratch);
    return toHex(scratch);
  }
};
var scratch = new Uint8Array(32);
var nobleBackend = {
  name: "noble",
  sha256: () => new NobleMac(sha256.create()),
  hmacSha256(key3) {
    const template = hmac.create(sha256, key3);
    let spare = null;
    return {
      create() {
        const target = spare ?? void 0;
        spare = null;
        const h = template._cloneInto(target);
        return new NobleMac(h, (done) => {
          spare = done;
        });
      }
    };
  }
};
function hashBackend(choice = "auto") {
  if (choice === "noble") return nobleBackend;
  if (choice === "node" || choice === "auto") {
    const c = nodeCrypto();
    if (c) return nodeBackend(c);
    if (choice === "auto") return nobleBackend;
    throw new SignError("EI_SIGN_BAD_BACKEND", "hash backend 'node' requested but node:crypto is not available");
  }
  throw new SignError("EI_SIGN_BAD_BACKEND", `unknown hash backend '${String(choice)}' (expected node, noble or auto)`);
}

// src/sign/signer.ts
var PLACEHOLDERS = {
  none: "00",
  HS256: "0".repeat(64),
  ES256: "0".repeat(128)
};
function createSigner(alg, opts = {}) {
  switch (alg) {
    case "none":
      return { alg, placeholder: PLACEHOLDERS.none, backend: "none", begin: () => new NoneSession() };
    case "HS256": {
      const key3 = hmacKeyBytes(opts.hmacKey);
      const backend = hashBackend(opts.backend);
      const keyed = backend.hmacSha256(key3);
      return { alg, placeholder: PLACEHOLDERS.HS256, backend: backend.name, begin: () => new MacSession(keyed.create(), null) };
    }
    case "ES256": {
      const key3 = es256PrivateKey(opts.privateKey);
      const backend = hashBackend(opts.backend);
      return { alg, placeholder: PLACEHOLDERS.ES256, backend: backend.name, begin: () => new MacSession(backend.sha256(), key3) };
    }
    default:
      throw new SignError("EI_SIGN_BAD_ALG", `unknown signing algorithm '${String(alg)}' (expected none, HS256 or ES256)`);
  }
}
var ZERO_ZERO = new Uint8Array([48, 48]);
var NoneSession = class {
  done = false;
  update() {
    if (this.done) throw spent();
  }
  finish() {
    this.end();
    return "00";
  }
  finishInto(out, offset) {
    if (offset < 0 || offset + 2 > out.length) throw new RangeError("signature does not fit the output buffer");
    this.end();
    out.set(ZERO_ZERO, offset);
  }
  end() {
    if (this.done) throw spent();
    this.done = true;
  }
};
var MacSession = class {
  constructor(mac, es256Key) {
    this.mac = mac;
    this.es256Key = es256Key;
  }
  mac;
  es256Key;
  done = false;
  update(chunk) {
    if (this.done) throw spent();
    this.mac.update(chunk);
  }
  finish() {
    this.end();
    if (!this.es256Key) return this.mac.digestHex();
    this.mac.digestInto(digest);
    return toHex(es256SignDigest(digest, this.es256Key));
  }
  finishInto(out, offset) {
    const len = this.es256Key ? 128 : 64;
    if (offset < 0 || offset + len > out.length) throw new RangeError("signature does not fit the output buffer");
    this.end();
    this.mac.digestInto(digest);
    writeHexInto(this.es256Key ? es256SignDigest(digest, this.es256Key) : digest, out, offset);
  }
  end() {
    if (this.done) throw spent();
    this.done = true;
  }
};
var digest = new Uint8Array(32);
function spent() {
  return new SignError("EI_SIGN_STATE", "signing session already finished; call begin() again");
}

// src/sign/locate.ts
var SIGNATURE = bytesOf("signature");
var PROTECTED = bytesOf("protected");
var ALG = bytesOf("alg");
function bytesOf(s) {
  return new TextEncoder().encode(s);
}

// src/sign/verify.ts
var ZEROS = new Uint8Array(128).fill(48);

// src/encode/signing.ts
var last = null;
function signerFor(alg, opts) {
  const backend = opts.hashBackend ?? "auto";
  const hmacKey = alg === "HS256" ? opts.hmacKey : void 0;
  const privateKey = alg === "ES256" ? opts.privateKey : void 0;
  const l = last;
  if (l !== null && l.alg === alg && l.hmacKey === hmacKey && l.privateKey === privateKey && l.backend === backend) return l.signer;
  const signer = createSigner(alg, { hmacKey, privateKey, backend });
  last = { alg, hmacKey, privateKey, backend, signer };
  return signer;
}

// src/encode/writer.ts
var DEFAULT_BUFFER_SIZE = 64 * 1024;
var DEFAULT_SLACK = 8 * 1024;
var POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
var ByteWriter = class {
  buf;
  dv;
  /** `buf[0, cap)`: the view handed out for every full chunk. */
  full;
  cap;
  /** Write position inside `buf`. */
  pos = 0;
  /** Bytes handed out before `buf[0]` in this pass. */
  flushed = 0;
  constructor(cap, slack = DEFAULT_SLACK) {
    this.cap = cap;
    this.buf = new Uint8Array(cap + slack);
    this.dv = new DataView(this.buf.buffer);
    this.full = this.buf.subarray(0, cap);
  }
  /** Absolute offset of the next byte in the body. */
  get offset() {
    return this.flushed + this.pos;
  }
  /**
   * Makes sure `n` more bytes fit: the only bounds check. Items never exceed the slack in
   * practice (a row is at most width × 25 bytes); a larger one (a huge device name) grows the
   * buffer once, and the grown buffer goes back to the pool.
   */
  reserve(n) {
    if (this.pos + n > this.buf.length) this.grow(this.pos + n);
  }
  /** Makes sure an item of `n` bytes always fits once `pos < cap` (value loops check only pos). */
  ensureSlack(n) {
    if (this.buf.length - this.cap < n) this.grow(this.cap + n);
  }
  grow(need) {
    const next = new Uint8Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
    this.full = next.subarray(0, this.cap);
  }
  /** Start of a pass. */
  reset() {
    this.pos = 0;
    this.flushed = 0;
  }
  /** After `full` has been consumed: moves the bytes past `cap` to the front. */
  shift() {
    const over = this.pos - this.cap;
    if (over > 0) this.buf.copyWithin(0, this.cap, this.pos);
    this.pos = over;
    this.flushed += this.cap;
  }
  /** The last, partial chunk (one allocation per pass). */
  takeRest() {
    const out = this.buf.subarray(0, this.pos);
    this.flushed += this.pos;
    this.pos = 0;
    return out;
  }
  u8(b) {
    this.buf[this.pos++] = b;
  }
  u16(v) {
    this.dv.setUint16(this.pos, v);
    this.pos += 2;
  }
  u32(v) {
    this.dv.setUint32(this.pos, v);
    this.pos += 4;
  }
  f32(x) {
    this.dv.setFloat32(this.pos, x);
    this.pos += 4;
  }
  f64(x) {
    this.dv.setFloat64(this.pos, x);
    this.pos += 8;
  }
  /** Copies constant bytes (precomputed keys). */
  bytes(src) {
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }
  /** Writes `s` as UTF-8 (caller reserved `utf8Length(s)` bytes; `s` is well-formed). */
  utf8(s) {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 128) b[p++] = c;
      else if (c < 2048) {
        b[p++] = 192 | c >> 6;
        b[p++] = 128 | c & 63;
      } else if (c >= 55296 && c <= 56319) {
        c = 65536 + (c - 55296 << 10) + (s.charCodeAt(++i) - 56320);
        b[p++] = 240 | c >> 18;
        b[p++] = 128 | c >> 12 & 63;
        b[p++] = 128 | c >> 6 & 63;
        b[p++] = 128 | c & 63;
      } else {
        b[p++] = 224 | c >> 12;
        b[p++] = 128 | c >> 6 & 63;
        b[p++] = 128 | c & 63;
      }
    }
    this.pos = p;
  }
  /** ASCII text (number strings, literals). */
  ascii(s) {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }
  /** A non-negative safe integer in decimal, without making a string. */
  decimal(x) {
    let digits = 1;
    for (let t = x; t >= 10; t = Math.floor(t / 10)) digits++;
    const b = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    while (x >= 10) {
      const q = Math.floor(x / 10);
      b[--p] = 48 + (x - q * 10);
      x = q;
    }
    b[--p] = 48 + x;
  }
  /**
   * A non-integer in [1e-6, 1e7) with at most 8 fraction digits, written as Number::toString
   * would (shortest round-trip digits, plain notation); false (nothing written) otherwise.
   * m / 10^k === x is an exact round-trip test (both exact, division correctly rounded), and
   * the smallest such k gives the fewest digits.
   */
  fixedDecimal(x) {
    const ax = x < 0 ? -x : x;
    if (!(ax >= 1e-6 && ax < 1e7)) return false;
    const t = ax * 1e8;
    if (Math.abs(t - Math.round(t)) > t * 1e-15 + 1e-9) return false;
    for (let k = 1; k <= 8; k++) {
      const p = POW10[k];
      const m = Math.round(ax * p);
      if (m / p !== ax) continue;
      if ((m - 1) / p === ax || (m + 1) / p === ax) return false;
      if (x < 0) this.u8(45);
      const ip = Math.floor(m / p);
      this.decimal(ip);
      this.u8(46);
      let frac = m - ip * p;
      const b = this.buf;
      const end = this.pos + k;
      for (let q = end - 1; q >= this.pos; q--) {
        const d = frac % 10;
        b[q] = 48 + d;
        frac = (frac - d) / 10;
      }
      this.pos = end;
      return true;
    }
    return false;
  }
  /** Little-endian sample writes for binary tails. */
  le(x, type) {
    const dv = this.dv;
    const p = this.pos;
    switch (type) {
      case "i8":
        dv.setInt8(p, x);
        this.pos = p + 1;
        return;
      case "u8":
        dv.setUint8(p, x);
        this.pos = p + 1;
        return;
      case "i16":
        dv.setInt16(p, x, true);
        this.pos = p + 2;
        return;
      case "u16":
        dv.setUint16(p, x, true);
        this.pos = p + 2;
        return;
      case "i32":
        dv.setInt32(p, x, true);
        this.pos = p + 4;
        return;
      case "u32":
        dv.setUint32(p, x, true);
        this.pos = p + 4;
        return;
      case "f32":
        dv.setFloat32(p, x, true);
        this.pos = p + 4;
        return;
    }
  }
};
var POOL_MAX = 4;
var pools = /* @__PURE__ */ new Map();
function acquireWriter(cap) {
  const p = pools.get(cap);
  if (p !== void 0 && p.n > 0) {
    const w = p.free[--p.n];
    p.free[p.n] = null;
    w.reset();
    return w;
  }
  return new ByteWriter(cap);
}
function releaseWriter(w) {
  let p = pools.get(w.cap);
  if (p === void 0) pools.set(w.cap, p = { free: [null, null, null, null], n: 0 });
  if (p.n >= POOL_MAX) return;
  for (let i = 0; i < p.n; i++) if (p.free[i] === w) return;
  p.free[p.n++] = w;
}

// src/encode/one-pass.ts
var MemorySink = class {
  buf = new Uint8Array(1024);
  len = 0;
  write(chunk) {
    if (this.len + chunk.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + chunk.length));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }
  patch(offset, bytes) {
    if (offset < 0 || offset + bytes.length > this.len) throw new RangeError("patch outside the written bytes");
    this.buf.set(bytes, offset);
  }
  /** The bytes written so far. */
  bytes() {
    return this.buf.slice(0, this.len);
  }
};
function encodeOnePass(plan, signer, sink2) {
  const w = acquireWriter(plan.bufferSize);
  try {
    const run = new EncodeRun(plan, w, signer.placeholder);
    const session = signer.begin();
    const hash = plan.alg !== "none";
    for (let c = run.next(); c !== null; c = run.next()) {
      if (hash) session.update(c);
      sink2.write(c);
    }
    if (run.error) throw run.error;
    const signature = session.finish();
    const sigBytes = new Uint8Array(signature.length);
    for (let i = 0; i < signature.length; i++) sigBytes[i] = signature.charCodeAt(i);
    sink2.patch(run.sigOffset, sigBytes);
    return { length: run.emitted, signature, signatureOffset: run.sigOffset, contentType: plan.contentType };
  } finally {
    releaseWriter(w);
  }
}

// src/encode/document-body.ts
var EncodeStateError = class extends EiError {
  constructor(message, options) {
    super("EI_ENC_INPUT_CHANGED", message, options);
  }
};
var DocumentBody = class {
  constructor(plan, length, signature, signatureOffset) {
    this.plan = plan;
    this.length = length;
    this.signature = signature;
    this.signatureOffset = signatureOffset;
  }
  plan;
  length;
  signature;
  signatureOffset;
  get contentType() {
    return this.plan.contentType;
  }
  chunks() {
    return new ChunkIterator(this.plan, this.signature, this.length);
  }
};
var ChunkIterator = class {
  constructor(plan, sig, length) {
    this.plan = plan;
    this.sig = sig;
    this.length = length;
  }
  plan;
  sig;
  length;
  w = null;
  run = null;
  finished = false;
  result = { value: EMPTY, done: false };
  [Symbol.iterator]() {
    return this;
  }
  next() {
    const r = this.result;
    if (this.finished) return this.end();
    if (this.run === null) {
      this.w = acquireWriter(this.plan.bufferSize);
      this.run = new EncodeRun(this.plan, this.w, this.sig);
    }
    const chunk = this.run.next();
    if (chunk !== null) {
      r.value = chunk;
      r.done = false;
      return r;
    }
    const run = this.run;
    const emitted = run.emitted;
    this.release();
    if (run.error) throw new EncodeStateError("the document changed after it was signed; encode it again", { cause: run.error });
    if (emitted !== this.length) throw new EncodeStateError(`emitted ${emitted} bytes, signed ${this.length}: the document changed after it was signed`);
    return this.end();
  }
  return() {
    this.release();
    return this.end();
  }
  end() {
    this.finished = true;
    this.result.value = EMPTY;
    this.result.done = true;
    return this.result;
  }
  release() {
    if (this.w !== null) releaseWriter(this.w);
    this.w = null;
    this.finished = true;
  }
};
var EMPTY = new Uint8Array(0);
function measure(plan, sig, session) {
  const w = acquireWriter(plan.bufferSize);
  try {
    const run = new EncodeRun(plan, w, sig);
    for (let c = run.next(); c !== null; c = run.next()) if (session !== null) session.update(c);
    if (run.error) throw run.error;
    return run;
  } finally {
    releaseWriter(w);
  }
}
function encodeDocument(doc, opts) {
  const plan = makePlan(doc, opts);
  const signer = signerFor(plan.alg, opts);
  if (plan.shape.kind === "pull") {
    const sink2 = new MemorySink();
    const r = encodeOnePass(plan, signer, sink2);
    return new PulledBody(sink2.bytes(), plan.contentType, r.signature, r.signatureOffset);
  }
  const session = signer.begin();
  const placeholder = signer.placeholder;
  const run = measure(plan, placeholder, plan.alg === "none" ? null : session);
  const signature = session.finish();
  if (signature.length !== placeholder.length) throw new DocumentError("EI_DOC_OPTION", "options.alg", "signer returned a signature of the wrong length");
  return new DocumentBody(plan, run.emitted, signature, run.sigOffset);
}
var PulledBody = class {
  constructor(bytes, contentType, signature, signatureOffset) {
    this.bytes = bytes;
    this.contentType = contentType;
    this.signature = signature;
    this.signatureOffset = signatureOffset;
  }
  bytes;
  contentType;
  signature;
  signatureOffset;
  get length() {
    return this.bytes.length;
  }
  *chunks() {
    if (this.bytes.length > 0) yield this.bytes;
  }
};

// .h1-cmp.tmp.mts
var [variant, Ns] = [process.argv[2], process.argv[3]];
var N = Number(Ns);
var data = new Float64Array(N * 3);
for (let i = 0; i < data.length; i++) data[i] = process.env.DEC ? Math.round(Math.sin(i) * 1e3) / 100 : Math.sin(i) * 10;
var rows = Array.from({ length: N }, (_, i) => [data[3 * i], data[3 * i + 1], data[3 * i + 2]]);
var sensors = [{ name: "accX", units: "m/s2" }, { name: "accY", units: "m/s2" }, { name: "accZ", units: "m/s2" }];
var key2 = "made-up-hmac-key";
var sink = 0;
var variants = {
  ours_cbor: () => {
    const b = encodeDocument({ payload: { device_type: "T", interval_ms: 10, sensors, values: { data, width: 3 } } }, { format: "cbor", hmacKey: key2 });
    for (const c of b.chunks()) sink ^= c[0];
  },
  ours_json: () => {
    const b = encodeDocument({ payload: { device_type: "T", interval_ms: 10, sensors, values: { data, width: 3 } } }, { format: "json", hmacKey: key2 });
    for (const c of b.chunks()) sink ^= c[0];
  },
  cborx: () => {
    const doc = { protected: { ver: "v1", alg: "HS256" }, signature: "0".repeat(64), payload: { device_type: "T", interval_ms: 10, sensors, values: rows } };
    const b = cborxEncode(doc);
    const sig = createHmac("sha256", key2).update(b).digest("hex");
    doc.signature = sig;
    const b2 = cborxEncode(doc);
    sink ^= b2[0];
  },
  stringify2: () => {
    const doc = { protected: { ver: "v1", alg: "HS256" }, signature: "0".repeat(64), payload: { device_type: "T", interval_ms: 10, sensors, values: rows } };
    const s = JSON.stringify(doc);
    doc.signature = createHmac("sha256", key2).update(s).digest("hex");
    const s2 = JSON.stringify(doc);
    sink ^= s2.length;
  },
  sha_only: () => {
    const b = Buffer.alloc(N * 28 + 200);
    sink ^= createHmac("sha256", key2).update(b).digest()[0];
  }
};
var f = variants[variant];
var reps = N >= 1e5 ? 20 : 500;
for (let i = 0; i < reps; i++) f();
var ts = [];
for (let r = 0; r < 7; r++) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const c = process.cpuUsage(c0);
  ts.push((c.user + c.system) / reps);
}
ts.sort((a, b) => a - b);
console.log(`${variant.padEnd(11)} N=${N}: ${ts[3].toFixed(0)} \xB5s (median cpu)`);
/*! Bundled license information:

@noble/curves/utils.js:
@noble/curves/abstract/modular.js:
@noble/curves/abstract/curve.js:
@noble/curves/abstract/der.js:
@noble/curves/abstract/weierstrass.js:
@noble/curves/nist.js:
  (*! noble-curves - MIT License (c) 2022 Paul Miller (paulmillr.com) *)
*/
