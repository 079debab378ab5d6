import { Redis, type Command, type RedisOptions } from 'ioredis';

/** Options of a connection replying the RESP2 way (ioredis' default), the kind the engine opens. */
export type LegacyRedisOptions = RedisOptions & { replyMapping?: 'legacy' };

/** What the watchdog reads and calls of an ioredis command (and the send time it stamps on it). */
type WatchedCommand = Pick<Command, 'isSettled' | 'reject'> & { [SENT_AT]?: number };

/** ioredis' queue of the commands written and not yet answered, oldest first (a Deque). */
export interface InFlightCommands {
  readonly length: number;
  peekAt(index: number): { command: WatchedCommand } | undefined;
}

/** When a command was handed to the connection (ms since the epoch), stamped on the command itself. */
const SENT_AT = Symbol('sentAt');

/**
 * Command timeouts without a timer per command. ioredis' `commandTimeout` arms a Node timer for
 * every command and clears it on the reply. Here each command is stamped with its send time,
 * and one interval, running only while commands are in flight, walks ioredis' own queue of
 * unanswered commands from the oldest and rejects each past its deadline with ioredis' own error
 * ("Command timed out"). One timeout, commands answered in order: the walk stops at the first
 * command still within its time. A command is rejected between `timeoutMs` and
 * `timeoutMs + checkMs` after it was sent.
 *
 * The watchdog holds no command itself: an answered one leaves ioredis' queue at once. (A first
 * version queued the commands it watched until its next check; at 20,000 calls a second those
 * 10 ms of answered commands, replies included, survived scavenges, and a connection with it
 * was slower than one with ioredis' timers.)
 */
export class CommandWatchdog {
  private timer: NodeJS.Timeout | undefined;
  readonly checkMs: number;

  constructor(
    readonly timeoutMs: number,
    /** The connection's queue as it is now (ioredis replaces it when a connection is reset). */
    private readonly inFlight: () => InFlightCommands,
  ) {
    this.checkMs = Math.max(1, Math.floor(timeoutMs / 5));
  }

  /** Stamps a command about to be sent, and starts the checks if they were stopped. */
  track(command: WatchedCommand): void {
    command[SENT_AT] = Date.now();
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.check(), this.checkMs);
      this.timer.unref();
    }
  }

  /** Whether the checks are running (they stop once nothing is in flight). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Rejects the commands past their deadline; stops the interval once none is in flight. */
  check(now = Date.now()): void {
    const queue = this.inFlight();
    const sentBefore = now - this.timeoutMs;
    for (let index = 0; index < queue.length; index++) {
      const command = queue.peekAt(index)?.command;
      if (command === undefined) break;
      const sentAt = command[SENT_AT];
      if (sentAt !== undefined && sentAt > sentBefore) break; // later ones were sent later
      if (sentAt !== undefined && !command.isSettled) command.reject(new Error('Command timed out'));
    }
    if (queue.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/** A connection whose commands time out through a `CommandWatchdog` (not ioredis' timer per command). */
export class WatchedRedis extends Redis {
  private readonly watchdog: CommandWatchdog;

  constructor(options: LegacyRedisOptions, timeoutMs: number) {
    super(options);
    this.watchdog = new CommandWatchdog(timeoutMs, () => (this as unknown as { commandQueue: InFlightCommands }).commandQueue);
  }

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    // Undefined only while the base constructor runs, which sends nothing itself.
    this.watchdog?.track(command);
    return super.sendCommand(command, stream);
  }
}
