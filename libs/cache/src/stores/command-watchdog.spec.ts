import { CommandWatchdog } from './command-watchdog';

/** A command as the watchdog sees it: settled by its reply or by a rejection. */
function command(): { isSettled: boolean; reject: jest.Mock; answer(): void } {
  const c = {
    isSettled: false,
    reject: jest.fn((_error: Error) => {
      c.isSettled = true;
    }),
    answer: () => {
      c.isSettled = true;
    },
  };
  return c;
}

describe('CommandWatchdog', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-30T12:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it("rejects a command unanswered past the timeout with ioredis' error, within one check interval", () => {
    const watchdog = new CommandWatchdog(50);
    const slow = command();
    watchdog.track(slow);
    jest.advanceTimersByTime(49);
    expect(slow.reject).not.toHaveBeenCalled();
    jest.advanceTimersByTime(watchdog.checkMs + 1);
    expect(slow.reject).toHaveBeenCalledTimes(1);
    expect(slow.reject.mock.calls[0][0]).toEqual(new Error('Command timed out'));
  });

  it('leaves answered commands alone and stops checking once nothing is in flight', () => {
    const watchdog = new CommandWatchdog(50);
    const fast = command();
    const slow = command();
    watchdog.track(fast);
    jest.advanceTimersByTime(20);
    watchdog.track(slow);
    fast.answer();
    jest.advanceTimersByTime(40); // past fast's deadline, not slow's
    expect(fast.reject).not.toHaveBeenCalled();
    expect(slow.reject).not.toHaveBeenCalled();
    expect(watchdog.size).toBe(1);
    slow.answer();
    jest.advanceTimersByTime(watchdog.checkMs);
    expect(watchdog.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps order under load: only the commands past their deadline go, and the queue is compacted', () => {
    const watchdog = new CommandWatchdog(50);
    const old = Array.from({ length: 2000 }, () => command());
    for (const c of old) watchdog.track(c);
    jest.advanceTimersByTime(30);
    const young = Array.from({ length: 100 }, () => command());
    for (const c of young) watchdog.track(c);
    for (const c of old.slice(0, 1500)) c.answer();
    jest.advanceTimersByTime(30); // old ones are 60 ms old, young ones 30
    expect(old.slice(1500).every((c) => c.reject.mock.calls.length === 1)).toBe(true);
    expect(old.slice(0, 1500).some((c) => c.reject.mock.calls.length > 0)).toBe(false);
    expect(young.some((c) => c.reject.mock.calls.length > 0)).toBe(false);
    expect(watchdog.size).toBe(100);
  });
});
