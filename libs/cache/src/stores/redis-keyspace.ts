import type { Redis } from 'ioredis';
import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import { hashSlotOf } from '../keys/key-layout';
import type { RedisConnections } from './redis-connection.factory';
import { PRUNE_TAG_SET } from './redis-scripts';

export const SCAN_COUNT = 1_000;
const UNLINK_BATCH = 500;
const PRUNE_BATCH = 500;

/**
 * Walks the keyspace of one app on every server that holds part of it (every master of a
 * Cluster, or the one server): SCAN pages, batched UNLINK, tag-set pruning and server figures,
 * never KEYS. Runs on the bulk connection, whose timeout a long sweep does not trip.
 */
export class RedisKeyspace {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: CacheKeyBuilder,
  ) {}

  /** One page of keys matching `pattern`, without bookkeeping keys; a Cluster's cursor names its node (`node:cursor`). */
  async scan(pattern: string, cursor: string, count: number): Promise<{ keys: string[]; cursor: string }> {
    const nodes = this.nodes();
    const sep = cursor.indexOf(':');
    let nodeIndex = sep >= 0 ? Number(cursor.slice(0, sep)) : 0;
    let nodeCursor = sep >= 0 ? cursor.slice(sep + 1) : cursor || '0';
    if (!Number.isInteger(nodeIndex) || nodeIndex < 0 || nodeIndex >= nodes.length) nodeIndex = 0;
    const [next, found] = await nodes[nodeIndex].scan(nodeCursor, 'MATCH', pattern, 'COUNT', count);
    const keys = found.filter((key) => !this.keys.isInternal(key));
    nodeCursor = next;
    if (nodeCursor === '0') {
      nodeIndex += 1;
      if (nodeIndex >= nodes.length) return { keys, cursor: '0' };
    }
    return { keys, cursor: nodes.length === 1 ? nodeCursor : `${nodeIndex}:${nodeCursor}` };
  }

  /** Memory figures and key count of this app's Redis (summed over Cluster masters). */
  async serverInfo(): Promise<{ keys: number; usedMemoryBytes: number; maxMemoryBytes: number }> {
    const infos = await Promise.all(this.nodes().map((node) => Promise.all([node.info('memory'), node.dbsize()])));
    let usedMemoryBytes = 0;
    let maxMemoryBytes = 0;
    let keys = 0;
    for (const [memory, size] of infos) {
      usedMemoryBytes += Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? 0);
      maxMemoryBytes += Number(/maxmemory:(\d+)/.exec(memory)?.[1] ?? 0);
      keys += size;
    }
    return { keys, usedMemoryBytes, maxMemoryBytes };
  }

  /**
   * Removes tag-set members whose entries are gone (expired or evicted by Redis): tag sets
   * only lose members on invalidation, so without this they grow with every key ever written
   * under the tag. SSCAN in batches, EXISTS and SREM in one script per batch; a set left empty disappears by itself.
   */
  async pruneTagSets(): Promise<{ tagSets: number; deadMembers: number }> {
    let tagSets = 0;
    let deadMembers = 0;
    await this.forEachMatching(this.keys.internalGlob('tag', '*'), undefined, async (node, batch) => {
      for (const setKey of batch) {
        tagSets += 1;
        let cursor = '0';
        do {
          const [next, members] = await node.sscan(setKey, cursor, 'COUNT', PRUNE_BATCH);
          cursor = next;
          if (members.length === 0) continue;
          // Members share the set's hash slot (the org's hash tag), so one script on this node
          // checks and removes them atomically against writes re-adding them.
          deadMembers += Number(await PRUNE_TAG_SET.run(node, [setKey, ...members], []));
        } while (cursor !== '0');
      }
    });
    return { tagSets, deadMembers };
  }

  /** UNLINKs the keys matching `pattern` that `select` picks; returns how many went. */
  async unlinkMatching(pattern: string, select: (key: string) => boolean): Promise<number> {
    let removed = 0;
    await this.forEachMatching(pattern, undefined, async (node, batch) => {
      const chosen = batch.filter(select);
      // Keys of one organization share a hash slot; UNLINK them together, slot by slot.
      const bySlot = new Map<string, string[]>();
      for (const key of chosen) {
        const slotKey = hashSlotOf(key);
        let group = bySlot.get(slotKey);
        if (group === undefined) bySlot.set(slotKey, (group = []));
        group.push(key);
      }
      for (const group of bySlot.values()) {
        for (let i = 0; i < group.length; i += UNLINK_BATCH) removed += await node.unlink(...group.slice(i, i + UNLINK_BATCH));
      }
    });
    return removed;
  }

  async forEachMatching(pattern: string, each?: (key: string) => void, eachBatch?: (node: Redis, keys: string[]) => Promise<void>): Promise<void> {
    for (const node of this.nodes()) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        cursor = next;
        if (each) found.forEach(each);
        if (eachBatch && found.length > 0) await eachBatch(node, found);
      } while (cursor !== '0');
    }
  }

  /** The servers a SCAN must visit: every master of a Cluster, or the one server. */
  private nodes(): Redis[] {
    const bulk = this.connections.bulk;
    if ('nodes' in bulk) return bulk.nodes('master').sort((a, b) => nodeName(a).localeCompare(nodeName(b)));
    return [bulk];
  }
}

function nodeName(node: Redis): string {
  return `${node.options.host ?? ''}:${node.options.port ?? ''}`;
}
