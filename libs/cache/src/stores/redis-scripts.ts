import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection.factory';

/** A Lua script called by SHA, loaded on first use and again after a SCRIPT FLUSH or a failover. */
export class RedisScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly lua: string,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly (string | Buffer | number)[], buffers = false): Promise<unknown> {
    // The named commands, not `call`: ioredis' auto-pipelining drops the command name of `call`.
    const scripting = client as unknown as ScriptingCommands;
    try {
      return await (buffers ? scripting.evalshaBuffer : scripting.evalsha).call(client, this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (buffers ? scripting.evalBuffer : scripting.eval).call(client, this.lua, keys.length, ...keys, ...args);
    }
  }
}

type ScriptCall = (this: RedisClient, script: string, numKeys: number, ...rest: (string | Buffer | number)[]) => Promise<unknown>;

/** The scripting commands ioredis generates, with their Buffer-reply twins. */
interface ScriptingCommands {
  evalsha: ScriptCall;
  evalshaBuffer: ScriptCall;
  eval: ScriptCall;
  evalBuffer: ScriptCall;
}

/**
 * Starts a load. Returns the entry if there is one, whether this caller took the lock, and
 * the versions a later guarded set compares (key, organization epoch, then each tag). With
 * "read first", an entry found is returned alone (no lock, no versions): a read that begins the
 * load only on a miss, in the same round trip.
 * KEYS: entry, lock, key version, org epoch, tag versions...  ARGV: token, lock ttl, want lock, read first.
 */
export const BEGIN_LOAD = new RedisScript(
  'beginLoad',
  `local value = redis.call('GET', KEYS[1])
if value and ARGV[4] == '1' then return { value } end
local locked = 0
if ARGV[3] == '1' and redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then locked = 1 end
redis.call('SET', KEYS[4], '0', 'NX')
local result = { value or '', locked }
for i = 3, #KEYS do result[#result + 1] = redis.call('GET', KEYS[i]) or '' end
return result`,
);

/**
 * Writes an entry and indexes it under its tags. Mode 'g' (a load's result) first checks
 * that no version moved since the load began and gives up if one did: the stale-set race.
 * Mode 'p' (an explicit put) bumps the key version instead, so loads still running lose.
 * KEYS: entry, lock, key version, org epoch, n tag versions, n tag sets.
 * ARGV: bytes, pttl, lock token, mode, version ttl, n, expected versions (2 + n).
 */
export const GUARDED_SET = new RedisScript(
  'guardedSet',
  `local n = tonumber(ARGV[6])
local function release()
  if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
end
if ARGV[4] == 'g' then
  for i = 3, 4 + n do
    if (redis.call('GET', KEYS[i]) or '') ~= ARGV[4 + i] then
      release()
      return 0
    end
  end
else
  redis.call('INCR', KEYS[3])
  redis.call('PEXPIRE', KEYS[3], ARGV[5])
end
local pttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', pttl)
for i = 5 + n, 4 + 2 * n do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < pttl then redis.call('PEXPIRE', KEYS[i], pttl) end
end
release()
return 1`,
);

/** Deletes an entry and bumps its version. KEYS: entry, key version. ARGV: version ttl. */
export const DELETE_KEY = new RedisScript(
  'deleteKey',
  `local n = redis.call('UNLINK', KEYS[1])
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return n`,
);

/**
 * Invalidates tags of one organization: deletes every member entry and the set, and bumps
 * the tag's version. Members share the organization's hash slot, so this is legal in a Cluster.
 * KEYS: pairs of (tag set, tag version). ARGV: version ttl.
 */
export const INVALIDATE_TAGS = new RedisScript(
  'invalidateTags',
  `local total = 0
for i = 1, #KEYS, 2 do
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 500 do
    total = total + redis.call('UNLINK', unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('DEL', KEYS[i])
  redis.call('INCR', KEYS[i + 1])
  redis.call('PEXPIRE', KEYS[i + 1], ARGV[1])
end
return total`,
);

/** Adds to a counter; a counter the call creates gets the TTL. KEYS: counter. ARGV: delta, ttl ms (0: none). */
export const INCR_WITH_TTL = new RedisScript(
  'incrWithTtl',
  `local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`,
);

/** Releases a lock only if the token still owns it. KEYS: lock. ARGV: token. */
export const RELEASE_LOCK = new RedisScript(
  'releaseLock',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
);

/**
 * Removes the members of a tag set whose entries no longer exist, checking and removing in one
 * step: a member re-written between a separate EXISTS and SREM would lose its tag, and a later
 * invalidation of the tag would miss it. KEYS: tag set, members (one slot). Returns how many went.
 */
export const PRUNE_TAG_SET = new RedisScript(
  'pruneTagSet',
  `local removed = 0
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then removed = removed + redis.call('SREM', KEYS[1], KEYS[i]) end
end
return removed`,
);

/** Extends a lease only if the token still holds it. KEYS: lease. ARGV: token, ttl ms. */
export const EXTEND_LEASE = new RedisScript(
  'extendLease',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
);

/**
 * Numbers an invalidation and appends it to the fleet's log, keeping the newest `size`.
 * KEYS: sequence, log. ARGV: member (JSON), size. Returns its number.
 */
export const APPEND_INVALIDATION = new RedisScript(
  'appendInvalidation',
  `local n = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], n, n .. '|' .. ARGV[1])
local size = tonumber(ARGV[2])
if n > size then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', n - size) end
return n`,
);

/**
 * What an instance needs to catch up, and who else is there: the sequence, the epoch, the oldest
 * number the log still holds, the member at the number it last applied (to see whether history
 * changed), the members after `from` when at most `limit` are missing, and the instances that
 * synced within `window` ms (by Redis' clock). Registers the caller as synced now.
 * KEYS: sequence, log, epoch, instances. ARGV: from, limit, check, instance id, window ms.
 */
export const SYNC_INVALIDATIONS = new RedisScript(
  'syncInvalidations',
  `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local epoch = redis.call('GET', KEYS[3]) or '0'
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local check = {}
if tonumber(ARGV[3]) >= 0 then check = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[3], ARGV[3]) end
local from = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local missing = {}
if n > from and limit > 0 and n - from <= limit then missing = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. from, '+inf') end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[4], now, ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - 600000)
local peers = redis.call('ZRANGEBYSCORE', KEYS[4], now - tonumber(ARGV[5]), '+inf')
return { n, epoch, oldest[2] or '', check[1] or '', missing, peers }`,
);

/**
 * Raises the epoch to the later of Redis' clock and the caller's (ms), never lowering it.
 * KEYS: epoch. ARGV: caller's now. Returns the epoch.
 */
export const BUMP_EPOCH = new RedisScript(
  'bumpEpoch',
  `local t = redis.call('TIME')
local now = math.max(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), tonumber(ARGV[1]))
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now > current then redis.call('SET', KEYS[1], now); return now end
return current`,
);
