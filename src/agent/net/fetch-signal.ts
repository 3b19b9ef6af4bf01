// The abort state of one fetch (fetcher.ts), in the shape undici's request() reads a signal
// (api-request.js: `aborted`, `reason`, and `addEventListener`/`removeEventListener` of 'abort',
// through util.addAbortListener). Every fetch needs one (its timer, the caller's signal and the
// agent's close all end it), and a Node 20 AbortController is not cheap: each is an EventTarget
// made transferable, with its listeners in a weak-ref-backed list, and profiles of sign-ins
// through in-process handlers showed controllers, their listeners and abort() at ~5 % of the
// process (issue 15 §3). This is a plain object with a listener array; a `Request` (which needs a
// real AbortSignal) gets one made from it only when one is built (in-process.ts).
// follow() ties it to the caller's signal, one listener per caller's signal.

/** What ended the fetch: its timer, the caller's signal, or the agent closing. */
export type AbortCause = 'timeout' | 'caller' | 'closed';

export class FetchSignal {
  aborted = false;
  reason: unknown = undefined;
  /** Set with `reason`: which of the fetch's three ends aborted it. */
  cause: AbortCause | undefined = undefined;
  #listeners: (() => void)[] = [];

  /** EventTarget's method, for 'abort' (the one event there is); a listener runs once. */
  addEventListener(type: string, listener: () => void): void {
    if (type === 'abort') this.#listeners.push(listener);
  }

  removeEventListener(type: string, listener: () => void): void {
    if (type !== 'abort') return;
    const i = this.#listeners.indexOf(listener);
    if (i !== -1) this.#listeners.splice(i, 1);
  }

  /** Aborts once (later calls do nothing), as AbortController.abort: the listeners in the order added. */
  abort(cause: AbortCause, reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.cause = cause;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }

  /** AbortSignal.throwIfAborted(): throws the reason once aborted. */
  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }
}

/** The requests in flight under each caller's signal (follow()). */
const followers = new WeakMap<AbortSignal, Set<FetchSignal>>();

/**
 * Ends `signal` when the caller's signal aborts, with its reason. One listener per caller's
 * signal, not one per request: a FedCM call's signal is shared by all its requests, and adding
 * and removing a listener on a Node 20 AbortSignal costs more than the Set that replaces it. The
 * listener lives as long as the caller's signal (it holds only the Set, emptied as requests end).
 * @returns the function that stops following (when the request ends).
 */
export function follow(caller: AbortSignal, signal: FetchSignal): () => void {
  let inFlight = followers.get(caller);
  if (inFlight === undefined) {
    const set = new Set<FetchSignal>();
    inFlight = set;
    followers.set(caller, set);
    caller.addEventListener(
      'abort',
      () => {
        for (const s of [...set]) s.abort('caller', caller.reason);
        set.clear();
      },
      { once: true },
    );
  }
  const set = inFlight;
  set.add(signal);
  return () => void set.delete(signal);
}
