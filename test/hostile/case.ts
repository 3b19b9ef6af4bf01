// One hostile case: one behaviour of one endpoint, and everything the page and the developer
// must see because of it. The tables are in cases/, one file per endpoint; the runner (runner.ts)
// plays a case against a fresh hostile server and a fresh agent.

import type { Agent, DiagnosticReason, FetchRecord, Popup } from '../../src/agent/index.js';
import type { Behaviour, EndpointName, HostileServer, Target } from './server.js';

/** The agent's timeouts in the suite: small, so a case that times out does so quickly. */
export const TIMEOUTS = {
  /** The agent's per-request timeout (`timeoutMs`), unless a case sets its own. */
  requestMs: 500,
  /**
   * What a settle bound allows beyond the timeouts it counts: TLS setup, the dialogs, and a
   * 2-core machine running several cases and the server side at once.
   */
  slackMs: 1500,
  /** How long the server side may take to see every connection closed after agent.close(). */
  drainMs: 2000,
} as const;

/** What the page sees. */
export type Expected =
  | { token: unknown }
  | { rejects: { name: string; message?: string | RegExp; error?: string } }
  /** disconnect() resolves (with undefined). */
  | { resolves: true };

/** What the page does. */
export type Call =
  /** navigator.credentials.get({identity}) in passive mode; the mediator picks the first account. */
  | 'get'
  /** The same in active mode, after a click, with the IdP logged out: the login popup opens first. */
  | 'get-active-logged-out'
  /** IdentityCredential.disconnect() for a connected account. */
  | 'disconnect';

export interface HostileCase {
  /** Unique within the suite; `HOSTILE_CASE=<name>` runs this case alone. */
  name: string;
  /** The endpoint whose behaviour the case changes (the others answer well). */
  endpoint: EndpointName;
  /** The hostile behaviour (one per case). */
  behaviour: Behaviour;
  /**
   * What other endpoints must do for the hostile one to be reached, well-behaved (an assertion
   * that answers continue_on, for a hostile continuation page). Not a second hostile behaviour.
   */
  setup?: Partial<Record<EndpointName, Behaviour>>;
  /** Where host names connect, for network-level failures (default: all to the good server). */
  targets?: Record<string, Target>;
  /** The config URL (default https://idp.example/fedcm/config.json). */
  configURL?: string;
  call?: Call;
  /** The page aborts its request this long after calling (for things that would wait forever). */
  abortAfterMs?: number;
  /** The agent's per-request timeout for this case (default TIMEOUTS.requestMs). */
  requestTimeoutMs?: number;
  /** What the IdP's popups do (default: the login page signs in by loading; continuation resolves). */
  popups?: { login?: (popup: Popup) => void; continuation?: (popup: Popup) => void };
  expect: Expected;
  /**
   * The diagnostic: for a rejection, the reason of its `cause` (an abort has none: its reason is
   * the page's own; then the agent must have reported it); for a success, a non-fatal diagnostic
   * the agent must have reported. null: none expected (a clean success).
   */
  diagnostic: DiagnosticReason | null;
  /**
   * How many request timeouts may pass, one after the other, before the call settles; the bound
   * is that many timeouts plus TIMEOUTS.slackMs (plus abortAfterMs). 0 for failures that are
   * decided as soon as the bytes arrive.
   */
  timeouts: number;
  /** Extra checks once the call settled (the server's counters, the popups). */
  check?: (ctx: CaseContext) => void;
}

export interface CaseContext {
  agent: Agent;
  server: HostileServer;
  popups: Popup[];
  diagnostics: readonly { reason: string; detail: string }[];
  /** The agent's fetch records, each with the time (performance.now()) it ended. */
  fetches: readonly (FetchRecord & { endedAt: number })[];
}

/** The most requests of `endpoint` the agent had in flight at once, from its fetch records. */
export function maxInFlight(fetches: CaseContext['fetches'], endpoint: FetchRecord['endpoint']): number {
  const edges: [number, number][] = [];
  for (const f of fetches) {
    if (f.endpoint !== endpoint) continue;
    edges.push([f.endedAt - f.durationMs, 1], [f.endedAt, -1]);
  }
  // Ends sort before starts at the same instant: a worker that takes the next URL is not two.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of edges) most = Math.max(most, (now += delta));
  return most;
}

/** The settle bound of a case, in ms. */
export function settleBoundMs(c: HostileCase): number {
  return c.timeouts * (c.requestTimeoutMs ?? TIMEOUTS.requestMs) + TIMEOUTS.slackMs + (c.abortAfterMs ?? 0);
}

/** The page-visible NetworkError of a failed get(). */
export const NETWORK_ERROR = { rejects: { name: 'NetworkError', message: 'Error retrieving a token.' } } as const;
/** A get() that ends with the IdP's token. */
export const GOOD_TOKEN = { token: 'good-token' } as const;
