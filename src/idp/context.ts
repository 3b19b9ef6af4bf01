// What every endpoint of one IdP shares: its URLs, store, keys, clock and settings.

import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseCookies, serializeCookie } from './cookies.js';
import { HttpError, type IdpRequest } from './http.js';
import type { LoginRateLimits } from './rate-limit.js';
import type { Store, User } from './store/types.js';
import type { KeyManager, SigningAlgorithm } from './tokens.js';

/** Config file `branding` (FedCM §"IdentityProviderBranding"). */
export interface Branding {
  background_color?: string;
  color?: string;
  icons?: { url: string; size?: number }[];
  name?: string;
}

/** Where the request came from, as the server in front of the handler knows it (rate limits use the address). */
export type { ConnectionInfo } from '../common/node-server.js';

export interface IdpUrls {
  wellKnown: string;
  config: string;
  accounts: string;
  clientMetadata: string;
  assertion: string;
  disconnect: string;
  login: string;
  logout: string;
  continue: string;
  jwks: string;
  /** OpenID Connect Discovery: `<issuer>/.well-known/openid-configuration`. */
  openidConfiguration: string;
}

export interface IdpSettings {
  algorithm: SigningAlgorithm;
  tokenTtlSeconds: number;
  sessionTtlSeconds: number;
  nonceTtlSeconds: number;
  requireNonce: boolean;
  maxBodyBytes: number;
  branding: Branding | undefined;
  supportsUseOtherAccount: boolean;
  loginRateLimits: LoginRateLimits;
  /** Shown on the login and consent pages. */
  displayName: string;
}

export interface IdpContext {
  /** The `iss` of every token: the issuer URL without a trailing slash. */
  issuer: string;
  origin: string;
  urls: IdpUrls;
  store: Store;
  keys: KeyManager;
  now: () => number;
  settings: IdpSettings;
  cookies: { session: string; csrf: string; secure: boolean };
}

export function sha256(text: string): string {
  // crypto.hash (Node ≥ 20.12): one call, no Hash object, for the short strings hashed per request.
  return hash('sha256', text, 'base64url');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

/** The SHA-256 of the request's session id (the form the store keeps), or undefined when it carries no well-formed one. */
export function sessionIdHash(ctx: IdpContext, request: IdpRequest): string | undefined {
  const id = parseCookies(request.headers.get('cookie')).get(ctx.cookies.session);
  return id === undefined || !TOKEN_SHAPE.test(id) ? undefined : sha256(id);
}

/** The signed-in user of this request (session cookie → hashed id → unexpired session → user). */
export async function currentSession(ctx: IdpContext, request: IdpRequest): Promise<{ user: User; idHash: string } | undefined> {
  const idHash = sessionIdHash(ctx, request);
  if (idHash === undefined) return undefined;
  if (ctx.store.getSessionUser) {
    const found = await ctx.store.getSessionUser(idHash, ctx.now());
    return found === undefined ? undefined : { user: found.user, idHash };
  }
  const session = await ctx.store.getSession(idHash, ctx.now());
  if (session === undefined) return undefined;
  const user = await ctx.store.getUser(session.userId);
  return user === undefined ? undefined : { user, idHash };
}

/**
 * Starts a session and returns its Set-Cookie value. SameSite=None is required: the browser's
 * FedCM fetches are cross-site from the RP and carry only SameSite=None cookies (spec note at
 * §"Fetch the accounts"; WPT fedcm-same-site-none; a top sample bug, ecosystem-and-peers §1.2).
 * Only the SHA-256 of the id is stored, so a leaked database holds no usable session.
 */
export async function startSession(ctx: IdpContext, userId: string): Promise<string> {
  const id = randomToken();
  const now = ctx.now();
  await ctx.store.createSession({ idHash: sha256(id), userId, createdAt: now, expiresAt: now + ctx.settings.sessionTtlSeconds * 1000 });
  return serializeCookie(ctx.cookies.session, id, { sameSite: 'None', secure: ctx.cookies.secure, maxAgeSeconds: ctx.settings.sessionTtlSeconds });
}

export function clearSessionCookie(ctx: IdpContext): string {
  return serializeCookie(ctx.cookies.session, '', { sameSite: 'None', secure: ctx.cookies.secure, maxAgeSeconds: 0 });
}

/**
 * The login form's CSRF token: a double-submit cookie (SameSite=Strict, HttpOnly, `__Host-` on
 * https so a sibling subdomain cannot plant one) whose value the form must echo.
 */
export function csrfToken(ctx: IdpContext, request: IdpRequest): { token: string; setCookie: string | undefined } {
  const existing = parseCookies(request.headers.get('cookie')).get(ctx.cookies.csrf);
  if (existing !== undefined && TOKEN_SHAPE.test(existing)) return { token: existing, setCookie: undefined };
  const token = randomToken();
  return { token, setCookie: serializeCookie(ctx.cookies.csrf, token, { sameSite: 'Strict', secure: ctx.cookies.secure }) };
}

/** Refuses a form POST whose CSRF field does not match its cookie, or that comes from another origin. */
export function checkCsrf(ctx: IdpContext, request: IdpRequest, field: string | undefined): void {
  // `Origin: null` is what a browser sends for a form POST from a page with a no-referrer
  // policy; Sec-Fetch-Site (which no page can forge) then tells whether it came from our origin.
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  const fromUs = origin === ctx.origin || (origin === 'null' && site === 'same-origin') || (origin === null && (site === null || site === 'same-origin'));
  if (!fromUs) {
    throw new HttpError(403, 'invalid_request', `Forms here are accepted only from ${ctx.origin} (Origin was ${origin ?? 'absent'}, Sec-Fetch-Site ${site ?? 'absent'}).`);
  }
  const cookie = parseCookies(request.headers.get('cookie')).get(ctx.cookies.csrf);
  const ok =
    cookie !== undefined &&
    field !== undefined &&
    cookie.length === field.length &&
    timingSafeEqual(Buffer.from(cookie), Buffer.from(field));
  if (!ok) throw new HttpError(403, 'invalid_request', 'The form\'s CSRF token is missing or does not match; reload the page and try again.');
}

/** An absolute picture URL: Chromium does not resolve relative ones (chromium-firefox-behaviour §1.6). */
export function pictureUrl(ctx: IdpContext, user: User): string | null {
  if (user.picture === null) return null;
  try {
    return new URL(user.picture, ctx.issuer + '/').href;
  } catch {
    return null;
  }
}
