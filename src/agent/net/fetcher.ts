// The agent's one network path. Every request (FedCM endpoints, pictures, navigations, page
// fetches) is an AgentRequest; this turns it into exactly the HTTP/1.1 request a browser would
// send, using undici's low-level dispatcher (not fetch()), so no header appears unless we write
// it here.
//
// What undici itself adds on the wire, and nothing else (client-h1.js writeH1):
//   - `connection: keep-alive`, right after `host` (we pass `reset: false`, so never `close`);
//   - `content-length: N` last, for POST (0 without a body; never on GET).
// It adds no user-agent, accept, accept-encoding, accept-language or referer of its own (those
// belong to undici's fetch(), which we do not use).
import { isIP } from 'node:net';
import { Agent, Client } from 'undici';
import type { Dispatcher } from 'undici';
import { connectionOptions, type ConnectionOptions } from '../../common/dispatcher.js';
import { HostRules, type HostRulesInput } from '../../common/host-rules.js';
import { memoized } from '../../common/memo.js';
import { isSameOrigin } from '../../common/site.js';
import { VERSION } from '../../version.js';
import type { AbortLike } from '../base/abort-state.js';
import { mayResend, tracked } from './connection-reuse.js';
import type { Cookies } from './cookies.js';
import { FetchSignal, follow } from './fetch-signal.js';
import { DispatchResponse } from './dispatch-response.js';
import type { HopResponse } from './hop-response.js';
import { classifyError, errorCodes, errorMessage } from './classify-error.js';
import { InProcessDispatcher, parseHandlers, type InProcessHandlers } from './in-process.js';
import { isSameOriginFast, isSameSiteCached } from './sites.js';
import { SharedTimeout } from './shared-timeout.js';
import { NetError } from './types.js';
import type { AgentRequest, AgentResponse, CookieDecision, ResponseHop } from './types.js';

/** The User-Agent sent when the embedder does not choose one. Kept in step with package.json by hand. */
export const DEFAULT_USER_AGENT = `fedkit/${VERSION}`;
/** Fetch §4.4 HTTP-redirect fetch: "If request's redirect count is 20, return a network error." */
export const DEFAULT_MAX_REDIRECTS = 20;
/** Chromium's FedCM limit (network_request_manager.cc maxResponseSizeInKiB = 1024). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** undici's own headers/body timeouts sit this far behind ours, so our clearer message wins. */
const UNDICI_TIMEOUT_SLACK_MS = 1000;
/** The longest timeout: Node's timers take at most 2^31 − 1 ms (longer ones fire after 1 ms), and undici's backstop adds its slack. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1 - UNDICI_TIMEOUT_SLACK_MS;

export interface FetcherOptions {
  /** Where host names connect to, like Chromium's --host-resolver-rules (see HostRules). */
  hostRules?: HostRulesInput;
  /** Extra trusted root certificates (PEM), in addition to Node's bundled roots. */
  ca?: string | string[];
  /** Skip certificate verification entirely. For tests only; prefer `ca`. */
  insecureTLS?: boolean;
  /** Whole-request limit (connect + headers + body), per request unless overridden. Default 30 s. */
  timeoutMs?: number;
  /** The User-Agent header. Default {@link DEFAULT_USER_AGENT}. */
  userAgent?: string;
  /** The cookie jar used for credentials: 'include' requests. */
  cookies: Cookies;
  /** Called for every response hop (redirects included), before its Set-Cookie lines are stored. */
  onResponse?: (hop: ResponseHop) => void;
  /**
   * Origins answered in-process by a fetch handler instead of over TCP/TLS (in-process.ts);
   * everything above the transport is the same. Checked here: a TypeError for a bad key or value.
   */
  handlers?: InProcessHandlers;
  /**
   * The agent's lifetime: once it aborts, every request in flight ends as aborted and new ones
   * are refused. Navigations, page fetches, disconnect() and getUserInfo() carry no signal that
   * closing would abort otherwise, and the connection pool's close() waits for requests in
   * flight, so without it an IdP that never answers would keep close() (and its sockets and
   * timers) waiting for the request timeout. One listener for the fetcher, not one per request.
   */
  closed?: AbortSignal;
}

/** Outcome of the Set-Cookie lines of one hop (credentials: 'include' only). */
export interface SetCookieOutcome {
  url: URL;
  stored: string[];
  rejected: { name: string; reason: string }[];
}

