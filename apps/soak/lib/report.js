'use strict';
// The soak's verdicts and its report (JSON and markdown).

/**
 * Memory has levelled off when the last third's highest RSS is within this of the highest RSS
 * before it. Not "of the middle third's" alone: RSS follows V8's collections, a sawtooth whose
 * period here is a minute or two (a major collection took one instance's heap from 133 to 47 MiB
 * and its RSS from 234 to 142 MiB at once), so a middle third that starts just after one has a
 * low peak and makes a flat process look like it grows. A leak makes new highs: it shows as a
 * last-third peak above everything before. The middle-third comparison is reported beside it.
 */
const LEVEL_TOLERANCE = 0.1;
/** Fewer RSS samples than this in a third (10 s apart): too short a run to judge. */
const MIN_SAMPLES_PER_THIRD = 3;

/** Per process: start, end, peak, and the levelled-off verdict over the run's thirds. */
function memoryVerdict(series, heap, durationSeconds) {
  const third = durationSeconds / 3;
  const maxOf = (samples, field = 'mib') => (samples.length === 0 ? null : Math.max(...samples.map((s) => s[field])));
  const beforeLast = (s) => s.atSeconds < 2 * third;
  const inMiddle = (s) => s.atSeconds >= third && s.atSeconds < 2 * third;
  const inLast = (s) => s.atSeconds >= 2 * third;
  const middle = series.filter(inMiddle);
  const last = series.filter(inLast);
  const summary = {
    startMiB: series[0]?.mib ?? null,
    endMiB: series[series.length - 1]?.mib ?? null,
    peakMiB: maxOf(series),
    firstTwoThirdsMaxMiB: maxOf(series.filter(beforeLast)),
    middleThirdMaxMiB: maxOf(middle),
    lastThirdMaxMiB: maxOf(last),
    // The V8 heap beside it: used bytes swing with each collection, so the peaks are compared.
    heapUsedStartMiB: heap[0]?.usedMiB ?? null,
    heapUsedEndMiB: heap[heap.length - 1]?.usedMiB ?? null,
    heapUsedFirstTwoThirdsMaxMiB: maxOf(heap.filter(beforeLast), 'usedMiB'),
    heapUsedLastThirdMaxMiB: maxOf(heap.filter(inLast), 'usedMiB'),
  };
  if (middle.length < MIN_SAMPLES_PER_THIRD || last.length < MIN_SAMPLES_PER_THIRD) {
    return { ...summary, levelledOff: null, verdict: 'run too short to judge' };
  }
  const growth = summary.lastThirdMaxMiB / summary.firstTwoThirdsMaxMiB - 1;
  const growthVsMiddle = summary.lastThirdMaxMiB / summary.middleThirdMaxMiB - 1;
  const levelledOff = growth <= LEVEL_TOLERANCE;
  return {
    ...summary,
    growthLastVsBefore: +growth.toFixed(3),
    growthLastVsMiddle: +growthVsMiddle.toFixed(3),
    levelledOff,
    verdict:
      `${levelledOff ? 'levelled off' : 'still growing'}: last third's peak ${pct(growth)} vs the highest before it` +
      ` (limit +${LEVEL_TOLERANCE * 100} %), ${pct(growthVsMiddle)} vs the middle third's`,
  };
}

/** Server warnings by kind; the breaker's openings are the "Redis unavailable" lines. */
function classifyWarnings(lines) {
  const kinds = {};
  const examples = [];
  for (const line of lines) {
    let message = line;
    let time;
    try {
      const parsed = JSON.parse(line);
      message = String(parsed.msg ?? line);
      time = parsed.time;
    } catch {
      // not JSON: keep the line
    }
    const kind = message
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/\d+(\.\d+)?/g, 'N')
      .slice(0, 120);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (examples.length < 20) examples.push(time ? `${new Date(time).toISOString()} ${message}` : message);
  }
  const breakerOpenings = Object.entries(kinds)
    .filter(([kind]) => kind.startsWith('Redis unavailable'))
    .reduce((sum, [, n]) => sum + n, 0);
  return { total: lines.length, breakerOpenings, kinds, examples };
}

/**
 * Each instance's breaker outages from its log: opened at "Redis unavailable", closed at "Redis is
 * back" (or still open at the end). Times in seconds from the start of the traffic.
 */
function breakerOutages(lines, startedAtWall, endedAtWall) {
  const outages = [];
  let open;
  for (const line of lines) {
    let parsed;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const msg = String(parsed.msg ?? '');
    if (msg.startsWith('Redis unavailable') && open === undefined) open = parsed.time;
    else if (msg.startsWith('Redis is back') && open !== undefined) {
      outages.push({ from: open, to: parsed.time });
      open = undefined;
    }
  }
  if (open !== undefined) outages.push({ from: open, to: endedAtWall, stillOpen: true });
  const rel = (ms) => +((ms - startedAtWall) / 1000).toFixed(1);
  return outages.map((o) => ({ fromSeconds: rel(o.from), toSeconds: rel(o.to), seconds: +((o.to - o.from) / 1000).toFixed(1), ...(o.stillOpen ? { stillOpen: true } : {}), from: o.from, to: o.to }));
}

