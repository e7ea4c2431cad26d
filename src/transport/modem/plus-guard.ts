/**
 * Splits bytes for the old SLM dialect, whose data mode ends at the first `+++` the modem sees
 * (FACTS §7: no guard time, no escaping). Pure: no I/O.
 *
 * The driver sends each `data` segment as one data-mode session: `AT#XSEND`, the segment bytes,
 * then the terminator `+++` in a single write. `literal` segments (only '+' bytes) go through
 * the AT-level form `AT#XSEND="++…"`, which never enters data mode.
 *
 * Claim: within a session the modem's first `+++` match starts exactly at the terminator, however
 * the bytes are cut by the UART, the 32 ms idle flush or the 4096-byte buffer.
 * Proof: let S be the segment. The planner guarantees (1) S has no three consecutive '+' and
 * (2) S does not end with '+'. Take any match of `+++` in S·"+++" starting at i. If i ≤ |S|-3 it
 * lies inside S, contradicting (1). If i is |S|-2 or |S|-1 it needs S[|S|-1] = '+', contradicting
 * (2). So i = |S|. The argument uses only the byte sequence, so it holds for a matcher that keeps
 * a partial match across idle windows (the worst case) as well as for one that resets at each
 * window; and since the terminator's three bytes go out in one write, a matcher that resets at
 * idle cannot see it split. Nothing before the session's first byte can join a match: the modem
 * was in command mode until `AT#XSEND`'s `OK`.
 *
 * How (1) and (2) are met: every maximal run of r '+' bytes followed by another byte keeps its
 * last min(r, 2) bytes in the data segment (they are followed by a non-'+' byte of the same
 * segment) and sends the first r-2 as a literal. A run that reaches the end of the buffer either
 * sends all but its last two bytes as a literal and holds those back (`carry`, when more data may
 * follow), or is sent whole as a literal (`final`).
 * A data segment therefore ends just before a run or at a non-'+' last byte.
 */

const PLUS = 0x2b;

export type PlusSafeSegment =
  | { kind: 'data'; bytes: Uint8Array }
  | { kind: 'literal'; count: number };

export interface PlusSafePlan {
  segments: PlusSafeSegment[];
  /** Trailing '+' bytes held back (0–2, non-final only); the caller puts them before the next bytes. */
  carry: number;
}

/**
 * Plans one buffer. With `final` false, a trailing run of '+' is returned as `carry` instead of
 * being sent, because the next bytes may turn it into a run the data segment can hold.
 * Data segments are views of `buf`.
 */
export function planPlusSafe(buf: Uint8Array, final: boolean): PlusSafePlan {
  const segments: PlusSafeSegment[] = [];
  let dataStart = 0;
  let i = 0;
  const n = buf.length;
  const pushData = (end: number) => {
    if (end > dataStart) segments.push({ kind: 'data', bytes: buf.subarray(dataStart, end) });
  };
  const pushLiteral = (count: number) => {
    const last = segments[segments.length - 1];
    if (last?.kind === 'literal') last.count += count;
    else segments.push({ kind: 'literal', count });
  };
  while (i < n) {
    if (buf[i] !== PLUS) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && buf[j] === PLUS) j++;
    const run = j - i;
    if (j === n) {
      pushData(i);
      if (final) {
        pushLiteral(run);
        return { segments, carry: 0 };
      }
      // At most two '+' of a run can ever ride in a data segment, so carry at most two.
      if (run > 2) pushLiteral(run - 2);
      return { segments, carry: Math.min(run, 2) };
    }
    if (run > 2) {
      pushData(i);
      pushLiteral(run - 2);
      dataStart = j - 2;
    }
    i = j;
  }
  pushData(n);
  return { segments, carry: 0 };
}

/** True when `bytes` may be sent as one data-mode session (the two conditions of the proof). */
export function isPlusSafe(bytes: Uint8Array): boolean {
  if (bytes.length > 0 && bytes[bytes.length - 1] === PLUS) return false;
  let run = 0;
  for (let k = 0; k < bytes.length; k++) {
    run = bytes[k] === PLUS ? run + 1 : 0;
    if (run >= 3) return false;
  }
  return true;
}
