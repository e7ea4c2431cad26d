/**
 * Builds the bytes of an HTTP/1.1 request head (request line, headers, blank line). Pure: every
 * value is checked before the first byte is produced, so a bad value never reaches a socket.
 */
import { assertHeaderValue } from './header-values.ts';
import { HeaderValueError } from './errors.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PATH = /^\/[\x21-\x7e]*$/;

/** One header as it goes on the wire, in order. */
export type HeaderEntry = readonly [name: string, value: string];

/**
 * `METHOD path HTTP/1.1\r\n` + `name: value\r\n`… + `\r\n` as ASCII bytes.
 * @throws HeaderValueError for a bad method, path, header name or value
 * @example buildRequestHead('POST', '/api/training/data', [['Host', 'example.com']])
 */
export function buildRequestHead(method: string, path: string, headers: readonly HeaderEntry[]): Uint8Array {
  if (!TOKEN.test(method)) throw new HeaderValueError('request-line', 'bad method');
  if (!PATH.test(path)) throw new HeaderValueError('request-line', 'bad path');
  let text = `${method} ${path} HTTP/1.1\r\n`;
  for (const [name, value] of headers) {
    if (!TOKEN.test(name)) throw new HeaderValueError(name, 'bad header name');
    assertHeaderValue(name, value);
    text += `${name}: ${value}\r\n`;
  }
  text += '\r\n';
  // All checked printable ASCII, so latin1 = ASCII bytes.
  return Buffer.from(text, 'latin1');
}
