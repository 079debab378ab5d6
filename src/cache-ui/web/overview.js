// Health, per-namespace and per-organization stats, and the report's alerts and recommendations.

import { byId, el, formatBytes, formatCount, formatMs, formatPercent, setText } from './dom.js';

export function renderHealth(health) {
  const badge = byId('health-status');
  badge.textContent = health.status;
  badge.className = `badge ${health.status}`;
  setText('health-store', health.store);
  setText('health-mode', health.redis === null ? 'in-process (no Redis)' : health.redis.mode);
  setText('health-fallback', health.fallbackActive ? 'active: serving from the in-process store' : 'inactive');
  setText('health-latency', health.redis === null ? '–' : health.redis.connected ? formatMs(health.redis.latencyMs) : 'not connected');
}

const COLUMNS = ['hits', 'misses', 'ratio', 'loads', 'coalesced', 'p95'];

/** A table of counter sets, one row per name (namespace or organization id), busiest first. */
function renderCounters(tableId, firstColumn, sets) {
  const table = byId(tableId);
  const head = el('thead', {}, el('tr', {}, el('th', {}, firstColumn), ...COLUMNS.map((name) => el('th', {}, name))));
  const names = Object.keys(sets).sort((a, b) => sets[b].hits + sets[b].misses - (sets[a].hits + sets[a].misses) || a.localeCompare(b));
  const rows = names.map((name) => {
    const set = sets[name];
    return el(
      'tr',
      { dataset: { name } },
      el('td', { title: name }, name),
      el('td', {}, formatCount(set.hits)),
      el('td', {}, formatCount(set.misses)),
      el('td', {}, formatPercent(set.hitRatio)),
      el('td', {}, formatCount(set.loads)),
      el('td', {}, formatCount(set.coalesced)),
      el('td', {}, formatMs(set.p95)),
    );
  });
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colSpan: COLUMNS.length + 1, className: 'muted' }, 'No reads since the last reset')));
  table.replaceChildren(head, el('tbody', {}, ...rows));
}

export function renderStats(stats) {
  renderCounters('namespaces', 'namespace', stats.namespaces);
  renderCounters('orgs', 'organization', stats.orgs);
  setText('redis-keys', stats.redis === null ? '–' : formatCount(stats.redis.keys));
  setText(
    'redis-memory',
    stats.redis === null
      ? '–'
      : stats.redis.maxMemoryBytes > 0
        ? `${formatBytes(stats.redis.usedMemoryBytes)} of ${formatBytes(stats.redis.maxMemoryBytes)}`
        : `${formatBytes(stats.redis.usedMemoryBytes)} (no maxmemory)`,
  );
}

export function renderReport(report) {
  const badge = byId('report-status');
  badge.textContent = report.status;
  badge.className = `badge ${report.status}`;
  const alerts = report.alerts.map((alert) => el('li', { className: alert.level }, `${alert.level}: ${alert.message}`));
  byId('alerts').replaceChildren(...(alerts.length > 0 ? alerts : [el('li', { className: 'muted' }, 'No alerts')]));
  const tips = report.recommendations.map((text) => el('li', {}, text));
  byId('recommendations').replaceChildren(...(tips.length > 0 ? tips : [el('li', { className: 'muted' }, 'Nothing to recommend')]));
}
