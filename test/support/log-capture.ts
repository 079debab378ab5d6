import { Writable } from 'node:stream';

/** A pino destination that keeps every JSON line, for tests that read what the app logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') this.lines.push(line);
    callback();
  }

  /** Every line parsed as JSON. */
  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  text(): string {
    return this.lines.join('\n');
  }
}
