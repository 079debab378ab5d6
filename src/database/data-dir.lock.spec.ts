import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock } from './data-dir.lock';

describe(DataDirLock.name, () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'data-dir-lock-'));
    path = join(dir, 'pglite.lock');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes its pid and removes the file on release', () => {
    const sut = new DataDirLock(path);

    sut.acquire();
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    sut.release();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a folder held by a live process', () => {
    writeFileSync(path, String(process.ppid));

    expect(() => new DataDirLock(path).acquire()).toThrow(`in use by process ${process.ppid}`);
    expect(readFileSync(path, 'utf8')).toBe(String(process.ppid));
  });

  it('takes over a lock left by a process that is gone', () => {
    writeFileSync(path, '999999999');
    const sut = new DataDirLock(path);

    sut.acquire();
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
  });

  it('leaves a lock it does not hold in place', () => {
    writeFileSync(path, String(process.ppid));

    new DataDirLock(path).release();
    expect(existsSync(path)).toBe(true);
  });
});
