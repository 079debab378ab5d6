import { Injectable, Logger, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { CacheMetadataAccessor, type MethodCacheMetadata } from './cache-metadata.accessor';
import { CacheService } from './cache.service';
import { createCachedMethod, type AsyncMethod } from './decorators/cached-method.factory';
import { describeError } from './common/async';

type DiscoveredWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/** Marks a wrapper, so a provider reached twice (an alias, a re-export) is wrapped once. */
const CACHED_METHOD = Symbol('CACHED_METHOD');

/**
 * Finds provider methods carrying `@Cacheable`, `@CachePut` or `@CacheEvict` at start-up and
 * replaces each, on the provider's instance, with a wrapper that goes through `CacheService`.
 * Request-scoped and transient providers get their instances later, per request or consumer,
 * so they are left alone with a warning, as are decorated controller methods (Nest binds
 * routes to the prototype's methods before any module initializes: use `@CacheRoute` there).
 *
 * @example
 * // nothing to call: CacheModule registers it; a provider only needs the decorators
 * @Cacheable({ namespace: 'users', key: 'user:{0}' }) findOne(id: string) { ... }
 */
@Injectable()
export class CacheableExplorer implements OnModuleInit {
  private readonly logger = new Logger('CacheExplorer');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly metadata: CacheMetadataAccessor,
    private readonly cache: CacheService,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) this.exploreProvider(wrapper);
    for (const wrapper of this.discovery.getControllers()) {
      this.warnAboutController(wrapper);
      this.checkRouteTtls(wrapper);
    }
  }

  private exploreProvider(wrapper: DiscoveredWrapper): void {
    const instance: unknown = wrapper.instance;
    if (instance === null || typeof instance !== 'object' || Object.getPrototypeOf(instance) === null) return;
    const replaceable = wrapper.isDependencyTreeStatic() && !wrapper.isTransient;
    for (const name of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const method = (instance as Record<string, unknown>)[name];
      if (typeof method !== 'function' || CACHED_METHOD in method) continue;
      const metadata = this.metadata.methodMetadata(method);
      if (metadata === undefined) continue;
      const label = `${instance.constructor.name}.${name}`;
      if (!replaceable) {
        this.logger.warn(`Cannot cache ${label}: ${String(wrapper.name)} is request-scoped or transient, so its instances are made after start-up`);
        continue;
      }
      this.validate(label, metadata);
      this.install(instance, name, method as AsyncMethod, this.withTtls(label, metadata));
    }
  }

  private install(instance: object, methodName: string, original: AsyncMethod, metadata: MethodCacheMetadata): void {
    const site = { className: instance.constructor.name, methodName };
    const wrapped = createCachedMethod(original, metadata, site, this.cache, this.logger);
    // Looks like the original to whatever inspects it: its name, arity and every metadata key
    // (route, guard, our own), so other decorators' readers still find theirs.
    Object.defineProperty(wrapped, 'name', { value: original.name });
    Object.defineProperty(wrapped, 'length', { value: original.length });
    for (const key of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapped);
    }
    Object.defineProperty(wrapped, CACHED_METHOD, { value: true });
    try {
      Object.defineProperty(instance, methodName, { value: wrapped, writable: true, configurable: true, enumerable: false });
    } catch (error) {
      this.logger.warn(`Cannot cache ${site.className}.${methodName}: its instance refuses the wrapper (${String(error)})`);
    }
  }

  /** Mistakes found here stop the start, naming the method, rather than surfacing per call. */
  private validate(label: string, { cacheable, put, evictions }: MethodCacheMetadata): void {
    if (cacheable !== undefined && put !== undefined) throw new Error(`${label}: @Cacheable and @CachePut exclude each other`);
    if (put !== undefined && put.key === undefined) throw new Error(`${label}: @CachePut needs a key`);
    const namespaces = [cacheable?.namespace, put?.namespace, ...evictions.map((e) => e.namespace)];
    for (const namespace of namespaces) {
      if (namespace === undefined) continue;
      try {
        this.cache.keys.entry(undefined, namespace, 'probe');
      } catch (error) {
        throw new Error(`${label}: ${describeError(error)}`);
      }
    }
  }

  /** `ttl` names resolved to ms now, so a call never looks one up and a wrong name stops the start. */
  private withTtls(label: string, metadata: MethodCacheMetadata): MethodCacheMetadata {
    try {
      const resolve = <T extends { ttlMs?: number; ttl?: string }>(options: T | undefined): T | undefined =>
        options === undefined ? undefined : { ...options, ttlMs: this.metadata.ttlMsOf(options) };
      return { ...metadata, cacheable: resolve(metadata.cacheable), put: resolve(metadata.put) };
    } catch (error) {
      throw new Error(`${label}: ${describeError(error)}`);
    }
  }

  /** A `@CacheRoute` naming an unknown TTL stops the start, naming the route, rather than failing its requests. */
  private checkRouteTtls(wrapper: DiscoveredWrapper): void {
    const controller = wrapper.metatype as Type<unknown> | null | undefined;
    if (typeof controller !== 'function') return;
    for (const name of this.scanner.getAllMethodNames(controller.prototype as object)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function') continue;
      try {
        this.metadata.routePolicy(handler, controller);
      } catch (error) {
        throw new Error(`${controller.name}.${name}: ${describeError(error)}`);
      }
    }
  }

  private warnAboutController(wrapper: DiscoveredWrapper): void {
    const instance: unknown = wrapper.instance;
    if (instance === null || typeof instance !== 'object' || Object.getPrototypeOf(instance) === null) return;
    for (const name of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const method = (instance as Record<string, unknown>)[name];
      if (typeof method === 'function' && this.metadata.methodMetadata(method) !== undefined) {
        this.logger.warn(`${instance.constructor.name}.${name} is a controller method: its cache decorators have no effect there; use @CacheRoute, or move the call into a provider`);
      }
    }
  }
}
