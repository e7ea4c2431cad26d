// Builds DOM from data. Text only ever goes in as text nodes (never innerHTML), so whatever a
// document holds — names, labels, metadata — shows as text and cannot become markup.

/**
 * h('a', { href: '/x', class: 'y', onclick: fn }, 'text', child, [more]) → element.
 * Attribute values are set with setAttribute (no parsing); `on…` keys take functions.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces everything inside `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function fmtTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function fmtMs(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** The signature cell: valid / invalid / unsigned, with the method. */
export function signatureBadge(s) {
  const method = s.signatureMethod ?? 'none';
  const state = s.signatureValidate === true ? 'valid' : method === 'none' ? 'unsigned' : 'invalid';
  return h('span', { class: `badge sig-${state}`, title: `signature ${state} (${method})` }, `${state} · ${method}`);
}
