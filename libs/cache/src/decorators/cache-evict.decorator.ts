import type { AsyncMethodDecorator } from './async-method.decorator';
import { CACHE_EVICT_METADATA } from './cache-decorators.constants';
import type { CacheTagsTemplate, FromArgs } from './cache-key-template';

/**
 * Options of `@CacheEvict`; at least one of `keys`, `tags`, `allEntries`. Like the engine, an
 * eviction with no organization (none in `CacheContext`, no `org` option) removes tags and
 * namespaces in every organization, and keys of the global one.
 */
export interface CacheEvictOptions {
  /** Namespace of `keys` and of `allEntries`; required with either. */
  namespace?: string;
  /** Key ids to delete: templates like `'user:{0}'`, or a function of the arguments. */
  keys?: string | readonly string[] | FromArgs<string | readonly string[]>;
  /** Tags to invalidate, e.g. `['users', 'user:{0}']`. */
  tags?: CacheTagsTemplate;
  /** Evicts the whole namespace (`${namespace}:*`) in the organization. */
  allEntries?: boolean;
  /** Evicts before the method runs, and so also when it throws (default: after it resolves). */
  beforeInvocation?: boolean;
  /** Organization to evict in; default `CacheContext.org()`. */
  org?: FromArgs<string | undefined>;
}

/**
 * Evicts entries once the method's promise resolves (its write committed), never when it
 * throws, unless `beforeInvocation`. Repeatable: each `@CacheEvict` on a method applies.
 *
 * @example
 * @CacheEvict({ tags: ['users', 'user:{0}'] })
 * update(id: string, patch: UpdateUserDto): Promise<UserDto> { ... }
 */
export function CacheEvict(options: CacheEvictOptions): AsyncMethodDecorator {
  const problem = invalidEvictOptions(options);
  if (problem !== undefined) throw new Error(`@CacheEvict: ${problem}`);
  return (_target, _propertyKey, descriptor) => {
    const method = descriptor.value;
    if (method === undefined) return;
    const existing = (Reflect.getOwnMetadata(CACHE_EVICT_METADATA, method) as CacheEvictOptions[] | undefined) ?? [];
    Reflect.defineMetadata(CACHE_EVICT_METADATA, [...existing, options], method);
  };
}

function invalidEvictOptions(options: CacheEvictOptions): string | undefined {
  if (options.keys === undefined && options.tags === undefined && options.allEntries !== true) {
    return 'name keys, tags or allEntries';
  }
  if ((options.keys !== undefined || options.allEntries === true) && !options.namespace) {
    return 'keys and allEntries need a namespace';
  }
  return undefined;
}
