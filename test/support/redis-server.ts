// A disposable redis-server for one test file: to kill, pause or restart without disturbing the
// rig's shared servers. Servers a file starts are stopped after that file (an afterAll hook this
// module registers), SIGKILLed if the worker exits first, by a watchdog process if the worker is
// killed outright, and swept by `npm test` by their working directory as a last resort.
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from '../../scripts/lib/ports';
import { startRedisProcess, stopChild, isAlive, type RedisProcess } from '../../scripts/lib/redis-process';
import { startWatchdog, type RedisWatchdog } from '../../scripts/lib/redis-watchdog';

export { getFreePort };

export interface RedisServerOptions {
  /** Fixed port; a free one by default. */
  port?: number;
  /** Sets requirepass; the handle's url then carries it. */
  password?: string;
  /** Extra redis-server arguments, e.g. ['--maxmemory', '1mb']. */
  args?: string[];
  /**
   * Lines of a config file written into the server's folder and passed first, e.g. a
   * sentinel's `sentinel monitor ...` (with `args: ['--sentinel']`), which it rewrites as it learns.
   */
  config?: string[];
}

export interface RedisServerHandle {
  readonly host: string;
  readonly port: number;
  /** redis://[:password@]127.0.0.1:PORT */
  readonly url: string;
  /** PID of the current process (a new one after restart()). */
  readonly pid: number;
  /** SIGTERM, waits for it to exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** SIGKILL, waits for it to exit: a crash as clients see it. */
  kill(): Promise<void>;
  /** SIGSTOP: the socket stays open, nothing answers. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Stops it if running and starts a new one on the same port with empty data; resolves once it answers PING. */
  restart(): Promise<void>;
}

const live = new Set<RedisServer>();
let watchdog: RedisWatchdog | undefined;

class RedisServer implements RedisServerHandle {
  readonly host = '127.0.0.1';
  private current: RedisProcess | undefined;
  private starts = 0;

  constructor(
    readonly port: number,
    private readonly baseDir: string,
    private readonly options: RedisServerOptions,
  ) {}

  get url(): string {
    const auth = this.options.password ? `:${encodeURIComponent(this.options.password)}@` : '';
    return `redis://${auth}${this.host}:${this.port}`;
  }

  get pid(): number {
    return this.running().pid;
  }

  async start(): Promise<void> {
    // A folder per start: restart() begins from empty data whatever the args persist.
    const dir = mkdtempSync(join(this.baseDir, `run${++this.starts}-`));
    let configFile: string | undefined;
    if (this.options.config !== undefined) {
      configFile = join(dir, 'redis.conf');
      writeFileSync(configFile, `${this.options.config.join('\n')}\n`);
    }
    this.current = await startRedisProcess({
      dir,
      port: this.port,
      password: this.options.password,
      args: this.options.args,
      configFile,
    });
    watchdog?.watch(this.current.pid, realpathSync(dir));
    live.add(this);
  }

  async stop(): Promise<void> {
    await this.end('SIGTERM');
  }

  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  pause(): void {
    this.signalRunning('SIGSTOP');
  }

  resume(): void {
    this.signalRunning('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.end('SIGTERM');
    await this.start();
  }

  /** Synchronous last resort for process exit. */
  killNow(): void {
    if (this.current && isAlive(this.current.child)) this.current.child.kill('SIGKILL');
  }

  async dispose(): Promise<void> {
    await this.end('SIGKILL');
    rmSync(this.baseDir, { recursive: true, force: true });
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    live.delete(this);
    if (!this.current) return;
    await stopChild(this.current.child, this.current.exited, signal);
    watchdog?.unwatch(this.current.pid);
  }

  private running(): RedisProcess {
    if (!this.current) throw new Error('redis-server has not started');
    return this.current;
  }

  private signalRunning(signal: NodeJS.Signals): void {
    const { child } = this.running();
    if (!isAlive(child)) throw new Error(`redis-server on port ${this.port} is not running`);
    child.kill(signal);
  }
}

const created = new Set<RedisServer>();

/** Starts a redis-server of this test file's own on 127.0.0.1 and resolves once it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  // Under `npm test` the folder lies inside the rig's, which the runner sweeps.
  const baseDir = mkdtempSync(join(process.env.TEST_RIG_DIR ?? tmpdir(), 'test-redis-'));
  watchdog ??= startWatchdog();
  watchdog.removeOnExit(realpathSync(baseDir));
  for (let attempt = 1; ; attempt++) {
    const server = new RedisServer(options.port ?? (await getFreePort()), baseDir, options);
    try {
      await server.start();
      created.add(server);
      return server;
    } catch (error) {
      // A free port can be taken between finding it and binding it; try another.
      const portTaken = error instanceof Error && /Address already in use/.test(error.message);
      if (options.port !== undefined || !portTaken || attempt >= 3) {
        rmSync(baseDir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

/** Stops every server this module started; runs by itself after each test file. */
export async function stopAllRedisServers(): Promise<void> {
  const servers = [...created];
  created.clear();
  await Promise.all(servers.map((server) => server.dispose()));
}

const killAllNow = (): void => {
  for (const server of live) server.killNow();
};
process.on('exit', killAllNow);

if (typeof afterAll === 'function') {
  try {
    afterAll(async () => {
      process.off('exit', killAllNow);
      await stopAllRedisServers();
      watchdog?.close();
      watchdog = undefined;
    });
  } catch {
    // Imported from inside a test, where hooks cannot be added; the exit hook still applies.
  }
}
