import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { type BatchTarget, LOG_BATCH_MAX_CHARS, LineBatcher } from './line-batcher';

class RecordingTarget implements BatchTarget {
  readonly writes: string[] = [];
  flushes = 0;
  /** While set, writes are refused the way sonic-boom refuses them over its `maxLength`. */
  full = false;
  private onDrop?: () => void;
  on(_event: 'drop', listener: () => void): void {
    this.onDrop = listener;
  }
  write(text: string): boolean {
    if (this.full) {
      this.onDrop?.();
      return false;
    }
    this.writes.push(text);
    return true;
  }
  flushSync(): void {
    this.flushes++;
  }
}

const INTERVAL_MS = 30;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe(LineBatcher.name, () => {
  it('hands the lines of an interval to the destination as one write, in order, once the interval ends', async () => {
    const target = new RecordingTarget();
    const sut = new LineBatcher(target, INTERVAL_MS);

    sut.write('a\n');
    await sleep(INTERVAL_MS / 3);
    sut.write('b\n');
    sut.write('c\n');
    expect(target.writes).toEqual([]);

    await sleep(INTERVAL_MS * 2);
    expect(target.writes).toEqual(['a\nb\nc\n']);

    sut.write('d\n');
    await sleep(INTERVAL_MS * 2);
    expect(target.writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('hands over at once what reaches the batch size, without waiting for the interval', () => {
    const target = new RecordingTarget();
    const sut = new LineBatcher(target, 60_000);
    const line = `${'x'.repeat(999)}\n`;
    const perBatch = Math.ceil(LOG_BATCH_MAX_CHARS / line.length);

    for (let i = 0; i < perBatch - 1; i++) sut.write(line);
    expect(target.writes).toEqual([]);
    sut.write(line);
    expect(target.writes).toEqual([line.repeat(perBatch)]);

    sut.write('after\n'); // pending again, behind a new 60 s timer
    sut.flushSync(); // which this clears, or the test would wait for it
    expect(target.writes).toEqual([line.repeat(perBatch), 'after\n']);
  });

  it('flushSync hands over what is pending before the destination writes synchronously', async () => {
    const target = new RecordingTarget();
    const sut = new LineBatcher(target, INTERVAL_MS);

    sut.write('a\n');
    sut.flushSync();
    expect(target.writes).toEqual(['a\n']);
    expect(target.flushes).toBe(1);

    await sleep(INTERVAL_MS * 2);
    expect(target.writes).toEqual(['a\n']); // the timer was cleared, nothing is handed over twice
  });

  it('counts the lines of batches the destination refused, and says so ahead of the next batch it takes', () => {
    const target = new RecordingTarget();
    const sut = new LineBatcher(target, 60_000);

    target.full = true;
    sut.write('a\n');
    sut.write('b\n');
    sut.flushSync();
    sut.write('c\n');
    sut.flushSync();
    expect(target.writes).toEqual([]);

    target.full = false;
    sut.write('d\n');
    sut.flushSync();
    sut.write('e\n');
    sut.flushSync();

    expect(target.writes).toHaveLength(2);
    const [notice, ...rest] = target.writes[0].split('\n');
    expect(JSON.parse(notice)).toMatchObject({ level: 40, pid: process.pid, msg: '3 log lines dropped: stdout did not keep up' });
    expect(rest.join('\n')).toBe('d\n');
    expect(target.writes[1]).toBe('e\n');
  });

  it("relies on sonic-boom refusing, within write(), what would take its backlog over maxLength", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'line-batcher-')), 'out.log');
    const fd = fs.openSync(file, 'w');
    const destination = pino.destination({ dest: fd, sync: false, maxLength: 64 });
    try {
      let dropped = 0;
      destination.on('drop', () => dropped++);
      destination.write('x'.repeat(10));
      expect(dropped).toBe(0);
      destination.write('y'.repeat(100));
      expect(dropped).toBe(1);
    } finally {
      destination.flushSync();
      destination.destroy();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  // The real destination (pino's sonic-boom on stdout) in a process of its own: lines written just
  // before process.exit(), and lines of a process that ends by itself, all reach stdout.
  it.each([
    ['process.exit() right after the last line', 'process.exit(0);'],
    ['the process ending by itself', ''],
  ])('loses no line at exit: %s', (_case, ending) => {
    const root = path.resolve(__dirname, '../..');
    const script = [
      "const { createRootLogger } = require('./src/logging/app-logger');",
      "const logger = createRootLogger('info');",
      'for (let i = 0; i < 500; i++) logger.info({ i }, "line");',
      ending,
    ].join('\n');
    const run = spawnSync(process.execPath, ['-r', './test/support/swc-register.js', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const numbers = run.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { i: number }).i);
    expect(numbers).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});
