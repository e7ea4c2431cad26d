// Live: new samples appear at the top of the list as they are stored, without a reload.
import { h, mount } from './dom.js';
import { getJson, openEvents, projectId } from './api.js';
import { sampleRow, sampleTable } from './samples.js';

export async function livePage(app, signal) {
  const r = await getJson(`/web/api/${projectId()}/samples?limit=25&sort=newest`, { signal });
  const table = sampleTable(r.samples);
  const body = table.tBodies[0];
  const state = h('span', { class: 'badge', id: 'live-state' }, 'connecting…');
  const count = h('span', { id: 'live-count' }, '0');
  mount(app, h('h1', {}, 'Live ', state), h('p', {}, 'New samples appear here as the service stores them. New since opened: ', count), table);
  let n = 0;
  openEvents((name, data) => {
    if (name === 'hello') {
      state.textContent = 'live';
      state.className = 'badge sig-valid';
    } else if (name === 'disconnected') {
      state.textContent = 'reconnecting…';
      state.className = 'badge sig-invalid';
    } else if (name === 'sample') {
      const row = sampleRow(data);
      row.classList.add('new');
      body.prepend(row);
      while (body.rows.length > 200) body.deleteRow(-1);
      count.textContent = String(++n);
    } else if (name === 'sample-deleted') {
      body.querySelector(`tr[data-id="${Number(data.id)}"]`)?.remove();
    }
  }, signal);
}
