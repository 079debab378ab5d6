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

module.exports = { Cleanup };
