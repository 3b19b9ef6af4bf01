// The reference relying party: a product page with "Sign in with <IdP>" (passive on load, an
// active button), a server that verifies the FedCM token, creates the user on first sign-in,
// keeps sessions in SQLite, and offers sign-out and "disconnect this IdP".
// Served as a web-standard `(Request) => Response` handler.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readBodyBytes } from '../../common/body.js';
import type { HostRulesInput } from '../../common/host-rules.js';
import { answerLogged, loggablePath, withReason, type Logger } from '../../common/logger.js';
import { IdentityTokenVerifier, TokenVerificationError, type FetchLike } from '../verify.js';
import { homePage } from './pages.js';
import { RpStore } from './store.js';

export interface RpAppOptions {
  /** The RP's own origin, e.g. https://rp.example (checked against Origin on every POST). */
  origin: string;
  /**
   * The IdP: its config URL, this RP's client id there, the name on the button, its issuer (default
   * the config URL's origin) and its JWKS URL (default: from its OpenID configuration).
   */
  idp: { configURL: string; clientId: string; name?: string; issuer?: string; jwksUri?: string };
  /** SQLite file for users and sessions (default: in memory). */
  database?: string;
  appName?: string;
  /** Session lifetime (default 7 days). */
  sessionTtlMs?: number;
  /** Fetch for the IdP's discovery and JWKS (host rules in tests and the demo). */
  fetch?: FetchLike;
  /** Without `fetch`: host rules for the IdP's discovery and JWKS (an IdP on a test host name). */
  hostRules?: HostRulesInput;
  /** Without `fetch`: extra trusted root certificates (PEM) for the IdP's discovery and JWKS. */
  ca?: string | string[];
  /**
   * Where each request is logged (method, path, status, ms, request id, the reason of a 4xx such
   * as `nonce_mismatch: …`), and unexpected errors: a pino logger or any object with `info`,
   * `warn`, `error` and `child`. Default: requests are not logged, unexpected errors go to
   * console.error. Headers, bodies and query strings are never logged.
   */
  logger?: Logger;
  now?: () => number;
  /** Called after each sign-in the server accepted (the demo prints it). */
  onSignIn?: (event: { userId: number; created: boolean; claims: Record<string, unknown> }) => void;
}

export interface RpApp {
  fetch(request: Request): Promise<Response>;
  readonly store: RpStore;
  close(): void;
}

const SESSION_COOKIE = '__Host-rp_session';
const NONCE_COOKIE = '__Host-rp_nonce';

