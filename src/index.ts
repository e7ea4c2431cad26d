/**
 * Package entry: the typed library API behind every CLI command. Plain list of re-exports;
 * each area appends its own line.
 */
export { EiError } from './errors.ts';
export * from './model/index.ts';
export * from './encode/index.ts';
export * from './sign/index.ts';
export * from './http/index.ts';
export * from './transport/index.ts';
export { createModemConnector, ModemError } from './transport/modem/index.ts';
export type { ModemConnector, ModemConnectorOptions, ModemDialect } from './transport/modem/index.ts';
export * from './client/index.ts';
export * from './spool/index.ts';
export { Gateway } from './gateway/gateway.ts';
export * from './device/index.ts';
export * from './config/index.ts';
export { startIngestionService } from './service/index.ts';
export type { IngestionService, IngestionServiceOptions } from './service/index.ts';
export { createRemoteManagement, attachRemoteManagement } from './service/remote-mgmt.ts';
export { MissingPackageError } from './missing-package.ts';
