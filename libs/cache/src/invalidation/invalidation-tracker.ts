import type { InvalidationTarget } from '../stores/cache-store.interface';

/** One load (or L1 fill) in flight, and what was invalidated under it while it ran. */
export interface LoadRecord {
  key: string;
  org: string;
  dead: boolean;
  /** Tags invalidated in this record's organization while it was open. */
  invalidatedTags: Set<string>;
}

const MAX_TAGS_REMEMBERED = 256;

/**
 * Tracks which keys and tags were invalidated while loads (and L1 fills) ran in this process.
 * Each invalidation is shown to every open record, so a load that began before an invalidation
 * cannot store its older value after the invalidation returned: the in-process half of the
 * stale-set race.
 */
export class InvalidationTracker {
  private readonly open = new Set<LoadRecord>();

  openRecord(key: string, org: string): LoadRecord {
    const record: LoadRecord = { key, org, dead: false, invalidatedTags: new Set() };
    this.open.add(record);
    return record;
  }

  close(record: LoadRecord): void {
    this.open.delete(record);
  }

  /** Whether a value with `tags` may still be written for this record. */
  allows(record: LoadRecord, tags: readonly string[]): boolean {
    if (record.dead) return false;
    for (const tag of tags) if (record.invalidatedTags.has(tag)) return false;
    return true;
  }

  notify(target: InvalidationTarget, keyMatches: (pattern: string, key: string) => boolean): void {
    if (this.open.size === 0) return;
    for (const record of this.open) {
      switch (target.kind) {
        case 'all':
          record.dead = true;
          break;
        case 'org':
          if (record.org === target.org) record.dead = true;
          break;
        case 'keys':
          if (target.keys.includes(record.key)) record.dead = true;
          break;
        case 'pattern':
          if (keyMatches(target.pattern, record.key)) record.dead = true;
          break;
        case 'tags':
          if (target.org !== undefined && target.org !== record.org) break;
          for (const tag of target.tags) record.invalidatedTags.add(tag);
          if (record.invalidatedTags.size > MAX_TAGS_REMEMBERED) record.dead = true;
          break;
      }
    }
  }
}
