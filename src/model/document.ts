/**
 * The acquisition document (FACTS §1) as the encoders take it. Values come in one of several
 * shapes so that a live sensor never has to build `number[][]`: plain arrays, typed arrays
 * (row-major), a pull source of rows whose count is not known in advance, a binary tail, or an
 * image attachment reference.
 */

export type Alg = 'none' | 'HS256' | 'ES256';
export const ALGS: readonly Alg[] = ['none', 'HS256', 'ES256'];

/** Values a protected field may hold besides ver/alg/iat (e.g. the C SDK's `exp`). */
export type ProtectedValue = string | number | boolean | null;

/** `protected`: field order is kept as given; ver and alg are added first when absent. */
export interface ProtectedHeader {
  ver?: string;
  alg?: string;
  /** Issued-at, integer seconds since the epoch. */
  iat?: number;
  [field: string]: ProtectedValue | undefined;
}

export interface Sensor {
  name: string;
  /** SenML-like units: `m/s2`, `wav`, `rgba`, `N/A`. */
  units: string;
}

/** Row-major samples: row i is `data[i*width .. i*width+width)`. Encoded by a dedicated loop. */
export interface TypedRows {
  data: Float32Array | Float64Array;
  width: number;
}

/** One row from a pull source: one number per sensor, or a bare number for a single sensor. */
export type PulledRow = ArrayLike<number> | number;

/**
 * Rows pulled one at a time while encoding (a live sensor). Either an iterator/iterable of rows
 * or a callback returning the next row, or `null`/`undefined` at the end. Read exactly once.
 */
export type RowSource =
  | Iterator<PulledRow>
  | Iterable<PulledRow>
  | (() => PulledRow | null | undefined);

/** Sample types of a binary tail (`Ref-BINARY-<type>`, little-endian after the CBOR document). */
export type TailType = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'f32';
export const TAIL_TYPES: readonly TailType[] = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'f32'];
/** Bytes per sample of each tail type. */
export const TAIL_SIZES: Readonly<Record<TailType, number>> = { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4 };

/**
 * `values: ["Ref-BINARY-<type>"]` with the samples appended after the CBOR document (FACTS §1).
 * `data` is interleaved row-major like {@link TypedRows}; numbers must fit the type.
 */
export interface BinaryTail {
  tail: TailType;
  data: ArrayLike<number>;
}

/** `values: ["Ref-BINARY-image/jpeg (<n> bytes) <hmac>"]` (see `imageAttachmentValues`). */
export interface AttachmentRef {
  attachment: string;
}

export type Values =
  | readonly number[]
  | readonly (readonly number[])[]
  | Float32Array
  | Float64Array
  | TypedRows
  | RowSource
  | BinaryTail
  | AttachmentRef;

export interface Payload {
  device_name?: string;
  device_type: string;
  /** Milliseconds between rows; may be fractional (0.0625 at 16 kHz) and 0 for images. */
  interval_ms: number;
  sensors: readonly Sensor[];
  /**
   * One row per interval, one number per sensor. A bare `Float32Array`/`Float64Array` is read
   * row-major with width = `sensors.length`; a flat `number[]` needs exactly one sensor.
   */
  values: Values;
}

/** The input of `encodeDocument`. `signature` is ignored: the encoder computes it. */
export interface DocumentInput {
  protected?: ProtectedHeader;
  signature?: string;
  payload: Payload;
}
