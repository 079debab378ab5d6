/**
 * The layout of every key the engine keeps in Redis and in-process, spelled here and nowhere
 * else: `{prefix}:{{org}}:{namespace}:{id}` for entries, `{prefix}:{{org}}:__<kind>…` for an
 * organization's bookkeeping, and `{prefix}:{__bus}:…` / `{prefix}:{__fleet}:…` for the
 * fleet-wide state. The `{…}` part is a Redis Cluster hash tag: keys sharing it share a slot.
 * `CacheKeyBuilder` validates names and builds entry keys on top of these functions.
 */

/** `{prefix}:{{org}}:`: every key of one organization starts with it. */
export function orgRootKey(prefix: string, org: string): string {
  return `${prefix}:{${org}}:`;
}

/** An organization's bookkeeping key of `kind` (tag set, version, lock, …), with `:rest` when given. */
export function orgInternalKey(prefix: string, org: string, kind: string, rest?: string): string {
  return `${orgRootKey(prefix, org)}__${kind}${rest === undefined ? '' : `:${rest}`}`;
}

/** `{prefix}:{{org}}:{namespace}:` (`id` appended by the caller's cache). */
export function scopeRootKey(prefix: string, org: string, namespace: string): string {
  return `${orgRootKey(prefix, org)}${namespace}:`;
}

/** `namespace:id`, the part of an entry key after its organization. */
export function entryPath(namespace: string, id: string): string {
  return `${namespace}:${id}`;
}

/** A glob over full keys: organizations matching `orgGlob`, then `rest` (a glob over `namespace:id` or bookkeeping names). */
export function fullKeyGlob(prefix: string, orgGlob: string, rest: string): string {
  return `${prefix}:{${orgGlob}}:${rest}`;
}

/** The registry of organizations (`{prefix}:__orgs`), outside every organization's hash slot. */
export function orgRegistryKey(prefix: string): string {
  return `${prefix}:__orgs`;
}

/** A glob over every key of an app, bookkeeping and bus included. */
export function everyKeyGlob(prefix: string): string {
  return `${prefix}:*`;
}

/** The parts of a full entry key, or undefined when it is not one of `prefix`. */
export function splitFullKey(prefix: string, fullKey: string): { org: string; path: string } | undefined {
  const head = `${prefix}:{`;
  const close = fullKey.indexOf('}:', head.length);
  if (!fullKey.startsWith(head) || close < 0) return undefined;
  return { org: fullKey.slice(head.length, close), path: fullKey.slice(close + 2) };
}

/** `namespace:id` into its parts; a path without `:` is an id of `defaultNamespace`. */
export function splitEntryPath(path: string, defaultNamespace: string): { namespace: string; id: string } {
  const sep = path.indexOf(':');
  if (sep < 0) return { namespace: defaultNamespace, id: path };
  return { namespace: path.slice(0, sep), id: path.slice(sep + 1) };
}

/** True for bookkeeping keys (names after the hash tag starting with `__`). */
export function isInternalKey(fullKey: string): boolean {
  const close = fullKey.indexOf('}:');
  return close >= 0 && fullKey.startsWith('__', close + 2);
}

/** The organization a glob over full keys names literally (no wildcard in it), if any. */
export function literalOrgOfGlob(prefix: string, glob: string): string | undefined {
  const head = `${prefix}:{`;
  if (!glob.startsWith(head)) return undefined;
  const org = glob.slice(head.length, glob.indexOf('}'));
  return org !== '' && !/[*?[\\]/.test(org) ? org : undefined;
}

/** The key up to its hash tag (`{prefix}:{org}`): keys with the same one share a Cluster slot. */
export function hashSlotOf(key: string): string {
  return key.slice(0, key.indexOf('}') + 1);
}

/** A literal as a glob matching only itself. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&');
}

/** The key as clients and operators see it: `org:namespace:id`. */
export function publicKey(org: string, path: string): string {
  return `${org}:${path}`;
}

/** `org:namespace:id` into its parts (ids may hold further colons); undefined when a part is missing. */
export function splitPublicKey(key: string): { org: string; namespace: string; id: string } | undefined {
  const [org, namespace, ...rest] = key.split(':');
  const id = rest.join(':');
  if (rest.length === 0 || org === '' || namespace === '' || id === '') return undefined;
  return { org, namespace, id };
}

/** The organization part of a public key. */
export function orgOfPublicKey(key: string): string {
  return key.slice(0, key.indexOf(':'));
}

/** Whether a public key belongs to `org`. */
export function isPublicKeyOf(key: string, org: string): boolean {
  return key.startsWith(`${org}:`);
}

/** The invalidation bus' keys and channels (one hash tag, `{__bus}`, for the scripts that touch several). */
export interface InvalidationBusKeys {
  /** Where every invalidation and heartbeat is published. */
  channel: string;
  /** Where an instance hears the acknowledgements of its own invalidations. */
  ackChannel(instanceId: string): string;
  seq: string;
  log: string;
  epoch: string;
  instances: string;
  /** True for every key of the bus (a flush must leave them). */
  owns(key: string): boolean;
}

export function invalidationBusKeys(prefix: string): InvalidationBusKeys {
  const root = `${prefix}:{__bus}:`;
  const channel = `${prefix}:__bus`;
  return {
    channel,
    ackChannel: (instanceId) => `${channel}:${instanceId}`,
    seq: `${root}__seq`,
    log: `${root}__log`,
    epoch: `${root}__epoch`,
    instances: `${root}__instances`,
    owns: (key) => key.startsWith(root),
  };
}

/** The fleet stats' keys: one hash tag, `{__fleet}`, and internal (`__`) names, so key listings never show them. */
export interface FleetKeys {
  instances: string;
  reset: string;
  instance(id: string): string;
}

export function fleetKeys(prefix: string): FleetKeys {
  const root = `${prefix}:{__fleet}:`;
  return { instances: `${root}__instances`, reset: `${root}__reset`, instance: (id) => `${root}__instance:${id}` };
}
