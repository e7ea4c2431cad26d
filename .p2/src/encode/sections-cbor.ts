/**
 * The CBOR document around the values: `header` writes everything up to and including the head
 * of the `values` array, `trailer` everything after its last row. Which top-level keys land in
 * which part follows the layout's key order (the Python layout puts the signature last).
 */
import { cborHead, cborNumber, cborScalar, cborText, cborTextBytes, CBOR_BREAK, CBOR_INDEF_ARRAY, MT_ARRAY, MT_MAP, MT_TEXT } from './cbor.ts';
import type { RunState } from './run-state.ts';
import type { ByteWriter } from './writer.ts';
import type { TopKey } from './layout.ts';

const K_PROTECTED = cborTextBytes('protected');
const K_SIGNATURE = cborTextBytes('signature');
const K_PAYLOAD = cborTextBytes('payload');
const K_DEVICE_NAME = cborTextBytes('device_name');
const K_DEVICE_TYPE = cborTextBytes('device_type');
const K_INTERVAL = cborTextBytes('interval_ms');
const K_SENSORS = cborTextBytes('sensors');
const K_VALUES = cborTextBytes('values');
const K_NAME = cborTextBytes('name');
const K_UNITS = cborTextBytes('units');

function key(w: ByteWriter, k: Uint8Array): void {
  w.reserve(k.length);
  w.bytes(k);
}

function topEntry(run: RunState, w: ByteWriter, k: TopKey): void {
  const plan = run.plan;
  if (k === 'protected') {
    key(w, K_PROTECTED);
    const keys = plan.protectedKeys;
    w.reserve(9);
    cborHead(w, MT_MAP, keys.length);
    for (let i = 0; i < keys.length; i++) {
      cborText(w, keys[i]);
      cborScalar(w, plan.protectedValues[i]);
    }
  } else if (k === 'signature') {
    key(w, K_SIGNATURE);
    const sig = run.sig;
    w.reserve(9 + sig.length);
    cborHead(w, MT_TEXT, sig.length);
    run.sigOffset = w.offset;
    w.ascii(sig);
  }
}

export function cborHeader(run: RunState, w: ByteWriter): void {
  const plan = run.plan;
  w.reserve(1);
  w.u8(0xa3);
  const order = plan.layout.keyOrder;
  for (let i = 0; i < order.length && order[i] !== 'payload'; i++) topEntry(run, w, order[i]);
  const p = plan.doc.payload;
  key(w, K_PAYLOAD);
  w.reserve(1);
  w.u8(p.device_name === undefined ? 0xa4 : 0xa5);
  if (p.device_name !== undefined) {
    key(w, K_DEVICE_NAME);
    cborText(w, p.device_name);
  }
  key(w, K_DEVICE_TYPE);
  cborText(w, p.device_type);
  key(w, K_INTERVAL);
  w.reserve(9);
  cborNumber(w, plan.interval, plan.policy);
  key(w, K_SENSORS);
  w.reserve(9);
  cborHead(w, MT_ARRAY, p.sensors.length);
  for (let i = 0; i < p.sensors.length; i++) {
    const s = p.sensors[i];
    w.reserve(1);
    w.u8(0xa2);
    key(w, K_NAME);
    cborText(w, s.name);
    key(w, K_UNITS);
    cborText(w, s.units);
  }
  key(w, K_VALUES);
  const shape = plan.shape;
  w.reserve(9);
  if (shape.kind === 'tail') {
    w.u8(CBOR_INDEF_ARRAY);
    cborText(w, `Ref-BINARY-${shape.tail}`);
    w.reserve(1);
    w.u8(CBOR_BREAK);
  } else if (shape.kind === 'attachment') {
    w.u8(plan.indefinite ? CBOR_INDEF_ARRAY : 0x81);
    cborText(w, shape.ref);
    if (plan.indefinite) {
      w.reserve(1);
      w.u8(CBOR_BREAK);
    }
  } else if (plan.indefinite) {
    w.u8(CBOR_INDEF_ARRAY);
  } else {
    cborHead(w, MT_ARRAY, shape.count);
  }
}

export function cborTrailer(run: RunState, w: ByteWriter): void {
  const plan = run.plan;
  const kind = plan.shape.kind;
  if (plan.indefinite && kind !== 'tail' && kind !== 'attachment') {
    w.reserve(1);
    w.u8(CBOR_BREAK);
  }
  const order = plan.layout.keyOrder;
  for (let i = order.indexOf('payload') + 1; i < order.length; i++) topEntry(run, w, order[i]);
}
