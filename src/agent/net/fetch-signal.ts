// The abort state of one fetch (fetcher.ts), in the shape undici's request() reads a signal
// (api-request.js: `aborted`, `reason`, and `addEventListener`/`removeEventListener` of 'abort',
// through util.addAbortListener). Every fetch needs one (its timer, the caller's signal and the
// agent's close all end it): an AbortState (base/abort-state.ts, no AbortController) that also
// says which of the three ended it. A `Request` (which needs a real AbortSignal) gets one made
// from it only when one is built (in-process.ts).
// follow() ties it to the caller's signal, one listener per caller's signal.

import { AbortState, type AbortLike } from '../base/abort-state.js';

/** What ended the fetch: its timer, the caller's signal, or the agent closing. */
export type AbortCause = 'timeout' | 'caller' | 'closed';

export class FetchSignal extends AbortState {
  /** Set with `reason`: which of the fetch's three ends aborted it. */
  cause: AbortCause | undefined = undefined;

  /** AbortState.abort(), recording what ended the fetch (the first cause stays). */
  override abort(reason: unknown, cause: AbortCause = 'caller'): void {
    if (this.aborted) return;
    this.cause = cause;
    super.abort(reason);
  }
}

/** The requests in flight under each caller's signal (follow()). */
const followers = new WeakMap<AbortLike, Set<FetchSignal>>();

/**
 * Ends `signal` when the caller's signal aborts, with its reason. One listener per caller's
 * signal, not one per request: a FedCM call's signal is shared by all its requests, and adding
 * and removing a listener on a Node 20 AbortSignal costs more than the Set that replaces it. The
 * listener lives as long as the caller's signal (it holds only the Set, emptied as requests end).
 * @returns the function that stops following (when the request ends).
 */
export function follow(caller: AbortLike, signal: FetchSignal): () => void {
  let inFlight = followers.get(caller);
  if (inFlight === undefined) {
    const set = new Set<FetchSignal>();
    inFlight = set;
    followers.set(caller, set);
    caller.addEventListener(
      'abort',
      () => {
        for (const s of [...set]) s.abort(caller.reason, 'caller');
        set.clear();
      },
      { once: true },
    );
  }
  const set = inFlight;
  set.add(signal);
  return () => void set.delete(signal);
}
