import type { AsyncMethodDecorator } from './async-method.decorator';
import { defineMethodMetadata } from './async-method.decorator';
import { CACHE_PUT_METADATA } from './cache-decorators.constants';
import type { CacheKeyTemplate } from './cache-key-template';
import type { CacheableOptions } from './cacheable.decorator';

/** Options of `@CachePut`: those of `@Cacheable`, with the key required (a put is read under it elsewhere). */
export interface CachePutOptions extends Omit<CacheableOptions, 'key'> {
  key: CacheKeyTemplate;
}

/**
 * Always runs the method, then stores its result under the key, so the next `@Cacheable`
 * read of that key sees the write. Nothing is stored when the method throws.
 *
 * @example
 * @CachePut({ namespace: 'users', key: 'user:{0}', tags: ['user:{0}'] })
 * update(id: string, patch: UpdateUserDto): Promise<UserDto> { ... }
 */
export function CachePut(options: CachePutOptions): AsyncMethodDecorator {
  return defineMethodMetadata(CACHE_PUT_METADATA, options);
}