/** Stale reads sent while some instance's breaker was open, and the others. */
function staleAgainstOutages(staleReads, outagesByInstance) {
  const all = Object.values(outagesByInstance).flat();
  let during = 0;
  const outside = [];
  for (const read of staleReads) {
    if (all.some((o) => read.at >= o.from && read.at <= o.to)) during += 1;
    else outside.push(read);
  }
  return { duringOutage: during, outsideOutage: outside.length, outsideExamples: outside.slice(0, 10).map((r) => ({ ...r, at: new Date(r.at).toISOString() })) };
}

function loadSummary(samples, before, after) {
  const ones = samples.map((s) => s.one);
  return {
    cpus: require('node:os').availableParallelism(),
    before: +before.toFixed(2),
    max: ones.length ? Math.max(...ones) : null,
    mean: ones.length ? +(ones.reduce((a, b) => a + b, 0) / ones.length).toFixed(2) : null,
    after: +after.toFixed(2),
    samples,
  };
}

function pct(fraction) {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)} %`;
}

function fmt(n) {
  return n === null || n === undefined ? '–' : typeof n === 'number' ? n.toLocaleString('en-US') : String(n);
}

function renderMarkdown(r) {
  const t = r.traffic;
  const lines = [];
  lines.push(`# Soak: ${r.mode} run of ${r.startedAt}`);
  lines.push('');
  lines.push(`Command \`${r.command}\`, commit ${r.source.commit}${r.source.uncommittedSources.length ? ` (+ uncommitted: ${r.source.uncommittedSources.join(', ')})` : ''}; ` +
    `${r.machine.nproc} CPUs (${r.machine.cpuModel}), Node ${r.machine.node}, Redis ${r.machine.redis}, ${r.machine.database}.`);
  lines.push('');
  lines.push(`**Verdict: ${r.passed ? 'PASS' : 'FAIL'}** — ${r.verdicts.join('; ')}.`);
  lines.push('');
  lines.push('| figure | value |');
  lines.push('| --- | ---: |');
  lines.push(`| duration | ${t.durationSeconds} s |`);
  lines.push(`| requests | ${fmt(t.requests)} (${fmt(t.perInstance[r.instances[0].name])} on ${r.instances[0].name}, ${fmt(t.perInstance[r.instances[1].name])} on ${r.instances[1].name}) |`);
  lines.push(`| target / achieved rate | ${fmt(t.targetRps)} / ${fmt(t.achievedRps)} req/s |`);
  lines.push(`| writes (PATCH, on ${r.instances[0].name}) | ${fmt(t.writes)} |`);
  lines.push(`| operations dropped (over the in-flight cap) | ${fmt(t.skippedOverCap)} |`);
  lines.push(`| failed requests | ${fmt(t.errors)} (resent after a reset on a reused idle socket: ${fmt(t.resentAfterIdleSocketReset)}; users retired after a failed write: ${fmt(t.usersRetiredAfterFailedWrite)}) |`);
  lines.push(`| **stale reads** | **${fmt(t.staleReads)}** (follow-up ${t.stale.follow}, single ${t.stale.read}, list pages ${t.stale.list} holding ${t.stale.listUsers} stale users) |`);
  lines.push(`| latency p50 / p99 / max | ${t.latencyMs.p50} / ${t.latencyMs.p99} / ${t.latencyMs.max} ms |`);
  for (const [kind, k] of Object.entries(t.latencyMs.byKind)) lines.push(`| — ${KIND_LABELS[kind]} | ${fmt(k.requests)} requests, p50 ${k.p50} ms, p99 ${k.p99} ms |`);
  for (const api of r.instances) {
    const h = r.health[api.name];
    lines.push(`| ${api.name}: /cache/health samples | ${h.samples} (healthy ${h.healthy}, degraded ${h.degraded}, down ${h.down}, failed ${h.failed}) |`);
  }
  lines.push(`| breaker openings (server log "Redis unavailable") | ${Object.values(r.serverWarnings).map((w) => w.breakerOpenings).reduce((a, b) => a + b, 0)} |`);
  for (const [name, outages] of Object.entries(r.breakerOutages)) {
    if (outages.length === 0) continue;
    lines.push(`| ${name}: circuit open (s from the start) | ${outages.map((o) => `${o.fromSeconds}–${o.toSeconds}${o.stillOpen ? ' (still open)' : ''}`).join(', ')}; ${outages.reduce((sum, o) => sum + o.seconds, 0).toFixed(1)} s in all |`);
  }
  if (t.staleReads > 0) lines.push(`| stale reads sent while a circuit was open / otherwise | ${r.staleVsOutages.duringOutage} / ${r.staleVsOutages.outsideOutage} |`);
  for (const api of r.instances) {
    const m = r.memory[api.name];
    lines.push(`| ${api.name}: RSS start → end (peak) | ${m.startMiB} → ${m.endMiB} MiB (${m.peakMiB}); ${m.verdict} |`);
    lines.push(`| ${api.name}: V8 heap used start → end; peak before / in the last third | ${m.heapUsedStartMiB} → ${m.heapUsedEndMiB} MiB; ${m.heapUsedFirstTwoThirdsMaxMiB} / ${m.heapUsedLastThirdMaxMiB} MiB |`);
  }
  lines.push(`| load average (1 min) before / mean / max / after | ${r.loadAverage.before} / ${r.loadAverage.mean} / ${r.loadAverage.max} / ${r.loadAverage.after} on ${r.loadAverage.cpus} CPUs |`);
  lines.push('');
  lines.push('Settings: ' + Object.entries(r.settings).map(([k, v]) => `${k} ${v}`).join(', ') + '. Server environment beyond the defaults: ' +
    Object.entries(r.serverEnv).map(([k, v]) => `\`${k}=${v}\``).join(', ') + '.');
  lines.push('');
  lines.push('## X-Cache by request kind');
  lines.push('');
  lines.push(Object.entries(t.xCache).sort().map(([k, v]) => `${k}: ${fmt(v)}`).join(', '));
  lines.push('');
  lines.push('## Timeline (10 s windows)');
  lines.push('');
  lines.push('| t (s) | req/s | p99 ms | errors | stale |');
  lines.push('| ---: | ---: | ---: | ---: | ---: |');
  for (const w of t.timeline) lines.push(`| ${w.atSeconds} | ${w.rps} | ${w.p99} | ${w.errors} | ${w.stale} |`);
  lines.push('');
  lines.push('## Memory (MiB, every 10 s): RSS, and V8 heap used / total');
  lines.push('');
  const names = r.instances.map((api) => api.name);
  lines.push(`| t (s) | ${names.map((n) => `${n} RSS | ${n} heap`).join(' | ')} | load (1 min) |`);
  lines.push(`| ---: | ${names.map(() => '---: | ---:').join(' | ')} | ---: |`);
  const first = r.rss[names[0]];
  for (let i = 0; i < first.length; i++) {
    const at = first[i].atSeconds;
    const load = nearest(r.loadAverage.samples, at);
    const cells = names.map((n) => {
      const heap = nearest(r.heap[n], at);
      return `${r.rss[n][i]?.mib ?? '–'} | ${heap ? `${heap.usedMiB} / ${heap.totalMiB}` : '–'}`;
    });
    lines.push(`| ${at} | ${cells.join(' | ')} | ${load?.one ?? '–'} |`);
  }
  if (t.staleExamples.length) {
    lines.push('');
    lines.push('## Stale reads (first 10)');
    lines.push('');
    lines.push('Times in ms from the start of the traffic.');
    lines.push('');
    for (const e of t.staleExamples) {
      const w = e.lastWrite;
      lines.push(`- ${e.kind} read \`${e.read.reqId}\` on ${e.read.instance} (${e.read.path}) sent ${e.read.sentAtMs}, answered ${e.read.doneAtMs}: ` +
        `showed v${e.shownVersion}, expected ≥ v${e.expectedVersion}; X-Cache ${e.read.xCache ?? '–'}, Age ${e.read.age ?? '–'}` +
        (w ? `; last write v${w.version} \`${w.reqId}\` on ${w.instance} sent ${w.sentAtMs}, acked ${w.ackedAtMs}` : ''));
    }
  }
  if (t.errorExamples.length) {
    lines.push('');
    lines.push('## Failed requests (first 10)');
    lines.push('');
    for (const e of t.errorExamples) lines.push(`- ${e.method} ${e.path} on ${e.instance} at ${e.atMs} ms: ${e.why}${e.body ? ` — ${e.body.replace(/\n/g, ' ')}` : ''}`);
  }
  const warned = Object.entries(r.serverWarnings).filter(([, w]) => w.total > 0);
  if (warned.length) {
    lines.push('');
    lines.push('## Server warnings and cache events');
    lines.push('');
    for (const [name, w] of warned) {
      lines.push(`- ${name}: ${w.total} — ` + Object.entries(w.kinds).map(([k, n]) => `${n} × "${k}"`).join('; '));
    }
  }
  lines.push('');
  return lines.join('\n');
}

const KIND_LABELS = {
  write: 'writes (PATCH)',
  follow: 'follow-up reads (other instance)',
  read: 'single reads',
  list: 'list pages',
};

function nearest(samples, at) {
  let best;
  for (const s of samples) if (best === undefined || Math.abs(s.atSeconds - at) < Math.abs(best.atSeconds - at)) best = s;
  return best;
}

module.exports = { memoryVerdict, classifyWarnings, breakerOutages, staleAgainstOutages, loadSummary, renderMarkdown };
