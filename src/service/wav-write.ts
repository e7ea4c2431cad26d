/**
 * A 16-bit PCM mono WAV built from one axis of a sample's values (Studio's
 * `GET …/raw-data/{id}/wav?axisIx=N`). Values are rounded and clamped to int16, as audio samples
 * uploaded as documents already are int16 in practice.
 */
export function wavFromColumn(rows: number[][], axis: number, sampleRate: number): Buffer {
  const n = rows.length;
  const out = Buffer.alloc(44 + n * 2);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + n * 2, 4);
  out.write('WAVE', 8, 'latin1');
  out.write('fmt ', 12, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) {
    const v = Math.round(rows[i]![axis] ?? 0);
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Number.isFinite(v) ? v : 0)), 44 + i * 2);
  }
  return out;
}
