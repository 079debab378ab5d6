/** Small promise helpers the engine shares, so each idea is written once. */

/** Resolves after `ms`; `unref` lets the process exit meanwhile (background waits). */
export function delay(ms: number, unref = false): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) timer.unref();
  });
}

/**
 * `work`'s result, or a rejection once `ms` passed (the work itself goes on): an `Error` with
 * `timeout`'s text, or the error `timeout` makes.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, timeout: string | (() => Error)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = (): Error => (typeof timeout === 'string' ? new Error(timeout) : timeout());
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(expired()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `work` settles, at most `ms`; true when it did in time (its outcome is not looked at). */
export function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = work.then(
    () => true,
    () => true,
  );
  return withTimeout(settled, ms, 'still running').catch(() => false);
}

/** An error's message, or the thrown value as text. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
