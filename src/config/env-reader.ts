import type { HostPort } from './app-config.interface';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads typed values out of the environment and collects a problem per bad variable instead of
 * throwing at the first one, so that one start-up message can name every mistake.
 * An empty value counts as unset (docker-compose's `${VAR:-}` produces those).
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  isSet(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  problem(name: string, message: string): void {
    this.problems.push(`${name} ${message}`);
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === value.toLowerCase());
    if (match === undefined) {
      this.problem(name, `must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return match;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problem(name, 'must be a boolean (true or false)');
    return fallback;
  }

  /** An integer in [min, max]; `what` describes the value in the message, e.g. "a positive integer (seconds)". */
  integer(name: string, fallback: number, range: { min: number; max?: number }, what: string): number;
  integer(name: string, fallback: undefined, range: { min: number; max?: number }, what: string): number | undefined;
  integer(
    name: string,
    fallback: number | undefined,
    range: { min: number; max?: number },
    what: string,
  ): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(parsed) || parsed < range.min || parsed > max) {
      this.problem(name, `must be ${what}`);
      return fallback;
    }
    return parsed;
  }

  /** A decimal number in [min, max] (`0.5`, `100`, `1e-2` is refused: plain digits and one point only). */
  decimal(name: string, fallback: number, range: { min: number; max?: number }, what: string): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^[0-9]+(\.[0-9]+)?$|^\.[0-9]+$/.test(value) ? Number(value) : Number.NaN;
    const max = range.max ?? Number.MAX_VALUE;
    if (!Number.isFinite(parsed) || parsed < range.min || parsed > max) {
      this.problem(name, `must be ${what}`);
      return fallback;
    }
    return parsed;
  }

  /** A URL whose scheme is one of `protocols` (given with the colon, as `URL.protocol` has it). */
  url(name: string, protocols: readonly string[], what: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let protocol: string | undefined;
    try {
      const parsed = new URL(value);
      protocol = parsed.hostname === '' ? undefined : parsed.protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol === undefined || !protocols.includes(protocol)) {
      this.problem(name, `must be ${what}`);
      return undefined;
    }
    return value;
  }

  /** A comma-separated `host:port` list (IPv6 hosts in brackets: `[::1]:7000`). */
  hostPortList(name: string): HostPort[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const entries = value.split(',').map((entry) => entry.trim());
    const parsed = entries.map(parseHostPort);
    if (parsed.some((entry) => entry === undefined)) {
      this.problem(name, 'must be a comma-separated list of host:port');
      return [];
    }
    return parsed.filter((entry): entry is HostPort => entry !== undefined);
  }
}

function parseHostPort(entry: string): HostPort | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+)):([0-9]{1,5})$/.exec(entry);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1] ?? match[2] ?? '', port };
}
