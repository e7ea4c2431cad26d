/**
 * Streaming frame decoder: bytes in any split → whole frames out, resynchronising at the next
 * 0x00 after line noise. Buffering is bounded: a run longer than the largest legal frame is
 * discarded up to the next delimiter (counted as `oversize`). Pure.
 */
import { cobsDecodeInto, cobsMaxEncodedLength } from './cobs.ts';
import { parseRawFrame } from './frame.ts';
import type { FrameFault, ParsedFrame } from './frame.ts';

export interface FrameCounts {
  frames: number;
  /** Blocks that were not valid COBS (noise with a 0x00 in it, or a cut frame). */
  cobsErrors: number;
  crcErrors: number;
  /** CRC right but fields wrong (version, lengths, UTF-8). */
  layoutErrors: number;
  oversize: number;
}

export class FrameDecoder {
  readonly counts: FrameCounts = { frames: 0, cobsErrors: 0, crcErrors: 0, layoutErrors: 0, oversize: 0 };
  private readonly maxBody: number;
  private readonly buf: Uint8Array;
  private len = 0;
  private discarding = false;

  /** @param maxBody largest body a frame may carry (default 1 MiB); sizes the one buffer. */
  constructor(maxBody = 1024 * 1024) {
    this.maxBody = maxBody;
    this.buf = new Uint8Array(cobsMaxEncodedLength(maxBody + 512));
  }

  /**
   * Feeds received bytes; returns the frames completed by them. Returned frames own their bytes
   * (copied out of the decoder's buffer).
   */
  push(chunk: Uint8Array, onFault?: (f: FrameFault | 'cobs' | 'oversize') => void): ParsedFrame[] {
    const out: ParsedFrame[] = [];
    let start = 0;
    for (;;) {
      const z = chunk.indexOf(0, start);
      const end = z < 0 ? chunk.length : z;
      if (!this.discarding) {
        const n = end - start;
        if (this.len + n > this.buf.length) {
          this.discarding = true;
          this.len = 0;
          this.counts.oversize++;
          onFault?.('oversize');
        } else {
          this.buf.set(chunk.subarray(start, end), this.len);
          this.len += n;
        }
      }
      if (z < 0) break;
      if (!this.discarding && this.len > 0) {
        const f = this.finish(onFault);
        if (f) out.push(f);
      }
      this.len = 0;
      this.discarding = false;
      start = z + 1;
    }
    return out;
  }

  private finish(onFault?: (f: FrameFault | 'cobs') => void): ParsedFrame | null {
    const raw = new Uint8Array(this.len);
    const n = cobsDecodeInto(this.buf.subarray(0, this.len), raw);
    if (n < 0) {
      this.counts.cobsErrors++;
      onFault?.('cobs');
      return null;
    }
    const r = parseRawFrame(raw.subarray(0, n), this.maxBody);
    if (typeof r === 'string') {
      if (r === 'crc' || r === 'short') this.counts.crcErrors++;
      else this.counts.layoutErrors++;
      onFault?.(r);
      return null;
    }
    this.counts.frames++;
    return r;
  }
}
