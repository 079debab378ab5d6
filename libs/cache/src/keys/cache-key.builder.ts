import { DEFAULT_NAMESPACE, GLOBAL_ORG } from '../cache.constants';
import { stableHash } from './stable-hash';

const SEGMENT_RE = /^[A-Za-z0-9_.-]{1,128}$/;

/** The parts of a cache key: whose entry it is, of which kind, and which one. */
export interface CacheKeyParts {
  org: string;
  namespace: string;
  id: string;
}

/**
 * Builds every key the engine writes: `{prefix}:{{org}}:{namespace}:{id}`.
 *
 * The organization sits in a Redis Cluster hash tag, so an organization's entries, tag sets
 * and versions share one slot and the Lua scripts that touch several of them stay legal.
 * Names starting with `__` are the engine's own bookkeeping and never entries.
 */
export class CacheKeyBuilder {
  constructor(readonly prefix: string) {}

  /** Full key of an entry. */
  entry(org: string | undefined, namespace: string | undefined, id: string): string {
    return `${this.orgRoot(org)}${this.namespace(namespace)}:${id}`;
  }

  /** Full key of an entry whose id is derived from an argument list, e.g. `list:Xy12...`. */
  entryForArgs(org: string | undefined, namespace: string | undefined, name: string, args: unknown[]): string {
    return this.entry(org, namespace, `${name}:${stableHash(args)}`);
  }

  /** `{prefix}:{{org}}:` — everything of one organization starts with it. */
  orgRoot(org: string | undefined): string {
    return `${this.prefix}:{${this.org(org)}}:`;
  }

  tagSet(org: string | undefined, tag: string): string {
    return `${this.orgRoot(org)}__tag:${tag}`;
  }

  tagVersion(org: string | undefined, tag: string): string {
    return `${this.orgRoot(org)}__tv:${tag}`;
  }

  /** Bumped by pattern and organization-wide invalidations: loads that overlap them never store. */
  orgEpoch(org: string | undefined): string {
    return `${this.orgRoot(org)}__ov`;
  }

  /**
   * The set of organizations that ever loaded or wrote through this app (`{prefix}:__orgs`,
   * outside every organization's hash slot): invalidations that span organizations read it
   * instead of SCANning the keyspace to find them.
   */
  orgRegistry(): string {
    return `${this.prefix}:__orgs`;
  }

  /** Version of one entry, bumped when it is deleted; derived from the entry's key. */
  keyVersion(fullKey: string): string {
    const parts = this.parse(fullKey);
    return `${this.orgRoot(parts.org)}__kv:${parts.namespace}:${parts.id}`;
  }

  lock(fullKey: string): string {
    const parts = this.parse(fullKey);
    return `${this.orgRoot(parts.org)}__lock:${parts.namespace}:${parts.id}`;
  }

  /** Splits a full key back into its parts; throws on keys this builder did not make. */
  parse(fullKey: string): CacheKeyParts {
    const head = `${this.prefix}:{`;
    const close = fullKey.indexOf('}:', head.length);
    if (!fullKey.startsWith(head) || close < 0) throw new Error(`Not a cache key of prefix ${this.prefix}: ${fullKey}`);
    const org = fullKey.slice(head.length, close);
    const rest = fullKey.slice(close + 2);
    const sep = rest.indexOf(':');
    if (sep < 0) return { org, namespace: DEFAULT_NAMESPACE, id: rest };
    return { org, namespace: rest.slice(0, sep), id: rest.slice(sep + 1) };
  }

  /** True for the engine's bookkeeping keys (tag sets, versions, locks). */
  isInternal(fullKey: string): boolean {
    const close = fullKey.indexOf('}:');
    return close >= 0 && fullKey.startsWith('__', close + 2);
  }

  /** The key as shown to clients and operators: without the app prefix. */
  publicForm(fullKey: string): string {
    const parts = this.parse(fullKey);
    return `${parts.org}:${parts.namespace}:${parts.id}`;
  }

  /** Glob over every entry of this app, optionally of one organization. */
  pattern(org: string | undefined, rest: string): string {
    return org === undefined ? `${this.prefix}:{*}:${rest}` : `${this.orgRoot(org)}${rest}`;
  }

  private org(org: string | undefined): string {
    if (org === undefined || org === '') return GLOBAL_ORG;
    if (!SEGMENT_RE.test(org)) throw new Error(`Invalid organization in cache key: ${org}`);
    return org;
  }

  private namespace(namespace: string | undefined): string {
    if (namespace === undefined || namespace === '') return DEFAULT_NAMESPACE;
    if (!SEGMENT_RE.test(namespace) || namespace.startsWith('__')) {
      throw new Error(`Invalid cache namespace: ${namespace}`);
    }
    return namespace;
  }
}