/** A hop sent a second time, on a new connection, after its reused connection failed under it. */
export interface ResentRequest {
  url: URL;
  /** What the reused connection failed with ("other side closed (UND_ERR_SOCKET)"). */
  error: string;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** `headers` with lower-case names: the object itself when they already are. */
function lowerCaseNames(headers: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  if (headers === undefined) return NO_HEADERS;
  let lower = true;
  for (const k in headers) {
    if (k !== k.toLowerCase()) {
      lower = false;
      break;
    }
  }
  if (lower) return headers;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/**
 * The signal and timeout of one call of fetch(), given apart from the request (in place of its
 * own `signal` and `timeoutMs`): a caller that shapes a request once for many calls (FedCM's
 * steps, each under the call's signal and what is left of its network budget) then needs no
 * copy of it per call.
 */
export interface FetchCall {
  signal?: AbortLike;
  timeoutMs?: number;
}

/** An AgentResponse plus what happened to the Set-Cookie lines along the way. */
export interface FetcherResponse extends AgentResponse {
  setCookies: SetCookieOutcome[];
  /** The hops that were resent (see Fetcher.send); empty almost always. */
  resent: ResentRequest[];
}

/**
 * Request headers callers may not set: Fetch's forbidden request-header names (Fetch §2.2.2)
 * that the fetcher owns, plus user-agent (use the `userAgent` option). `origin` is allowed: the
 * agent is the user agent and states the request's origin itself.
 */
const FORBIDDEN_HEADERS = new Set([
  'accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method',
  'connection', 'content-length', 'cookie', 'cookie2', 'date', 'dnt', 'expect', 'host', 'keep-alive',
  'referer', 'set-cookie', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via', 'user-agent',
]);

/** Fetch §2.2.2 "request-body-header name": dropped when a redirect turns the request into a GET. */
const REQUEST_BODY_HEADERS = new Set(['content-encoding', 'content-language', 'content-location', 'content-type']);

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type SecFetchSite = 'same-origin' | 'same-site' | 'cross-site' | 'none';
const SITE_RANK: Record<SecFetchSite, number> = { none: -1, 'same-origin': 0, 'same-site': 1, 'cross-site': 2 };

/** Fetch Metadata §2.4 `Sec-Fetch-Site` for one URL of the chain, relative to the initiator. */
function secFetchSiteFor(initiator: AgentRequest['initiator'], url: URL): SecFetchSite {
  if (initiator === 'user') return 'none';
  // Chromium gives uncredentialed FedCM fetches an opaque initiator: opaque is cross-site to everything.
  if (initiator === null || initiator === 'null') return 'cross-site';
  if (isSameOriginFast(initiator, url)) return 'same-origin';
  if (isSameSiteCached(initiator, url)) return 'same-site';
  return 'cross-site';
}

/** Carries an error thrown by onResponse or the cookie store, so it is not mistaken for a network error. */
class HookError extends Error {
  constructor(readonly error: unknown) {
    super('error from a fetcher hook');
  }
}

/** A resent request failed again: the second error decides, the first is said in the message. */
class ResendFailed extends Error {
  constructor(
    readonly first: unknown,
    readonly second: unknown,
  ) {
    super('a resent request failed again', { cause: second });
  }
}

/** The abort reason of a request's timer (its FetchSignal's cause says it is the timer's). */
class TimeoutSignal extends Error {}

/**
 * One request through an undici dispatcher, answered as a HopResponse: dispatch() builds the
 * request synchronously (connection-reuse.ts links it to its attempt there) and the reader
 * settles with the response head, or with the failure before it.
 */
function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal: FetchSignal): Promise<HopResponse> {
  const reader = new DispatchResponse(signal);
  dispatcher.dispatch(options, reader);
  return reader.head;
}

/**
 * The TLS server name undici derives from a request's Host header (core/util.js getServerName:
 * the host without its port or brackets, '' for an IP address, which RFC 6066 §3 does not allow
 * as a name), given with the request so that undici does not derive it again on every request
 * (an IP check whose IPv6 expression was a visible part of a sign-in over TLS). The header is
 * always the URL's host (buildHeaders), so the name is the one undici would find.
 */
const serverNameOf = memoized((host: string): string => {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':', 1)[0]!;
  return isIP(name) === 0 ? name : '';
}, 256);

