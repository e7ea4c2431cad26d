/**
 * `ei-ingest/encode`: the document model, the encoders and the signers. Pure code with no native
 * module and no Node-only import (hashing uses node:crypto when the runtime has it, reached at run
 * time, and @noble/hashes otherwise), so it loads in Node, Bun, Deno and a browser bundle.
 */
export { EiError } from './errors.ts';
export * from './model/index.ts';
export * from './encode/index.ts';
export * from './sign/index.ts';
