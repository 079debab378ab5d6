'use strict';
// Cleanup steps for a run, kept together so every way a run ends runs the same ones.

/**
 * Cleanup steps, newest first, each run whatever the others do. A step added after the cleanup
 * has started (a service that came up while the run was being stopped) still runs.
 */
class Cleanup {
  /** @param {(message: string) => void} log */
  constructor(log) {
    this.log = log;
    this.steps = [];
    this.done = null;
  }

  add(name, step) {
    this.steps.push({ name, step });
    if (this.done) this.done = this.done.then(() => this.drain());
  }

  run() {
    this.done ??= this.drain();
    return this.done;
  }

  async drain() {
    while (this.steps.length > 0) {
      const { name, step } = this.steps.pop();
      try {
        await step();
      } catch (error) {
        this.log(`cleanup: ${name} failed: ${error.message}`);
      }
    }
  }
}

/**
 * A runner's end however it comes: SIGINT, SIGTERM or SIGHUP run `cleanup` once and exit 130/143;
 * on any exit `killNow` stops (synchronously) what is still running.
 */
function stopOnSignals(cleanup, log, killNow) {
  let stopping = false;
  const onSignal = (signal) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    void cleanup.run().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
  process.on('exit', killNow);
}

module.exports = { Cleanup, stopOnSignals };
