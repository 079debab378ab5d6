'use strict';
// One load run, in a process of its own so the load generator never shares an event loop with
// the server it measures. Reads its settings as JSON from argv[2], prints autocannon's figures
// as one JSON line on stdout. With `pathsFile`, each request takes the next path of that JSON
// array (the miss path's unique keys), cycling if the run outlasts it.
const fs = require('node:fs');
const autocannon = require('autocannon');

const settings = JSON.parse(process.argv[2]);
const options = {
  url: settings.url,
  connections: settings.connections,
  duration: settings.durationSeconds,
  headers: settings.headers ?? {},
  pipelining: 1,
  timeout: 10,
};
let paths;
if (settings.pathsFile) {
  paths = JSON.parse(fs.readFileSync(settings.pathsFile, 'utf8'));
  let next = 0;
  options.requests = [
    {
      setupRequest(request) {
        request.path = paths[next++ % paths.length];
        return request;
      },
    },
  ];
}

autocannon(options, (error, result) => {
  if (error) {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  }
  process.stdout.write(
    JSON.stringify({
      requestsPerSecond: result.requests.average,
      total: result.requests.total,
      durationSeconds: result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      non2xx: result.non2xx,
      bytesPerResponse: result.requests.total > 0 ? Math.round(result.throughput.total / result.requests.total) : 0,
      pathsCycled: paths !== undefined && result.requests.total > paths.length,
    }) + '\n',
  );
});
