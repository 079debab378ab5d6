// The key browser: a pattern searched one SCAN page at a time (the API's cursor, never KEYS),
// a key's detail, and deleting it.

import { callApi, keyPath } from './api.js';
import { byId, confirmAction, el, formatBytes, formatDuration, setText, showResult, whileBusy } from './dom.js';

export function initKeys(onError) {
  const form = byId('key-search');
  const list = byId('key-list');
  const next = byId('key-next');
  const state = { pattern: '*', count: 100, cursor: '0', page: 0, selected: null };

  async function loadPage() {
    const query = new URLSearchParams({ pattern: state.pattern, cursor: state.cursor, count: String(state.count) });
    try {
      const page = await callApi('GET', `/cache/keys?${query}`);
      state.page += 1;
      state.cursor = page.cursor;
      list.replaceChildren(...page.keys.map((key) => el('li', {}, el('button', { type: 'button', dataset: { key } }, key))));
      const more = page.cursor !== '0';
      next.hidden = !more;
      setText('key-page', `Page ${state.page}: ${page.keys.length} key(s)${more ? '; more pages follow' : '; end of the scan'}`);
    } catch (error) {
      onError(error);
      showResult('key-result', false, `Search failed: ${error.message}`);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.pattern = byId('key-pattern').value.trim() || '*';
    state.count = Number(byId('key-count').value) || 100;
    state.cursor = '0';
    state.page = 0;
    byId('key-detail').hidden = true;
    setText('key-result', '');
    setText('key-page', 'Searching…');
    list.replaceChildren();
    next.hidden = true;
    void whileBusy(form, loadPage);
  });

  next.addEventListener('click', () => void whileBusy(form, loadPage));

  list.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-key]') : null;
    if (button === null) return;
    for (const other of list.querySelectorAll('button.selected')) other.classList.remove('selected');
    button.classList.add('selected');
    void showKey(button.dataset.key);
  });

  async function showKey(key) {
    setText('key-result', '');
    try {
      const info = await callApi('GET', keyPath(key));
      state.selected = info.key;
      setText('key-detail-name', info.key);
      setText('key-ttl', formatDuration(info.ttlMs));
      setText('key-size', formatBytes(info.sizeBytes));
      setText('key-encoding', info.encoding);
      setText('key-tags', info.tags.length > 0 ? info.tags.join(', ') : 'none');
      byId('key-detail').hidden = false;
    } catch (error) {
      onError(error);
      byId('key-detail').hidden = true;
      showResult('key-result', false, error.status === 404 ? `${key} is gone (expired or deleted)` : `Could not read ${key}: ${error.message}`);
    }
  }

  byId('key-delete').addEventListener('click', async () => {
    const key = state.selected;
    if (key === null || !(await confirmAction(`Delete the key ${key}?`))) return;
    try {
      await callApi('DELETE', keyPath(key));
      byId('key-detail').hidden = true;
      for (const button of list.querySelectorAll('button[data-key]')) if (button.dataset.key === key) button.parentElement.remove();
      showResult('key-result', true, `Deleted ${key}`);
    } catch (error) {
      onError(error);
      showResult('key-result', false, `Could not delete ${key}: ${error.message}`);
    }
  });
}
