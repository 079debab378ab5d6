import { Redis, type Command, type RedisOptions } from 'ioredis';

/** Options of a connection replying the RESP2 way (ioredis' default), the kind the engine opens. */
export type LegacyRedisOptions = RedisOptions & { replyMapping?: 'legacy' };

/** What the watchdog reads and calls of an ioredis command. */
type WatchedCommand = Pick<Command, 'isSettled' | 'reject'>;

/**
 * Command timeouts without a timer per command. ioredis' `commandTimeout` arms a Node timer for
 * every command and clears it on the reply; on the hot connection that was a tenth of a
 * sequential L2 read's cost. Here commands are queued in the order they were sent (one timeout,
 * so deadlines come in order too) and one interval, running only while commands are in flight,
 * rejects each still unanswered past its deadline with ioredis' own error ("Command timed out").
 * A command is rejected between `timeoutMs` and `timeoutMs + checkMs` after it was sent.
 */
export class CommandWatchdog {
  private commands: WatchedCommand[] = [];
  private deadlines: number[] = [];
  /** Index of the oldest command not yet looked at. */
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  readonly checkMs: number;

  constructor(readonly timeoutMs: number) {
    this.checkMs = Math.max(1, Math.floor(timeoutMs / 5));
  }

  track(command: WatchedCommand): void {
    this.commands.push(command);
    this.deadlines.push(Date.now() + this.timeoutMs);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.check(), this.checkMs);
      this.timer.unref();
    }
  }

  /** Commands sent and not yet looked at (answered ones included until the next check). */
  get size(): number {
    return this.commands.length - this.head;
  }

  /** Rejects the commands past their deadline; stops the interval once none is left. */
  check(now = Date.now()): void {
    const { commands, deadlines } = this;
    let head = this.head;
    while (head < commands.length) {
      const command = commands[head];
      if (!command.isSettled) {
        if (deadlines[head] > now) break; // later ones were sent later
        command.reject(new Error('Command timed out'));
      }
      head++;
    }
    if (head === commands.length) {
      this.commands = [];
      this.deadlines = [];
      this.head = 0;
      clearInterval(this.timer);
      this.timer = undefined;
    } else if (head > 1024 && head * 2 > commands.length) {
      this.commands = commands.slice(head);
      this.deadlines = deadlines.slice(head);
      this.head = 0;
    } else {
      this.head = head;
    }
  }
}

/** A connection whose commands time out through a `CommandWatchdog` (not ioredis' timer per command). */
export class WatchedRedis extends Redis {
  private readonly watchdog: CommandWatchdog;

  constructor(options: LegacyRedisOptions, timeoutMs: number) {
    super(options);
    this.watchdog = new CommandWatchdog(timeoutMs);
  }

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    // Undefined only while the base constructor runs, which sends nothing itself.
    this.watchdog?.track(command);
    return super.sendCommand(command, stream);
  }
}
