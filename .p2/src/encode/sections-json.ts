/**
 * The JSON document around the values (see sections-cbor.ts). Byte-identical to JSON.stringify
 * of `{<keyOrder>}` with payload keys device_name?, device_type, interval_ms, sensors, values.
 */
import { asciiBytes, JSON_NUMBER_MAX, jsonNumber, jsonScalar, jsonString } from './json.ts';
import type { RunState } from './run-state.ts';
import type { ByteWriter } from './writer.ts';
import type { TopKey } from './layout.ts';

const K_PROTECTED = asciiBytes('"protected":{');
const K_SIGNATURE = asciiBytes('"signature":"');
const K_PAYLOAD = asciiBytes('"payload":{');
const K_DEVICE_NAME = asciiBytes('"device_name":');
const K_DEVICE_TYPE = asciiBytes('"device_type":');
const K_INTERVAL = asciiBytes(',"interval_ms":');
const K_SENSORS = asciiBytes(',"sensors":[');
const K_VALUES = asciiBytes('],"values":[');
const K_NAME = asciiBytes('{"name":');
const K_UNITS = asciiBytes(',"units":');

function raw(w: ByteWriter, b: Uint8Array): void {
  w.reserve(b.length);
  w.bytes(b);
}

function ch(w: ByteWriter, c: number): void {
  w.reserve(1);
  w.u8(c);
}

function topEntry(run: RunState, w: ByteWriter, k: TopKey): void {
  const plan = run.plan;
  if (k === 'protected') {
    raw(w, K_PROTECTED);
    const keys = plan.protectedKeys;
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) ch(w, 0x2c);
      jsonString(w, keys[i]);
      ch(w, 0x3a);
      jsonScalar(w, plan.protectedValues[i]);
    }
    ch(w, 0x7d);
  } else if (k === 'signature') {
    raw(w, K_SIGNATURE);
    const sig = run.sig;
    w.reserve(sig.length + 1);
    run.sigOffset = w.offset;
    w.ascii(sig);
    w.u8(0x22);
  }
}

export function jsonHeader(run: RunState, w: ByteWriter): void {
  const plan = run.plan;
  ch(w, 0x7b);
  const order = plan.layout.keyOrder;
  for (let i = 0; i < order.length && order[i] !== 'payload'; i++) {
    topEntry(run, w, order[i]);
    ch(w, 0x2c);
  }
  const p = plan.doc.payload;
  raw(w, K_PAYLOAD);
  if (p.device_name !== undefined) {
    raw(w, K_DEVICE_NAME);
    jsonString(w, p.device_name);
    ch(w, 0x2c);
  }
  raw(w, K_DEVICE_TYPE);
  jsonString(w, p.device_type);
  raw(w, K_INTERVAL);
  w.reserve(JSON_NUMBER_MAX);
  jsonNumber(w, plan.interval);
  raw(w, K_SENSORS);
  const sensors = p.sensors;
  for (let i = 0; i < sensors.length; i++) {
    if (i > 0) ch(w, 0x2c);
    raw(w, K_NAME);
    jsonString(w, sensors[i].name);
    raw(w, K_UNITS);
    jsonString(w, sensors[i].units);
    ch(w, 0x7d);
  }
  raw(w, K_VALUES);
  if (plan.shape.kind === 'attachment') jsonString(w, plan.shape.ref);
}

export function jsonTrailer(run: RunState, w: ByteWriter): void {
  const order = run.plan.layout.keyOrder;
  ch(w, 0x5d);
  ch(w, 0x7d);
  for (let i = order.indexOf('payload') + 1; i < order.length; i++) {
    ch(w, 0x2c);
    topEntry(run, w, order[i]);
  }
  ch(w, 0x7d);
}
