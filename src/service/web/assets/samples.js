// Samples: the list with filters (category, label, device, signature), sort by time, paging,
// and counts per label and category.
import { fmtMs, fmtTime, h, mount, signatureBadge } from './dom.js';
import { getJson, projectId } from './api.js';

const PAGE = 25;

function options(name, counts, current, labelOf = (k) => k) {
  return h(
    'select',
    { name, id: `filter-${name}` },
    h('option', { value: '__any' }, 'any'),
    Object.keys(counts)
      .sort()
      .map((k) => h('option', { value: k, selected: current === k }, `${labelOf(k)} (${counts[k]})`)),
  );
}

export function sampleRow(s) {
  return h(
    'tr',
    { dataset: { id: s.id } },
    h('td', {}, h('a', { href: `/samples/${s.id}` }, `#${s.id}`)),
    h('td', { class: 'filename' }, h('a', { href: `/samples/${s.id}` }, s.filename)),
    h('td', { class: 'label' }, s.label || h('span', { class: 'muted' }, 'unlabeled')),
    // The Studio model reports anomaly as testing; the stored category is the local extension.
    h('td', {}, s.storedCategory ?? s.category),
    h('td', {}, s.deviceName ?? h('span', { class: 'muted' }, '—')),
    h('td', {}, (s.sensors ?? []).map((x) => `${x.name} (${x.units})`).join(', ')),
    h('td', { class: 'num' }, fmtMs(s.totalLengthMs)),
    h('td', {}, signatureBadge(s)),
    h('td', {}, fmtTime(s.created ?? s.added)),
  );
}

export function sampleTable(samples) {
  return h(
    'table',
    { class: 'samples', id: 'samples' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['id', 'file', 'label', 'category', 'device', 'sensors', 'length', 'signature', 'added'].map((c) => h('th', {}, c)),
      ),
    ),
    h('tbody', {}, samples.map(sampleRow)),
  );
}

function counts(title, m, labelOf = (k) => k) {
  const keys = Object.keys(m).sort();
  return h(
    'div',
    { class: 'counts' },
    h('strong', {}, `${title}: `),
    keys.length === 0 ? h('span', { class: 'muted' }, 'none') : keys.map((k) => h('span', { class: 'chip' }, `${labelOf(k)} ${m[k]}`)),
  );
}

export async function samplesPage(app, signal) {
  const q = new URLSearchParams(location.search);
  const offset = Math.max(0, Number(q.get('offset') ?? 0) || 0);
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset), sort: q.get('sort') ?? 'newest' });
  for (const k of ['category', 'label', 'device', 'signature']) if (q.has(k)) params.set(k, q.get(k));
  const r = await getJson(`/web/api/${projectId()}/samples?${params}`, { signal });
  const unl = (k) => (k === '' ? '(unlabeled)' : k);
  const nodev = (k) => (k === '' ? '(no device)' : k);
  const form = h(
    'form',
    {
      class: 'filters',
      id: 'filters',
      onchange: () => {
        const next = new URLSearchParams();
        for (const el of form.elements) if (el.name && el.value !== '__any') next.set(el.name, el.value);
        history.pushState(null, '', `/?${next}`);
        void samplesPage(app, signal);
      },
      onsubmit: (ev) => ev.preventDefault(),
    },
    h(
      'label',
      {},
      'category ',
      options('category', { training: r.counts.categories.training ?? 0, testing: r.counts.categories.testing ?? 0, anomaly: r.counts.categories.anomaly ?? 0 }, q.get('category')),
    ),
    h('label', {}, 'label ', options('label', r.counts.labels, q.get('label'), unl)),
    h('label', {}, 'device ', options('device', r.counts.devices, q.get('device'), nodev)),
    h('label', {}, 'signature ', options('signature', r.counts.signatures, q.get('signature'))),
    h(
      'label',
      {},
      'sort ',
      h(
        'select',
        { name: 'sort', id: 'filter-sort' },
        h('option', { value: 'newest', selected: q.get('sort') !== 'oldest' }, 'newest first'),
        h('option', { value: 'oldest', selected: q.get('sort') === 'oldest' }, 'oldest first'),
      ),
    ),
  );
  const pageLink = (o, text) => {
    const p = new URLSearchParams(q);
    p.set('offset', String(o));
    return h('a', { href: `/?${p}`, class: 'button' }, text);
  };
  const end = Math.min(offset + PAGE, r.totalCount);
  mount(
    app,
    h('h1', {}, 'Samples'),
    counts('categories', r.counts.categories),
    counts('labels', r.counts.labels, unl),
    form,
    r.samples.length === 0 ? h('p', { class: 'muted', id: 'empty' }, 'No samples match.') : sampleTable(r.samples),
    h(
      'p',
      { class: 'pager', id: 'pager' },
      offset > 0 ? pageLink(Math.max(0, offset - PAGE), '← previous') : null,
      ` ${r.totalCount === 0 ? 0 : offset + 1}–${end} of ${r.totalCount} `,
      end < r.totalCount ? pageLink(offset + PAGE, 'next →') : null,
    ),
  );
}
