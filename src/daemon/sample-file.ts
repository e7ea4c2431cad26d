/**
 * The sample file a board sends back, made ready to upload (FACTS §1, §11), pure: boards leave the
 * signature as 64 ASCII '0' (their sampler never writes the HMAC back), so a host that knows the
 * HMAC key signs the bytes as read and writes the digest over the placeholder, nothing else
 * changed. A file carrying a real signature is left alone. Content type: a `Ref-BINARY-…` body goes
 * as `application/octet-stream`, other CBOR as `application/cbor`, JSON as `application/json`.
 */
import { hashBackend, locateSignature, toHex } from '../sign/index.ts';
import { hmacKeyBytes } from '../sign/keys.ts';
import { BoardProtocolError } from './errors.ts';

export interface PreparedSample {
  body: Uint8Array;
  contentType: string;
  signature: string;
  /** How the signature came about. */
  signing: 'host' | 'board' | 'unsigned-placeholder' | 'none';
}

const ZERO = 0x30;
const REF_BINARY = new TextEncoder().encode('Ref-BINARY-');

function indexOf(hay: Uint8Array, needle: Uint8Array, end: number): number {
  outer: for (let i = 0; i + needle.length <= end; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** @throws BoardProtocolError when the file is not an acquisition document */
export function prepareBoardSample(file: Uint8Array, hmacKey: string): PreparedSample {
  let loc;
  try {
    loc = locateSignature(file);
  } catch (err) {
    throw new BoardProtocolError(`the board's sample file is not an acquisition document: ${(err as Error).message}`, { cause: err });
  }
  const body = file.slice();
  const sigLen = loc.end - loc.start;
  const placeholder = sigLen === 64 && body.subarray(loc.start, loc.end).every((b) => b === ZERO);
  let signing: PreparedSample['signing'] = loc.alg === 'none' ? 'none' : 'board';
  if (placeholder) {
    if (hmacKey.length > 0) {
      const mac = hashBackend('auto').hmacSha256(hmacKeyBytes(hmacKey)).create();
      mac.update(body);
      const digest = new Uint8Array(32);
      mac.digestInto(digest);
      body.set(new TextEncoder().encode(toHex(digest)), loc.start);
      signing = 'host';
    } else signing = 'unsigned-placeholder';
  }
  const signature = String.fromCharCode(...body.subarray(loc.start, loc.end));
  const contentType = loc.format === 'json' ? 'application/json' : indexOf(body, REF_BINARY, Math.min(body.length, 4096)) >= 0 ? 'application/octet-stream' : 'application/cbor';
  return { body, contentType, signature, signing };
}
