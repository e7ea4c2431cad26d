// A connector error marked retryable === false (e.g. a modem port that does not exist) must end
// the upload at once with the transport's code; a retryable one is retried up to the bound.
import { describe, expect, it } from 'vitest';
import { IngestionClient } from '../src/client/client.ts';
import { EiError } from '../src/errors.ts';
import { bodyFromBytes } from '../src/encode/body.ts';
import type { Connector, Transport } from '../src/transport/transport.ts';

class FakeTransportError extends EiError {
  constructor(
    code: string,
    readonly retryable: boolean,
  ) {
    super(code, `fake transport failure ${code}`);
  }
}

function failingConnector(err: Error): Connector & { calls: number } {
  return {
    authority: 'ingest.test',
    calls: 0,
    async connect(): Promise<Transport> {
      this.calls++;
      throw err;
    },
  };
}

const spec = { kind: 'data' as const, category: 'training', fileName: 's.json' };
const body = bodyFromBytes(new TextEncoder().encode('{}'), 'application/json');
const retry = { attempts: 4, baseMs: 1, maxMs: 2 };

describe('connect failures', () => {
  it('does not retry a transport error that says it is final, and keeps its code', async () => {
    const connector = failingConnector(new FakeTransportError('EI_MODEM_PORT', false));
    const client = new IngestionClient({ connector, apiKey: 'ei_made_up', retry });
    const err = await client.upload(body, spec).then(
      () => null,
      (e: unknown) => e as { code?: string; retryable?: boolean },
    );
    await client.close();
    expect(err?.code).toBe('EI_MODEM_PORT');
    expect(err?.retryable).toBe(false);
    expect(connector.calls).toBe(1);
  });

  it('retries a retryable transport error up to the attempt bound', async () => {
    const connector = failingConnector(new FakeTransportError('EI_MODEM_CONNECT', true));
    const client = new IngestionClient({ connector, apiKey: 'ei_made_up', retry });
    const err = await client.upload(body, spec).then(
      () => null,
      (e: unknown) => e as { code?: string },
    );
    await client.close();
    expect(err).not.toBeNull();
    expect(connector.calls).toBe(4);
  });
});
