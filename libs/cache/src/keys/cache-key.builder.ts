import { DEFAULT_NAMESPACE, GLOBAL_ORG } from '../cache.constants';
import {
  entryPath,
  escapeGlob,
  everyKeyGlob,
  fullKeyGlob,
  invalidationBusKeys,
  isInternalKey,
  literalOrgOfGlob,
  orgInternalKey,
  orgRegistryKey,
  orgRootKey,
  publicKey,
  scopeRootKey,
  splitEntryPath,
  splitFullKey,
} from './key-layout';
import { stableHash } from './stable-hash';

export { entryPath, fullKeyGlob, isPublicKeyOf, orgOfPublicKey, splitPublicKey } from './key-layout';

const SEGMENT_RE = /^[A-Za-z0-9_.-]{1,128}$/;

/** Keys and scopes `CacheKeyBuilder.entry` remembers at most (a few MB). */
const MAX_REMEMBERED_KEYS = 20_000;
const MAX_SCOPES = 5_000;
/** Parsed keys remembered at most (see `parse`); past it they are forgotten at once. */
const MAX_PARSED_KEYS = 1_000;

interface KeyScope {
  /** `{prefix}:{{org}}:namespace:` */
  root: string;
  /** id → full key */
  keys: Map<string, string>;
}

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
  /**
   * org → namespace → the scope's key root and its recently built keys. A hot key is asked for
   * by the same (org, namespace, id) on every call: handing back the same string object skips
   * the validation, the concatenation, and the hashing of a new string by every map it is looked
   * up in (the L1 above all). At most MAX_REMEMBERED_KEYS keys and MAX_SCOPES scopes; past
   * either, everything is forgotten at once and built again as asked.
   */
  private readonly scopes = new Map<string | undefined, Map<string | undefined, KeyScope>>();
  private scopeCount = 0;
  private rememberedKeys = 0;
  private lastOrg: string | undefined;
  private lastNamespace: string | undefined;
  private lastScope: KeyScope | undefined;
  /** Recently parsed keys: a load parses its key several times (its lock, its version, its organization). */
  private readonly parsed = new Map<string, Readonly<CacheKeyParts>>();

  constructor(readonly prefix: string) {}

  /** Full key of an entry. */
  entry(org: string | undefined, namespace: string | undefined, id: string): string {
    // The same scope as the last call (a hot loop, a request's lookups): two comparisons, no lookup.
    let scope = this.lastScope;
    if (scope === undefined || org !== this.lastOrg || namespace !== this.lastNamespace) {
      scope = this.scopes.get(org)?.get(namespace) ?? this.newScope(org, namespace);
      this.lastOrg = org;
      this.lastNamespace = namespace;
      this.lastScope = scope;
    }
    let key = scope.keys.get(id);
    if (key === undefined) {
      key = `${scope.root}${id}`;
      if (this.rememberedKeys >= MAX_REMEMBERED_KEYS) this.forget();
      scope.keys.set(id, key);
      this.rememberedKeys += 1;
    }
    return key;
  }

  /** Validates a scope once (throws on a bad org or namespace) and remembers its root. */
  private newScope(org: string | undefined, namespace: string | undefined): KeyScope {
    const scope: KeyScope = { root: scopeRootKey(this.prefix, this.org(org), this.namespace(namespace)), keys: new Map() };
    if (this.scopeCount >= MAX_SCOPES) this.forget();
    let byNamespace = this.scopes.get(org);
    if (byNamespace === undefined) this.scopes.set(org, (byNamespace = new Map()));
    byNamespace.set(namespace, scope);
    this.scopeCount += 1;
    return scope;
  }

  private forget(): void {
    this.lastScope = undefined;
    this.scopes.clear();
    this.scopeCount = 0;
    this.rememberedKeys = 0;
  }

  /** Full key of an entry whose id is derived from an argument list, e.g. `list:Xy12...`. */
  entryForArgs(org: string | undefined, namespace: string | undefined, name: string, args: unknown[]): string {
    return this.entry(org, namespace, entryPath(name, stableHash(args)));
  }

  /** `{prefix}:{{org}}:` — everything of one organization starts with it. */
  orgRoot(org: string | undefined): string {
    return orgRootKey(this.prefix, this.org(org));
  }

  tagSet(org: string | undefined, tag: string): string {
    return orgInternalKey(this.prefix, this.org(org), 'tag', tag);
  }

  tagVersion(org: string | undefined, tag: string): string {
    return orgInternalKey(this.prefix, this.org(org), 'tv', tag);
  }

  /** Bumped by pattern and organization-wide invalidations: loads that overlap them never store. */
  orgEpoch(org: string | undefined): string {
    return orgInternalKey(this.prefix, this.org(org), 'ov');
  }

  /**
   * The set of organizations that ever loaded or wrote through this app (`{prefix}:__orgs`,
   * outside every organization's hash slot): invalidations that span organizations read it
   * instead of SCANning the keyspace to find them.
   */
  orgRegistry(): string {
    return orgRegistryKey(this.prefix);
  }

  /** Version of one entry, bumped when it is deleted; derived from the entry's key. */
  keyVersion(fullKey: string): string {
    const parts = this.parse(fullKey);
    return orgInternalKey(this.prefix, parts.org, 'kv', entryPath(parts.namespace, parts.id));
  }

  lock(fullKey: string): string {
    const parts = this.parse(fullKey);
    return orgInternalKey(this.prefix, parts.org, 'lock', entryPath(parts.namespace, parts.id));
  }

  /** A named lease (see CacheLease), outside every organization. */
  lease(name: string): string {
    return orgInternalKey(this.prefix, this.org(undefined), 'lease', name);
  }

  /** Splits a full key back into its parts; throws on keys this builder did not make. */
  parse(fullKey: string): Readonly<CacheKeyParts> {
    let parts = this.parsed.get(fullKey);
    if (parts !== undefined) return parts;
    const split = splitFullKey(this.prefix, fullKey);
    if (split === undefined) throw new Error(`Not a cache key of prefix ${this.prefix}: ${fullKey}`);
    parts = Object.freeze({ org: split.org, ...splitEntryPath(split.path, DEFAULT_NAMESPACE) });
    if (this.parsed.size >= MAX_PARSED_KEYS) this.parsed.clear();
    this.parsed.set(fullKey, parts);
    return parts;
  }

  /** True for the engine's bookkeeping keys (tag sets, versions, locks). */
  isInternal(fullKey: string): boolean {
    return isInternalKey(fullKey);
  }

  /** The key as shown to clients and operators: without the app prefix. */
  publicForm(fullKey: string): string {
    const parts = this.parse(fullKey);
    return publicKey(parts.org, entryPath(parts.namespace, parts.id));
  }

  /** Glob over every entry of this app, optionally of one organization. */
  pattern(org: string | undefined, rest: string): string {
    return org === undefined ? fullKeyGlob(this.prefix, '*', rest) : fullKeyGlob(this.prefix, this.org(org), rest);
  }

  /** Glob over every key of one organization, entries and bookkeeping. */
  orgGlob(org: string): string {
    return `${escapeGlob(this.orgRoot(org))}*`;
  }

  /** Glob over every key of this app. */
  everyKeyGlob(): string {
    return everyKeyGlob(this.prefix);
  }

  /** Glob over the bookkeeping keys of `kind` (`tag`, `ov`, …) of every organization. */
  internalGlob(kind: string, rest?: string): string {
    return orgInternalKey(this.prefix, '*', kind, rest);
  }

  /** What an organization's invalidation leaves: its epoch (it is bumped) and load locks (loads in flight own them). */
  survivesOrgInvalidation(fullKey: string, org: string): boolean {
    const valid = this.org(org);
    return fullKey.startsWith(orgInternalKey(this.prefix, valid, 'ov')) || fullKey.startsWith(orgInternalKey(this.prefix, valid, 'lock', ''));
  }

  /** What a flush leaves: the invalidation bus (instances keep counting on it) and the registry of organizations. */
  survivesFlush(fullKey: string): boolean {
    return invalidationBusKeys(this.prefix).owns(fullKey) || fullKey === this.orgRegistry();
  }

  /** The organization a glob over full keys names literally, if any. */
  literalOrgOf(glob: string): string | undefined {
    return literalOrgOfGlob(this.prefix, glob);
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
