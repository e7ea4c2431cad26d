/**
 * `ei-ingest spool status|list|drain|retry-dead`: inspect and operate the offline spool.
 */
import { Spool } from '../spool/index.ts';
import { batchingFlags, deadLetterFlags, makeSender, resolveEndpoint, spoolDir } from './spool-endpoint.ts';
import { parseCommandArgs, usageError } from './args.ts';

const USAGE = `usage: ei-ingest spool <status|list|drain|retry-dead> [--dir D] [--endpoint URL] [--api-key K] [--json]
  status       counts and bytes waiting, dead letters, drops; the oldest sample's attempts, age, last reason
  list         waiting samples (oldest first) and dead letters with the service's answer
  drain        send everything waiting, then exit (0 = empty, 1 = some still waiting)
  retry-dead   move dead letters back to the queue (then drain to resend them)
  --dir D          spool directory (default $EI_SPOOL_DIR or <config dir>/spool)
  --endpoint URL   ingestion service (default $EI_INGESTION_URL, the config, or Edge Impulse)
  --api-key K      API key (default $EI_API_KEY or the config)
  --attempts N     drain: stop (sample kept) after N failed attempts at one sample (default 5)
  --dead-attempts N  dead-letter a sample failing on its own (same 5xx) after N tries (default 5)…
  --dead-age S       …over at least S seconds (default 600), once another sample went through
  --connections N  drain: requests in flight at once, each on its own connection (default 2)
  --batch-files N  drain: most samples per /files request (default and most 1000)
  --batch-bytes N  drain: most bytes per /files request (default 1048576)
  --order O        drain: key (default: samples of one label/category/metadata stored in the
                   order they were accepted, one batch of them in flight) or none (batches of one
                   key overlap too: the fastest drain of a backlog, e.g. with --connections 4)
  --json           machine-readable output
`;

const COMMAND = { name: 'ei-ingest spool', usage: USAGE };

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    COMMAND,
    argv,
    {
      dir: { type: 'string' },
      endpoint: { type: 'string' },
      'api-key': { type: 'string' },
      attempts: { type: 'string' },
      'dead-attempts': { type: 'string' },
        'dead-age': { type: 'string' },
      connections: { type: 'string' },
      'batch-files': { type: 'string' },
      'batch-bytes': { type: 'string' },
      order: { type: 'string' },
      json: { type: 'boolean' },
    },
    { positionals: true },
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const cmd = positionals[0];
  const dir = spoolDir(values.dir);
  const out = (o: unknown, text: string) => process.stdout.write(values.json ? JSON.stringify(o) + '\n' : text);
  switch (cmd) {
    case 'status': {
      const s = await Spool.open(dir, { readOnly: true });
      const st = s.stats();
      const head = await s.headInfo();
      await s.close();
      const headLine = head
        ? `  oldest: ${head.id}, ${head.ageMs !== undefined ? `age ${formatAge(head.ageMs)}` : 'age unknown'}, ${head.attempts} failed attempt(s)${head.lastReason ? `, last: ${head.lastReason}` : ''}\n`
        : '';
      out({ dir, ...st, head: head ?? null }, `spool ${dir}\n  waiting: ${st.count} samples, ${st.bytes} bytes\n${headLine}  dead letters: ${st.deadCount}\n  dropped (full): ${st.droppedOldest}, dead letters dropped: ${st.droppedDead}\n`);
      return 0;
    }
    case 'list': {
      const s = await Spool.open(dir, { readOnly: true });
      const waiting = [];
      for (const e of s.entries()) {
        try {
          const r = await s.read(e.id);
          waiting.push({ id: e.id, bytes: e.bytes, fileName: r.header.spec.fileName, label: r.header.spec.label, category: r.header.spec.category, createdAt: new Date(r.header.createdAt).toISOString() });
        } catch (err) {
          waiting.push({ id: e.id, bytes: e.bytes, error: (err as Error).message });
        }
      }
      const dead = await s.deadLetters();
      await s.close();
      const lines = [`waiting (${waiting.length}):`, ...waiting.map((w) => `  ${w.id}  ${'error' in w ? w.error : `${w.category}/${w.label ?? '-'}  ${w.fileName}  ${w.bytes} B  ${w.createdAt}`}`)];
      lines.push(`dead letters (${dead.length}):`, ...dead.map((d) => `  ${d.id}  ${d.note.status ?? '-'}  ${d.note.reason}${d.note.response ? `: ${d.note.response.slice(0, 120)}` : ''}`));
      out({ waiting, dead }, lines.join('\n') + '\n');
      return 0;
    }
    case 'retry-dead': {
      const s = await Spool.open(dir);
      const n = await s.retryDead();
      await s.close();
      out({ moved: n }, `moved ${n} dead letters back to the queue\n`);
      return 0;
    }
    case 'drain': {
      const { endpoint, apiKey } = resolveEndpoint({ endpoint: values.endpoint, apiKey: values['api-key'] });
      if (!apiKey) return usageError(COMMAND, 'no API key (--api-key, $EI_API_KEY or `keys --save`)');
      const attempts = values.attempts ? Number(values.attempts) : 5;
      if (!(attempts >= 1)) return usageError(COMMAND, '--attempts must be a positive number');
      let policy;
      let batching;
      try {
        policy = deadLetterFlags(values['dead-attempts'], values['dead-age']);
        batching = batchingFlags(values.connections, values['batch-files'], values['batch-bytes'], values.order);
      } catch (e) {
        return usageError(COMMAND, (e as Error).message);
      }
      const s = await Spool.open(dir);
      const { sender, client } = makeSender(
        s,
        endpoint,
        apiKey,
        (e) => {
          if (!values.json && (e.type === 'dead' || e.type === 'retry')) process.stderr.write(`  ${e.type} ${e.id}: ${e.reason}\n`);
        },
        policy,
        batching,
      );
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      try {
        const c = await sender.run({ untilEmpty: true, maxAttempts: attempts, signal: ac.signal });
        const st = s.stats();
        out({ ...c, waiting: st.count, dead: st.deadCount }, `sent ${c.delivered}, duplicates ${c.duplicates}, dead-lettered ${c.dead}, still waiting ${st.count}${sender.lastError ? ` (last error: ${sender.lastError})` : ''}\n`);
        return st.count === 0 ? 0 : 1;
      } finally {
        process.off('SIGINT', stop);
        await client.close();
        await s.close();
      }
    }
    default:
      return usageError(COMMAND, `unknown or missing subcommand '${cmd ?? ''}'`, { withUsage: true });
  }
}

function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}
