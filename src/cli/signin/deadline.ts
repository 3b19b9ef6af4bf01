// The run's deadline (--timeout): it aborts the run's signal when the time is up, and stands
// still while a dialog or the IdP's login form waits for the user at the keyboard.

export class Deadline {
  readonly #run = new AbortController();
  /** Aborts when the deadline passes (or abort() is called). */
  readonly signal: AbortSignal = this.#run.signal;
  #remaining: number;
  #at: number;
  #timer: NodeJS.Timeout | undefined;
  #finished = false;

  /** Starts the clock. */
  constructor(private readonly timeoutMs: number) {
    this.#remaining = timeoutMs;
    this.#at = performance.now() + timeoutMs;
    this.resume();
  }

  /** Ends the run now, with `reason`. */
  abort(reason: Error): void {
    this.#run.abort(reason);
  }

  /** Stops the clock (the user has the keyboard), keeping the time left. */
  pause(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#remaining = Math.max(0, this.#at - performance.now());
  }

  /** Starts the clock again with the time left. */
  resume(): void {
    // Closing the agent at the end closes an open chooser, which would re-arm the deadline.
    if (this.#finished) return;
    this.#at = performance.now() + this.#remaining;
    this.#timer = setTimeout(() => this.#run.abort(new Error(`timed out after ${this.timeoutMs} ms`)), this.#remaining);
  }

  /** Stops the clock for good: the run is over. */
  end(): void {
    this.pause();
    this.#finished = true;
  }
}
