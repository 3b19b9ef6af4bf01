// The IdP network of one FedCM request (Chromium's IdpNetworkRequestManager): every fetch to an
// IdP goes through here, with the request's abort signal, its network budget, the RP and
// embedder origins the requests are shaped for, and where to report. Steps take this instead of
// the whole agent so each module can be read (and tested) on its own.

import type { AbortLike } from '../base/abort-state.js';
import type { AgentCore } from '../core.js';
import type { DiagnosticInit, Endpoint } from '../base/diagnostics.js';
import type { FetchRecord } from '../base/events.js';
import type { AgentDocument } from '../document/document.js';
import type { Fetcher } from '../net/fetcher.js';
import type { AgentRequest, AgentResponse, RedirectMode } from '../net/types.js';
import { NetError } from '../net/types.js';
import { FedCmFailure } from './failure.js';
import { NetworkBudget } from './network-budget.js';

export interface IdpNetwork {
  fetcher: Fetcher;
  /** The calling document's origin (the RP). */
  rpOrigin: string;
  /** The top-level document's origin (the embedder). */
  embedderOrigin: string;
  /** The request's abort state (request.ts): aborted when the page aborts or the request is replaced. */
  signal: AbortLike;
  /** The network time this call may still spend (the agent's `fedcmNetworkBudgetMs`). */
  budget: NetworkBudget;
  report(diagnostic: DiagnosticInit): void;
  recordFetch(record: FetchRecord): void;
}

/**
 * Fetches one FedCM endpoint. Network-level failures come back as a NetError value (each step
 * maps them to its own reason); an abort of the whole request is thrown, and so is the end of
 * the call's network budget (a FedCmFailure: the call ends there, even at a step whose own
 * failures are tolerated, such as a picture).
 *
 * The request's timeout is the smaller of its own (`timeoutMs`) and what is left of the budget,
 * so a request in flight when the budget runs out is aborted then, not when its own timer fires.
 */
export async function fetchEndpoint(
  ctx: IdpNetwork,
  endpoint: Endpoint,
  request: Omit<AgentRequest, 'signal'>,
): Promise<AgentResponse | NetError> {
  const { budget } = ctx;
  if (budget.exhausted) throw budgetFailure(ctx, endpoint, request.url);
  const ownTimeoutMs = request.timeoutMs ?? ctx.fetcher.timeoutMs;
  const remainingMs = budget.remainingMs;
  const limitedByBudget = remainingMs < ownTimeoutMs;
  const started = performance.now();
  const stop = budget.begin(endpoint, request.url);
  try {
    // The call's signal and timeout beside the request, not merged into a copy of it.
    const res = await ctx.fetcher.fetch(request, { signal: ctx.signal, timeoutMs: limitedByBudget ? remainingMs : ownTimeoutMs });
    stop();
    ctx.recordFetch({
      endpoint,
      method: request.method,
      url: request.url.href,
      status: res.status,
      durationMs: performance.now() - started,
      requestHeaders: res.requestHeaders,
    });
    return res;
  } catch (e) {
    // A timeout we shortened to the budget's rest is the budget running out, not the IdP's
    // per-request timeout (setTimeout may fire a hair early, so this does not ask `exhausted`).
    const cutOff = limitedByBudget && e instanceof NetError && e.reason === 'timeout';
    stop({ cutOff });
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (!(e instanceof NetError)) throw e;
    ctx.recordFetch({
      endpoint,
      method: request.method,
      url: request.url.href,
      ...(e.status === undefined ? {} : { status: e.status }),
      durationMs: performance.now() - started,
      error: e.message,
    });
    if (cutOff) throw budgetFailure(ctx, endpoint, request.url);
    return e;
  }
}

/**
 * The call's network budget has run out at `endpoint`. The page sees what a network failure at
 * that step gives (NetworkError "Error retrieving a token.", or at the ID assertion endpoint an
 * IdentityCredentialError after the Error dialog, as for a timeout there); the diagnostic names
 * the budget, how it was spent and the option that sets it.
 */
function budgetFailure(ctx: IdpNetwork, endpoint: Endpoint, url: URL): FedCmFailure {
  const { budget } = ctx;
  const diagnostic: DiagnosticInit = {
    reason: 'NetworkBudgetExhausted',
    level: 'error',
    message: 'The FedCM request ran out of its network time budget.',
    detail:
      `The network budget of this call (fedcmNetworkBudgetMs: ${budget.limitMs} ms) ran out at the ${endpoint} ${url.href}. ` +
      `It counts the time the call's IdP requests were in flight (overlapping requests share it; time in dialogs and popups does not count): ` +
      `${Math.round(budget.spentMs)} ms, spent on ${budget.describeSpending()}. ` +
      `Make the IdP answer faster, or raise fedcmNetworkBudgetMs in createAgent() (Infinity removes the overall deadline; timeoutMs still bounds each request).`,
    endpoint,
    url: url.href,
  };
  const assertion = endpoint === 'id assertion endpoint';
  return new FedCmFailure(diagnostic, assertion ? { page: { kind: 'IdentityCredentialError', init: {} } } : { delayed: true });
}

/**
 * The context of a request made on behalf of `frame` (the RP document). Each call (one get(),
 * one disconnect()) makes its own, and so gets a fresh budget of the agent's
 * `fedcmNetworkBudgetMs` unless it passes one.
 */
export function createIdpNetwork(core: AgentCore, frame: AgentDocument, signal: AbortLike, budget = new NetworkBudget(core.settings.fedcmNetworkBudgetMs)): IdpNetwork {
  return {
    fetcher: core.fetcher,
    rpOrigin: frame.origin,
    embedderOrigin: frame.top.origin,
    signal,
    budget,
    report: (d) => core.report(d),
    recordFetch: (r) => core.events.emit('fetch', r),
  };
}

/**
 * Chromium's CreateUncredentialedResourceRequest: a GET with no cookies, an opaque initiator
 * (so Sec-Fetch-Site: cross-site), no-cors, destination webidentity, Accept: application/json.
 * Used for the well-known file, the config file, client metadata and account pictures.
 */
export function uncredentialedGet(url: URL, options: { redirect?: RedirectMode; headers?: Record<string, string> } = {}): Omit<AgentRequest, 'signal'> {
  return {
    url,
    method: 'GET',
    headers: { accept: 'application/json', ...options.headers },
    credentials: 'omit',
    initiator: null,
    mode: 'no-cors',
    destination: 'webidentity',
    redirect: options.redirect ?? 'error',
  };
}
