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

export async function devicesPage(app, signal) {
  const r = await getJson(`/v1/api/${projectId()}/devices`, { signal });
  const devices = r.devices ?? [];
  const log = h('ol', { class: 'status-log', id: 'status-log' });
  const formStatus = h('p', { class: 'status', id: 'form-status', role: 'status' });
  let watching = null; // { deviceId, afterSeq }

  const deviceSel = h('select', { name: 'device', id: 'device' }, devices.filter((d) => d.remote_mgmt_connected ?? d.remoteMgmtConnected).map((d) => h('option', { value: d.deviceId }, d.name ?? d.deviceId)));
  const sensorSel = h('select', { name: 'sensor', id: 'sensor' });
  const freqSel = h('select', { name: 'frequency', id: 'frequency' });
  const fillSensors = () => {
    const d = devices.find((x) => x.deviceId === deviceSel.value);
    mount(sensorSel, (d?.sensors ?? []).map((s) => h('option', { value: s.name }, s.name)));
    fillFreqs();
  };
  const fillFreqs = () => {
    const d = devices.find((x) => x.deviceId === deviceSel.value);
    const s = d?.sensors.find((x) => x.name === sensorSel.value);
    mount(freqSel, (s?.frequencies ?? []).map((f) => h('option', { value: f }, `${f} Hz`)));
  };
  deviceSel.addEventListener('change', fillSensors);
  sensorSel.addEventListener('change', fillFreqs);
  fillSensors();

  const label = h('input', { name: 'label', id: 'label', required: true, value: 'idle', size: 16 });
  const length = h('input', { name: 'length', id: 'length', type: 'number', min: 1, required: true, value: 2000, size: 8 });
  const category = h('select', { name: 'category', id: 'category' }, ['training', 'testing', 'anomaly'].map((c) => h('option', { value: c }, c)));
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

  const table =
    devices.length === 0
      ? h('p', { class: 'muted', id: 'no-devices' }, 'No devices have connected to remote management yet.')
      : h(
          'table',
          { class: 'devices', id: 'devices' },
          h('thead', {}, h('tr', {}, ['device', 'type', 'connected', 'sensors', 'last seen'].map((c) => h('th', {}, c)))),
          h(
            'tbody',
            {},
            devices.map((d) =>
              h(
                'tr',
                { dataset: { device: d.deviceId } },
                h('td', {}, d.name ?? d.deviceId),
                h('td', {}, d.deviceType),
                h('td', { class: 'connected' }, (d.remote_mgmt_connected ?? d.remoteMgmtConnected) ? 'yes' : 'no'),
                h('td', {}, h('ul', { class: 'plain' }, sensorsText(d).map((t) => h('li', {}, t)))),
                h('td', {}, fmtTime(d.lastSeen)),
              ),
            ),
          ),
        );

  mount(app, h('h1', {}, 'Devices'), table, h('h2', {}, 'Start sampling'), deviceSel.options.length ? form : h('p', { class: 'muted' }, 'No connected device to sample from.'), formStatus, log);

  openEvents((name, data) => {
    if (name === 'hello') submit.disabled = false;
    if (name === 'disconnected') submit.disabled = true;
    if (name !== 'device' || !watching || data.deviceId !== watching.deviceId) return;
    if (data.kind === 'disconnected') log.append(h('li', { class: 'error' }, 'device disconnected'));
    if (data.kind !== 'from-device' || !data.message || 'hello' in data.message) return;
    const text = statusText(data.message);
    log.append(h('li', { class: text.startsWith('error') ? 'error' : '', dataset: { seq: data.seq } }, text));
  }, signal);
}
