// Bounded waiting for the RP page doctor: a pause and a promise that end when the run's deadline
// signal aborts, and a promise given at most so long.

import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).then(() => undefined);
}

/** `p`, or a rejection with the signal's reason as soon as it aborts. */
export function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  let stop = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    stop = () => reject(signal.reason as Error);
    signal.addEventListener('abort', stop, { once: true });
  });
  return Promise.race([p, aborted]).finally(() => signal.removeEventListener('abort', stop));
}

/** Waits for `p` at most `ms`; says whether it settled in time (its rejection counts as settled). */
export async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = AbortSignal.timeout(Math.max(0, ms));
  try {
    await unlessAborted(
      p.then(
        () => undefined,
        () => undefined,
      ),
      timer,
    );
    return true;
  } catch {
    return false;
  }
}
