// The request and response shapes of the agent's one network layer.
//
// Every request the agent makes (FedCM endpoints, pictures, navigations, page fetches) is
// described by an AgentRequest: the caller states each Fetch-spec property explicitly
// (credentials, mode, destination, redirect, initiator), and the fetcher derives the headers a
// browser would send from them, so no header appears that nobody asked for.

import type { AbortLike } from '../base/abort-state.js';

/** Fetch "destination"; becomes Sec-Fetch-Dest. */
export type RequestDestination = 'webidentity' | 'image' | 'document' | 'iframe' | 'empty';
/** Fetch "mode"; becomes Sec-Fetch-Mode. */
export type RequestMode = 'no-cors' | 'cors' | 'navigate' | 'same-origin';
export type CredentialsMode = 'omit' | 'include';
/** 'error': any 3xx fails the request. 'follow': up to maxRedirects hops. 'manual': return the 3xx. */
export type RedirectMode = 'error' | 'follow' | 'manual';

export interface AgentRequest {
  url: URL;
  method: 'GET' | 'POST' | 'OPTIONS';
  /** Headers the caller sets itself (Accept, Content-Type, Origin). Lower-case names. */
  headers?: Readonly<Record<string, string>>;
  /**
   * @internal Headers only the user agent may set, e.g. a CORS preflight's
   * Access-Control-Request-Method/-Headers (forbidden to pages, so refused in `headers`).
   */
  agentHeaders?: Readonly<Record<string, string>>;
  /** Request body, sent as UTF-8. */
  body?: string;
  credentials: CredentialsMode;
  /**
   * The serialized origin that initiated the request, or null for an opaque initiator
   * (Chromium's uncredentialed FedCM fetches use an opaque one, so Sec-Fetch-Site is cross-site).
   * For a navigation typed by the user (no initiator at all) use 'user'.
   */
  initiator: string | null | 'user';
  /**
   * The "site for cookies": the URL whose site decides whether cookies are same-site.
   * FedCM's credentialed fetches use the IdP origin here and the RP origin as initiator, so
   * a cross-site RP gets only SameSite=None cookies. Top-level navigations use the target URL.
   * Defaults to the request URL.
   */
  siteForCookies?: URL;
  /** True for top-level navigations (SameSite=Lax cookies go on cross-site top-level GETs). */
  topLevelNavigation?: boolean;
  /**
   * A navigation the user started (Fetch Metadata §2.5): sends `Sec-Fetch-User: ?1`. Only with
   * mode 'navigate'.
   */
  userActivated?: boolean;
  mode: RequestMode;
  destination: RequestDestination;
  redirect: RedirectMode;
  /** Default 20, as in Fetch. */
  maxRedirects?: number;
  /** Responses larger than this fail with 'body-too-large'. Default 1 MiB (Chromium's FedCM limit). */
  maxBodyBytes?: number;
  /** Aborts the request (connect, headers and body): an AbortSignal, or the agent's own AbortState. */
  signal?: AbortLike;
  /** Overrides the fetcher's default timeout for this request (whole request, headers + body). */
  timeoutMs?: number;
  /**
   * Called for every hop of this request (each redirect and the final response), after the
   * fetcher-wide `onResponse`. Pages use it to apply `Set-Login` with the request's context.
   */
  onResponse?: (hop: ResponseHop) => void;
}

/** A cookie the jar had for the URL, and whether it went on the request. */
export interface CookieDecision {
  name: string;
  /** The cookie's SameSite as the browser sees it ('unspecified' is treated as Lax, as Chromium does). */
  sameSite: 'strict' | 'lax' | 'none' | 'unspecified';
  sent: boolean;
  /** Present when not sent: a sentence saying why ("it is SameSite=Lax and the request is cross-site"). */
  reason?: string;
}

/** One hop of a request: the redirects and the final response each produce one. */
export interface ResponseHop {
  request: AgentRequest;
  url: URL;
  status: number;
  headers: Headers;
}

export interface AgentResponse {
  /** The final URL, after any redirects followed. */
  url: URL;
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** URLs redirected through, in order (empty when none). */
  redirects: URL[];
  /** Exactly the header lines written on the wire for the final request (lower-case names). */
  requestHeaders: Record<string, string>;
  /** The cookie decisions for the final request. */
  cookies: CookieDecision[];
}

export type NetErrorReason =
  | 'redirect-refused' // a 3xx when redirect mode is 'error'
  | 'too-many-redirects'
  | 'body-too-large'
  | 'timeout'
  | 'aborted'
  | 'dns' // the host did not resolve and no host rule matched
  | 'tls' // certificate not trusted / handshake failed
  | 'connection' // refused, reset, closed early
  | 'invalid-url'; // not http(s)

/** A request that produced no usable response. `message` says what happened and how to fix it. */
export class NetError extends Error {
  override readonly name = 'NetError';
  constructor(
    readonly reason: NetErrorReason,
    readonly url: URL,
    message: string,
    options?: { cause?: unknown; status?: number; location?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
    this.location = options?.location;
  }
  /** The status of the refused redirect, for 'redirect-refused'. */
  readonly status: number | undefined;
  /** The Location of the refused redirect, for 'redirect-refused'. */
  readonly location: string | undefined;
}
