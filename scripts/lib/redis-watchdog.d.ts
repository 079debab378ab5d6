// Types for redis-watchdog.js, which test/support/redis-server.ts imports.
export interface RedisWatchdog {
  watch(pid: number, dir: string): void;
  unwatch(pid: number): void;
  /** Removes `dir` when the watchdog finishes (the caller's process is gone or closed it). */
  removeOnExit(dir: string): void;
  close(): void;
}

export function startWatchdog(): RedisWatchdog;
