import { Logger } from '@nestjs/common';
import { DEFAULT_NAMESPACE, GLOBAL_ORG } from '../cache.constants';
import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import type { CacheMetrics } from '../metrics/cache-metrics';
import type { CorruptEntryError } from './cache-serializer';

/** Least time between two log lines about corrupt entries; the ones in between are counted in the next. */
export const CORRUPT_ENTRY_LOG_INTERVAL_MS = 10_000;

/**
 * What happens when a read meets bytes that are no entry (see `CacheSerializer.readStored`): the
 * read is a miss, counted as an error of the key's namespace and organization (stats and
 * `cache_results_total{result="error"}`), and logged at most once per interval, so a flood of bad
 * values cannot flood the log.
 */
export class CorruptEntryReporter {
  private readonly logger = new Logger('CacheSerializer');
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private unlogged = 0;

  constructor(
    private readonly keys: CacheKeyBuilder,
    private readonly metrics: CacheMetrics,
    private readonly intervalMs = CORRUPT_ENTRY_LOG_INTERVAL_MS,
  ) {}

  readonly report = (key: string, error: CorruptEntryError): void => {
    let namespace = DEFAULT_NAMESPACE;
    let org = GLOBAL_ORG;
    let shown = key;
    try {
      ({ namespace, org } = this.keys.parse(key));
      shown = this.keys.publicForm(key);
    } catch {
      // not a key of ours: counted under the defaults
    }
    this.metrics.count(namespace, org, 'errors');
    const now = Date.now();
    if (now - this.lastLoggedAt < this.intervalMs) {
      this.unlogged += 1;
      return;
    }
    const more = this.unlogged > 0 ? ` (and ${this.unlogged} more since the last report)` : '';
    this.lastLoggedAt = now;
    this.unlogged = 0;
    this.logger.warn(`Corrupt cache entry at ${shown} read as a miss: ${error.message}${more}`);
  };
}
