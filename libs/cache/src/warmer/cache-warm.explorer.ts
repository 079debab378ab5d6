import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { CacheWarmJobOptions } from './cache-warm-job.decorator';
import { CACHE_WARM_JOB_METADATA } from './cache-warm.constants';
import { CacheWarmRegistry } from './cache-warm.registry';
import type { WarmJobContext } from './cache-warm.types';

/**
 * Finds provider methods marked `@CacheWarmJob` at start-up and registers them, bound to their
 * instance. Request-scoped and transient providers have no instance at start-up: they are
 * skipped with a warning (as nestjs/schedule does for `@Cron`).
 */
@Injectable()
export class CacheWarmExplorer implements OnModuleInit {
  private readonly logger = new Logger('CacheWarmExplorer');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: CacheWarmRegistry,
  ) {}

  onModuleInit(): void {
    // A provider reached twice (an alias, a re-export) is one set of jobs.
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance === null || typeof instance !== 'object' || Object.getPrototypeOf(instance) === null) continue;
      if (seen.has(instance)) continue;
      seen.add(instance);
      for (const name of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const method = (instance as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const options = this.reflector.get<CacheWarmJobOptions | undefined>(CACHE_WARM_JOB_METADATA, method);
        if (options === undefined) continue;
        if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
          this.logger.warn(`Cannot schedule warm job ${options.name}: ${String(wrapper.name)} is request-scoped or transient`);
          continue;
        }
        const bound = method as (context: WarmJobContext) => Promise<number | void>;
        this.registry.register(options.name, (context) => bound.call(instance, context));
      }
    }
  }
}
