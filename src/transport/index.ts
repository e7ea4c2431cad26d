/** Transports: one interface, several byte pipes. The modem driver is exported separately
 * (`./modem/index.ts`) so that importing TCP does not load serialport. */
export type { Transport, Connector } from './transport.ts';
export { tcpConnector } from './tcp.ts';
export { tlsConnector } from './tls.ts';
export { memoryPair, memoryConnector } from './memory.ts';
