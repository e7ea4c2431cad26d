/**
 * Package entry: the typed library API behind every CLI command. Plain list of re-exports;
 * each area appends its own line.
 */
export { EiError } from './errors.ts';
export * from './model/index.ts';
export * from './encode/index.ts';
export * from './sign/index.ts';
