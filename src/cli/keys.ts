/**
 * `ei-ingest keys --api-key K [--studio URL] [--save FILE]`: finds the project id and HMAC key of
 * an API key through the Studio API (FACTS §5) and optionally saves them (mode 0600) where the
 * other commands read them. Keys are never printed: only short fingerprints.
 */
import { defaultConfigPath, updateConfig } from '../config/index.ts';
import { discoverKeys, keyFingerprint } from '../device/keys.ts';
import { parseCommandArgs, usageError } from './args.ts';

const HELP = `usage: ei-ingest keys [--api-key K] [--studio URL] [--save FILE | --save-default] [--json]
Finds the project and HMAC key belonging to an API key, via the Studio API.
  --api-key K       the project's API key (default: $EI_API_KEY)
  --studio URL      Studio base (default https://studio.edgeimpulse.com; a local service's URL works)
  --save FILE       write {apiKey, hmacKey, projectId, endpoints} to FILE (mode 0600), merged with
                    what it holds; other commands read it with --config FILE
  --save-default    the same, to ${'$'}EI_INGEST_CONFIG or ~/.config/ei-ingest/config.json
  --ingestion URL   also record this ingestion endpoint when saving
  --remote-mgmt URL also record this remote-management URL when saving
  --json            print {projectId, projectName, apiKeyFingerprint, hmacKeyFingerprint}
Keys are never printed, only fingerprints (sha256:xxxxxxxx).
`;

const COMMAND = { name: 'keys', usage: HELP };

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(COMMAND, argv, {
    'api-key': { type: 'string' },
    studio: { type: 'string' },
    save: { type: 'string' },
    'save-default': { type: 'boolean' },
    ingestion: { type: 'string' },
    'remote-mgmt': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (typeof parsed === 'number') return parsed;
  const args = parsed.values;
  const apiKey = args['api-key'] || process.env.EI_API_KEY;
  if (!apiKey) return usageError(COMMAND, 'give --api-key or set EI_API_KEY');
  const studio = args.studio ?? 'https://studio.edgeimpulse.com';
  const found = await discoverKeys({ apiKey, studioUrl: studio });
  const info = {
    projectId: found.projectId,
    projectName: found.projectName ?? null,
    apiKeyFingerprint: keyFingerprint(apiKey),
    hmacKeyFingerprint: found.hmacKey === null ? null : keyFingerprint(found.hmacKey),
  };
  const savePath = args.save ?? (args['save-default'] ? defaultConfigPath() : undefined);
  if (savePath) {
    const endpoints: Record<string, string> = { studio };
    if (args.ingestion) endpoints.ingestion = args.ingestion;
    if (args['remote-mgmt']) endpoints.remoteMgmt = args['remote-mgmt'];
    updateConfig({ apiKey, hmacKey: found.hmacKey, projectId: found.projectId, endpoints }, savePath);
  }
  if (args.json) {
    process.stdout.write(JSON.stringify({ ...info, saved: savePath ?? null }) + '\n');
  } else {
    const lines = [
      `project:  ${found.projectId}${found.projectName ? ` (${found.projectName})` : ''}`,
      `api key:  ${info.apiKeyFingerprint}`,
      found.hmacKey === null
        ? 'hmac key: none: this project has no HMAC key, so samples will be uploaded unsigned (alg none)'
        : `hmac key: ${info.hmacKeyFingerprint}`,
    ];
    if (savePath) lines.push(`saved to: ${savePath} (mode 0600)`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
}
