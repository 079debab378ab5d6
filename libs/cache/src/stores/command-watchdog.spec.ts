import { CommandWatchdog, type InFlightCommands } from './command-watchdog';

interface FakeCommand {
  isSettled: boolean;
  reject: jest.Mock;
}

/** ioredis' queue of unanswered commands as the watchdog reads it: a reply takes the oldest out. */
class Connection {
  private readonly queue: { command: FakeCommand }[] = [];
  readonly watchdog: CommandWatchdog;

  constructor(timeoutMs: number) {
    this.watchdog = new CommandWatchdog(timeoutMs, () => this.inFlight);
  }

  get inFlight(): InFlightCommands {
    return { length: this.queue.length, peekAt: (index) => this.queue[index] };
  }

  send(): FakeCommand {
    const command: FakeCommand = {
      isSettled: false,
      reject: jest.fn((_error: Error) => {
        command.isSettled = true;
      }),
    };
    this.watchdog.track(command);
    this.queue.push({ command });
    return command;
  }

  /** The reply to the oldest command: it leaves the queue (and settles, unless already rejected). */
  answer(): FakeCommand {
    const { command } = this.queue.shift()!;
    command.isSettled = true;
    return command;
  }
}

describe('CommandWatchdog', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-30T12:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it("rejects a command unanswered past the timeout with ioredis' error, within one check interval", () => {
    const connection = new Connection(50);
    const slow = connection.send();
    jest.advanceTimersByTime(49);
    expect(slow.reject).not.toHaveBeenCalled();
    jest.advanceTimersByTime(connection.watchdog.checkMs + 1);
    expect(slow.reject).toHaveBeenCalledTimes(1);
    expect(slow.reject.mock.calls[0][0]).toEqual(new Error('Command timed out'));
  });

  it('leaves answered commands alone and stops checking once nothing is in flight', () => {
    const connection = new Connection(50);
    const fast = connection.send();
    jest.advanceTimersByTime(20);
    const slow = connection.send();
    connection.answer();
    jest.advanceTimersByTime(40); // past fast's deadline, not slow's
    expect(fast.reject).not.toHaveBeenCalled();
    expect(slow.reject).not.toHaveBeenCalled();
    expect(connection.watchdog.running).toBe(true);
    connection.answer();
    jest.advanceTimersByTime(connection.watchdog.checkMs);
    expect(connection.watchdog.running).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('under load rejects only the commands past their deadline, each once, while their replies are still to come', () => {
    const connection = new Connection(50);
    const old = Array.from({ length: 2000 }, () => connection.send());
    jest.advanceTimersByTime(30);
    const young = Array.from({ length: 100 }, () => connection.send());
    for (let i = 0; i < 1500; i++) connection.answer();
    jest.advanceTimersByTime(30); // the old are 60 ms old, the young 30
    expect(old.slice(1500).every((c) => c.reject.mock.calls.length === 1)).toBe(true);
    expect(old.slice(0, 1500).some((c) => c.reject.mock.calls.length > 0)).toBe(false);
    expect(young.some((c) => c.reject.mock.calls.length > 0)).toBe(false);

    jest.advanceTimersByTime(connection.watchdog.checkMs * 2); // still unanswered: not rejected again
    expect(old.slice(1500).every((c) => c.reject.mock.calls.length === 1)).toBe(true);
    jest.advanceTimersByTime(20); // now the young are past theirs too
    expect(young.every((c) => c.reject.mock.calls.length === 1)).toBe(true);
  });

  it('reads the queue the connection has now: a reset connection replaces it', () => {
    let queue: { command: FakeCommand }[] = [];
    const watchdog = new CommandWatchdog(50, () => ({ length: queue.length, peekAt: (index) => queue[index] }));
    const lost: FakeCommand = { isSettled: false, reject: jest.fn() };
    watchdog.track(lost);
    queue.push({ command: lost });
    queue = []; // ioredis' resetCommandQueue after the connection closed (it rejected `lost` itself)
    jest.advanceTimersByTime(100);
    expect(lost.reject).not.toHaveBeenCalled();
    expect(watchdog.running).toBe(false);
  });
});
