/**
 * Errors of the document model. One class, one stable `code` per failure mode, and the `path` of
 * the field at fault in the document (`payload.values[17][2]`), so a caller or a CLI can point at
 * the exact place without parsing the message.
 */
import { EiError } from '../errors.ts';

/** Stable codes of {@link DocumentError}. */
export type DocumentErrorCode =
  | 'EI_DOC_SHAPE' // document / payload / protected is not an object
  | 'EI_DOC_DEVICE_TYPE' // device_type missing, empty or not a string
  | 'EI_DOC_STRING' // a string field has the wrong type or contains a lone surrogate
  | 'EI_DOC_INTERVAL' // interval_ms missing, negative or non-finite
  | 'EI_DOC_SENSORS' // sensors empty or not an array
  | 'EI_DOC_SENSOR' // one sensor entry malformed
  | 'EI_DOC_VALUES' // values of an unsupported kind
  | 'EI_DOC_ROW_WIDTH' // a row has a different number of values than there are sensors
  | 'EI_DOC_VALUE_TYPE' // a value is not a number
  | 'EI_DOC_NON_FINITE' // NaN / ±Infinity where the format (or the caller) forbids it
  | 'EI_DOC_TOO_MANY_ROWS' // more than 2^32 rows
  | 'EI_DOC_VERSION' // protected.ver is not "v1"
  | 'EI_DOC_ALG' // unknown alg (document or options)
  | 'EI_DOC_IAT' // iat not a non-negative integer
  | 'EI_DOC_PROTECTED' // a protected field value of an unsupported type
  | 'EI_DOC_TAIL' // binary tail malformed (type, data, or used with JSON)
  | 'EI_DOC_OPTION' // an encode option is invalid (format, layout, key missing)
  | 'EI_DOC_SOURCE'; // a pull source threw or returned something that is not a row

/** A document that cannot be encoded. Thrown before any byte is produced. */
export class DocumentError extends EiError {
  declare readonly code: DocumentErrorCode;
  /** Where in the document: `payload.values[17][2]`, `protected.alg`, `options.hmacKey`. */
  readonly path: string;

  constructor(code: DocumentErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, `${path}: ${message}`, options);
    this.path = path;
  }
}

/** `payload.values[row]` or `payload.values[row][col]` (col < 0: a flat single-axis value / whole row). */
export function valuePath(row: number, col: number): string {
  return col < 0 ? `payload.values[${row}]` : `payload.values[${row}][${col}]`;
}
