// A sample: its plot (or image with bounding boxes), metadata, labels, signature, device;
// download raw, relabel, delete.
import { fmtMs, fmtTime, h, mount, signatureBadge } from './dom.js';
import { call, getJson, projectId } from './api.js';
import { drawPlot } from './plot.js';
import { go } from './app.js';

function kv(rows) {
  return h(
    'table',
    { class: 'kv' },
    h(
      'tbody',
      {},
      rows.filter(Boolean).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))),
    ),
  );
}

async function blobUrl(path, signal) {
  return URL.createObjectURL(await (await call(path, { signal })).blob());
}

async function imageView(s, signal) {
  const path = s.hasAttachment ? `/v1/api/${projectId()}/raw-data/${s.id}/attachment` : `/v1/api/${projectId()}/raw-data/${s.id}/raw`;
  const img = h('img', { src: await blobUrl(path, signal), alt: s.filename, id: 'sample-image' });
  const box = h('div', { class: 'image-box' }, img);
  const w = s.info?.width;
  const ht = s.info?.height;
  for (const b of s.boundingBoxes ?? []) {
    if (!w || !ht) break;
    box.append(
      h(
        'div',
        { class: 'bbox', style: { left: `${(100 * b.x) / w}%`, top: `${(100 * b.y) / ht}%`, width: `${(100 * b.width) / w}%`, height: `${(100 * b.height) / ht}%` } },
        h('span', { class: 'bbox-label' }, b.label),
      ),
    );
  }
  return box;
}

export async function samplePage(app, id, signal) {
  const plotHost = h('div', { class: 'plot', id: 'plot' });
  const columns = Math.max(200, Math.min(4096, Math.floor(app.clientWidth || 1000)));
  const r = await getJson(`/web/api/${projectId()}/samples/${id}?columns=${columns}`, { signal });
  const s = r.sample;
  const status = h('p', { class: 'status', id: 'action-status', role: 'status' });
  const labelInput = h('input', { name: 'label', id: 'relabel-input', value: s.label ?? '', required: true, size: 24 });
  const relabel = h(
    'form',
    {
      class: 'inline',
      id: 'relabel',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          await call(`/v1/api/${projectId()}/raw-data/${id}/edit-label`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label: labelInput.value }) });
          go(`/samples/${id}`);
        } catch (e) {
          status.textContent = `Relabel failed: ${e.message}`;
        }
      },
    },
    h('label', { for: 'relabel-input' }, 'label '),
    labelInput,
    ' ',
    h('button', { type: 'submit' }, 'Relabel'),
  );
  const download = h(
    'button',
    {
      id: 'download',
      onclick: async () => {
        try {
          const a = h('a', { href: await blobUrl(`/v1/api/${projectId()}/raw-data/${id}/raw`, signal), download: s.filename });
          a.click();
        } catch (e) {
          status.textContent = `Download failed: ${e.message}`;
        }
      },
    },
    'Download raw',
  );
  const del = h(
    'button',
    {
      id: 'delete',
      class: 'danger',
      onclick: async () => {
        if (!confirm(`Delete sample #${id} (${s.filename})?`)) return;
        try {
          await call(`/v1/api/${projectId()}/raw-data/${id}`, { method: 'DELETE' });
          go('/');
        } catch (e) {
          status.textContent = `Delete failed: ${e.message}`;
        }
      },
    },
    'Delete',
  );
  const meta = Object.entries(s.metadata ?? {});
  const ranges = s.structuredLabels ?? [];
  mount(
    app,
    h('p', {}, h('a', { href: '/' }, '← all samples')),
    h('h1', { id: 'sample-title' }, `#${s.id} `, h('span', { class: 'filename' }, s.filename)),
    h('div', { class: 'actions' }, relabel, download, del, status),
    plotHost,
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        {},
        h('h2', {}, 'Sample'),
        kv([
          ['label', s.label || h('span', { class: 'muted' }, 'unlabeled')],
          ['category', s.storedCategory ?? s.category],
          ['signature', signatureBadge(s)],
          ['device', `${s.deviceName ?? '—'} (${s.deviceType ?? 'unknown type'})`],
          ['sensors', (s.sensors ?? []).map((x) => `${x.name} (${x.units})`).join(', ')],
          ['interval', s.intervalMs ? `${s.intervalMs} ms (${Number(s.frequency).toFixed(2)} Hz)` : '—'],
          ['values', String(s.valuesCount ?? '—')],
          ['length', fmtMs(s.totalLengthMs)],
          s.info?.binaryType ? ['binary tail', `Ref-BINARY-${s.info.binaryType} (decoded)`] : null,
          s.info?.sampleRate ? ['audio', `${s.info.sampleRate} Hz, ${s.info.channels} channel(s), ${s.info.bitsPerSample}-bit`] : null,
          ['added', fmtTime(s.created ?? s.added)],
          ['sha256', h('code', {}, s.sha256Hash ?? s.sha256 ?? '')],
        ]),
      ),
      h('section', {}, h('h2', {}, 'Metadata'), meta.length ? kv(meta) : h('p', { class: 'muted' }, 'none')),
      s.boundingBoxes?.length
        ? h(
            'section',
            {},
            h('h2', {}, 'Bounding boxes'),
            h(
              'ul',
              { id: 'bboxes' },
              s.boundingBoxes.map((b) => h('li', {}, h('span', { class: 'bbox-name' }, b.label), ` x=${b.x} y=${b.y} ${b.width}×${b.height}`)),
            ),
          )
        : null,
    ),
  );
  if (r.plot.kind === 'series') {
    drawPlot(plotHost, r.plot.summary, s.sensors ?? [], ranges, Math.max(300, Math.min(plotHost.clientWidth || columns, columns)));
  } else if (r.plot.reason === 'image') {
    plotHost.append(await imageView(s, signal));
  } else {
    plotHost.append(h('p', { class: 'muted' }, `No plot: ${r.plot.reason}`));
  }
}
