/**
 * Header readers for media samples (FACTS §2): WAV format chunk, JPEG and PNG dimensions, and a
 * container check for MP4/AVI. They read only headers; nothing is decoded.
 */
import { SampleFormatError } from './errors.ts';
import { sourceOf, type ByteSource } from './byte-source.ts';

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  audioFormat: number;
  frames: number;
  dataOffset: number;
  dataBytes: number;
}

export interface ImageInfo {
  width: number;
  height: number;
}

function bad(code: string, message: string): never {
  throw new SampleFormatError(code, message);
}

function ascii(b: Uint8Array, at: number, n: number): string {
  return Buffer.from(b.buffer, b.byteOffset + at, Math.max(0, Math.min(n, b.length - at))).toString('latin1');
}

/** `n` bytes at `pos` (fewer at the end), copied out of the source's window. */
function bytesAt(src: ByteSource, pos: number, n: number): Uint8Array {
  const want = Math.max(0, Math.min(n, src.length - pos));
  if (want === 0) return new Uint8Array(0);
  const { buf, at } = src.window(pos, want);
  return buf.slice(at, at + Math.min(want, buf.length - at));
}

/**
 * Reads the RIFF/WAVE header: the `fmt ` chunk and where `data` lies. Only chunk headers are
 * read (through the source's window), so a large file costs no copy of itself (issue 12).
 */
export function readWav(input: Uint8Array | ByteSource): WavInfo {
  const src = sourceOf(input);
  const length = src.length;
  const head = bytesAt(src, 0, 12);
  if (length < 12 || ascii(head, 0, 4) !== 'RIFF' || ascii(head, 8, 4) !== 'WAVE') bad('EI_SVC_WAV', 'not a RIFF/WAVE file');
  let at = 12;
  let fmt: Omit<WavInfo, 'frames' | 'dataOffset' | 'dataBytes'> | undefined;
  let blockAlign = 0;
  while (at + 8 <= length) {
    const h = bytesAt(src, at, 8);
    const id = ascii(h, 0, 4);
    const size = new DataView(h.buffer, h.byteOffset, 8).getUint32(4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > length) bad('EI_SVC_WAV', 'WAV fmt chunk too short');
      const f = bytesAt(src, body, 16);
      const dv = new DataView(f.buffer, f.byteOffset, 16);
      fmt = {
        audioFormat: dv.getUint16(0, true),
        channels: dv.getUint16(2, true),
        sampleRate: dv.getUint32(4, true),
        bitsPerSample: dv.getUint16(14, true),
      };
      blockAlign = dv.getUint16(12, true);
      if (fmt.channels === 0 || fmt.sampleRate === 0 || blockAlign === 0) bad('EI_SVC_WAV', 'WAV fmt chunk has zero channels, rate or block size');
    } else if (id === 'data') {
      if (!fmt) bad('EI_SVC_WAV', 'WAV data chunk before fmt chunk');
      // Streaming writers leave 0 or 0xFFFFFFFF here: take the rest of the file.
      const avail = length - body;
      const dataBytes = size === 0 || size === 0xffffffff ? avail : size;
      if (dataBytes > avail) bad('EI_SVC_WAV', `WAV data chunk declares ${size} bytes, only ${avail} present`);
      return { ...fmt, frames: Math.floor(dataBytes / blockAlign), dataOffset: body, dataBytes };
    }
    at = body + size + (size & 1);
  }
  return bad('EI_SVC_WAV', fmt ? 'WAV has no data chunk' : 'WAV has no fmt chunk');
}

/** PNG: signature then IHDR width/height. */
export function readPng(b: Uint8Array): ImageInfo {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 24 || sig.some((v, i) => b[i] !== v) || ascii(b, 12, 4) !== 'IHDR') bad('EI_SVC_PNG', 'not a PNG file');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = dv.getUint32(16);
  const height = dv.getUint32(20);
  if (width === 0 || height === 0) bad('EI_SVC_PNG', 'PNG has zero width or height');
  return { width, height };
}

/** JPEG: walks marker segments to the first SOFn frame header. */
export function readJpeg(b: Uint8Array): ImageInfo {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) bad('EI_SVC_JPEG', 'not a JPEG file');
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) bad('EI_SVC_JPEG', `JPEG marker expected at byte ${at}`);
    let m = b[at + 1];
    while (m === 0xff && at + 2 < b.length) {
      at++;
      m = b[at + 1];
    }
    at += 2;
    if ((m >= 0xd0 && m <= 0xd7) || m === 0x01) continue;
    if (m === 0xd9 || m === 0xda) break;
    if (at + 2 > b.length) break;
    const len = (b[at] << 8) | b[at + 1];
    if (len < 2) bad('EI_SVC_JPEG', `bad JPEG segment length at byte ${at}`);
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (isSof) {
      if (at + 7 > b.length) break;
      const height = (b[at + 3] << 8) | b[at + 4];
      const width = (b[at + 5] << 8) | b[at + 6];
      if (width === 0 || height === 0) bad('EI_SVC_JPEG', 'JPEG has zero width or height');
      return { width, height };
    }
    at += len;
  }
  return bad('EI_SVC_JPEG', 'JPEG has no frame header (SOF) before the image data');
}

/** MP4 (`ftyp` box first) or AVI (RIFF/AVI) container check. */
export function checkVideo(b: Uint8Array, ext: 'mp4' | 'avi'): void {
  if (ext === 'mp4' ? ascii(b, 4, 4) !== 'ftyp' : ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'AVI ') {
    bad('EI_SVC_VIDEO', `not an ${ext.toUpperCase()} file`);
  }
}
