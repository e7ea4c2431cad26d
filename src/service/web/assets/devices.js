// Devices: connected remote-management devices with sensors and frequencies, and a
// start-sampling form that runs the flow and shows each status message as it arrives.
import { fmtTime, h, mount } from './dom.js';
import { call, getJson, openEvents, projectId } from './api.js';

/** A device's status message → one line of text (FACTS §6 order). */
export function statusText(m) {
  if ('sample' in m) return m.sample === true ? 'request accepted' : `error: ${m.error ?? 'refused'}`;
  if ('sampleStarted' in m) return 'started';
  if ('sampleProcessing' in m) return 'processing';
  if ('sampleReading' in m) return `reading ${m.progressPercentage ?? '?'}%`;
  if ('sampleUploading' in m) return 'uploading';
  if ('sampleFinished' in m) return 'finished';
  if ('error' in m) return `error: ${m.error}`;
  return JSON.stringify(m);
}

function sensorsText(d) {
  return (d.sensors ?? []).map((s) => `${s.name}: ${s.frequencies.map((f) => `${f} Hz`).join(', ')} (max ${s.maxSampleLengthS} s)`);
}

function deviceTable(devices) {
  if (devices.length === 0) return h('p', { class: 'muted', id: 'no-devices' }, 'No devices have connected to remote management yet.');
  return h(
    'table',
    { class: 'devices', id: 'devices' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['device', 'type', 'connected', 'sensors', 'last seen'].map((c) => h('th', {}, c)),
      ),
    ),
    h(
      'tbody',
      {},
      devices.map((d) =>
        h(
          'tr',
          { dataset: { device: d.deviceId } },
          h('td', {}, d.name ?? d.deviceId),
          h('td', {}, d.deviceType),
          h('td', { class: 'connected' }, connected(d) ? 'yes' : 'no'),
          h(
            'td',
            {},
            h(
              'ul',
              { class: 'plain' },
              sensorsText(d).map((t) => h('li', {}, t)),
            ),
          ),
          h('td', {}, fmtTime(d.lastSeen)),
        ),
      ),
    ),
  );
}

const connected = (d) => d.remote_mgmt_connected ?? d.remoteMgmtConnected ?? false;

export async function devicesPage(app, signal) {
  let devices = (await getJson(`/v1/api/${projectId()}/devices`, { signal })).devices ?? [];
  const log = h('ol', { class: 'status-log', id: 'status-log' });
  const formStatus = h('p', { class: 'status', id: 'form-status', role: 'status' });
  let watching = null; // { deviceId }

  const deviceSel = h('select', { name: 'device', id: 'device' });
  const sensorSel = h('select', { name: 'sensor', id: 'sensor' });
  const freqSel = h('select', { name: 'frequency', id: 'frequency' });
  const fillFreqs = () => {
    const d = devices.find((x) => x.deviceId === deviceSel.value);
    const s = d?.sensors.find((x) => x.name === sensorSel.value);
    mount(
      freqSel,
      (s?.frequencies ?? []).map((f) => h('option', { value: f }, `${f} Hz`)),
    );
  };
  const fillSensors = () => {
    const d = devices.find((x) => x.deviceId === deviceSel.value);
    mount(
      sensorSel,
      (d?.sensors ?? []).map((s) => h('option', { value: s.name }, s.name)),
    );
    fillFreqs();
  };
  const fillDevices = () => {
    const keep = deviceSel.value;
    mount(
      deviceSel,
      devices.filter(connected).map((d) => h('option', { value: d.deviceId, selected: d.deviceId === keep }, d.name ?? d.deviceId)),
    );
    if (deviceSel.value !== keep) fillSensors();
  };
  deviceSel.addEventListener('change', fillSensors);
  sensorSel.addEventListener('change', fillFreqs);
  fillDevices();
  fillSensors();

  const label = h('input', { name: 'label', id: 'label', required: true, value: 'idle', size: 16 });
  const length = h('input', { name: 'length', id: 'length', type: 'number', min: 1, required: true, value: 2000, size: 8 });
  const category = h(
    'select',
    { name: 'category', id: 'category' },
    ['training', 'testing', 'anomaly'].map((c) => h('option', { value: c }, c)),
  );
  const submit = h('button', { type: 'submit', id: 'start', disabled: true }, 'Start sampling');
  const form = h(
    'form',
    {
      class: 'sampling',
      id: 'sampling',
      onsubmit: async (ev) => {
        ev.preventDefault();
        formStatus.textContent = '';
        log.replaceChildren();
        if (!deviceSel.value) {
          formStatus.textContent = 'No connected device to sample from.';
          return;
        }
        watching = { deviceId: deviceSel.value };
        try {
          await call(`/v1/api/${projectId()}/device/${encodeURIComponent(deviceSel.value)}/start-sampling`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ label: label.value, lengthMs: Number(length.value), category: category.value, intervalMs: 1000 / Number(freqSel.value), sensor: sensorSel.value }),
          });
          formStatus.textContent = `Sample requested from ${deviceSel.value}`;
        } catch (e) {
          watching = null;
          formStatus.textContent = `Could not start sampling: ${e.message}`;
        }
      },
    },
    h('label', {}, 'device ', deviceSel),
    h('label', {}, 'sensor ', sensorSel),
    h('label', {}, 'frequency ', freqSel),
    h('label', {}, 'label ', label),
    h('label', {}, 'length (ms) ', length),
    h('label', {}, 'category ', category),
    submit,
  );

  let table = deviceTable(devices);
  mount(app, h('h1', {}, 'Devices'), table, h('h2', {}, 'Start sampling'), form, formStatus, log);

  // A device connecting or going away updates the table and the form in place (the log stays).
  const refresh = async () => {
    devices = (await getJson(`/v1/api/${projectId()}/devices`, { signal })).devices ?? [];
    const next = deviceTable(devices);
    table.replaceWith(next);
    table = next;
    fillDevices();
  };

  openEvents((name, data) => {
    if (name === 'hello') submit.disabled = false;
    if (name === 'disconnected') submit.disabled = true;
    if (name !== 'device') return;
    if (data.kind === 'connected' || data.kind === 'disconnected') void refresh().catch(() => {});
    if (!watching || data.deviceId !== watching.deviceId) return;
    if (data.kind === 'disconnected') log.append(h('li', { class: 'error' }, 'device disconnected'));
    if (data.kind !== 'from-device' || !data.message || 'hello' in data.message) return;
    const text = statusText(data.message);
    log.append(h('li', { class: text.startsWith('error') ? 'error' : '', dataset: { seq: data.seq } }, text));
  }, signal);
}