/** Performs AgentRequests with browser-exact headers, host rules, cookies, limits and diagnostics. */
export class Fetcher {
  readonly hostRules: HostRules;
  readonly cookies: Cookies;
  readonly userAgent: string;
  readonly timeoutMs: number;
  /** The connection pool, behind the in-process transport when there are handlers. */
  private readonly agent: Dispatcher;
  /** The in-process transport (the same object as `agent`), when there are handlers. */
  private readonly inProcess: InProcessDispatcher | undefined;
  private readonly connection: ConnectionOptions;
  /** The connections opened to resend a request, closed when their response is consumed. */
  private readonly ownConnections = new Set<Client>();
  private readonly onResponse: ((hop: ResponseHop) => void) | undefined;
  private readonly closed: AbortSignal | undefined;
  /** The requests in flight, ended when `closed` aborts. */
  private readonly inFlight = new Set<FetchSignal>();
  /** The timer of every request with the fetcher's own timeout. */
  readonly #timeout: SharedTimeout;

  constructor(options: FetcherOptions) {
    this.hostRules = HostRules.from(options.hostRules);
    this.cookies = options.cookies;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0 && this.timeoutMs <= MAX_TIMEOUT_MS)) throw new TypeError(`timeoutMs must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}, got ${String(this.timeoutMs)}`);
    this.#timeout = new SharedTimeout(this.timeoutMs);
    this.onResponse = options.onResponse;
    this.connection = connectionOptions({
      hostRules: this.hostRules,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      insecureTLS: options.insecureTLS === true,
      timeoutMs: this.timeoutMs,
      // Backstops only: the whole-request timer in fetch() fires first.
      backstopMs: UNDICI_TIMEOUT_SLACK_MS,
    });
    const pool = new Agent(this.connection);
    const handlers = options.handlers === undefined ? undefined : parseHandlers(options.handlers, 'createAgent');
    this.inProcess = handlers === undefined || handlers.size === 0 ? undefined : new InProcessDispatcher(handlers, pool);
    this.agent = this.inProcess ?? pool;
    this.closed = options.closed;
    this.closed?.addEventListener(
      'abort',
      () => {
        for (const signal of [...this.inFlight]) signal.abort(this.closed?.reason, 'closed');
      },
      { once: true },
    );
  }

  /**
   * Performs the request, following the Fetch standard's main fetch / HTTP fetch /
   * HTTP-redirect fetch steps for the properties AgentRequest models.
   * @throws NetError for every failure that produced no usable response.
   * @throws TypeError for a malformed request (GET with a body, a forbidden header).
   */
  async fetch(req: AgentRequest, call?: FetchCall): Promise<FetcherResponse> {
    const callerSignal = call?.signal ?? req.signal;
    if (req.url.protocol !== 'http:' && req.url.protocol !== 'https:') {
      throw new NetError('invalid-url', req.url, `${req.url.href} is not an http(s) URL; the agent fetches only http: and https:`);
    }
    if (req.method === 'GET' && req.body !== undefined) {
      throw new TypeError(`a GET request cannot have a body (${req.url.href})`);
    }
    for (const name of Object.keys(req.headers ?? {})) {
      const lower = name.toLowerCase();
      if (FORBIDDEN_HEADERS.has(lower) || lower.startsWith('sec-') || lower.startsWith('proxy-')) {
        throw new TypeError(`the header "${name}" is set by the fetcher itself and cannot be given in AgentRequest.headers`);
      }
    }
    if (this.closed?.aborted === true) {
      throw new NetError('aborted', req.url, `the agent is closed, so ${req.url.href} was not requested`, { cause: this.closed.reason });
    }
    if (callerSignal?.aborted === true) {
      throw new NetError('aborted', req.url, `the request to ${req.url.href} was aborted before it started`, { cause: callerSignal.reason });
    }

    // One FetchSignal (not an AbortController) ends the request: its timer, the caller's signal
    // (a FedCM call's, shared by its requests) or the agent closing (this.inFlight).
    const timeoutMs = call?.timeoutMs ?? req.timeoutMs ?? this.timeoutMs;
    const signal = new FetchSignal();
    const onTimeout = (): void => signal.abort(new TimeoutSignal('timeout'), 'timeout');
    // The fetcher's own timeout is one timer for all requests (shared-timeout.ts); another
    // duration (a FedCM call's budget running out first, a caller's timeoutMs) has its own.
    const shared = timeoutMs === this.timeoutMs ? this.#timeout.start(onTimeout) : undefined;
    const timer = shared === undefined ? setTimeout(onTimeout, timeoutMs) : undefined;
    const unfollow = callerSignal === undefined ? undefined : follow(callerSignal, signal);
    this.inFlight.add(signal);
    let currentUrl = req.url;
    try {
      return await this.run(req, signal, timeoutMs, (u) => (currentUrl = u));
    } catch (err) {
      if (signal.cause === 'timeout') {
        throw new NetError('timeout', currentUrl, `the request to ${currentUrl.href} did not complete within ${timeoutMs} ms`, { cause: err });
      }
      if (signal.cause !== undefined) {
        throw new NetError('aborted', currentUrl, `the request to ${currentUrl.href} was aborted`, { cause: signal.reason });
      }
      if (err instanceof HookError) throw err.error;
      if (err instanceof NetError || err instanceof TypeError) throw err;
      if (err instanceof ResendFailed) {
        const second = classifyError(err.second, currentUrl, timeoutMs, this.hostRules);
        throw new NetError(
          second.reason,
          currentUrl,
          `${second.message}; it was resent on a new connection after the reused keep-alive connection failed (${errorMessage(err.first)}), and failed again`,
          { cause: err.second },
        );
      }
      throw classifyError(err, currentUrl, timeoutMs, this.hostRules);
    } finally {
      if (shared !== undefined) this.#timeout.cancel(shared);
      else clearTimeout(timer);
      unfollow?.();
      this.inFlight.delete(signal);
    }
  }

  private async run(
    req: AgentRequest,
    signal: FetchSignal,
    timeoutMs: number,
    track: (url: URL) => void,
  ): Promise<FetcherResponse> {
    const maxRedirects = req.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    const maxBodyBytes = req.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const redirects: URL[] = [];
    const setCookies: SetCookieOutcome[] = [];
    const resent: ResentRequest[] = [];
    let url = req.url;
    let method = req.method;
    let body = req.body;
    // The caller's headers with lower-case names: the caller's own object when its names are
    // (every FedCM step's are), so the first hop needs no copy of the request (below). Never
    // changed in place: a redirect that drops or rewrites one makes a new object.
    let callerHeaders: Readonly<Record<string, string>> = lowerCaseNames(req.headers);
    let secFetchSite = secFetchSiteFor(req.initiator, url);
    let taintedOrigin = false;

    while (true) {
      track(url);
      // Object.assign, not a spread: requests come in many shapes, and V8's spread of such
      // objects takes a slow path (~2 us against ~0.4 us on Node 20).
      const hopRequest: AgentRequest =
        url === req.url && method === req.method && body === req.body && callerHeaders === req.headers ? req : Object.assign({}, req, { url, method, body, headers: callerHeaders });
      // The cookie store is the embedder's (a profile): its errors are handed back as they are.
      let cookies: CookieDecision[] = [];
      let cookieHeader: string | undefined;
      if (req.credentials === 'include') {
        // Without a promise when the store allows (cookiesForNow): one microtask turn less between
        // the step and its request.
        let found;
        try {
          found = this.cookies.cookiesForNow(hopRequest);
        } catch (err) {
          throw new HookError(err);
        }
        if (found === undefined) {
          found = await this.cookies.cookiesFor(hopRequest).catch((err: unknown) => {
            throw new HookError(err);
          });
          signal.throwIfAborted();
        }
        cookies = found.decisions;
        cookieHeader = found.header;
      }
      const { list, record } = this.buildHeaders(hopRequest, secFetchSite, cookieHeader);

      const response = await this.send(url, method, list, body, signal, timeoutMs, resent);
      const headers = response.headers;
      try {
        const hop: ResponseHop = { request: hopRequest, url, status: response.statusCode, headers };
        this.onResponse?.(hop);
        req.onResponse?.(hop);
        if (req.credentials === 'include') {
          const setCookieLines = headers.getSetCookie();
          if (setCookieLines.length > 0) {
            const outcome = await this.cookies.store(url, setCookieLines, hopRequest);
            setCookies.push({ url, ...outcome });
            signal.throwIfAborted();
          }
        }
      } catch (err) {
        response.body.drop();
        // Not a network failure: hand the embedder's own error back untouched.
        throw signal.aborted ? err : new HookError(err);
      }

      // A 3xx is a redirect only with a Location header (Chromium HttpResponseHeaders::IsRedirect);
      // without one it is an ordinary response, returned as is.
      const location = headers.get('location');
      if (REDIRECT_STATUSES.has(response.statusCode) && location !== null && req.redirect !== 'manual') {
        const target = URL.canParse(location, url) ? new URL(location, url) : null;
        if (req.redirect === 'error') {
          response.body.drop();
          throw new NetError(
            'redirect-refused',
            url,
            `${url.href} returned ${response.statusCode} to ${target?.href ?? location}; redirects are not followed for this request`,
            { status: response.statusCode, location: target?.href ?? location },
          );
        }
        // Fetch §4.4 HTTP-redirect fetch.
        await response.body.discard();
        signal.throwIfAborted();
        if (target === null) {
          throw new NetError('invalid-url', url, `${url.href} returned ${response.statusCode} with an unparsable Location "${location}"`);
        }
        if (target.protocol !== 'http:' && target.protocol !== 'https:') {
          throw new NetError('invalid-url', target, `${url.href} redirected to ${target.href}, which is not an http(s) URL`);
        }
        if (redirects.length >= maxRedirects) {
          throw new NetError('too-many-redirects', url, `${req.url.href} redirected more than ${maxRedirects} times (last: ${url.href} → ${target.href})`);
        }
        // Step 11: tainted origin, so the Origin header becomes "null" after a cross-origin hop.
        const origin = callerHeaders['origin'];
        if (origin !== undefined && !isSameOrigin(url, target) && !isSameOrigin(origin, url)) taintedOrigin = true;
        // Step 12: 301/302 + POST and 303 + non-GET become GET without a body.
        const status = response.statusCode;
        if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET')) {
          method = 'GET';
          body = undefined;
          // Fetch §3.1 "append a request Origin header": a GET carries Origin only in CORS mode.
          const dropsOrigin = req.mode !== 'cors';
          callerHeaders = Object.fromEntries(Object.entries(callerHeaders).filter(([k]) => !REQUEST_BODY_HEADERS.has(k) && !(dropsOrigin && k === 'origin')));
        }
        if (taintedOrigin && callerHeaders['origin'] !== undefined) callerHeaders = { ...callerHeaders, origin: 'null' };
        redirects.push(target);
        url = target;
        // Fetch Metadata §2.4: the least same-site value over the whole URL list.
        const next = secFetchSiteFor(req.initiator, url);
        if (SITE_RANK[next] > SITE_RANK[secFetchSite]) secFetchSite = next;
        continue;
      }

      // A body that arrived with its head (most FedCM responses do) is taken without a promise.
      const bytes = response.body.readNow(maxBodyBytes, url) ?? (await response.body.read(maxBodyBytes, url));
      return {
        url,
        status: response.statusCode,
        headers,
        body: bytes,
        redirects,
        requestHeaders: record,
        cookies,
        setCookies,
        resent,
      };
    }
  }

  /**
   * Sends one hop. When it fails on a reused keep-alive connection before any byte of the
   * response arrived, sends it once more on a connection of its own (RFC 9112 §9.3.1; Chromium
   * HttpNetworkTransaction::HandleIOError / ShouldResendRequest, see connection-reuse.ts): the
   * server closed an idle connection as the request crossed it, so it never saw the request.
   * Once only, and on a new connection rather than the pool, which may hold other connections
   * the server has closed as well: a second failure is the request's failure.
   */
  private async send(
    url: URL,
    method: AgentRequest['method'],
    headers: string[],
    body: string | undefined,
    signal: FetchSignal,
    timeoutMs: number,
    resent: ResentRequest[],
  ): Promise<HopResponse> {
    // The body as bytes, made again for each attempt (undici does not keep a Buffer it has sent).
    const bytes = (): Buffer | null => (body === undefined ? null : Buffer.from(body, 'utf8'));
    const path = url.pathname + url.search;
    const servername = serverNameOf(url.host);
    // The pool's own backstops are already the fetcher's timeout plus the slack; a request with
    // a timeout of its own states its backstops (undici arms fewer timers without them).
    const backstopMs = timeoutMs === this.timeoutMs ? undefined : timeoutMs + UNDICI_TIMEOUT_SLACK_MS;
    // One object literal per attempt rather than spreads of a shared one: V8 copies objects of
    // differing shapes on a slow path, and this runs for every request.
    // `servername` is read by undici's Request (core/request.js) though its types leave it out.
    const options = (origin: string | undefined): Dispatcher.RequestOptions & { signal: FetchSignal } => {
      const o: Dispatcher.RequestOptions & { signal: FetchSignal; servername: string } = { path, method, headers, signal, reset: false, body: bytes(), servername };
      if (origin !== undefined) o.origin = origin;
      if (backstopMs !== undefined) {
        o.headersTimeout = backstopMs;
        o.bodyTimeout = backstopMs;
      }
      return o;
    };
    const origin = url.origin;
    // In-process: straight to the handler's exchange, without undici's request() layer; never
    // resent (it has no connection to lose, see in-process.ts).
    if (this.inProcess?.handles(origin) === true) return this.inProcess.exchange(origin, options(origin));
    // dispatch() with the fetcher's own reader (dispatch-response.ts), not request(): request()
    // wraps each exchange in an async resource, a Node stream for the body and a header object
    // that would then be copied into a Headers, and over TLS that layer was most of what the
    // fetcher cost beyond undici alone (callgrind, issue 15 §3). The reader keeps what
    // request() does that anyone can see: the signal, backpressure, abandoning and size caps.
    const { attempt, result } = tracked(() => exchange(this.agent, options(origin), signal));
    try {
      return await result;
    } catch (err) {
      if (signal.aborted || !mayResend(attempt, errorCodes(err))) throw err;
      resent.push({ url, error: `${errorMessage(err)} (${errorCodes(err)[0] ?? 'unknown'})` });
      const client = new Client(url.origin, this.connection);
      this.ownConnections.add(client);
      try {
        return await exchange(client, options(undefined), signal);
      } catch (second) {
        throw new ResendFailed(err, second);
      } finally {
        // Closes once the response is consumed (or dropped); not pooled, as it was opened for one request.
        void client.close().catch(() => {}).finally(() => this.ownConnections.delete(client));
      }
    }
  }

  /**
   * The header list for one hop, in the order a browser-like agent writes it, and its record
   * (what undici adds included, see the top of this file, so requestHeaders is exactly the
   * wire). One pass, building both: this runs for every request.
   */
  private buildHeaders(req: AgentRequest, secFetchSite: SecFetchSite, cookie: string | undefined): { list: string[]; record: Record<string, string> } {
    const host = req.url.host;
    const list: string[] = ['host', host];
    const record: Record<string, string> = { host, connection: 'keep-alive' };
    const add = (name: string, value: string): void => {
      list.push(name, value);
      record[name] = value;
    };
    const given = req.headers ?? {};
    const accept = given['accept'];
    const contentType = given['content-type'];
    const origin = given['origin'];
    if (accept !== undefined) add('accept', accept);
    if (contentType !== undefined) add('content-type', contentType);
    if (origin !== undefined) add('origin', origin);
    for (const k in given) {
      if (k !== 'accept' && k !== 'content-type' && k !== 'origin') add(k, given[k] as string);
    }
    if (req.agentHeaders !== undefined) for (const k in req.agentHeaders) add(k.toLowerCase(), req.agentHeaders[k] as string);
    if (cookie !== undefined) add('cookie', cookie);
    add('sec-fetch-dest', req.destination);
    add('sec-fetch-mode', req.mode);
    add('sec-fetch-site', secFetchSite);
    if (req.userActivated === true && req.mode === 'navigate') add('sec-fetch-user', '?1');
    add('user-agent', this.userAgent);
    if (req.method === 'POST') record['content-length'] = String(Buffer.byteLength(req.body ?? '', 'utf8'));
    return { list, record };
  }

  /** Closes the connection pool; pending requests finish first. */
  async close(): Promise<void> {
    await Promise.all([...this.ownConnections].map((c) => c.close().catch(() => {})));
    await this.agent.close();
    // After the pool: close() lets requests in flight finish, and they keep their timeout.
    this.#timeout.dispose();
  }
}
