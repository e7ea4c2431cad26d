/**
 * Finds where each top-level member's value lies in raw JSON text, so the verifier can zero the
 * signature in place (FACTS §1) without re-serialising. Parsing the values is left to JSON.parse;
 * this only walks the top-level object and skips nested values, strings aware.
 */
import { SampleFormatError } from './errors.ts';
import type { TopLevelSpan } from './cbor-decode.ts';

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

function fail(msg: string, at: number): never {
  throw new SampleFormatError('EI_SVC_JSON', `Invalid JSON: ${msg} at byte ${at}`);
}

function skipWs(b: Uint8Array, i: number): number {
  while (i < b.length && WS.has(b[i])) i++;
  return i;
}

/** Returns the offset just past the string starting at `i` (which must be a quote). */
function skipString(b: Uint8Array, i: number): number {
  i++;
  while (i < b.length) {
    const c = b[i];
    if (c === 0x5c) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return fail('unterminated string', i);
}

/** Skips any JSON value (validity is JSON.parse's job; this only has to find the end). */
function skipValue(b: Uint8Array, i: number, maxDepth: number, path: string): number {
  if (i >= b.length) fail('value expected', i);
  const c = b[i];
  if (c === 0x22) return skipString(b, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    while (i < b.length) {
      const d = b[i];
      if (d === 0x22) {
        i = skipString(b, i);
        continue;
      }
      if (d === 0x7b || d === 0x5b) {
        // The member itself is depth 1 below the top-level object (CBOR counts the same way).
        if (++depth + 1 > maxDepth) throw new SampleFormatError('EI_SVC_JSON', `Invalid JSON: nesting deeper than ${maxDepth} at byte ${i}`, path);
      }
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return fail('unterminated container', i);
  }
  while (i < b.length && !WS.has(b[i]) && b[i] !== 0x2c && b[i] !== 0x7d && b[i] !== 0x5d) i++;
  return i;
}

/**
 * Spans of the top-level object's member values, by key.
 * @throws SampleFormatError when the top level is not an object or a key repeats.
 */
export function scanJsonTopLevel(b: Uint8Array, maxDepth = 32): Map<string, TopLevelSpan> {
  const spans = new Map<string, TopLevelSpan>();
  let i = skipWs(b, 0);
  if (b[i] !== 0x7b) fail('document is not an object', i);
  i = skipWs(b, i + 1);
  if (b[i] === 0x7d) return spans;
  for (;;) {
    if (b[i] !== 0x22) fail('member name expected', i);
    const kEnd = skipString(b, i);
    let key: string;
    try {
      key = JSON.parse(Buffer.from(b.buffer, b.byteOffset + i, kEnd - i).toString('utf8')) as string;
    } catch {
      return fail('bad member name', i);
    }
    if (spans.has(key)) fail(`duplicate member "${key.slice(0, 40)}"`, i);
    i = skipWs(b, kEnd);
    if (b[i] !== 0x3a) fail("':' expected", i);
    i = skipWs(b, i + 1);
    const start = i;
    const end = skipValue(b, i, maxDepth, key.slice(0, 40));
    const span: TopLevelSpan = { start, end };
    if (b[start] === 0x22) span.textStart = start + 1;
    spans.set(key, span);
    i = skipWs(b, end);
    if (b[i] === 0x2c) {
      i = skipWs(b, i + 1);
      continue;
    }
    if (b[i] === 0x7d) return spans;
    fail("',' or '}' expected", i);
  }
}
