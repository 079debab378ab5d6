import type { Logger } from '@nestjs/common';
import { CacheContext } from '../cache-context';
import type { MethodCacheMetadata } from '../cache-metadata.accessor';
import type { CacheService } from '../cache.service';
import type { CacheEvictOptions } from './cache-evict.decorator';
import { keyRenderer, keysRenderer, tagsRenderer, type ArgsRenderer } from './cache-key-template';
import type { CacheableOptions } from './cacheable.decorator';
import { describeError } from '../common/async';
import { entryPath } from '../keys/key-layout';

/** The shape of a method the decorators accept. */
export type AsyncMethod = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/** Where a wrapped method lives, for its default key and its log lines. */
export interface CachedMethodSite {
  className: string;
  methodName: string;
}

interface StorePlan {
  options: CacheableOptions;
  id: ArgsRenderer<string> | undefined;
  tags: ArgsRenderer<readonly string[]>;
}

interface EvictPlan {
  options: CacheEvictOptions;
  keys: ArgsRenderer<readonly string[]>;
  tags: ArgsRenderer<readonly string[]>;
}

/**
 * Builds the function that replaces a decorated method: evictions marked `beforeInvocation`,
 * then the method through the cache (`@Cacheable`), or the method and a store (`@CachePut`),
 * then the other evictions once it resolved. Templates are compiled here, once.
 * A failure of the cache itself (a key that cannot be built, an eviction that fails) is
 * logged and never fails the call: the method's own result or error is what the caller gets.
 */
export function createCachedMethod(
  original: AsyncMethod,
  metadata: MethodCacheMetadata,
  site: CachedMethodSite,
  cache: CacheService,
  logger: Logger,
): AsyncMethod {
  const label = `${site.className}.${site.methodName}`;
  const read = metadata.cacheable && storePlan(metadata.cacheable);
  const put = metadata.put && storePlan(metadata.put);
  const evictions = metadata.evictions.map((options) => ({ options, keys: keysRenderer(options.keys), tags: tagsRenderer(options.tags) }));
  const before = evictions.filter((plan) => plan.options.beforeInvocation === true);
  const after = evictions.filter((plan) => plan.options.beforeInvocation !== true);

  const evict = async (plans: readonly EvictPlan[], args: unknown[]): Promise<void> => {
    await Promise.all(plans.map((plan) => evictOne(plan, args)));
  };

  const evictOne = async ({ options, keys, tags }: EvictPlan, args: unknown[]): Promise<void> => {
    try {
      const org = options.org !== undefined ? options.org(...args) : CacheContext.org();
      const ids = keys(args);
      const tagList = tags(args);
      await Promise.all([
        ids.length > 0 ? cache.delete(ids, { org, namespace: options.namespace }) : 0,
        tagList.length > 0 ? cache.invalidateTags(tagList, { org }) : 0,
        options.allEntries === true ? cache.invalidatePattern(entryPath(options.namespace!, '*'), { org }) : 0, // checked by the decorator: allEntries has a namespace
      ]);
    } catch (error) {
      logger.error(`Eviction after ${label} failed: ${describeError(error)}`);
    }
  };

  const cachedCall = async (self: unknown, args: unknown[], plan: StorePlan): Promise<unknown> => {
    const { options } = plan;
    if (options.condition !== undefined && !options.condition(...args)) return original.apply(self, args);
    const org = options.org !== undefined ? options.org(...args) : CacheContext.org();
    let fullKey: string;
    let tags: readonly string[];
    try {
      fullKey = plan.id !== undefined ? cache.keys.entry(org, options.namespace, plan.id(args)) : cache.keys.entryForArgs(org, options.namespace, label, args);
      tags = plan.tags(args);
    } catch (error) {
      logger.error(`No cache key for ${label}, calling it uncached: ${describeError(error)}`);
      return original.apply(self, args);
    }
    // `unless` keeps a result out of the store: the loader then hands the engine nothing
    // (undefined is never stored) and this call returns the result it got itself.
    let own: { value: unknown } | undefined;
    const loader = async (): Promise<unknown> => {
      const value = await original.apply(self, args);
      own = { value };
      return options.unless?.(value, ...args) === true ? undefined : value;
    };
    const { ttlMs, graceMs, namespace } = options;
    const { value } = await cache.lookupFullKey(fullKey, loader, { org, namespace, ttlMs, graceMs, tags });
    if (value !== undefined) return value;
    if (own !== undefined) return own.value;
    // Joined another caller's load whose result was not stored: run the method for this one.
    return original.apply(self, args);
  };

  const putCall = async (self: unknown, args: unknown[], plan: StorePlan): Promise<unknown> => {
    const { options } = plan;
    const store = options.condition === undefined || options.condition(...args);
    const value = await original.apply(self, args);
    if (!store || options.unless?.(value, ...args) === true) return value;
    try {
      const org = options.org !== undefined ? options.org(...args) : CacheContext.org();
      const id = (plan.id as ArgsRenderer<string>)(args);
      await cache.set(id, value, { org, namespace: options.namespace, ttlMs: options.ttlMs, graceMs: options.graceMs, tags: plan.tags(args) });
    } catch (error) {
      logger.error(`Storing the result of ${label} failed: ${describeError(error)}`);
    }
    return value;
  };

  return async function cachedMethod(this: unknown, ...args: unknown[]): Promise<unknown> {
    if (before.length > 0) await evict(before, args);
    let result: unknown;
    if (read !== undefined) result = await cachedCall(this, args, read);
    else if (put !== undefined) result = await putCall(this, args, put);
    else result = await original.apply(this, args);
    if (after.length > 0) await evict(after, args);
    return result;
  };
}

function storePlan(options: CacheableOptions): StorePlan {
  return { options, id: options.key === undefined ? undefined : keyRenderer(options.key), tags: tagsRenderer(options.tags) };
}

