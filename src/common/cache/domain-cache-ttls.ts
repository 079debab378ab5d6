/** How long each kind of domain read stays cached (API.md, "TTL defaults"). */
export interface DomainCacheTtls {
  userMs: number;
  userListMs: number;
  orderMs: number;
  orderListMs: number;
}

export const DEFAULT_DOMAIN_CACHE_TTLS: Readonly<DomainCacheTtls> = {
  userMs: 15 * 60_000,
  userListMs: 5 * 60_000,
  orderMs: 5 * 60_000,
  orderListMs: 2 * 60_000,
};

const ENV_NAMES: Record<keyof DomainCacheTtls, string> = {
  userMs: 'CACHE_TTL_USER',
  userListMs: 'CACHE_TTL_USER_LIST',
  orderMs: 'CACHE_TTL_ORDER',
  orderListMs: 'CACHE_TTL_ORDER_LIST',
};

/** The defaults, each overridable by its variable in seconds (e.g. CACHE_TTL_USER=60). */
export function domainCacheTtlsFromEnv(env: NodeJS.ProcessEnv): DomainCacheTtls {
  const ttls = { ...DEFAULT_DOMAIN_CACHE_TTLS };
  const problems: string[] = [];
  for (const [field, name] of Object.entries(ENV_NAMES) as [keyof DomainCacheTtls, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (!/^\d+$/.test(raw) || Number(raw) < 1) problems.push(`${name} must be a positive integer (seconds)`);
    else ttls[field] = Number(raw) * 1000;
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return ttls;
}

/**
 * The TTLs the `@CacheRoute` decorators of the domain controllers use. Decorators are evaluated
 * when the controllers' modules load, so the CACHE_TTL_* variables are read then, from the
 * process environment (set them in the environment, not only in .env).
 */
export const DOMAIN_CACHE_TTLS: Readonly<DomainCacheTtls> = Object.freeze(domainCacheTtlsFromEnv(process.env));
