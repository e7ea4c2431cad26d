/**
 * Header value checks and encodings. Nothing here emits bytes: it only decides whether a value
 * may go into a request head, and in which form (FACTS §4: label and file name URI-encoded as
 * the official tools do; metadata a JSON object of strings).
 */
import { HeaderValueError } from './errors.ts';

/**
 * Throws unless `value` can be written verbatim into a header: no CR, LF or NUL (request
 * smuggling / header injection), no other control characters, printable ASCII only.
 * @throws HeaderValueError naming `header` (never echoing the value: it may be a key)
 */
export function assertHeaderValue(header: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) throw new HeaderValueError(header, 'contains CR or LF');
    if (c === 0x00) throw new HeaderValueError(header, 'contains NUL');
    if (c < 0x20 && c !== 0x09) throw new HeaderValueError(header, `contains control character 0x${c.toString(16)}`);
    if (c === 0x7f) throw new HeaderValueError(header, 'contains DEL');
    if (c > 0x7e) throw new HeaderValueError(header, 'contains non-ASCII characters');
  }
  if (value.length > 0 && (value.charCodeAt(0) <= 0x20 || value.charCodeAt(value.length - 1) <= 0x20)) {
    throw new HeaderValueError(header, 'has leading or trailing whitespace');
  }
}

/**
 * The form label and file name take in `x-label` / `x-file-name`: CR/LF/NUL are refused first
 * (an encoded `%0D%0A` would pass the head but still be a hostile value), then the value is
 * `encodeURIComponent`-ed as the Edge Impulse CLI uploader does.
 * @throws HeaderValueError
 */
export function uriHeaderValue(header: string, value: string): string {
  rejectInjection(header, value);
  if (value.length === 0) throw new HeaderValueError(header, 'is empty');
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    throw new HeaderValueError(header, 'is not well-formed Unicode');
  }
  return encoded;
}

/**
 * `x-metadata`: a JSON object whose values are strings. Non-ASCII characters are written as
 * `\uXXXX` escapes so the header stays ASCII and the JSON still parses to the same object.
 * @throws HeaderValueError
 */
export function metadataHeaderValue(metadata: Record<string, string> | string): string {
  let obj: unknown = metadata;
  if (typeof metadata === 'string') {
    rejectInjection('x-metadata', metadata);
    try {
      obj = JSON.parse(metadata);
    } catch {
      throw new HeaderValueError('x-metadata', 'is not valid JSON');
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new HeaderValueError('x-metadata', 'must be a JSON object');
  }
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'string') throw new HeaderValueError('x-metadata', `value of key ${JSON.stringify(k)} must be a string`);
    rejectInjection('x-metadata', k);
    rejectInjection('x-metadata', v);
  }
  const json = JSON.stringify(obj).replace(/[\u007f-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
  assertHeaderValue('x-metadata', json);
  return json;
}

/** The filename parameter of a Content-Disposition: `"` escaped as `%22` (WHATWG form encoding). */
export function dispositionFileName(fileName: string): string {
  rejectInjection('Content-Disposition filename', fileName);
  if (fileName.length === 0) throw new HeaderValueError('Content-Disposition filename', 'is empty');
  return fileName.replace(/"/g, '%22');
}

function rejectInjection(header: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) throw new HeaderValueError(header, 'contains CR or LF');
    if (c === 0x00) throw new HeaderValueError(header, 'contains NUL');
  }
}
