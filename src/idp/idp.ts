// createIdp: the whole FedCM identity provider as one web-standard handler,
// `(request: Request, info?) => Promise<Response>`, mountable in any server that speaks
// Request/Response (node:http through node.ts, Hono, Deno, Bun, workers...).

import { isPotentiallyTrustworthy } from '../common/site.js';
import { randomToken, type Branding, type ConnectionInfo, type IdpContext, type IdpUrls } from './context.js';
import { accounts } from './endpoints/accounts.js';
import { assertion } from './endpoints/assertion.js';
import { clientMetadata } from './endpoints/client-metadata.js';
import { config } from './endpoints/config.js';
import { continuation } from './endpoints/continue.js';
import { disconnect } from './endpoints/disconnect.js';
import { jwks } from './endpoints/jwks.js';
import { openidConfiguration } from './endpoints/openid-configuration.js';
import { login, logout } from './endpoints/login.js';
import { wellKnown } from './endpoints/well-known.js';
import { HttpError, errorResponse, type IdpReply, type IdpRequest } from './http.js';
import { LIGHT_HANDLER, lightFromRequest, lightToResponse } from '../common/light-http.js';
import { answerLogged, loggablePath, reasonOf, withReason, type Logger } from '../common/logger.js';
import { IDP_ROUTES, idpUrls } from './routes.js';
import { DEFAULT_LOGIN_RATE_LIMITS, longestWindowSeconds, type LoginRateLimits } from './rate-limit.js';
import type { Store } from './store/types.js';
import { KeyManager, type SigningAlgorithm } from './tokens.js';
import type { JWK } from 'jose';


export interface IdpOptions {
  /**
   * The IdP's base URL and the `iss` of its tokens, e.g. `https://idp.example`. Must be https
   * (or http on localhost): browsers refuse FedCM anywhere else.
   */
  issuer: string;
  store: Store;
  /** Where the endpoints live under the issuer (default `/fedcm`). */
  basePath?: string;
  /** Token signature algorithm (default ES256). */
  algorithm?: SigningAlgorithm;
  /** ID token lifetime, seconds (default 600). */
  tokenTtlSeconds?: number;
  /** Session lifetime, seconds (default 14 days). */
  sessionTtlSeconds?: number;
  /** How long a used (client, nonce) pair is remembered, seconds (default 1 day). */
  nonceTtlSeconds?: number;
  /** Refuse assertions without a nonce (default false: FedCM makes it optional). */
  requireNonce?: boolean;
  /** Largest request body accepted, bytes (default 16 KiB). */
  maxBodyBytes?: number;
  /** Config file branding (colors, icons). */
  branding?: Branding;
  /** Advertise "use other account" in the config (default false). */
  supportsUseOtherAccount?: boolean;
  /** Sign-in attempt limits (docs/idp.md "Sign-in attempts"); each part defaults to DEFAULT_LOGIN_RATE_LIMITS. */
  loginRateLimits?: Partial<LoginRateLimits>;
  /** The name on the login and consent pages (default: the issuer's host). */
  displayName?: string;
  /** Cookie names (defaults `fedkit_session` and `__Host-fedkit_csrf` on https / `fedkit_csrf`). */
  cookies?: { session?: string; csrf?: string };
  /** The clock, ms since the epoch (tests inject one). */
  now?: () => number;
  /**
   * Called with an unexpected error and the request id its 500 answer carries (`request_id` in
   * the error body); default: `console.error` of the id, the method and path, and the error
   * with its stack.
   */
  onError?: (error: unknown, request: Request, requestId: string) => void;
  /**
   * Where each request is logged (method, path, status, milliseconds, request id, and the reason
   * of a refusal such as `unauthorized_client: No client "my-rp" …`): a pino logger or any
   * object with `info`, `warn`, `error` and `child`. Default: nothing is logged. With a logger
   * and no `onError`, unexpected errors go to `logger.error` too. Query strings, headers and
   * bodies are never logged, so no token, cookie, password or nonce is.
   */
  logger?: Logger;
}

/** The IdP: a request handler with its URLs and key operations attached. */
export interface Idp {
  (request: Request, info?: ConnectionInfo): Promise<Response>;
  readonly issuer: string;
  /** The FedCM config URL RPs pass as `configURL`. */
  readonly configURL: string;
  readonly urls: Readonly<IdpUrls>;
  /** Paths this handler answers (the well-known path included), for routers that mount by path. */
  readonly paths: readonly string[];
  /** Makes a new signing key; older keys stay in the JWKS until their tokens expire. Returns the new kid. */
  rotateKeys(): Promise<string>;
  /** The JWKS as served. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Deletes expired sessions, used nonces, retired keys and old login failures. */
  purgeExpired(): Promise<{ sessions: number; nonces: number; keys: number; loginFailures: number }>;
}

type EndpointHandler = (ctx: IdpContext, request: IdpRequest, info: ConnectionInfo) => Promise<IdpReply>;

/** The handler of each route (routes.ts). */
const HANDLERS: Readonly<Record<keyof IdpUrls, EndpointHandler>> = {
  wellKnown,
  config,
  accounts,
  clientMetadata,
  assertion,
  disconnect,
  login,
  logout: (c, r) => logout(c, r),
  continue: (c, r) => continuation(c, r),
  jwks: (c) => jwks(c),
  openidConfiguration: (c) => openidConfiguration(c),
};

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`createIdp: ${name} must be a positive number, got ${String(value)}`);
  return v;
}

