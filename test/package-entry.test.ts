// The README's library example, run as written against the local service through the package
// entry: encode a Float32Array, sign, stream, upload; the service must hold the same values.
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import * as pkg from '../src/index.ts';

describe('package entry', () => {
  it('exports the API of every layer', () => {
    for (const name of [
      'encodeDocument', 'encodeToBytes', 'DocumentError', 'createSigner', 'frameRequest', 'ResponseParser',
      'tcpConnector', 'tlsConnector', 'createModemConnector', 'IngestionClient', 'Spool', 'SpoolSender',
      'Gateway', 'DeviceClient', 'startIngestionService', 'EiError',
    ]) {
      expect(pkg, name).toHaveProperty(name);
    }
  });

  it('runs the README example: Float32Array → signed CBOR → upload → stored values', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ei-entry-'));
    const apiKey = 'ei_entry_test_key_made_up';
    const hmacKey = 'entry-test-hmac-key';
    const svc = await pkg.startIngestionService({ port: 0, dataDir, apiKey, hmacKey, fsync: false });
    try {
      const readings = new Float32Array([0.12, -0.8, 9.83, 0.07, -0.78, 9.91]);
      const doc = {
        payload: {
          device_name: '11:22:33:44:55:66',
          device_type: 'RASPBERRY_PI_4',
          interval_ms: 10,
          sensors: [
            { name: 'accX', units: 'm/s2' },
            { name: 'accY', units: 'm/s2' },
            { name: 'accZ', units: 'm/s2' },
          ],
          values: { data: readings, width: 3 },
        },
      };
      const bytes = pkg.encodeToBytes(doc, { format: 'cbor', alg: 'HS256', hmacKey });
      const body = pkg.encodeDocument(doc, { format: 'cbor', layout: 'compact', alg: 'HS256', hmacKey });
      expect(body.length).toBe(bytes.length);
      const streamed = Buffer.concat([...body.chunks()].map((c) => Buffer.from(c)));
      expect(streamed.equals(Buffer.from(bytes))).toBe(true);
      // Independent check of the signing rule: HMAC over the body with 64 '0' in place.
      const zeroed = Buffer.from(streamed.toString('latin1').replace(body.signature, '0'.repeat(64)), 'latin1');
      expect(createHmac('sha256', hmacKey).update(zeroed).digest('hex')).toBe(body.signature);

      const client = new pkg.IngestionClient({ endpoint: svc.url, apiKey });
      const res = await client.upload(body, { kind: 'data', category: 'training', label: 'idle', fileName: 'idle.cbor', disallowDuplicates: true });
      await client.close();
      expect(res.status).toBe(200);

      const list = (await (await fetch(`${svc.url}/v1/api/${svc.projectId}/raw-data?category=training`, { headers: { 'x-api-key': apiKey } })).json()) as {
        samples: Array<{ id: number; label: string; signatureValidate: boolean }>;
      };
      expect(list.samples).toHaveLength(1);
      expect(list.samples[0]).toMatchObject({ label: 'idle', signatureValidate: true });
      const one = (await (await fetch(`${svc.url}/v1/api/${svc.projectId}/raw-data/${list.samples[0]!.id}`, { headers: { 'x-api-key': apiKey } })).json()) as {
        payload?: { values: number[][] };
        sample?: { payload?: { values: number[][] } };
      };
      const values = one.payload?.values ?? one.sample?.payload?.values;
      expect(values).toEqual([
        [readings[0], readings[1], readings[2]],
        [readings[3], readings[4], readings[5]],
      ]);
    } finally {
      await svc.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
