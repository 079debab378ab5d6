/**
 * The in-process store's tag index: which keys of an organization were written with a tag, so
 * a tag invalidation finds them without a scan.
 */
export class MemoryTagIndex {
  /** `org \0 tag` → keys written with that tag. */
  private readonly members = new Map<string, Set<string>>();

  add(org: string, tags: readonly string[], key: string): void {
    for (const tag of tags) {
      const indexKey = indexKeyOf(org, tag);
      let keys = this.members.get(indexKey);
      if (keys === undefined) this.members.set(indexKey, (keys = new Set()));
      keys.add(key);
    }
  }

  remove(org: string, tags: readonly string[], key: string): void {
    for (const tag of tags) {
      const indexKey = indexKeyOf(org, tag);
      const keys = this.members.get(indexKey);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.members.delete(indexKey);
    }
  }

  /** Takes out and returns, tag by tag, the keys written with one of `tags` in `org` (every organization when undefined). */
  take(org: string | undefined, tags: readonly string[]): Set<string>[] {
    const indexKeys =
      org !== undefined
        ? tags.map((tag) => indexKeyOf(org, tag))
        : [...this.members.keys()].filter((indexKey) => tags.includes(indexKey.slice(indexKey.indexOf('\u0000') + 1)));
    const taken: Set<string>[] = [];
    for (const indexKey of indexKeys) {
      const keys = this.members.get(indexKey);
      if (keys === undefined) continue;
      this.members.delete(indexKey);
      taken.push(keys);
    }
    return taken;
  }

  clear(): void {
    this.members.clear();
  }
}

function indexKeyOf(org: string, tag: string): string {
  return `${org}\u0000${tag}`;
}
