/**
 * A device id that is unique and stable: the modem's IMEI when there is one, else the first real
 * MAC address, else a random id generated once and kept in the config directory. Never a shared
 * placeholder: two devices with the same id would overwrite each other in Studio's device list.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { EiError } from '../errors.ts';

export interface DeviceIdOptions {
  /** Given by the user (`--device-id`): used as is after validation. */
  explicit?: string;
  /** A modem's IMEI (15 digits), when the device has one. */
  imei?: string;
  /** Where the generated id is persisted (file `device-id`). */
  configDir: string;
  /** Injected for tests; defaults to os.networkInterfaces(). */
  interfaces?: () => ReturnType<typeof networkInterfaces>;
  /** Set false to skip MAC lookup (tests that need the generated id). */
  useMac?: boolean;
}

export interface ResolvedDeviceId {
  id: string;
  source: 'explicit' | 'imei' | 'mac' | 'generated';
}

const ID_RE = /^[A-Za-z0-9:._-]{1,64}$/;

/** MACs that are not unique to a device (loopback, zero). */
function isRealMac(mac: string): boolean {
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) return false;
  if (/^(00:){5}00$/.test(mac) || /^(ff:){5}ff$/i.test(mac)) return false;
  return true;
}

/**
 * Picks the device id; see the module comment for the order.
 * @throws EiError `EI_DEVICE_ID` when an explicit id or IMEI is malformed
 */
export function resolveDeviceId(o: DeviceIdOptions): ResolvedDeviceId {
  if (o.explicit !== undefined) {
    if (!ID_RE.test(o.explicit)) {
      throw new EiError('EI_DEVICE_ID', 'device id must be 1-64 characters of letters, digits and : . _ -');
    }
    return { id: o.explicit, source: 'explicit' };
  }
  if (o.imei !== undefined) {
    if (!/^\d{15}$/.test(o.imei)) throw new EiError('EI_DEVICE_ID', 'IMEI must be 15 digits');
    return { id: o.imei, source: 'imei' };
  }
  if (o.useMac !== false) {
    const ifs = (o.interfaces ?? networkInterfaces)();
    const names = Object.keys(ifs).sort();
    for (const name of names) {
      for (const a of ifs[name] ?? []) {
        if (!a.internal && isRealMac(a.mac)) return { id: a.mac.toLowerCase(), source: 'mac' };
      }
    }
  }
  return { id: persistedId(o.configDir), source: 'generated' };
}

function persistedId(dir: string): string {
  const file = join(dir, 'device-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (ID_RE.test(id)) return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = 'ei-' + randomBytes(6).toString('hex');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // 'wx' so two processes starting at once cannot both write: the loser re-reads the winner's id.
  try {
    writeFileSync(file, id + '\n', { flag: 'wx', mode: 0o600 });
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
}
