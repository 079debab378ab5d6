import { createServer, type Server } from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';

/**
 * The harness's side door into a bench process, on a port of its own (127.0.0.1 only) so the
 * routes it measures (the bare Nest app's one route above all) share no router with it:
 *   GET  /cpu             CPU µs this process has used (user, system)
 *   POST /profile/start   starts the V8 CPU profiler (node:inspector, in-process)
 *   POST /profile/stop    stops it and answers the profile (.cpuprofile JSON)
 *   POST /heap/start      starts V8's sampling heap profiler, keeping the samples of objects
 *                         the GC has since collected: where a request allocates, not what stays
 *   POST /heap/stop       stops it and answers the profile (.heapprofile JSON)
 * Prints `BENCH_CONTROL <port>` on stderr once it listens.
 */
export async function startControlServer(): Promise<Server> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params: object = {}): Promise<T> =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
  await post('Profiler.enable');
  // 200 µs between samples: enough for a top-frames table over a few seconds of load.
  await post('Profiler.setSamplingInterval', { interval: 200 });
  const server = createServer((request, response) => {
    const answer = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
    const route = `${request.method} ${request.url}`;
    request.resume();
    if (route === 'GET /cpu') {
      const usage = process.cpuUsage();
      return answer(200, { userMicros: usage.user, systemMicros: usage.system });
    }
    if (route === 'POST /profile/start') {
      post('Profiler.start').then(() => answer(200, { started: true }), (error: Error) => answer(500, { error: error.message }));
      return;
    }
    if (route === 'POST /profile/stop') {
      post<{ profile: unknown }>('Profiler.stop').then(({ profile }) => answer(200, profile), (error: Error) => answer(500, { error: error.message }));
      return;
    }
    if (route === 'POST /heap/start') {
      // One sample per 8 KiB allocated on average; collected objects kept, or short-lived garbage
      // (what the GC spends its time on) would not show.
      const options = { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
      // The domain is enabled only here, so the measured rounds run without it.
      post('HeapProfiler.enable')
        .then(() => post('HeapProfiler.startSampling', options))
        .then(() => answer(200, { started: true }), (error: Error) => answer(500, { error: error.message }));
      return;
    }
    if (route === 'POST /heap/stop') {
      post<{ profile: unknown }>('HeapProfiler.stopSampling').then(({ profile }) => answer(200, profile), (error: Error) => answer(500, { error: error.message }));
      return;
    }
    answer(404, { error: `no ${route}` });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  process.stderr.write(`BENCH_CONTROL ${(server.address() as AddressInfo).port}\n`);
  return server;
}
