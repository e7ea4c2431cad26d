/**
 * Runs a simulated sensor MCU until killed:
 *   npx tsx firmware-sim/mcu/cli.ts line   [--rate HZ] [--garbage-rate P] [--reset-every-ms N] …
 *   npx tsx firmware-sim/mcu/cli.ts framed [--device-id ID] [--sample-ms N] [--fps N] [--noise-rate P] [--c] …
 * (`--c`: documents encoded by the C firmware encoder, firmware-sim/mcu/c, built with the machine's cc)
 * Prints the path for the gateway (`--port PATH:line|:framed`) on the first line of stdout and
 * its counters on stderr when stopped.
 */
import { parseArgs } from 'node:util';
import { startMcuSim } from './index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { es256KeyPair } from '../../src/sign/index.ts';
import { buildMcuEncoder, findCc } from './c-build.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'host-path': { type: 'string' },
    rate: { type: 'string', default: '100' },
    sensors: { type: 'string' },
    noise: { type: 'string' },
    'garbage-rate': { type: 'string', default: '0' },
    'garbage-burst': { type: 'string', default: '3' },
    'reset-every-ms': { type: 'string', default: '0' },
    'reset-pause-ms': { type: 'string', default: '200' },
    'device-id': { type: 'string', default: 'sim-mcu' },
    'sample-ms': { type: 'string', default: '1000' },
    fps: { type: 'string' },
    label: { type: 'string' },
    'hmac-key': { type: 'string' },
    'key-seed': { type: 'string' },
    'noise-rate': { type: 'string', default: '0' },
    'corrupt-rate': { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    c: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
const protocol = positionals[0];
if (values.help || (protocol !== 'line' && protocol !== 'framed')) {
  process.stderr.write('usage: mcu-sim line|framed [options] (see the header of firmware-sim/mcu/cli.ts)\n');
  process.exit(values.help ? 0 : 2);
}
const common = {
  hostPath: values['host-path'],
  resetEveryMs: Number(values['reset-every-ms']),
  resetPauseMs: Number(values['reset-pause-ms']),
  seed: Number(values.seed),
};
// --key-seed makes a deterministic device key (made-up test keys); its public key is printed.
let cEncoder: string | undefined;
if (values.c && protocol === 'framed') {
  const cc = findCc();
  if (!cc) {
    process.stderr.write('mcu-sim: --c needs a C compiler (cc or $CC)\n');
    process.exit(2);
  }
  cEncoder = join(mkdtempSync(join(tmpdir(), 'mcu-c-')), 'ei_mcu_encode');
  buildMcuEncoder(cc, cEncoder);
}
const key = values['key-seed'] ? es256KeyPair(new TextEncoder().encode(values['key-seed'])) : undefined;
const sim =
  protocol === 'line'
    ? await startMcuSim({
        protocol,
        ...common,
        rateHz: Number(values.rate),
        sensors: values.sensors?.split(','),
        noise: values.noise ? Number(values.noise) : undefined,
        garbageRate: Number(values['garbage-rate']),
        garbageBurst: Number(values['garbage-burst']),
      })
    : await startMcuSim({
        protocol,
        ...common,
        deviceId: values['device-id']!,
        sampleMs: Number(values['sample-ms']),
        rateHz: Number(values.rate),
        framesPerSecond: values.fps ? Number(values.fps) : undefined,
        label: values.label,
        hmacKey: values['hmac-key'],
        privateKey: key?.privateKey,
        noiseRate: Number(values['noise-rate']),
        corruptRate: Number(values['corrupt-rate']),
        cEncoder,
      });
process.stdout.write(`${sim.devicePath}\n`);
if (key) process.stderr.write(`device key: ${values['device-id']}=${Buffer.from(key.publicKey).toString('hex')}\n`);
const stop = async () => {
  process.stderr.write(`mcu-sim: ${JSON.stringify(sim.line?.stats ?? sim.framed?.stats)}\n`);
  await sim.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
