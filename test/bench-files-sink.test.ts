// The bench's minimal /files peer counts multipart parts correctly however the body is split.
import { describe, expect, it } from 'vitest';
import { DelimiterCounter } from './bench/files-sink.ts';
import { multipartBody } from '../src/http/multipart.ts';
import { collectBody } from '../src/http/request.ts';
import { bodyFromBytes } from '../src/encode/body.ts';

describe('files sink delimiter counter', () => {
  it('counts parts + 1 delimiters for every split of a multipart body into two and three pieces', () => {
    const parts = [1, 2, 3].map((i) => ({ name: 'data', fileName: `f${i}.cbor`, contentType: 'application/cbor', body: bodyFromBytes(new Uint8Array(40).fill(0x2d), 'application/cbor') }));
    const bytes = Buffer.from(collectBody(multipartBody(parts, 'b0undary')));
    for (let i = 0; i <= bytes.length; i++) {
      const c = new DelimiterCounter('b0undary');
      c.feed(bytes.subarray(0, i));
      c.feed(bytes.subarray(i));
      expect(c.count).toBe(4);
    }
    for (let i = 0; i < bytes.length; i += 7) {
      for (let j = i; j < bytes.length; j += 11) {
        const c = new DelimiterCounter('b0undary');
        c.feed(bytes.subarray(0, i));
        c.feed(bytes.subarray(i, j));
        c.feed(bytes.subarray(j));
        expect(c.count).toBe(4);
      }
    }
  });
});
