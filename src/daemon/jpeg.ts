/**
 * Snapshot frames to JPEG. Boards send AT+SNAPSHOT frames as base64 of RGB888 pixels (row-major,
 * 3 bytes a pixel; *inferred* from the firmware's snapshot handlers, which size the output as
 * width × height × 3); the ingestion service takes JPEG files (FACTS §2). jpeg-js is pure
 * JavaScript (no compiler), loaded only when a camera board is used.
 */
import { BoardProtocolError } from './errors.ts';

/** @throws BoardProtocolError when the frame is not width × height × 3 bytes */
export async function rgbToJpeg(rgb: Uint8Array, width: number, height: number, quality = 90): Promise<Uint8Array> {
  if (rgb.length !== width * height * 3) {
    throw new BoardProtocolError(`snapshot frame has ${rgb.length} bytes, expected ${width}x${height}x3 = ${width * height * 3}`);
  }
  const { encode } = await import('jpeg-js');
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i]!;
    rgba[j + 1] = rgb[i + 1]!;
    rgba[j + 2] = rgb[i + 2]!;
    rgba[j + 3] = 255;
  }
  const out = encode({ data: rgba, width, height }, quality).data;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
