import { CircuitBreaker } from './circuit-breaker';

const PROBE_MS = 500;

describe(CircuitBreaker.name, () => {
  let onOpen: jest.Mock<void, [unknown]>;
  let recover: jest.Mock<Promise<void>, []>;
  let confirm: jest.Mock<Promise<boolean>, []>;
  let sut: CircuitBreaker;
  /** Lets the confirmation's answer arrive. */
  const settle = () => jest.advanceTimersByTimeAsync(0);

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') });
    onOpen = jest.fn();
    recover = jest.fn(async () => {
      throw new Error('still down');
    });
    confirm = jest.fn(async () => false);
    sut = new CircuitBreaker({ failureThreshold: 3, probeIntervalMs: PROBE_MS, onOpen, confirm, recover });
  });

  afterEach(() => {
    sut.stop();
    jest.useRealTimers();
  });

  describe('opening', () => {
    it('stays closed below the threshold and opens at it once the confirmation says Redis is down', async () => {
      sut.recordFailure(new Error('1'));
      sut.recordFailure(new Error('2'));
      await settle();
      expect(sut.state).toBe('closed');
      expect(confirm).not.toHaveBeenCalled();
      const third = new Error('3');
      sut.recordFailure(third);
      expect(confirm).toHaveBeenCalledTimes(1);
      await settle();
      expect([sut.state, sut.isOpen]).toEqual(['open', true]);
      expect(onOpen).toHaveBeenCalledWith(third);
    });

    it('stays closed when the confirmation finds Redis answering (a busy process), and counts again from zero', async () => {
      confirm.mockResolvedValue(true);
      for (let i = 0; i < 5; i++) sut.recordFailure(i);
      await settle();
      expect(sut.state).toBe('closed');
      expect(confirm).toHaveBeenCalledTimes(1); // one question at a time, however many failures meanwhile
      sut.recordFailure('a');
      sut.recordFailure('b');
      await settle();
      expect(confirm).toHaveBeenCalledTimes(1);
      sut.recordFailure('c');
      await settle();
      expect(confirm).toHaveBeenCalledTimes(2);
      expect(onOpen).not.toHaveBeenCalled();
    });

    it('opens when the confirmation itself fails', async () => {
      confirm.mockRejectedValue(new Error('probe crashed'));
      for (let i = 0; i < 3; i++) sut.recordFailure(i);
      await settle();
      expect(sut.state).toBe('open');
    });

    it('needs consecutive failures: a success in between starts the count over', async () => {
      sut.recordFailure('a');
      sut.recordFailure('b');
      sut.recordSuccess();
      sut.recordFailure('c');
      sut.recordFailure('d');
      await settle();
      expect(sut.state).toBe('closed');
      sut.recordFailure('e');
      await settle();
      expect(sut.state).toBe('open');
    });

    it('calls onOpen once however many failures follow', async () => {
      for (let i = 0; i < 10; i++) sut.recordFailure(i);
      await settle();
      sut.open('again');
      expect(onOpen).toHaveBeenCalledTimes(1);
      expect(onOpen).toHaveBeenCalledWith(2);
    });

    it('remembers since when it is open, and reports 0 when closed', () => {
      expect(sut.openSince).toBe(0);
      jest.advanceTimersByTime(1_234);
      sut.open('down at start-up');
      expect(sut.openSince).toBe(Date.now());
      expect(sut.openSince).toBe(new Date('2025-01-01T00:00:01.234Z').getTime());
      sut.close();
      expect(sut.openSince).toBe(0);
    });
  });

  describe('probing', () => {
    it('calls recover every probeIntervalMs while recover throws, staying open', async () => {
      sut.open('down');
      await jest.advanceTimersByTimeAsync(PROBE_MS - 1);
      expect(recover).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1);
      expect(recover).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(PROBE_MS * 3);
      expect(recover).toHaveBeenCalledTimes(4);
      expect(sut.state).toBe('open');
    });

    it('keeps probing when recover returns without closing', async () => {
      recover.mockResolvedValue(undefined);
      sut.open('down');
      await jest.advanceTimersByTimeAsync(PROBE_MS * 2);
      expect(recover).toHaveBeenCalledTimes(2);
      expect(sut.state).toBe('open');
    });

    it('closes when recover calls close(), and stops probing', async () => {
      recover.mockRejectedValueOnce(new Error('still down')).mockImplementationOnce(async () => sut.close());
      sut.open('down');
      await jest.advanceTimersByTimeAsync(PROBE_MS * 2);
      expect(sut.state).toBe('closed');
      await jest.advanceTimersByTimeAsync(PROBE_MS * 10);
      expect(recover).toHaveBeenCalledTimes(2);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('never runs two probes at once: the next is scheduled when one ends', async () => {
      let finish!: () => void;
      recover.mockImplementationOnce(() => new Promise<void>((resolve) => (finish = resolve)));
      sut.open('down');
      await jest.advanceTimersByTimeAsync(PROBE_MS * 5);
      expect(recover).toHaveBeenCalledTimes(1);
      finish();
      await jest.advanceTimersByTimeAsync(PROBE_MS);
      expect(recover).toHaveBeenCalledTimes(2);
    });

    it('does not start a probe while one still runs, even across a close and reopen', async () => {
      let finish!: () => void;
      recover.mockImplementationOnce(() => new Promise<void>((resolve) => (finish = resolve)));
      sut.open('down');
      await jest.advanceTimersByTimeAsync(PROBE_MS);
      sut.close();
      sut.open('down again');
      await jest.advanceTimersByTimeAsync(PROBE_MS * 3);
      expect(recover).toHaveBeenCalledTimes(1);
      finish();
      await jest.advanceTimersByTimeAsync(PROBE_MS);
      expect(recover).toHaveBeenCalledTimes(2);
    });

    it('needs the full threshold again after closing, and tells onOpen again', async () => {
      recover.mockImplementation(async () => sut.close());
      sut.open('first outage');
      await jest.advanceTimersByTimeAsync(PROBE_MS);
      expect(sut.state).toBe('closed');
      sut.recordFailure('x');
      sut.recordFailure('y');
      await settle();
      expect(sut.state).toBe('closed');
      sut.recordFailure('z');
      await settle();
      expect(sut.state).toBe('open');
      expect(onOpen.mock.calls).toEqual([['first outage'], ['z']]);
    });
  });

  describe('stop', () => {
    it('prevents further probes', async () => {
      sut.open('down');
      await jest.advanceTimersByTimeAsync(PROBE_MS);
      expect(recover).toHaveBeenCalledTimes(1);
      sut.stop();
      await jest.advanceTimersByTimeAsync(PROBE_MS * 10);
      expect(recover).toHaveBeenCalledTimes(1);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('prevents the probe after one still running', async () => {
      let fail!: (error: Error) => void;
      recover.mockImplementationOnce(() => new Promise<void>((_resolve, reject) => (fail = reject)));
      sut.open('down');
      await jest.advanceTimersByTimeAsync(PROBE_MS);
      sut.stop();
      fail(new Error('still down'));
      await jest.advanceTimersByTimeAsync(PROBE_MS * 10);
      expect(recover).toHaveBeenCalledTimes(1);
    });

    it('prevents probing when it opens after being stopped', async () => {
      sut.stop();
      sut.open('down');
      await jest.advanceTimersByTimeAsync(PROBE_MS * 10);
      expect(recover).not.toHaveBeenCalled();
      expect(sut.state).toBe('open');
    });
  });
});
