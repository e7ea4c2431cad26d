import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig, saveConfig, updateConfig } from '../src/config/index.ts';
import { discoverKeys, keyFingerprint, studioApiBase } from '../src/device/keys.ts';
import { run as keysCli } from '../src/cli/keys.ts';

const API_KEY = 'ei_made_up_test_key_0123456789abcdef';
const HMAC_KEY = 'made-up-hmac-key-for-tests';

/** A fake Studio: two projects, one without an HMAC key; records the requests. */
function fakeStudio(): Promise<{ url: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const keys: Record<string, { id: number; name: string; hmac: string | null }> = {
    [API_KEY]: { id: 42, name: 'Test project', hmac: HMAC_KEY },
    ei_nohmac_key_0000: { id: 43, name: 'Bare project', hmac: null },
  };
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const p = keys[String(req.headers['x-api-key'])];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!p) return json(401, { success: false, error: 'Invalid API key' });
    if (req.url === '/v1/api/projects') return json(200, { success: true, projects: [{ id: p.id, name: p.name }] });
    if (req.url === `/v1/api/${p.id}/devkeys/hmac`) return json(200, p.hmac ? { success: true, hmacKey: p.hmac } : { success: true });
    json(404, { success: false, error: 'not found' });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits })));
}

function captureStdout(): { text: () => string; restore: () => void } {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  return { text: () => out, restore: () => spy.mockRestore() };
}

describe('config file', () => {
  it('saves with mode 0600 (even over a wider file), loads back, merges updates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'sub', 'config.json');
    expect(loadConfig(file)).toEqual({});
    saveConfig({ apiKey: 'a', hmacKey: null, projectId: 1, endpoints: { studio: 'http://x' } }, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700);
    expect(loadConfig(file)).toEqual({ apiKey: 'a', hmacKey: null, projectId: 1, endpoints: { studio: 'http://x' } });
    writeFileSync(file, readFileSync(file), { mode: 0o644 });
    const merged = updateConfig({ hmacKey: 'h', endpoints: { ingestion: 'http://i' } }, file);
    expect(merged).toEqual({ apiKey: 'a', hmacKey: 'h', projectId: 1, endpoints: { studio: 'http://x', ingestion: 'http://i' } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not json', 'EI_CONFIG_PARSE'],
    ['[]', 'EI_CONFIG_PARSE'],
    ['{"apiKey":5}', 'EI_CONFIG_FIELD'],
    ['{"projectId":"1"}', 'EI_CONFIG_FIELD'],
    ['{"endpoints":{"studio":1}}', 'EI_CONFIG_FIELD'],
  ])('refuses %s with %s', (text, code) => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'c.json');
    writeFileSync(file, text);
    expect(() => loadConfig(file)).toThrow(expect.objectContaining({ code }));
  });
});

describe('Studio key discovery', () => {
  let studio: Awaited<ReturnType<typeof fakeStudio>>;
  beforeAll(async () => {
    studio = await fakeStudio();
  });
  afterAll(() => new Promise<void>((r) => studio.server.close(() => r())));

  it('normalises the Studio base', () => {
    expect(studioApiBase('https://studio.edgeimpulse.com')).toBe('https://studio.edgeimpulse.com/v1');
    expect(studioApiBase('https://studio.edgeimpulse.com/v1/')).toBe('https://studio.edgeimpulse.com/v1');
  });

  it('finds the project id and HMAC key', async () => {
    studio.hits.length = 0;
    await expect(discoverKeys({ apiKey: API_KEY, studioUrl: studio.url })).resolves.toEqual({
      projectId: 42,
      projectName: 'Test project',
      hmacKey: HMAC_KEY,
    });
    expect(studio.hits).toEqual(['GET /v1/api/projects', 'GET /v1/api/42/devkeys/hmac']);
  });

  it('reports a project without an HMAC key as null', async () => {
    await expect(discoverKeys({ apiKey: 'ei_nohmac_key_0000', studioUrl: studio.url + '/v1' })).resolves.toMatchObject({
      projectId: 43,
      hmacKey: null,
    });
  });

  it('a bad key is EI_KEYS_UNAUTHORIZED, and the message does not carry the key', async () => {
    const err = await discoverKeys({ apiKey: 'ei_wrong_key_999', studioUrl: studio.url }).catch((e) => e);
    expect(err).toMatchObject({ code: 'EI_KEYS_UNAUTHORIZED', status: 401 });
    expect(err.message).not.toContain('ei_wrong_key_999');
  });

  it('an unreachable Studio is EI_KEYS_NETWORK', async () => {
    const s = createServer();
    const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
    await new Promise<void>((r) => s.close(() => r()));
    await expect(discoverKeys({ apiKey: API_KEY, studioUrl: `http://127.0.0.1:${port}` })).rejects.toMatchObject({ code: 'EI_KEYS_NETWORK' });
  });

  it('keys CLI prints fingerprints only and saves a 0600 config the device command can read', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'config.json');
    const out = captureStdout();
    let code;
    try {
      code = await keysCli(['--api-key', API_KEY, '--studio', studio.url, '--save', file, '--remote-mgmt', 'ws://127.0.0.1:1/remote-mgmt']);
    } finally {
      out.restore();
    }
    expect(code).toBe(0);
    const text = out.text();
    expect(text).toContain('project:  42 (Test project)');
    expect(text).toContain(`hmac key: ${keyFingerprint(HMAC_KEY)}`);
    expect(text).toContain(`api key:  ${keyFingerprint(API_KEY)}`);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(HMAC_KEY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig(file)).toEqual({
      apiKey: API_KEY,
      hmacKey: HMAC_KEY,
      projectId: 42,
      endpoints: { studio: studio.url, remoteMgmt: 'ws://127.0.0.1:1/remote-mgmt' },
    });
  });

  it('keys CLI says plainly when the project has no HMAC key', async () => {
    const out = captureStdout();
    try {
      expect(await keysCli(['--api-key', 'ei_nohmac_key_0000', '--studio', studio.url])).toBe(0);
    } finally {
      out.restore();
    }
    expect(out.text()).toMatch(/hmac key: none: this project has no HMAC key/);
  });
});
