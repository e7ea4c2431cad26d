/**
 * Group commit of spool accepts (what databases do for their log): while one durable write is in
 * flight, samples arriving queue up; when it finishes, all of them go to disk as one pack file
 * with one file fsync and one directory fsync, and each is acknowledged only after that write is
 * durable. A sample arriving at an idle spool is written at once, alone, as a plain record, so
 * grouping adds no latency; under load the cost per sample falls with the group size.
 */
import { encodePack, packName } from './pack.ts';

export interface GroupMember {
  id: string;
  seq: number;
  sha256: string;
  record: Uint8Array;
}

export interface GroupLimits {
  /** Most samples in one group (default 256). */
  maxCount: number;
  /** Most record bytes in one group (default 4 MiB); a larger single sample goes alone. */
  maxBytes: number;
}

/** Where a member landed: its own `.rec` file, or a pack (file name). */
export type Placement = { pack: string | null };

interface Pending extends GroupMember {
  resolve: (p: Placement) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitter {
  private pending: Pending[] = [];
  private writing = false;
  /** Groups written, and samples in them (for stats and the bench). */
  groups = 0;
  samples = 0;

  constructor(
    /** Durably writes `bytes` under `name` (temp + fsync + rename + directory fsync). */
    private readonly write: (name: string, bytes: Uint8Array) => Promise<void>,
    private readonly limits: GroupLimits,
  ) {}

  /** Resolves once the member's bytes are durable, with where they are. */
  add(m: GroupMember): Promise<Placement> {
    return new Promise<Placement>((resolve, reject) => {
      this.pending.push({ ...m, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.take();
        try {
          let placement: Placement;
          if (group.length === 1) {
            await this.write(group[0]!.id, group[0]!.record);
            placement = { pack: null };
          } else {
            const name = packName(group[0]!.seq, group[0]!.sha256);
            await this.write(name, encodePack(group.map((g) => ({ id: g.id, record: g.record }))));
            placement = { pack: name };
          }
          this.groups++;
          this.samples += group.length;
          for (const g of group) g.resolve(placement);
        } catch (e) {
          // Nothing of this group is acknowledged; the temp file is cleaned at the next open.
          for (const g of group) g.reject(e);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** The oldest pending members up to the limits (at least one). */
  private take(): Pending[] {
    let bytes = 0;
    let n = 0;
    while (n < this.pending.length && n < this.limits.maxCount) {
      const b = this.pending[n]!.record.byteLength;
      if (n > 0 && bytes + b > this.limits.maxBytes) break;
      bytes += b;
      n++;
    }
    return this.pending.splice(0, n);
  }
}
