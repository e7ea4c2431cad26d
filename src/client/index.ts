/** Public surface of the upload client. */
export { IngestionClient, connectorForEndpoint, DEFAULT_ENDPOINT } from './client.ts';
export type { IngestionClientOptions, UploadSpec, UploadOptions, UploadResult, ClientStats } from './client.ts';
export { DEFAULT_TIMEOUTS } from './connection.ts';
export type { Timeouts } from './connection.ts';
export * from './errors.ts';
export { backoffDelay, parseRetryAfter, resolveRetry } from './retry.ts';
export type { RetryOptions } from './retry.ts';
