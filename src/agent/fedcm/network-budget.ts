// The network budget of one FedCM call (fedkit's own; Chromium sets no overall deadline, see
// docs/decisions.md "An overall network deadline"). Each IdP request already has its own
// timeout (the agent's `timeoutMs`), but those add up: an IdP that answers every step just
// under it keeps a sign-in pending for minutes. The budget bounds their sum.
//
// What counts is network time only: the meter runs while at least one of the call's IdP
// requests is in flight, and stands still otherwise. So the account chooser, the login and
// continuation popups, the error dialog and the rejection delay (all waits for the user or
// deliberate pauses) never spend it, without each of those places having to pause it: a wait
// that forgot to pause could not eat the budget, and a new step that fetches is metered because
// every IdP fetch goes through idp-network.ts. Parallel requests (the well-known file and the
// config, pictures) share the wall time they overlap in; they do not each spend it.

import type { Endpoint } from '../base/diagnostics.js';

/** One metered request, for the "how it was spent" line of the diagnostic. */
export interface BudgetEntry {
  endpoint: Endpoint;
  url: string;
  /** How long the request was in flight, ms (rounded). */
  ms: number;
  /** The request was still in flight when the budget ran out (its timeout was the budget's rest). */
  cutOff: boolean;
}

/** A monotonic clock in ms (performance.now by default; tests may pass their own). */
export type Monotonic = () => number;

export class NetworkBudget {
  /** The budget in ms; Infinity for none. */
  readonly limitMs: number;
  readonly #now: Monotonic;
  #inFlight = 0;
  /** Network time spent before the current in-flight stretch. */
  #spentMs = 0;
  /** When the current stretch (at least one request in flight) began. */
  #since = 0;
  readonly #entries: BudgetEntry[] = [];

  /** @param limitMs a positive number of ms, or Infinity (agent.ts validates the option). */
  constructor(limitMs: number, now: Monotonic = () => performance.now()) {
    this.limitMs = limitMs;
    this.#now = now;
  }

  /** Network time spent so far, ms (the current stretch included). */
  get spentMs(): number {
    return this.#spentMs + (this.#inFlight > 0 ? this.#now() - this.#since : 0);
  }

  /** What is left, ms (Infinity when there is no budget; 0 once it has run out). */
  get remainingMs(): number {
    return Math.max(0, this.limitMs - this.spentMs);
  }

  get exhausted(): boolean {
    return this.remainingMs <= 0;
  }

  /**
   * Starts metering one request. Returns the function that stops it; call it once the request
   * has settled, with `cutOff` when it was ended by the budget.
   */
  begin(endpoint: Endpoint, url: URL): (outcome?: { cutOff?: boolean }) => void {
    const started = this.#now();
    if (this.#inFlight === 0) this.#since = started;
    this.#inFlight += 1;
    let ended = false;
    return (outcome = {}) => {
      if (ended) return;
      ended = true;
      const now = this.#now();
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#spentMs += now - this.#since;
      this.#entries.push({ endpoint, url: url.href, ms: Math.round(now - started), cutOff: outcome.cutOff === true });
    };
  }

  /** How the budget was spent, for the diagnostic: "well-known file 395 ms, config file 398 ms, …". */
  describeSpending(): string {
    if (this.#entries.length === 0) return 'no request had finished';
    return this.#entries.map((e) => `${e.endpoint} ${e.ms} ms${e.cutOff ? ' (cut off)' : ''}`).join(', ');
  }
}
