import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * A pid file beside the PGlite data folder. PGlite has no postmaster to refuse a second server on
 * the same files, and two processes writing one data folder corrupt it, so a second `npm start`
 * must stop with a clear message instead. A lock left by a process that died is taken over.
 */
export class DataDirLock {
  private held = false;

  constructor(readonly path: string) {}

  acquire(): void {
    try {
      writeFileSync(this.path, String(process.pid), { flag: 'wx' });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const owner = Number(readFileSync(this.path, 'utf8').trim());
      if (owner !== process.pid && isAlive(owner)) {
        throw new Error(
          `The embedded database folder is in use by process ${owner} (lock file ${this.path}); ` +
            'stop that process or set DATABASE_DATA_DIR to another folder',
        );
      }
      writeFileSync(this.path, String(process.pid));
    }
    this.held = true;
  }

  release(): void {
    if (!this.held) return;
    rmSync(this.path, { force: true });
    this.held = false;
  }
}

// Duck-typed, not `instanceof Error`: Node's errors come from another realm under Jest.
function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

function isAlreadyExists(error: unknown): boolean {
  return errorCode(error) === 'EEXIST';
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}
