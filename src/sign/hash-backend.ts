/**
 * The one tiny interface behind which both hash implementations live: node:crypto (native, uses the
 * CPU's SHA extensions, ~2 GB/s here) and @noble/hashes (portable JS, ~0.2 GB/s; FACTS §9).
 * node:crypto is reached through `process.getBuiltinModule` so this file loads on runtimes without it.
 */
import { hmac as nobleHmac, type _HMAC } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256, type _SHA256 } from '@noble/hashes/sha2.js';
import { SignError } from './errors.ts';
import { toHex } from './hex.ts';

/** An incremental SHA-256 or HMAC-SHA256 computation. */
export interface Mac {
  update(chunk: Uint8Array): void;
  /** Writes the 32-byte result into `out` (from offset 0); the Mac is spent afterwards. */
  digestInto(out: Uint8Array): void;
  /** The result as lowercase hex (node:crypto makes the string natively, with no Buffer). */
  digestHex(): string;
}

/** Makes SHA-256 and keyed HMAC-SHA256 computations. */
export interface HashBackend {
  readonly name: 'node' | 'noble';
  sha256(): Mac;
  /** Pre-processes the key once; `create()` then starts one MAC over it. */
  hmacSha256(key: Uint8Array): { create(): Mac };
}

export type BackendChoice = 'node' | 'noble' | 'auto';

type NodeCrypto = typeof import('node:crypto');

let nodeCryptoCache: NodeCrypto | null | undefined;

/** node:crypto if this runtime has it, else null (never throws). */
export function nodeCrypto(): NodeCrypto | null {
  if (nodeCryptoCache === undefined) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    let mod: unknown;
    try {
      mod = proc?.getBuiltinModule?.('node:crypto');
    } catch {
      mod = undefined;
    }
    nodeCryptoCache = mod && typeof (mod as NodeCrypto).createHmac === 'function' ? (mod as NodeCrypto) : null;
  }
  return nodeCryptoCache;
}

class NodeMac implements Mac {
  constructor(private readonly h: import('node:crypto').Hash | import('node:crypto').Hmac) {}
  update(chunk: Uint8Array): void {
    this.h.update(chunk);
  }
  digestInto(out: Uint8Array): void {
    out.set(this.h.digest());
  }
  digestHex(): string {
    return this.h.digest('hex');
  }
}

function nodeBackend(c: NodeCrypto): HashBackend {
  return {
    name: 'node',
    sha256: () => new NodeMac(c.createHash('sha256')),
    hmacSha256(key) {
      // A KeyObject keeps Node from re-copying the key bytes on every request.
      const k = c.createSecretKey(key);
      return { create: () => new NodeMac(c.createHmac('sha256', k)) };
    },
  };
}

/**
 * noble keeps one keyed template and clones its state into a spare instance per request
 * (`_cloneInto` reuses the target's buffers), so steady-state signing allocates nothing.
 */
class NobleMac implements Mac {
  constructor(
    private readonly h: _HMAC<_SHA256> | _SHA256,
    private readonly release?: (h: _HMAC<_SHA256>) => void,
  ) {}
  update(chunk: Uint8Array): void {
    this.h.update(chunk);
  }
  digestInto(out: Uint8Array): void {
    this.h.digestInto(out);
    this.release?.(this.h as _HMAC<_SHA256>);
  }
  digestHex(): string {
    this.digestInto(scratch);
    return toHex(scratch);
  }
}

/** Digest scratch: every use is synchronous (digest, then hex or sign at once), so one suffices. */
const scratch = new Uint8Array(32);

const nobleBackend: HashBackend = {
  name: 'noble',
  sha256: () => new NobleMac(nobleSha256.create()),
  hmacSha256(key) {
    const template = nobleHmac.create(nobleSha256, key);
    let spare: _HMAC<_SHA256> | null = null;
    return {
      create() {
        const target = spare ?? undefined;
        spare = null;
        const h = template._cloneInto(target);
        return new NobleMac(h, (done) => {
          spare = done;
        });
      },
    };
  },
};

/** Resolves a backend choice; 'auto' prefers node:crypto. */
export function hashBackend(choice: BackendChoice = 'auto'): HashBackend {
  if (choice === 'noble') return nobleBackend;
  if (choice === 'node' || choice === 'auto') {
    const c = nodeCrypto();
    if (c) return nodeBackend(c);
    if (choice === 'auto') return nobleBackend;
    throw new SignError('EI_SIGN_BAD_BACKEND', "hash backend 'node' requested but node:crypto is not available");
  }
  throw new SignError('EI_SIGN_BAD_BACKEND', `unknown hash backend '${String(choice)}' (expected node, noble or auto)`);
}
