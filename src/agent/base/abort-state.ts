// The abort state the agent's own steps pass around (a FedCM request, one fetch), without an
// EventTarget. A Node 20 AbortController is not cheap: each is an EventTarget made transferable,
// its listeners kept in a weak-ref-backed list, and profiles of sign-ins through in-process
// handlers showed controllers, their listeners and their removal at ~5 % of the agent's own time
// (issue 15 §3). The steps read a signal's `aborted` and `reason`, call `throwIfAborted()` and add
// and remove one 'abort' listener, so a plain object with a listener array does; a real
// AbortSignal is made from it only where code outside the agent may see one (asAbortSignal()).
//
// DOM §3.1 "AbortSignal": the order kept is the spec's "signal abort" steps 1–4 (set the reason,
// run the abort algorithms in order, then the event); there are no algorithms apart from the
// listeners here.

/** What the agent's steps read of a signal; an AbortSignal has this shape too. */
export interface AbortLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** A listener for 'abort' (the one event there is) runs at most once. */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
  throwIfAborted(): void;
}

export class AbortState implements AbortLike {
  aborted = false;
  reason: unknown = undefined;
  /**
   * A Set, as an EventTarget's listener list behaves: the same listener added twice runs once,
   * and one removed while the others run (a listener ending another's wait) does not run.
   */
  #listeners: Set<() => void> | undefined;
  #signal: AbortSignal | undefined;

  addEventListener(type: 'abort', listener: () => void): void {
    if (type === 'abort' && !this.aborted) (this.#listeners ??= new Set()).add(listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    if (type === 'abort') this.#listeners?.delete(listener);
  }

  /**
   * DOM §3.1.3 "signal abort": once (later calls do nothing), the reason set before the listeners
   * run, in the order they were added.
   */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    for (const listener of listeners) listener();
    this.#listeners = undefined;
  }

  /** DOM §3.1 AbortSignal.throwIfAborted(): throws the reason once aborted. */
  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** A real AbortSignal that follows this state, made on first use and kept. */
  asAbortSignal(): AbortSignal {
    if (this.#signal !== undefined) return this.#signal;
    if (this.aborted) return (this.#signal = AbortSignal.abort(this.reason));
    const controller = new AbortController();
    this.addEventListener('abort', () => controller.abort(this.reason));
    return (this.#signal = controller.signal);
  }
}
