/**
 * Verifies the per-device ES256 signature of a frame before the gateway forwards it. Keys come
 * from configuration (device id → uncompressed P-256 public key). Policy: a device with a key
 * must sign every frame; a signed frame from a device without a key is refused (we cannot tell
 * it from a forgery); with no keys configured at all, unsigned frames pass.
 */
import { es256VerifyData } from '../sign/index.ts';
import type { ParsedFrame } from './frame.ts';

export type VerifyVerdict = { ok: true } | { ok: false; reason: 'unsigned' | 'unknown-device' | 'bad-signature' };

export class FrameVerifier {
  private readonly keys: Map<string, Uint8Array>;

  constructor(keys: Record<string, Uint8Array>) {
    this.keys = new Map(Object.entries(keys));
  }

  check(frame: ParsedFrame): VerifyVerdict {
    const key = this.keys.get(frame.deviceId);
    if (!frame.signature) return key ? { ok: false, reason: 'unsigned' } : { ok: true };
    if (!key) return { ok: false, reason: 'unknown-device' };
    return es256VerifyData(frame.signature, frame.signed, key) ? { ok: true } : { ok: false, reason: 'bad-signature' };
  }
}

/** Parses `id=hex,id2=hex` or a JSON object `{id: hex}` of public keys. */
export function parseDeviceKeys(text: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const t = text.trim();
  const pairs: [string, string][] = t.startsWith('{')
    ? Object.entries(JSON.parse(t) as Record<string, string>)
    : t.split(',').map((p) => p.split('=', 2) as [string, string]);
  for (const [id, hex] of pairs) {
    if (!id || !/^(04[0-9a-fA-F]{128}|0[23][0-9a-fA-F]{64})$/.test(hex ?? '')) {
      throw new RangeError(`device key for '${id}' must be a hex P-256 public key (65 or 33 bytes)`);
    }
    out[id] = Uint8Array.from(Buffer.from(hex, 'hex'));
  }
  return out;
}
