/**
 * Runs the simulated Edge Impulse firmware board until killed:
 *   npx tsx firmware-sim/ei-board/cli.ts [--handlers full|esp32] [--at-version 1.8.0]
 *     [--transfer-baud 921600] [--device-id ID] [--start-delay-ms 2000] [--garbage-ms N]
 * Prints the device path for `ei-ingest daemon --port` on the first line of stdout.
 */
import { parseArgs } from 'node:util';
import { startEiBoardSim } from './index.ts';

const { values } = parseArgs({
  options: {
    handlers: { type: 'string', default: 'full' },
    'at-version': { type: 'string', default: '1.8.0' },
    'transfer-baud': { type: 'string', default: '921600' },
    'device-id': { type: 'string' },
    'start-delay-ms': { type: 'string', default: '2000' },
    'garbage-ms': { type: 'string', default: '0' },
  },
});
if (values.handlers !== 'full' && values.handlers !== 'esp32') {
  process.stderr.write('--handlers must be full or esp32\n');
  process.exit(2);
}
const sim = await startEiBoardSim({
  handlers: values.handlers,
  atVersion: values['at-version'],
  transferBaud: Number(values['transfer-baud']),
  deviceId: values['device-id'],
  startDelayMs: Number(values['start-delay-ms']),
  faults: { garbageEveryMs: Number(values['garbage-ms']) },
});
process.stdout.write(`${sim.devicePath}\n`);
process.stderr.write(`EI board simulator: AT ${values['at-version']}, ${values.handlers} handler set; Ctrl-C to stop\n`);
const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
