// The pages' entry: asks for the API key once, then draws the page for the current path.
import { h, mount } from './dom.js';
import { AuthError, NotFoundError, forgetKey, getKey, login, projectId } from './api.js';
import { samplesPage } from './samples.js';
import { samplePage } from './sample.js';
import { devicesPage } from './devices.js';
import { livePage } from './live.js';

const app = document.getElementById('app');
let pageAbort = new AbortController();

function keyForm(message) {
  const input = h('input', { type: 'password', name: 'apiKey', id: 'api-key', autocomplete: 'off', required: true, size: 40, placeholder: 'ei_…' });
  const status = h('p', { class: 'error', id: 'key-error', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    {
      class: 'key-form',
      onsubmit: async (ev) => {
        ev.preventDefault();
        status.textContent = '';
        try {
          await login(input.value.trim());
          void route();
        } catch (e) {
          status.textContent = e.message;
        }
      },
    },
    h('h1', {}, 'API key'),
    h('p', {}, 'Enter the API key of this local service (printed by `serve` when it created its config, or by `npm start -- --keep`). It stays in this browser tab only.'),
    h('label', { for: 'api-key' }, 'API key '),
    input,
    ' ',
    h('button', { type: 'submit' }, 'Use key'),
    status,
  );
  mount(app, form);
  input.focus();
}

function markNav(name) {
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.nav === name);
  const who = document.getElementById('who');
  if (who) mount(who, getKey() ? [`project ${projectId()} `, h('button', { class: 'link', onclick: () => (forgetKey(), route()) }, 'forget key')] : '');
}

export async function route() {
  pageAbort.abort();
  pageAbort = new AbortController();
  const signal = pageAbort.signal;
  if (!getKey()) {
    markNav('');
    return keyForm();
  }
  const path = location.pathname;
  const m = /^\/samples\/(\d+)$/.exec(path);
  try {
    if (m) {
      markNav('samples');
      await samplePage(app, Number(m[1]), signal);
    } else if (path === '/devices' || path === '/devices/') {
      markNav('devices');
      await devicesPage(app, signal);
    } else if (path === '/live' || path === '/live/') {
      markNav('live');
      await livePage(app, signal);
    } else {
      markNav('samples');
      await samplesPage(app, signal);
    }
  } catch (e) {
    if (signal.aborted) return;
    if (e instanceof AuthError) {
      forgetKey();
      markNav('');
      return keyForm(`The service refused the API key (${e.message}). Enter the right key.`);
    }
    if (e instanceof NotFoundError) {
      return mount(app, h('h1', {}, 'Not found'), h('p', { class: 'error', id: 'not-found' }, e.message), h('p', {}, h('a', { href: '/' }, 'All samples')));
    }
    mount(app, h('h1', {}, 'Something went wrong'), h('p', { class: 'error' }, e.message));
  }
}

/** In-page navigation for our own links (keeps the event stream logic simple: one page at a time). */
export function go(href) {
  history.pushState(null, '', href);
  void route();
}

document.addEventListener('click', (ev) => {
  const a = ev.target.closest?.('a');
  if (!a || a.target || a.hasAttribute('download') || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/web/') || url.pathname.startsWith('/v1/')) return;
  ev.preventDefault();
  go(url.pathname + url.search);
});
window.addEventListener('popstate', () => void route());
void route();
