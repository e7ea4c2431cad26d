#!/usr/bin/env node
/**
 * `ei-ingest` entry point. Each command lives in `src/cli/<name>.ts` and exports
 * `run(argv: string[]): Promise<number>` (the exit code); they load lazily so `encode` does not
 * pay for SQLite or serialport.
 */
type CommandModule = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, { load: () => Promise<CommandModule>; about: string }> = {
  demo: { load: () => import('./cli/demo.ts'), about: 'run the whole chain on the embedded defaults' },
  encode: { load: () => import('./cli/encode.ts'), about: 'encode and sign an acquisition document' },
  vectors: { load: () => import('./cli/vectors.ts'), about: 'check or build the golden vectors' },
  serve: { load: () => import('./cli/serve.ts'), about: 'start the local ingestion service' },
  upload: { load: () => import('./cli/upload.ts'), about: 'upload files to an ingestion service' },
  spool: { load: () => import('./cli/spool.ts'), about: 'inspect and operate the offline spool' },
  gateway: { load: () => import('./cli/gateway.ts'), about: 'forward microcontrollers on serial ports' },
  device: { load: () => import('./cli/device.ts'), about: 'remote-management device client' },
  keys: { load: () => import('./cli/keys.ts'), about: 'find the project id and HMAC key for an API key' },
  daemon: { load: () => import('./cli/daemon.ts'), about: 'bridge a board running Edge Impulse firmware (serial AT)' },
};

function usage(): string {
  const lines = ['usage: ei-ingest <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(9)} ${c.about}`);
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`ei-ingest: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  const mod = await cmd.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`ei-ingest: ${e.code ? e.code + ': ' : ''}${e.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
