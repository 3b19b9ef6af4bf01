// The IdP network of one FedCM request (Chromium's IdpNetworkRequestManager): every fetch to an
// IdP goes through here, with the request's abort signal, the RP and embedder origins the
// requests are shaped for, and where to report. Steps take this instead of the whole agent so
// each module can be read (and tested) on its own.

import type { AgentCore } from '../core.js';
import type { Diagnostic, Endpoint } from '../base/diagnostics.js';
import type { FetchRecord } from '../base/events.js';
import type { AgentDocument } from '../document/document.js';
import type { Fetcher } from '../net/fetcher.js';
import type { AgentRequest, AgentResponse, RedirectMode } from '../net/types.js';
import { NetError } from '../net/types.js';

export interface IdpNetwork {
  fetcher: Fetcher;
  /** The calling document's origin (the RP). */
  rpOrigin: string;
  /** The top-level document's origin (the embedder). */
  embedderOrigin: string;
  signal: AbortSignal;
  report(diagnostic: Diagnostic): void;
  recordFetch(record: FetchRecord): void;
}

/**
 * Fetches one FedCM endpoint. Network-level failures come back as a NetError value (each step
 * maps them to its own reason); an abort of the whole request is thrown.
 */
export async function fetchEndpoint(
  ctx: IdpNetwork,
  endpoint: Endpoint,
  request: Omit<AgentRequest, 'signal'>,
): Promise<AgentResponse | NetError> {
  const started = performance.now();
  try {
    const res = await ctx.fetcher.fetch({ ...request, signal: ctx.signal });
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
    return e;
  }
}

/** The context of a request made on behalf of `frame` (the RP document). */
export function createIdpNetwork(core: AgentCore, frame: AgentDocument, signal: AbortSignal): IdpNetwork {
  return {
    fetcher: core.fetcher,
    rpOrigin: frame.origin,
    embedderOrigin: frame.top.origin,
    signal,
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
