// The verifier's fetches of an IdP's OpenID configuration and JWKS: bounded in time (the body
// included) and in size, and a failure said as its cause (DNS, refused, TLS trust, status,
// timeout, size) with what to do about it. A hostile or broken IdP costs a bounded wait and a
// bounded buffer, never the RP's memory or its requests' time.

import { createDispatcher } from '../common/dispatcher.js';
import type { HostRulesInput } from '../common/host-rules.js';
import { fetch as undiciFetch } from 'undici';

/** A fetch that the verifier uses for discovery and the JWKS (pass one with host rules in tests). */
export type FetchLike = (input: string, init?: { headers?: Record<string, string> | Headers; method?: string; redirect?: RequestRedirect; signal?: AbortSignal }) => Promise<Response>;

/**
 * Why a fetch of the IdP's discovery or JWKS failed: `dns` (the name does not resolve),
 * `refused` (nothing listens), `tls` (the certificate is not trusted or not for the name),
 * `network` (another connection failure), `timeout`, `status` (not 200), `too_large`,
 * `invalid` (not the JSON expected), `cooling_down` (not retried yet after a recent failure).
 */
export type FetchFailure = 'dns' | 'refused' | 'tls' | 'network' | 'timeout' | 'status' | 'too_large' | 'invalid' | 'cooling_down';

export class IdpFetchError extends Error {
  override readonly name = 'IdpFetchError';
  constructor(
    readonly failure: FetchFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface FetchLimits {
  /** The whole exchange, connection to last body byte, ms. */
  timeoutMs: number;
  /** The largest body read, bytes. */
  maxBytes: number;
}

/** A fetch through fedkit's dispatcher: host rules like Chromium's, extra CA roots. */
export function dispatcherFetch(options: { hostRules?: HostRulesInput; ca?: string | string[] }): FetchLike {
  const dispatcher = createDispatcher({ ...(options.hostRules === undefined ? {} : { hostRules: options.hostRules }), ...(options.ca === undefined ? {} : { ca: options.ca }) });
  return (input, init) => undiciFetch(input, { ...init, dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
}

/**
 * GETs `url` and reads its body, within `limits`: the timer covers the body too (a server that
 * sends one byte a second is a timeout), and it races the fetch, so even a fetch that ignores
 * its signal cannot make the wait longer. A declared Content-Length over the cap is refused
 * unread; a streamed body is cut off at the cap.
 */
export async function fetchBounded(
  fetchImpl: FetchLike,
  url: string,
  init: { headers?: Record<string, string> | Headers; redirect?: RequestRedirect },
  limits: FetchLimits,
): Promise<{ status: number; headers: Headers; body: Uint8Array }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new IdpFetchError('timeout', `${url} sent no complete answer within ${limits.timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, limits.timeoutMs);
  });
  const exchange = (async () => {
    let res: Response;
    try {
      res = await fetchImpl(url, { ...init, method: 'GET', signal: controller.signal });
    } catch (e) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw describeNetworkFailure(url, e);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > limits.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new IdpFetchError('too_large', `${url} answered ${declared} bytes; at most ${limits.maxBytes} are read`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body !== null) {
      const reader = res.body.getReader();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          if (controller.signal.aborted) throw controller.signal.reason;
          throw new IdpFetchError('network', `${url}: the answer broke off (${e instanceof Error ? e.message : String(e)})`, { cause: e });
        }
        if (chunk.done) break;
        size += chunk.value.byteLength;
        if (size > limits.maxBytes) {
          await reader.cancel().catch(() => {});
          throw new IdpFetchError('too_large', `${url} answered more than ${limits.maxBytes} bytes; reading stopped there`);
        }
        chunks.push(chunk.value);
      }
    }
    return { status: res.status, headers: res.headers, body: Buffer.concat(chunks) };
  })();
  try {
    return await Promise.race([exchange, timedOut]);
  } finally {
    clearTimeout(timer);
    exchange.catch(() => {}); // the loser of the race has been answered already
  }
}

/** The error codes of the causes fetch wraps in "fetch failed", by what they mean. */
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const VALIDITY_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/** The first `code` along an error's cause chain (fetch's TypeError → undici's → the socket's). */
function causeCode(error: unknown): { code: string; message: string } | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR' && !code.startsWith('ERR_INVALID')) return { code, message: e.message };
    e = e.cause;
  }
  return undefined;
}

/** "fetch failed", said as its cause, with the fix. */
export function describeNetworkFailure(url: string, error: unknown): IdpFetchError {
  const { hostname, host } = new URL(url);
  const found = causeCode(error);
  const code = found?.code ?? '';
  if (DNS_CODES.has(code)) {
    return new IdpFetchError('dns', `DNS: ${hostname} does not resolve (${code}). For an IdP on a test host name, map it with host rules (hostRules, or fedkit rp serve --host-rules "MAP ${hostname} 127.0.0.1:<port>")`, { cause: error });
  }
  if (code === 'ECONNREFUSED') return new IdpFetchError('refused', `nothing accepts connections at ${host} (ECONNREFUSED): is the IdP running, and do the host rules point at it?`, { cause: error });
  if (TRUST_CODES.has(code)) {
    return new IdpFetchError('tls', `TLS: the certificate of ${hostname} is not trusted (${code}). Trust the CA that issued it (ca, or fedkit rp serve --ca <pem file>)`, { cause: error });
  }
  if (VALIDITY_CODES.has(code)) return new IdpFetchError('tls', `TLS: the certificate of ${hostname} is not valid for it (${code}: ${found!.message})`, { cause: error });
  const detail = found === undefined ? (error instanceof Error ? error.message : String(error)) : `${found.code}: ${found.message}`;
  return new IdpFetchError('network', `the connection to ${host} failed (${detail})`, { cause: error });
}
