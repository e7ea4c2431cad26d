/**
 * The local ingestion service in a process of its own, for benches whose client side must not
 * share a CPU with it: `node --import tsx test/bench/service-child.ts DIR API_KEY HMAC_KEY fsync|nofsync`
 * prints `URL <url>` once listening and runs until killed (SIGTERM closes it). Mode `sink` runs
 * the minimal /files peer of files-sink.ts instead.
 */
import { startIngestionService } from '../../src/service/index.ts';
import { startFilesSink } from './files-sink.ts';

const [dataDir, apiKey, hmacKey, mode] = process.argv.slice(2);
const fsync = mode === 'fsync';
const svc =
  mode === 'sink'
    ? await startFilesSink()
    : await startIngestionService({ dataDir: dataDir!, apiKey: apiKey!, hmacKey: hmacKey!, fsync, durability: fsync ? 'full' : 'normal' });
process.stdout.write(`URL ${svc.url}\n`);
const stop = async () => {
  await svc.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
