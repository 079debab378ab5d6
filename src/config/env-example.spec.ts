import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateAppConfig } from './app-config.validation';
import type { Env } from './env-reader';

const ENV_EXAMPLE = join(__dirname, '..', '..', '.env.example');

/** Every variable `validateAppConfig` reads from `env` (an environment that records each lookup). */
function variablesReadFrom(env: Record<string, string>): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  }) as Env;
  validateAppConfig(recording, { generateAdminToken: () => 'generated-token-for-tests', readFile: () => '' });
  return read;
}

/** The variables `.env.example` documents: each `NAME=` line, commented out or not. */
function variablesListed(text: string): Set<string> {
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
}

describe('.env.example', () => {
  // Development and production defaults, and a Redis configured (with a CA file), so the
  // settings read only on some paths are read too.
  const environments: Record<string, string>[] = [
    {},
    { NODE_ENV: 'production', ADMIN_TOKEN: 'a-long-enough-operator-token', DATABASE_URL: 'postgres://app@db/app' },
    { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_TLS_CA: '/certs/ca.pem' },
  ];
  const read = new Set(environments.flatMap((env) => [...variablesReadFrom(env)]));
  const listed = variablesListed(readFileSync(ENV_EXAMPLE, 'utf8'));

  it('lists every variable the validated configuration reads', () => {
    expect([...read].filter((name) => !listed.has(name)).sort()).toEqual([]);
  });

  it('lists no variable the validated configuration ignores', () => {
    expect([...listed].filter((name) => !read.has(name)).sort()).toEqual([]);
  });

  it('finds the variables on both sides (the comparison is not of two empty lists)', () => {
    expect(read.size).toBeGreaterThan(50);
    expect(read).toContain('CACHE_TTL_USER');
    expect(listed).toContain('CACHE_TTL_USER');
  });
});
