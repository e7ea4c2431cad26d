/**
 * Candidate serial ports for `daemon --list-ports`, with USB vendor/product ids. serialport's
 * `list()` asks udev, which is missing in containers and minimal images (FACTS §8); then the
 * ports come from sysfs (`/sys/class/tty/<name>/device` up to the USB device's `idVendor`), and the
 * caller is told why the list may be partial. Listing never picks a port: `--port` is explicit.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BoardPortError } from './errors.ts';
import { serialPortClass } from '../optional.ts';

export interface PortCandidate {
  path: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
}

export interface PortListing {
  ports: PortCandidate[];
  /** Set when serialport's list failed and sysfs was used instead. */
  note?: string;
}

function readId(dir: string, file: string): string | undefined {
  try {
    return readFileSync(join(dir, file), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** USB ttys from sysfs (`sysRoot` for tests). */
export function sysfsPorts(sysRoot = '/sys/class/tty', devRoot = '/dev'): PortCandidate[] {
  let names: string[];
  try {
    names = readdirSync(sysRoot);
  } catch {
    return [];
  }
  const out: PortCandidate[] = [];
  for (const name of names.sort()) {
    let dir: string;
    try {
      dir = realpathSync(join(sysRoot, name, 'device'));
    } catch {
      continue; // virtual console or pty: no device behind it
    }
    // Walk up to the USB device (the directory holding idVendor), at most a few levels.
    let usb: string | undefined;
    for (let d = dir, i = 0; i < 6 && d !== '/'; i++, d = dirname(d)) {
      if (readId(d, 'idVendor')) {
        usb = d;
        break;
      }
    }
    if (!usb && !/^tty(ACM|USB|AMA)/.test(name)) continue;
    out.push({
      path: join(devRoot, name),
      vendorId: usb && readId(usb, 'idVendor'),
      productId: usb && readId(usb, 'idProduct'),
      manufacturer: usb && readId(usb, 'manufacturer'),
      serialNumber: usb && readId(usb, 'serial'),
    });
  }
  return out;
}

/** @throws BoardPortError EI_DAEMON_LIST_PORTS only when neither way works */
export async function listPorts(list?: () => Promise<PortCandidate[]>): Promise<PortListing> {
  try {
    const ports = list ? await list() : await serialPortClass().list();
    return {
      ports: ports.map((p) => ({ path: p.path, vendorId: p.vendorId, productId: p.productId, manufacturer: p.manufacturer, serialNumber: p.serialNumber })),
    };
  } catch (err) {
    const why = (err as Error).message?.split('\n')[0] ?? String(err);
    try {
      return { ports: sysfsPorts(), note: `serialport could not list ports (${why}; udev is probably missing), so this list comes from /sys/class/tty and may be partial` };
    } catch (e2) {
      throw new BoardPortError('EI_DAEMON_LIST_PORTS', `cannot list serial ports: ${why}`, { cause: e2 });
    }
  }
}

/** One line per candidate: `path  vid:pid  manufacturer  serial`. */
export function formatPorts(l: PortListing): string {
  const lines = l.ports.map((p) => [p.path.padEnd(24), p.vendorId ? `${p.vendorId}:${p.productId ?? '????'}` : '-        ', p.manufacturer ?? '', p.serialNumber ?? ''].join('  ').trimEnd());
  if (lines.length === 0) lines.push('no serial ports found');
  if (l.note) lines.push(`note: ${l.note}`);
  return lines.join('\n') + '\n';
}
