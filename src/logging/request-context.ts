import { AsyncLocalStorage } from 'node:async_hooks';

/** The id of the request being served, for log lines written while serving it. */
const requestIds = new AsyncLocalStorage<string>();

/** Runs `next` (the rest of the request's middleware and handler) with `id` as its request id. */
export function runWithRequestId(id: string, next: () => void): void {
  requestIds.run(id, next);
}

/** The current request's id, or undefined outside a request (start-up, timers). */
export function currentRequestId(): string | undefined {
  return requestIds.getStore();
}
