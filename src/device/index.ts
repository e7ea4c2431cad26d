/** Remote-management device client, its sensor sources and Studio key discovery. */
export { DeviceClient } from './client.ts';
export type { DeviceClientOptions, DeviceClientEvents } from './client.ts';
export { Backoff } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
export { resolveDeviceId } from './device-id.ts';
export type { DeviceIdOptions, ResolvedDeviceId } from './device-id.ts';
export { HelloRefusedError, DeviceProtocolError, SampleRejectedError, SensorError, SampleUploadError } from './errors.ts';
export { discoverKeys, keyFingerprint, studioApiBase, KeysError } from './keys.ts';
export type { DiscoverKeysOptions, DiscoveredKeys } from './keys.ts';
export { buildHello, parseServerMessage, parseSampleRequest, categoryFromPath, encodeMessage } from './messages.ts';
export type { HelloMessage, HelloOptions, SampleRequest, ServerMessage, DeviceStatus, SensorAnnouncement } from './messages.ts';
export { runSampleJob, checkSampleRequest } from './sample-job.ts';
export type { SampleJobContext, SampleOutcome } from './sample-job.ts';
export { directUploader, spoolUploader } from './uploader.ts';
export type { SampleUploader, SampleToUpload, UploadReceipt, SpoolUploaderOptions } from './uploader.ts';
export * from './sensors/index.ts';
