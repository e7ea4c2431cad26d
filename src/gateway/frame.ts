/**
 * Binary framing for pre-encoded acquisition documents sent by a C port over a serial line.
 * Pure: layout, builder and parser; the streaming decoder is in frame-decoder.ts.
 *
 * Raw frame (little-endian), then COBS-stuffed and sent as 0x00 <cobs> 0x00:
 *
 *   off  size  field
 *   0    1     version = 1
 *   1    1     flags: bit0 = ES256 signature present, bit1 = body is JSON (else CBOR)
 *   2    2     seq: per-device counter, for logs (wraps; restarts at a device reset)
 *   4    1     D = device id length (1..64)
 *   5    D     device id, UTF-8 (keys the device's public key in the gateway config)
 *   .    1     L = label length (0..128; 0 = the gateway's --label)
 *   .    L     label, UTF-8
 *   .    4     B = body length (1..maxBody)
 *   .    B     body: the acquisition document exactly as it is to be uploaded
 *   .    64    signature (flag bit0): ES256 r‖s over SHA-256 of every byte before it
 *   .    4     CRC-32 (IEEE) of every byte before it
 *
 * The leading 0x00 ends whatever noise preceded the frame, so noise costs at most itself, never
 * the next good frame. The CRC catches what COBS cannot (flipped bits that keep the stuffing valid).
 */
import { crc32 } from './crc32.ts';
import { cobsEncode } from './cobs.ts';

export const FRAME_VERSION = 1;
export const FLAG_SIGNED = 1;
export const FLAG_JSON = 2;
export const SIGNATURE_LENGTH = 64;

export interface FrameFields {
  deviceId: string;
  seq: number;
  /** Empty or absent: the gateway's configured label applies. */
  label?: string;
  json?: boolean;
  body: Uint8Array;
}

export interface ParsedFrame extends Required<Omit<FrameFields, 'json'>> {
  json: boolean;
  /** Present when the frame is signed. */
  signature?: Uint8Array;
  /** The bytes the signature covers (view into the frame). */
  signed: Uint8Array;
}

export type FrameFault = 'crc' | 'short' | 'version' | 'layout';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/**
 * Builds the raw frame (before COBS). `sign` gets the bytes to cover and returns the 64-byte
 * r‖s; pass it to send a signed frame.
 * @throws RangeError for an empty/too long device id, a too long label or an empty body
 */
export function buildRawFrame(f: FrameFields, sign?: (covered: Uint8Array) => Uint8Array): Uint8Array {
  const id = enc.encode(f.deviceId);
  const label = enc.encode(f.label ?? '');
  if (id.length < 1 || id.length > 64) throw new RangeError('deviceId must be 1..64 bytes');
  if (label.length > 128) throw new RangeError('label must be at most 128 bytes');
  if (f.body.length < 1) throw new RangeError('body must not be empty');
  const coveredLen = 5 + id.length + 1 + label.length + 4 + f.body.length;
  const total = coveredLen + (sign ? SIGNATURE_LENGTH : 0) + 4;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out[0] = FRAME_VERSION;
  out[1] = (sign ? FLAG_SIGNED : 0) | (f.json ? FLAG_JSON : 0);
  dv.setUint16(2, f.seq & 0xffff, true);
  out[4] = id.length;
  out.set(id, 5);
  let o = 5 + id.length;
  out[o++] = label.length;
  out.set(label, o);
  o += label.length;
  dv.setUint32(o, f.body.length, true);
  o += 4;
  out.set(f.body, o);
  o += f.body.length;
  if (sign) {
    const sig = sign(out.subarray(0, coveredLen));
    if (sig.length !== SIGNATURE_LENGTH) throw new RangeError('signature must be 64 bytes (r‖s)');
    out.set(sig, o);
    o += SIGNATURE_LENGTH;
  }
  dv.setUint32(o, crc32(out.subarray(0, o)), true);
  return out;
}

/** The bytes to put on the wire for one frame: 0x00, COBS(raw), 0x00. */
export function frameToWire(raw: Uint8Array): Uint8Array {
  const c = cobsEncode(raw);
  const out = new Uint8Array(c.length + 2);
  out.set(c, 1);
  return out;
}

/** Parses a raw (un-stuffed) frame; returns the fields or why it is unusable. Views, no copies. */
export function parseRawFrame(raw: Uint8Array, maxBody = 4 * 1024 * 1024): ParsedFrame | FrameFault {
  if (raw.length < 5 + 1 + 1 + 4 + 1 + 4) return 'short';
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const crcAt = raw.length - 4;
  if (dv.getUint32(crcAt, true) !== crc32(raw.subarray(0, crcAt))) return 'crc';
  if (raw[0] !== FRAME_VERSION) return 'version';
  const flags = raw[1];
  if (flags & ~(FLAG_SIGNED | FLAG_JSON)) return 'layout';
  const seq = dv.getUint16(2, true);
  const idLen = raw[4];
  let o = 5;
  if (idLen < 1 || o + idLen + 1 > crcAt) return 'layout';
  let deviceId: string;
  let label: string;
  try {
    deviceId = dec.decode(raw.subarray(o, o + idLen));
    o += idLen;
    const labelLen = raw[o++];
    if (o + labelLen + 4 > crcAt) return 'layout';
    label = dec.decode(raw.subarray(o, o + labelLen));
    o += labelLen;
  } catch {
    return 'layout';
  }
  const bodyLen = dv.getUint32(o, true);
  o += 4;
  const sigLen = flags & FLAG_SIGNED ? SIGNATURE_LENGTH : 0;
  if (bodyLen < 1 || bodyLen > maxBody || o + bodyLen + sigLen !== crcAt) return 'layout';
  const body = raw.subarray(o, o + bodyLen);
  const signed = raw.subarray(0, o + bodyLen);
  const frame: ParsedFrame = { deviceId, seq, label, json: (flags & FLAG_JSON) !== 0, body, signed };
  if (sigLen) frame.signature = raw.subarray(o + bodyLen, crcAt);
  return frame;
}
