/**
 * Runs the modem simulator until killed:
 *   npx tsx firmware-sim/modem/cli.ts --dialect new|old [--baud N] [--latency-ms N] [--roaming] [--verbose]
 * Prints the device path for the client on the first line of stdout.
 */
import { parseArgs } from 'node:util';
import { startModemSim } from './index.ts';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'new' },
    baud: { type: 'string', default: '115200' },
    roaming: { type: 'boolean', default: false },
    'registration-delay-ms': { type: 'string', default: '200' },
    'first-handle': { type: 'string' },
    'latency-ms': { type: 'string', default: '0' },
    verbose: { type: 'boolean', short: 'v', default: false },
  },
});

if (values.dialect !== 'new' && values.dialect !== 'old') {
  process.stderr.write('--dialect must be new or old\n');
  process.exit(2);
}
const sim = await startModemSim({
  dialect: values.dialect,
  baud: Number(values.baud),
  roaming: values.roaming,
  registrationDelayMs: Number(values['registration-delay-ms']),
  firstHandle: values['first-handle'] !== undefined ? Number(values['first-handle']) : undefined,
  latencyMs: Number(values['latency-ms']),
  log: values.verbose ? (l) => process.stderr.write(`[modem] ${l}\n`) : undefined,
});
process.stdout.write(`${sim.devicePath}\n`);
process.stderr.write(`modem simulator: ${sim.dialect} dialect, ${sim.baud} baud, IMEI ${sim.imei}; Ctrl-C to stop\n`);
const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
