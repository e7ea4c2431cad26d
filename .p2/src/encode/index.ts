/**
 * Encoders: acquisition documents to signed JSON/CBOR bodies in constant memory.
 * `encodeDocument` is the entry point; the rest is for callers who need the parts.
 */
export type { EncodedBody } from './body.ts';
export { bodyFromBytes } from './body.ts';
export { encodeDocument, encodeToBytes, DocumentBody, PulledBody, EncodeStateError } from './document-body.ts';
export { encodeStreaming, MemorySink } from './one-pass.ts';
export type { PatchableSink, OnePassResult } from './one-pass.ts';
export { FileSink } from './file-sink.ts';
export type { EncodeOptions } from './plan.ts';
export { resolveLayout, LAYOUT_NAMES } from './layout.ts';
export type { LayoutName, LayoutOptions, ResolvedLayout, TopKey } from './layout.ts';
export { binaryTail, imageAttachmentValues } from './attachment.ts';
export { halfBits, halfToNumber } from './float.ts';