export function createIdp(options: IdpOptions): Idp {
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(options.issuer);
  } catch {
    throw new TypeError(`createIdp: issuer must be an absolute URL, got ${JSON.stringify(options.issuer)}`);
  }
  if (!isPotentiallyTrustworthy(issuerUrl) || issuerUrl.search !== '' || issuerUrl.hash !== '') {
    throw new TypeError(`createIdp: issuer must be an https URL (or http on localhost) without query or fragment, got ${JSON.stringify(options.issuer)}`);
  }
  const issuer = issuerUrl.href.replace(/\/+$/, '');
  const basePath = '/' + (options.basePath ?? '/fedcm').replace(/^\/+|\/+$/g, '');
  const urls = idpUrls(issuerUrl, basePath);
  const now = options.now ?? Date.now;
  const algorithm = options.algorithm ?? 'ES256';
  if (algorithm !== 'ES256' && algorithm !== 'EdDSA') throw new TypeError(`createIdp: algorithm must be ES256 or EdDSA, got ${String(algorithm)}`);
  const tokenTtlSeconds = positive(options.tokenTtlSeconds, 600, 'tokenTtlSeconds');
  const secure = issuerUrl.protocol === 'https:';
  const ctx: IdpContext = {
    issuer,
    origin: issuerUrl.origin,
    urls,
    store: options.store,
    keys: new KeyManager(options.store, { algorithm, tokenTtlSeconds, now }),
    now,
    settings: {
      algorithm,
      tokenTtlSeconds,
      sessionTtlSeconds: positive(options.sessionTtlSeconds, 14 * 24 * 3600, 'sessionTtlSeconds'),
      nonceTtlSeconds: positive(options.nonceTtlSeconds, 24 * 3600, 'nonceTtlSeconds'),
      requireNonce: options.requireNonce ?? false,
      maxBodyBytes: positive(options.maxBodyBytes, 16 * 1024, 'maxBodyBytes'),
      branding: options.branding,
      supportsUseOtherAccount: options.supportsUseOtherAccount ?? false,
      loginRateLimits: { ...DEFAULT_LOGIN_RATE_LIMITS, ...options.loginRateLimits },
      displayName: options.displayName ?? issuerUrl.host,
    },
    // SameSite=None needs Secure; browsers accept Secure cookies from http://localhost too.
    cookies: {
      session: options.cookies?.session ?? 'fedkit_session',
      csrf: options.cookies?.csrf ?? (secure ? '__Host-fedkit_csrf' : 'fedkit_csrf'),
      secure: true,
    },
  };

  const routes = new Map(IDP_ROUTES.map((r) => [new URL(urls[r.name]).pathname, { handler: HANDLERS[r.name], methods: r.methods as readonly string[] }]));
  const logger = options.logger;
  const onError =
    options.onError ??
    (logger === undefined
      ? (error: unknown, request: Request, requestId: string) => console.error(`fedkit idp: request ${requestId} (${request.method} ${loggablePath(request.url)}) failed:`, error)
      : (error: unknown, request: Request, requestId: string) => logger.error({ err: error, reqId: requestId, method: request.method, path: loggablePath(request.url) }, 'request failed'));

  const answer = async (request: IdpRequest, info: ConnectionInfo, logId: string | undefined): Promise<IdpReply> => {
    try {
      const { pathname } = request;
      const route = routes.get(pathname);
      if (route === undefined) throw new HttpError(404, 'invalid_request', `Nothing is served at ${pathname.slice(0, 200)}; the FedCM config is ${urls.config}.`);
      if (!route.methods.includes(request.method)) {
        throw new HttpError(405, 'invalid_request', `Method ${request.method.slice(0, 40)} is not allowed here; use ${route.methods.join(' or ')}.`, { allow: route.methods.join(', ') });
      }
      return await route.handler(ctx, request, info);
    } catch (e) {
      if (e instanceof HttpError) return errorResponse(e);
      const requestId = logId ?? randomToken(9);
      try {
        onError(e, request.toRequest(), requestId);
      } catch (inner) {
        console.error(`fedkit idp: request ${requestId} failed, and so did onError:`, e, inner);
      }
      return errorResponse(new HttpError(500, 'server_error', `The identity provider failed to answer (request id ${requestId}); try again later.`), {}, { request_id: requestId });
    }
  };

  // The IdP on both paths (common/light-http.ts): `light` answers what the endpoints read of a
  // request with a reply node:http can write as it is; the handler is `light` behind a Request
  // and a Response, for every server that speaks them.
  const light = async (request: IdpRequest, info: ConnectionInfo = {}): Promise<IdpReply> => {
    // Without a log, an id is made only for a failure; with one, every request has an id, so the
    // log line of a 500 and its answer name the same one.
    if (logger === undefined) return answer(request, info, undefined);
    const requestId = randomToken(9);
    return answerLogged(logger, request, requestId, () => answer(request, info, requestId));
  };
  const handler = async (request: Request, info: ConnectionInfo = {}): Promise<Response> => {
    const reply = await light(lightFromRequest(request), info);
    const response = lightToResponse(reply);
    const reason = reasonOf(reply);
    return reason === undefined ? response : withReason(response, reason);
  };

  return Object.assign(handler, {
    [LIGHT_HANDLER]: light,
    issuer,
    configURL: urls.config,
    urls: Object.freeze({ ...urls }),
    paths: Object.freeze([...routes.keys()]),
    rotateKeys: () => ctx.keys.rotate(),
    jwks: () => ctx.keys.jwks(),
    async purgeExpired() {
      const t = now();
      const maxWindow = longestWindowSeconds(ctx.settings.loginRateLimits);
      return {
        sessions: await options.store.deleteExpiredSessions(t),
        nonces: await options.store.deleteExpiredNonces(t),
        keys: await options.store.deleteExpiredKeys(t),
        loginFailures: await options.store.deleteLoginFailuresBefore(t - maxWindow * 1000),
      };
    },
  });
}
