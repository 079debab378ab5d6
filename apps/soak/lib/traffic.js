'use strict';
// The soak's traffic: a steady open-loop mix at a target rate over two instances, and the
// read-your-writes check.
//
// Every user's name carries a version, "soak <index> v<version>", raised by each write (one
// fleet-wide counter, so versions only grow). Per user the driver remembers the highest version
// a PATCH acknowledged (2xx); a read snapshots that number when it is sent, and is stale when
// the version it shows is lower. At most one write per user is in flight, so the database
// commits a user's versions in the order they were acknowledged.
//
// Mix, per ten requests: one write (PATCH /api/v1/users/:id on the writer instance), then right
// after its 2xx one read of the same user on the OTHER instance; the other eight are reads
// spread over both instances: single users (GET /api/v1/users/:id) and, one in `listShare`,
// a page of the list (GET /api/v1/users?page=&limit=), each soak user on it checked the same way.
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const VERSION = /^soak (\d+) v(\d+)$/;
/** A request outstanding past this counts as failed. */
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_EXAMPLES = 10;
const TIMELINE_STEP_MS = 10_000;

class Traffic {
  /**
   * @param {{
   *   instances: { name: string, baseUrl: string }[],   [writer, other]
   *   apiKey: string,
   *   users: { id: string, index: number, version: number }[],
   *   rps: number,
   *   listShare: number,      share of the independent reads that are list pages
   *   listLimit: number,
   *   maxInFlight: number,
   *   rampMs: number,         the rate rises from 0 to `rps` over this long (cold JIT, empty caches)
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.instances = options.instances;
    this.headers = { authorization: `Bearer ${options.apiKey}` };
    // Idle sockets are closed after 4 s, before the server's 5 s keep-alive timeout closes them
    // under a request (see send for the race that is left on a busy machine).
    this.agents = this.instances.map(() => new http.Agent({ keepAlive: true, maxSockets: 128, timeout: 4_000 }));
    this.users = options.users.map((user) => ({ ...user, acked: user.version, writing: false, lastWrite: undefined }));
    this.byId = new Map(this.users.map((user) => [user.id, user]));
    this.nextVersion = Math.max(0, ...options.users.map((user) => user.version));
    this.pages = Math.max(1, Math.ceil(this.users.length / options.listLimit));
    this.seq = 0;
    this.inFlight = 0;
    this.counts = { write: 0, follow: 0, read: 0, list: 0 };
    this.errors = 0;
    this.errorExamples = [];
    this.stale = { follow: 0, read: 0, list: 0, listUsers: 0 };
    this.staleExamples = [];
    this.staleReads = [];
    this.latencies = { write: [], follow: [], read: [], list: [] };
    this.xCache = {};
    this.skipped = 0;
    /** Users whose write failed: they take no more writes (see writeThenRead). */
    this.retired = 0;
    /** Requests sent again after a reset on a reused kept-alive socket (see send). */
    this.resetRetries = 0;
    this.perInstance = this.instances.map(() => 0);
    this.timeline = [];
    this.windowLatencies = [];
  }

  /** Drives the mix for `durationMs`; resolves once every request it sent has answered. */
  async run(durationMs, onWindow) {
    const { rps, maxInFlight } = this.options;
    // A write and its follow-up read are two requests: operations come at 0.9 × rps, one in
    // nine being a write (so writes are 10 % of requests, follow-up reads another 10 %).
    const opsPerMs = (rps * 0.9) / 1000;
    this.startedAt = performance.now();
    this.startedAtWall = Date.now();
    let issued = 0;
    let window = this.windowStart(0);
    while (true) {
      const elapsed = performance.now() - this.startedAt;
      if (elapsed >= durationMs) break;
      // The rate rises linearly over the first `rampMs`, then holds: ops due = its integral.
      const ramp = Math.min(this.options.rampMs, durationMs);
      const target = elapsed < ramp ? (opsPerMs * elapsed * elapsed) / (2 * ramp) : opsPerMs * (elapsed - ramp / 2);
      const due = Math.floor(target) - issued;
      for (let i = 0; i < due; i++) {
        issued += 1;
        // Open loop: when the servers fall behind, what is past the cap is dropped and counted,
        // rather than queued without bound (and the achieved rate says so).
        if (this.inFlight >= maxInFlight) {
          this.skipped += 1;
          continue;
        }
        if (issued % 9 === 0) void this.writeThenRead();
        else void this.independentRead();
      }
      if (elapsed - window.at >= TIMELINE_STEP_MS) {
        this.timeline.push(this.windowEnd(window, elapsed));
        window = this.windowStart(elapsed);
        onWindow?.(this.timeline[this.timeline.length - 1]);
      }
      await sleep(5);
    }
    while (this.inFlight > 0) await sleep(20);
    const elapsed = performance.now() - this.startedAt;
    if (this.total() > window.requests) this.timeline.push(this.windowEnd(window, elapsed));
    this.durationMs = elapsed;
    for (const agent of this.agents) agent.destroy();
  }

  /** The timeline: every TIMELINE_STEP_MS, the requests, errors, stale reads and p99 of that window. */
  windowStart(at) {
    this.windowLatencies = [];
    return { at, requests: this.total(), errors: this.errors, stale: this.staleTotal() };
  }

  windowEnd(window, elapsed) {
    return {
      atSeconds: Math.round(elapsed / 1000),
      rps: Math.round(((this.total() - window.requests) * 1000) / (elapsed - window.at)),
      errors: this.errors - window.errors,
      stale: this.staleTotal() - window.stale,
      p99: percentile(this.windowLatencies, 0.99),
    };
  }

  total() {
    return this.counts.write + this.counts.follow + this.counts.read + this.counts.list;
  }

  staleTotal() {
    return this.stale.follow + this.stale.read + this.stale.list;
  }

  pickUser(free) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const user = this.users[Math.floor(Math.random() * this.users.length)];
      if (!free || !user.writing) return user;
    }
    return undefined;
  }

  async writeThenRead() {
    const user = this.pickUser(true);
    if (user === undefined) return void (this.skipped += 1);
    const [writer, other] = [0, 1];
    const version = ++this.nextVersion;
    user.writing = true;
    const write = await this.send('write', writer, 'PATCH', `/api/v1/users/${user.id}`, { name: `soak ${user.index} v${version}` });
    if (!write.ok) {
      // Whether and when it commits is unknown (a timed-out PATCH may still commit later, over a
      // newer version): the user takes no more writes, so whatever lands is newer than `acked`.
      this.retired += 1;
      return;
    }
    user.writing = false;
    const shown = this.versionOf(write, user.index);
    if (shown !== version) return this.fail(write, `PATCH answered version ${shown}, sent ${version}`);
    if (version > user.acked) user.acked = version;
    user.lastWrite = { version, instance: this.instances[writer].name, reqId: write.reqId, sentAt: write.sentAt, doneAt: write.doneAt };
    // Right after the 2xx, on the other instance.
    const expected = user.acked;
    const read = await this.send('follow', other, 'GET', `/api/v1/users/${user.id}`);
    if (read.ok) this.check('follow', read, user, expected);
  }

  async independentRead() {
    const instance = Math.random() < 0.5 ? 0 : 1;
    if (Math.random() < this.options.listShare) {
      const page = 1 + Math.floor(Math.random() * this.pages);
      const expected = this.users.map((user) => user.acked);
      const read = await this.send('list', instance, 'GET', `/api/v1/users?page=${page}&limit=${this.options.listLimit}`);
      if (!read.ok) return;
      let body;
      try {
        body = JSON.parse(read.body);
      } catch {
        return this.fail(read, 'list body is not JSON');
      }
      let staleUsers = 0;
      for (const item of body.items ?? []) {
        const user = this.byId.get(item.id);
        if (user === undefined) continue;
        const match = VERSION.exec(item.name ?? '');
        const shown = match ? Number(match[2]) : NaN;
        if (!(shown >= expected[user.index])) {
          staleUsers += 1;
          this.example('list', read, user, expected[user.index], shown);
        }
      }
      if (staleUsers > 0) {
        this.stale.list += 1;
        this.noteStale(read);
        this.stale.listUsers += staleUsers;
      }
      return;
    }
    const user = this.pickUser(false);
    const expected = user.acked;
    const read = await this.send('read', instance, 'GET', `/api/v1/users/${user.id}`);
    if (read.ok) this.check('read', read, user, expected);
  }

  check(kind, read, user, expected) {
    const shown = this.versionOf(read, user.index);
    if (shown === undefined) return;
    if (shown < expected) {
      this.stale[kind] += 1;
      this.noteStale(read);
      this.example(kind, read, user, expected, shown);
    }
  }

  /** When (ms since epoch) each stale read was sent, and on which instance, to set against the breakers' outages. */
  noteStale(read) {
    this.staleReads.push({ at: this.wallClock(read.sentAt), instance: this.instances[read.instance].name });
  }

  wallClock(performanceTime) {
    return Math.round(this.startedAtWall + (performanceTime - this.startedAt));
  }

  versionOf(response, index) {
    let name;
    try {
      name = JSON.parse(response.body).name;
    } catch {
      this.fail(response, 'body is not JSON');
      return undefined;
    }
    const match = VERSION.exec(name ?? '');
    if (!match || Number(match[1]) !== index) {
      this.fail(response, `unexpected name ${JSON.stringify(name)}`);
      return undefined;
    }
    return Number(match[2]);
  }

  example(kind, read, user, expected, shown) {
    if (this.staleExamples.length >= MAX_EXAMPLES) return;
    const rel = (t) => (t === undefined ? undefined : +(t - this.startedAt).toFixed(1));
    const write = user.lastWrite;
    this.staleExamples.push({
      kind,
      user: user.id,
      expectedVersion: expected,
      shownVersion: shown,
      read: {
        instance: this.instances[read.instance].name,
        path: read.path,
        reqId: read.reqId,
        sentAtMs: rel(read.sentAt),
        doneAtMs: rel(read.doneAt),
        wallClock: new Date(this.wallClock(read.sentAt)).toISOString(),
        xCache: read.headers['x-cache'],
        age: read.headers.age,
        cacheStatus: read.headers['cache-status'],
      },
      lastWrite: write && { version: write.version, instance: write.instance, reqId: write.reqId, sentAtMs: rel(write.sentAt), ackedAtMs: rel(write.doneAt) },
    });
  }

  fail(response, why) {
    this.errors += 1;
    if (this.errorExamples.length < MAX_EXAMPLES) {
      this.errorExamples.push({
        kind: response.kind,
        instance: this.instances[response.instance]?.name,
        method: response.method,
        path: response.path,
        status: response.status,
        reqId: response.reqId,
        atMs: +((response.doneAt ?? performance.now()) - this.startedAt).toFixed(1),
        why,
        body: response.body?.slice(0, 300),
      });
    }
  }

  /** One request; resolves (never rejects) with what came back, counted and timed. */
  send(kind, instance, method, path, body) {
    const reqId = `soak-${++this.seq}`;
    this.inFlight += 1;
    this.counts[kind] += 1;
    this.perInstance[instance] += 1;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { ...this.headers, 'x-request-id': reqId };
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
    const response = { kind, instance, method, path, reqId, sentAt: performance.now(), ok: false };
    return new Promise((resolve) => {
      const finish = (status, text, responseHeaders, error) => {
        if (response.doneAt !== undefined) return;
        response.doneAt = performance.now();
        response.status = status;
        response.body = text;
        response.headers = responseHeaders ?? {};
        this.inFlight -= 1;
        const ms = response.doneAt - response.sentAt;
        this.latencies[kind].push(ms);
        this.windowLatencies.push(ms);
        const cache = response.headers['x-cache'];
        if (cache) this.xCache[`${kind} ${cache}`] = (this.xCache[`${kind} ${cache}`] ?? 0) + 1;
        response.ok = error === undefined && status >= 200 && status < 300;
        if (!response.ok) this.fail(response, error ? error.message : `status ${status}`);
        resolve(response);
      };
      const attempt = (retriesLeft) => {
        const req = http.request(
          this.instances[instance].baseUrl + path,
          { method, headers, agent: this.agents[instance], timeout: REQUEST_TIMEOUT_MS },
          (res) => {
            const chunks = [];
            res.on('data', (chunk) => chunks.push(chunk));
            res.on('end', () => finish(res.statusCode, Buffer.concat(chunks).toString('utf8'), res.headers));
            res.on('error', (error) => finish(0, '', res.headers, error));
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
        req.on('error', (error) => {
          // A kept-alive socket the server closed as idle just as this request went out on it
          // ("socket hang up", ECONNRESET): the server never read the request. Sent again, as any
          // HTTP client does (Node's docs), up to three times (the next idle socket may be closing too).
          if (retriesLeft > 0 && req.reusedSocket && error.code === 'ECONNRESET' && response.doneAt === undefined) {
            this.resetRetries += 1;
            return attempt(retriesLeft - 1);
          }
          finish(0, '', undefined, error);
        });
        if (payload) req.write(payload);
        req.end();
      };
      attempt(3);
    });
  }

  /** The figures for the report. */
  summary() {
    const all = Object.values(this.latencies).flat();
    const seconds = this.durationMs / 1000;
    const byKind = Object.fromEntries(
      Object.entries(this.latencies).map(([kind, values]) => [kind, { requests: this.counts[kind], p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: maximum(values) }]),
    );
    return {
      durationSeconds: +seconds.toFixed(1),
      targetRps: this.options.rps,
      requests: this.total(),
      achievedRps: Math.round(this.total() / seconds),
      perInstance: Object.fromEntries(this.instances.map((instance, i) => [instance.name, this.perInstance[i]])),
      writes: this.counts.write,
      skippedOverCap: this.skipped,
      usersRetiredAfterFailedWrite: this.retired,
      resentAfterIdleSocketReset: this.resetRetries,
      errors: this.errors,
      errorExamples: this.errorExamples,
      staleReads: this.staleTotal(),
      stale: this.stale,
      staleExamples: this.staleExamples,
      startedAtWall: this.startedAtWall,
      latencyMs: { p50: percentile(all, 0.5), p99: percentile(all, 0.99), max: maximum(all), byKind },
      xCache: this.xCache,
      timeline: this.timeline,
    };
  }
}

function percentile(values, q) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
}

function maximum(values) {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  return round(max);
}

function round(ms) {
  return Math.round(ms * 10) / 10;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = { Traffic, percentile };
