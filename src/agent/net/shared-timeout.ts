// The fetcher's default request timeout, one Node timer for every request in flight. Requests
// that share a duration reach their deadlines in the order they started, so a queue in start
// order and one timer armed for its head serve all of them: starting and ending a request is a
// Set insertion and deletion. A setTimeout and clearTimeout per request (a Timeout object, a
// timer list insertion, a libuv clock read) was 1.6 % of a sign-in through in-process handlers.
//
// Node semantics kept: while a request is waiting the timer holds the process open, as the
// request's own timer did; with none waiting it does not (unref), and dispose() ends it.

/** One waiter: the handle start() gives and cancel() takes. */
export interface Waiting {
  readonly deadline: number;
  readonly onTimeout: () => void;
}

/** One timeout of `ms` for many waiters, each called back `ms` after it started unless cancelled. */
export class SharedTimeout {
  readonly #ms: number;
  /** Insertion order is deadline order: every waiter waits the same `ms`. */
  readonly #waiting = new Set<Waiting>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  /** @param ms the timeout, a positive finite number of ms (the fetcher's validated option). */
  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Starts waiting; `onTimeout` runs once `ms` have passed, unless `cancel(handle)` came first. */
  start(onTimeout: () => void): Waiting {
    const waiting: Waiting = { deadline: performance.now() + this.#ms, onTimeout };
    this.#waiting.add(waiting);
    if (this.#timer === undefined) this.#arm(this.#ms);
    else this.#timer.ref();
    return waiting;
  }

  /** Stops waiting (the request ended); harmless once it has timed out. */
  cancel(waiting: Waiting): void {
    this.#waiting.delete(waiting);
    // The timer stays armed (the next request would arm another), but no longer holds the process.
    if (this.#waiting.size === 0) this.#timer?.unref();
  }

  /** Ends the timer; waiters left are never called back (the fetcher ends them when it closes). */
  dispose(): void {
    this.#disposed = true;
    this.#waiting.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    if (this.#disposed) return;
    this.#timer = setTimeout(() => this.#expire(), ms);
  }

  /** Calls back every waiter whose deadline has passed, then arms for the next one. */
  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const waiting of this.#waiting) {
      // Node's timers run on a millisecond clock: one may fire a fraction of a ms before the
      // deadline as performance.now() reads it. The next turn then takes it.
      if (waiting.deadline > now) {
        this.#arm(Math.max(1, waiting.deadline - now));
        return;
      }
      this.#waiting.delete(waiting);
      try {
        waiting.onTimeout();
      } catch (error) {
        // Thrown as from the request's own timer, without leaving the waiters after it unserved.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
