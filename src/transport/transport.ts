/**
 * One small interface for every byte pipe the client can send a request over: TCP, TLS, a
 * cellular modem on a serial line, or an in-memory pair in tests. Semantics follow
 * node-serialport's binding contract: a read resolves with at least one byte, writes never
 * overlap, and closing cancels a pending read.
 */
export interface Transport {
  /**
   * Sends bytes. Resolves once the caller may reuse `data` and the transport is ready for more
   * (backpressure). Callers never start a write before the previous one resolved.
   */
  write(data: Uint8Array): Promise<void>;
  /** Next received bytes (at least one), or null once the peer has closed its side. */
  read(): Promise<Uint8Array | null>;
  /** Closes both directions; a pending read resolves null. Safe to call twice. */
  close(): Promise<void>;
  /** False once closed locally or by the peer. */
  readonly isOpen: boolean;
}

/** Opens transports to one endpoint; the client keeps one and reconnects through it. */
export interface Connector {
  /** `host[:port]` as it goes into the Host header. */
  readonly authority: string;
  connect(signal?: AbortSignal): Promise<Transport>;
}