export function createRpApp(options: RpAppOptions): RpApp {
  const origin = new URL(options.origin).origin;
  const store = new RpStore(options.database ?? ':memory:');
  const now = options.now ?? Date.now;
  const verifier = new IdentityTokenVerifier({
    configURL: options.idp.configURL,
    clientId: options.idp.clientId,
    ...(options.idp.issuer === undefined ? {} : { issuer: options.idp.issuer }),
    ...(options.idp.jwksUri === undefined ? {} : { jwksUri: options.idp.jwksUri }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.hostRules === undefined ? {} : { hostRules: options.hostRules }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const ttl = options.sessionTtlMs ?? 7 * 24 * 3600e3;
  const appName = options.appName ?? 'Acme Notes';
  const idpName = options.idp.name ?? new URL(options.idp.configURL).hostname;
  const browserScript = new URL('../browser.js', import.meta.url);

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });
  const fail = (status: number, code: string, message: string): Response => withReason(json(status, { error: { code, message } }), `${code}: ${message}`);
  const logger = options.logger;

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const cookies = parseCookies(request.headers.get('cookie'));
    const sessionId = cookies.get(SESSION_COOKIE);
    const user = sessionId === undefined ? undefined : store.sessionUser(sessionId, now());

    if (request.method === 'POST' && request.headers.get('origin') !== origin) {
      return fail(403, 'bad_origin', `POST requests must come from ${origin} (Origin: ${request.headers.get('origin') ?? 'none'}).`);
    }
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /': {
        const nonce = randomBytes(16).toString('base64url');
        const html = homePage({
          appName,
          idpName,
          configURL: options.idp.configURL,
          clientId: options.idp.clientId,
          nonce,
          ...(user ? { user, welcome: user.createdAt === user.lastSignIn ? 'signed-up' : 'signed-in' } : {}),
        });
        return new Response(html, {
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            'set-cookie': `${NONCE_COOKIE}=${nonce}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=600`,
          },
        });
      }
      case 'GET /fedkit/browser.js':
        return new Response(await readFile(browserScript), { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' } });
      case 'POST /session': {
        if (!(request.headers.get('content-type') ?? '').startsWith('application/json')) return fail(415, 'bad_content_type', 'Send {"token": "…"} as application/json.');
        const body = (await readJson(request)) as { token?: unknown } | undefined;
        if (body === undefined) return fail(400, 'bad_json', 'The body is not JSON.');
        const nonce = cookies.get(NONCE_COOKIE);
        if (nonce === undefined) return fail(400, 'no_nonce', 'No sign-in is in progress (the nonce cookie is missing or expired); reload the page.');
        let verified;
        try {
          verified = await verifier.verify(body.token, { nonce });
        } catch (e) {
          if (e instanceof TokenVerificationError) return fail(401, e.code, e.message);
          throw e;
        }
        const c = verified.claims;
        const { user: signedIn, created } = store.upsertUser(
          {
            issuer: String(c.iss),
            subject: String(c.sub),
            ...(typeof c['email'] === 'string' ? { email: c['email'] } : {}),
            ...(typeof c['name'] === 'string' ? { name: c['name'] } : {}),
            ...(typeof c['picture'] === 'string' ? { picture: c['picture'] } : {}),
          },
          now(),
        );
        const id = store.createSession(signedIn.id, now(), ttl);
        options.onSignIn?.({ userId: signedIn.id, created, claims: c });
        const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
        headers.append('set-cookie', `${SESSION_COOKIE}=${id}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(ttl / 1000)}`);
        headers.append('set-cookie', `${NONCE_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`);
        return new Response(JSON.stringify({ created, user: { id: signedIn.id, email: signedIn.email, name: signedIn.name, subject: signedIn.subject } }), { headers });
      }
      case 'POST /signout':
      case 'POST /disconnect': {
        if (sessionId !== undefined) store.deleteSession(sessionId);
        if (url.pathname === '/disconnect' && user) store.deleteUser(user.id);
        return new Response(null, {
          status: 303,
          headers: { location: '/', 'set-cookie': `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0` },
        });
      }
      case 'GET /me':
        return user ? json(200, { id: user.id, email: user.email, name: user.name, subject: user.subject }) : fail(401, 'signed_out', 'Not signed in.');
      default:
        return fail(404, 'not_found', `${request.method} ${url.pathname} does not exist.`);
    }
  }

  async function answer(request: Request, requestId: string): Promise<Response> {
    try {
      return await handle(request);
    } catch (e) {
      // Logged with the id the answer carries; the answer says nothing of the error itself.
      if (logger === undefined) console.error(`fedkit rp: request ${requestId} (${request.method} ${loggablePath(request.url)}) failed:`, e);
      else logger.error({ err: e, reqId: requestId, method: request.method, path: loggablePath(request.url) }, 'request failed');
      return json(500, { error: { code: 'server_error', message: `The server failed to answer (request id ${requestId}).`, request_id: requestId } });
    }
  }

  return {
    async fetch(request) {
      const requestId = randomBytes(9).toString('base64url');
      if (logger === undefined) return answer(request, requestId);
      return answerLogged(logger, request, requestId, () => answer(request, requestId));
    },
    store,
    close: () => store.close(),
  };
}

function parseCookies(header: string | null): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return map;
}

const MAX_BODY = 64 * 1024;

/** JSON of at most 64 KiB; reading stops as soon as the body is larger. Undefined when bad. */
async function readJson(request: Request): Promise<unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(await readBodyBytes(request, MAX_BODY)));
  } catch {
    return undefined;
  }
}
