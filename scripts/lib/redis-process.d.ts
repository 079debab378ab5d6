// Types for redis-process.js, which test/support/redis-server.ts imports.
import type { ChildProcess } from 'node:child_process';

export interface RedisProcessOptions {
  /** Folder for the log, the data and the working directory; must exist. */
  dir: string;
  /** Plain port, or the TLS port when `tls` is given. */
  port: number;
  password?: string;
  tls?: { certFile: string; keyFile: string; caFile: string };
  args?: string[];
  /** A config file, passed first as redis-server wants it; a sentinel needs one it can rewrite. */
  configFile?: string;
  readyTimeoutMs?: number;
}

export interface RedisExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface RedisProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  dir: string;
  logFile: string;
  exited: Promise<RedisExit>;
}

export function startRedisProcess(options: RedisProcessOptions): Promise<RedisProcess>;
export function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  signal?: NodeJS.Signals,
  graceMs?: number,
): Promise<void>;
export function isAlive(child: ChildProcess): boolean;
export function delay(ms: number): Promise<void>;
