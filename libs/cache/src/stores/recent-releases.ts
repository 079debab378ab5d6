/** How long a given-back lock is remembered, in case a failover loses the release. */
const RELEASE_MEMORY_MS = 5_000;
/** Given-back locks remembered at most (the oldest first forgotten). */
const MAX_RECENT_RELEASES = 10_000;

/**
 * Load locks this instance gave back in the last few seconds, by entry key, oldest first.
 * Redis acknowledged each release, but replication is asynchronous: a replica a failover
 * promotes may never have seen it, and holds the lock until it lapses while readers of the key
 * wait. `RemoteTier` gives these back again once the new primary is in use.
 */
export class RecentReleases<Ticket extends { key: string }> {
  private readonly byKey = new Map<string, { ticket: Ticket; releasedAt: number }>();

  add(ticket: Ticket): void {
    const now = Date.now();
    this.byKey.delete(ticket.key);
    this.byKey.set(ticket.key, { ticket, releasedAt: now });
    for (const [key, release] of this.byKey) {
      if (release.releasedAt >= now - RELEASE_MEMORY_MS && this.byKey.size <= MAX_RECENT_RELEASES) break;
      this.byKey.delete(key);
    }
  }

  /** The releases made since a little before `changedAt` (the primary's change), forgetting all. */
  takeAround(changedAt: number): Ticket[] {
    const since = changedAt - RELEASE_MEMORY_MS;
    const taken = [...this.byKey.values()].filter((release) => release.releasedAt >= since).map((release) => release.ticket);
    this.byKey.clear();
    return taken;
  }
}
