// Invalidation, warming and a stats reset: each asks for confirmation in the page's dialog, then
// shows what the API answered, or its error.

import { callApi } from './api.js';
import { byId, confirmAction, el, formatCount, formatMs, showResult, splitList, whileBusy } from './dom.js';

const PLACEHOLDERS = { tags: 'tags, comma-separated', pattern: 'namespace:id glob, e.g. users:*', org: '(all of the organization\'s keys)' };

export function initActions({ onError, onStatsReset, scope }) {
  const by = byId('invalidate-by');
  const value = byId('invalidate-value');
  const syncInvalidateForm = () => {
    value.placeholder = PLACEHOLDERS[by.value];
    value.disabled = by.value === 'org';
    byId('invalidate-org').required = by.value === 'org';
  };
  by.addEventListener('change', syncInvalidateForm);
  syncInvalidateForm();

  onSubmit('invalidate-form', async () => {
    const org = byId('invalidate-org').value.trim();
    const body = {};
    if (by.value === 'tags') body.tags = splitList(value.value);
    else if (by.value === 'pattern') body.pattern = value.value.trim();
    else body.pattern = '*'; // every key of one organization: the org is its own field
    if (org !== '') body.org = org;
    if ((body.tags?.length ?? 1) === 0 || body.pattern === '') return showResult('invalidate-result', false, 'Enter tags or a pattern first');
    const what = body.tags !== undefined ? `tags ${body.tags.join(', ')}` : by.value === 'org' ? 'every key' : `pattern ${body.pattern}`;
    if (!(await confirmAction(`Invalidate ${what} in ${org === '' ? 'every organization' : `organization ${org}`}?`))) return;
    try {
      const result = await callApi('POST', '/cache/invalidate', { body });
      showResult('invalidate-result', true, `Invalidated ${formatCount(result.invalidated)} key(s)`);
    } catch (error) {
      onError(error);
      showResult('invalidate-result', false, `Invalidation failed: ${error.message}`);
    }
  });

  onSubmit('warm-form', async () => {
    const org = byId('warm-org').value.trim();
    const jobs = splitList(byId('warm-jobs').value);
    const body = {};
    if (org !== '') body.org = org;
    if (jobs.length > 0) body.jobs = jobs;
    const what = `${jobs.length > 0 ? jobs.join(', ') : 'every warm job'} for ${org === '' ? 'every organization' : `organization ${org}`}`;
    if (!(await confirmAction(`Warm ${what} now?`))) return;
    const table = byId('warm-jobs-table');
    try {
      const result = await callApi('POST', '/cache/warm', { body });
      const failed = result.jobs.filter((job) => job.outcome === 'failed').length;
      showResult('warm-result', failed === 0, `Ran ${result.jobs.length} job(s)${failed > 0 ? `, ${failed} failed` : ''}`);
      const head = el('thead', {}, el('tr', {}, ...['job', 'outcome', 'duration', 'keys written', 'reason'].map((name) => el('th', {}, name))));
      const rows = result.jobs.map((job) =>
        el(
          'tr',
          { dataset: { job: job.name, outcome: job.outcome } },
          el('td', {}, job.name),
          el('td', {}, job.outcome),
          el('td', {}, formatMs(job.durationMs)),
          el('td', {}, formatCount(job.keysWritten)),
          el('td', {}, job.reason ?? ''),
        ),
      );
      table.replaceChildren(head, el('tbody', {}, ...rows));
      table.hidden = false;
    } catch (error) {
      onError(error);
      table.hidden = true;
      showResult('warm-result', false, `Warming failed: ${error.message}`);
    }
  });

  onSubmit('reset-form', async () => {
    const fleet = scope() === 'fleet';
    if (!(await confirmAction(fleet ? 'Reset the cache statistics of every instance to zero?' : 'Reset this instance\'s cache statistics to zero?'))) return;
    try {
      const result = await callApi('POST', `/cache/stats/reset${fleet ? '?scope=fleet' : ''}`);
      onStatsReset();
      const reach = !fleet ? 'this instance' : result.reset === 'fleet' ? 'every instance' : `this instance only (${result.note})`;
      showResult('reset-result', true, `Stats reset at ${new Date().toLocaleTimeString()}: ${reach}`);
    } catch (error) {
      onError(error);
      showResult('reset-result', false, `Reset failed: ${error.message}`);
    }
  });
}

function onSubmit(formId, action) {
  const form = byId(formId);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(form, action);
  });
}
