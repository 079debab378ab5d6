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

/** Reads served: hits, stale hits and misses, the denominator of the API's hitRatio. */
const served = (set) => set.hits + set.stale + set.misses;

/** The first cell of a row: the name as it is. */
const plainLabel = (name, _set) => name;

/**
 * A table of counter sets, one row per name (namespace or organization id), busiest first;
 * `label` makes the first cell (an organization's name above its id).
 */
function renderCounters(tableId, firstColumn, sets, label = plainLabel) {
  const table = byId(tableId);
  const head = el('thead', {}, el('tr', {}, el('th', {}, firstColumn), ...COLUMNS.map((name) => el('th', {}, name))));
  const names = Object.keys(sets).sort((a, b) => sets[b].hits + sets[b].misses - (sets[a].hits + sets[a].misses) || a.localeCompare(b));
  const rows = names.map((name) => {
    const set = sets[name];
    return el(
      'tr',
      { dataset: { name } },
      el('td', { title: name, className: 'name' }, label(name, set)),
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

/** An organization's name with its id below it; the id alone when it is no organization's (e.g. _global). */
function orgLabel(id, set) {
  if (set.name === null || set.name === undefined) return el('span', { className: 'mono' }, id);
  return el('span', {}, el('strong', {}, set.name), el('span', { className: 'sub' }, id));
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** "4 s ago", "3 min ago". */
function ago(iso, nowMs) {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

/** One row per instance of the answer (the fleet's, or this one alone), oldest first. */
function renderInstances(stats) {
  const now = Date.now();
  const instances = stats.instances ?? [{ id: stats.instance.id, startedAt: stats.instance.startedAt, lastSeenAt: new Date(now).toISOString(), totals: stats.totals, self: true }];
  const badge = byId('instance-count');
  badge.textContent = String(instances.length);
  const head = el('thead', {}, el('tr', {}, ...['instance', 'started', 'last report', 'reads', 'hits', 'ratio', 'errors', 'p95'].map((name) => el('th', {}, name))));
  const rows = instances.map((instance) =>
    el(
      'tr',
      { dataset: { id: instance.id }, className: instance.self ? 'self' : '' },
      el('td', { title: instance.id, className: 'mono' }, instance.id.slice(0, 8)),
      el('td', { title: instance.startedAt }, timeOfDay.format(new Date(instance.startedAt))),
      el('td', { title: instance.lastSeenAt }, ago(instance.lastSeenAt, now)),
      el('td', {}, formatCount(served(instance.totals))),
      el('td', {}, formatCount(instance.totals.hits)),
      el('td', {}, formatPercent(instance.totals.hitRatio)),
      el('td', {}, formatCount(instance.totals.errors)),
      el('td', {}, formatMs(instance.totals.p95)),
    ),
  );
  byId('instances').replaceChildren(head, el('tbody', {}, ...rows));
}

const HOT_KEYS_PER_NAMESPACE = 5;

/** The most read keys of each namespace (hits are estimates: the API counts a sample of them). */
function renderHotKeys(hotKeys) {
  const head = el('thead', {}, el('tr', {}, ...['namespace', 'key', 'organization', '≈ hits'].map((name) => el('th', {}, name))));
  const rows = [];
  for (const namespace of Object.keys(hotKeys).sort()) {
    for (const item of hotKeys[namespace].slice(0, HOT_KEYS_PER_NAMESPACE)) {
      rows.push(
        el(
          'tr',
          { dataset: { namespace, key: item.key } },
          el('td', { className: 'name' }, namespace),
          el('td', { className: 'key', title: item.key }, item.key),
          el('td', { className: 'name' }, item.orgName ?? '–'),
          el('td', {}, formatCount(item.hits)),
        ),
      );
    }
  }
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colSpan: 4, className: 'muted' }, 'No hits sampled since the last reset')));
  byId('hot-keys').replaceChildren(head, el('tbody', {}, ...rows));
}

export function renderStats(stats) {
  const fleet = stats.scope === 'fleet';
  const count = stats.instances?.length ?? 1;
  setText('scope-summary', fleet ? `${count} instance${count === 1 ? '' : 's'}, summed` : `instance ${stats.instance.id.slice(0, 8)}`);
  setText('scope-note', stats.note ?? '');
  setText('chart-scope', fleet ? 'the fleet' : 'this instance');
  renderInstances(stats);
  renderCounters('namespaces', 'namespace', stats.namespaces);
  renderCounters('orgs', 'organization', stats.orgs, orgLabel);
  renderHotKeys(stats.hotKeys ?? {});
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
