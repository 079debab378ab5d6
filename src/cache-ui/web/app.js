// The operator dashboard: sign in with the operator token, then poll health, stats and the
// report every few seconds, for the whole fleet (?scope=fleet, the default) or the instance that
// answers. Plain ES modules served by the API (src/cache-ui), no build step.

import { initActions } from './actions.js';
import { ApiError, callApi, session } from './api.js';
import { RateChart } from './chart.js';
import { byId, setText } from './dom.js';
import { initKeys } from './keys.js';
import { renderHealth, renderReport, renderStats } from './overview.js';

const REFRESH_MS = 3000;

let chart = null;
let timer = null;
let generation = 0;

/** Checks a token with GET /cache/health: 401/403 mean a wrong token (503 is a valid token, caching down). */
async function verify(token) {
  try {
    await callApi('GET', '/cache/health', { token, accept: [503] });
    return null;
  } catch (error) {
    if (error instanceof ApiError && error.unauthorized) return 'Wrong token';
    return `Could not check the token: ${error.message}`;
  }
}

function showSignIn(message) {
  stopPolling();
  session.clear();
  byId('dashboard').hidden = true;
  byId('sign-out').hidden = true;
  byId('sign-in').hidden = false;
  setText('refreshed', '');
  setText('poll-error', '');
  setText('sign-in-error', message);
  byId('token').focus();
}

function showDashboard() {
  byId('sign-in').hidden = true;
  byId('dashboard').hidden = false;
  byId('sign-out').hidden = false;
  setText('sign-in-error', '');
  if (chart === null) chart = new RateChart('chart');
  else chart.restart();
  startPolling();
}

/** Any call answered 401/403 (the token was rotated): back to sign-in, saying why. */
function handleError(error) {
  if (error instanceof ApiError && error.unauthorized) showSignIn('Wrong token (the API refused it); sign in again');
}

/** `fleet` (every instance, through Redis) or `instance` (the one the load balancer picked). */
const scope = () => byId('scope').value;

async function refresh() {
  const run = generation;
  const [health, stats, report] = await Promise.allSettled([
    callApi('GET', '/cache/health', { accept: [503] }),
    callApi('GET', `/cache/stats?scope=${scope()}`),
    callApi('GET', `/cache/report?scope=${scope()}`),
  ]);
  if (run !== generation) return; // signed out meanwhile
  const failures = [health, stats, report].filter((result) => result.status === 'rejected').map((result) => result.reason);
  if (health.status === 'fulfilled') renderHealth(health.value);
  if (stats.status === 'fulfilled') {
    renderStats(stats.value);
    chart.add(stats.value, Date.now());
  }
  if (report.status === 'fulfilled') renderReport(report.value);
  setText('poll-error', failures.length > 0 ? `Refresh failed: ${failures[0].message}` : '');
  setText('refreshed', `Updated ${new Date().toLocaleTimeString()}, every ${REFRESH_MS / 1000} s`);
  for (const failure of failures) handleError(failure);
}

function startPolling() {
  stopPolling();
  const run = generation;
  const tick = async () => {
    await refresh();
    if (run === generation) timer = setTimeout(tick, REFRESH_MS);
  };
  void tick();
}

function stopPolling() {
  generation += 1;
  if (timer !== null) clearTimeout(timer);
  timer = null;
}

byId('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = byId('token');
  const token = input.value.trim();
  const problem = await verify(token);
  if (problem !== null) {
    setText('sign-in-error', problem);
    return;
  }
  input.value = '';
  session.save(token);
  showDashboard();
});

byId('sign-out').addEventListener('click', () => showSignIn(''));

byId('scope').addEventListener('change', () => {
  chart?.restart();
  if (!byId('dashboard').hidden) startPolling();
});

initKeys(handleError);
initActions({ onError: handleError, onStatsReset: () => chart?.restart(), scope });

// A reload within the tab keeps the session, after checking the token still works.
const saved = session.token();
if (saved !== null) {
  verify(saved).then((problem) => (problem === null ? showDashboard() : showSignIn(problem)));
}
