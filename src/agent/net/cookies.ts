// The agent's cookie jar: tough-cookie for parsing, storage and domain/path matching, with
// Chromium's SameSite rules layered on top so every cookie that is withheld (or refused) comes
// with a sentence saying why.
//
// Chromium rules mirrored here (net/cookies/canonical_cookie.cc, cookie_util.cc):
//   - SameSite unspecified is Lax ("Lax-by-default"). The temporary "Lax+POST" two-minute
//     exception Chromium once had is not modelled.
//   - SameSite=None without Secure is refused at set time (EXCLUDE_SAMESITE_NONE_INSECURE).
//   - Secure cookies may be set and sent on potentially trustworthy URLs, which include
//     http://localhost and http://127.0.0.1 (tough-cookie's `allowSecureOnLocal`, on here).
//   - name + value longer than 4096 bytes is refused (EXCLUDE_NAME_VALUE_PAIR_EXCEEDS_MAX_SIZE).
import { Cookie, CookieJar } from 'tough-cookie';
import type { SerializedCookieJar, Store } from 'tough-cookie';
import { serializeOrigin } from '../../common/site.js';
import { CookieMatchCache, CountingMemoryCookieStore } from './cookie-match-cache.js';
import { siteOfCached as siteOf } from './sites.js';
import type { AgentRequest, CookieDecision } from './types.js';

/** The request properties that decide a cookie's same-site context. */
export type CookieRequestContext = Pick<
  AgentRequest,
  'url' | 'method' | 'initiator' | 'siteForCookies' | 'topLevelNavigation'
>;

/** Chromium's CookieOptions::SameSiteCookieContext, reduced to the three levels that matter. */
export type SameSiteContext = 'strict' | 'lax' | 'none';

/** A cookie as the agent shows it: plain data, JSON-serializable. */
export interface StoredCookie {
  name: string;
  value: string;
  /** The domain the cookie belongs to (without a leading dot). */
  domain: string;
  /** True when set without a Domain attribute: sent to exactly `domain`, not its subdomains. */
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: CookieDecision['sameSite'];
  /** Expiry in ms since the epoch, or null for a session cookie. */
  expires: number | null;
  /** Creation time in ms since the epoch. */
  creation: number | null;
}

/** The persisted form of a jar (tough-cookie's serialization format, so any tough-cookie tool can read it). */
export type CookieJarState = SerializedCookieJar;

export interface CookiesOptions {
  /** Where cookies live. Default: a fresh MemoryCookieStore. A later SQLite profile plugs in here. */
  store?: Store;
  /** Clock for expiry and creation times (ms since the epoch). Default Date.now. */
  now?: () => number;
}

export interface StoreResult {
  /** Names of the cookies accepted (a cookie accepted with a past expiry deletes the old one). */
  stored: string[];
  rejected: { name: string; reason: string }[];
}

/** The cookies of one request: the Cookie header (undefined when nothing is sent) and a decision per matching cookie. */
export interface CookieLookup {
  header: string | undefined;
  decisions: CookieDecision[];
}

/** Chromium kMaxCookieNamePlusValueSize. */
const MAX_NAME_VALUE_BYTES = 4096;

/** How the jar is asked for a URL's cookies: expiry is decided here, on the agent's clock. */
const MATCH_OPTIONS = { http: true, expire: false, sort: true } as const;

function effectiveSameSite(c: Cookie): CookieDecision['sameSite'] {
  switch (c.sameSite) {
    case 'strict':
    case 'lax':
    case 'none':
      return c.sameSite;
    default:
      return 'unspecified';
  }
}

function describeSameSite(s: CookieDecision['sameSite']): string {
  return s === 'unspecified'
    ? `it has no SameSite attribute, so it is treated as SameSite=Lax`
    : `it is SameSite=${s === 'strict' ? 'Strict' : s === 'lax' ? 'Lax' : 'None'}`;
}

/** The time a cookie expires (ms, -Infinity for "already"), or null for a session cookie. Max-Age wins over Expires (RFC 6265 §5.3 step 3). */
function expiryOf(c: Cookie, fallbackNow: number): number | null {
  if (typeof c.maxAge === 'number') {
    const base = c.creation instanceof Date ? c.creation.getTime() : fallbackNow;
    return c.maxAge <= 0 ? -Infinity : base + c.maxAge * 1000;
  }
  if (c.maxAge === '-Infinity') return -Infinity;
  if (c.expires instanceof Date) return c.expires.getTime();
  // tough-cookie spells "no expiry" (a session cookie) as expires 'Infinity'.
  return null;
}

/** The name a Set-Cookie line gives its cookie, for error reports when parsing fails. */
function nameOfLine(line: string): string {
  const pair = line.split(';', 1)[0] ?? '';
  const eq = pair.indexOf('=');
  return (eq === -1 ? '' : pair.slice(0, eq)).trim();
}

function rephrase(err: unknown, url: URL): string {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('Cookie has domain set to')) return 'its Domain attribute is a public suffix';
  if (message.startsWith("Cookie not in this host's domain")) {
    return `its Domain attribute does not domain-match the host ${url.hostname}`;
  }
  if (message.startsWith('Cookie is Secure but this is not a secure connection')) {
    return `it is Secure but ${serializeOrigin(url)} is not a potentially trustworthy origin`;
  }
  if (message.startsWith("Cookie is HttpOnly and this isn't an HTTP API")) return 'it is HttpOnly and was not set over HTTP';
  if (message.startsWith('old Cookie is HttpOnly')) return 'it would overwrite an HttpOnly cookie from a non-HTTP API';
  if (message.startsWith('Cookie has __Secure prefix')) return 'its name starts with __Secure- but it is not Secure';
  if (message.startsWith('Cookie has __Host prefix')) {
    return 'its name starts with __Host- but it is not Secure, has a Domain attribute, or its Path is not /';
  }
  return `the cookie jar refused it: ${message}`;
}

/** Describes where a cross-site request comes from and goes to, for reasons: "(https://rp.example → https://idp.example)". */
function crossSiteRoute(req: CookieRequestContext, url: URL): string {
  const to = serializeOrigin(url);
  const urlSite = siteOf(url);
  if (typeof req.initiator === 'string' && req.initiator !== 'user' && siteOf(req.initiator) !== urlSite) {
    return `(${req.initiator} → ${to})`;
  }
  return `(${serializeOrigin(req.siteForCookies ?? url)} → ${to})`;
}

/**
 * Whether a request is same-site for cookies (Chromium cookie_util.cc
 * `ComputeSameSiteContextForRequest`): the URL's site equals the site for cookies, and the
 * initiator (when there is one) is same-site with the URL. Sites are schemeful.
 */
export function isSameSiteRequest(req: CookieRequestContext, url: URL = req.url): boolean {
  const urlSite = siteOf(url);
  if (urlSite === 'null' || siteOf(req.siteForCookies ?? url) !== urlSite) return false;
  if (req.initiator === null || req.initiator === 'user') return true;
  return siteOf(req.initiator) === urlSite;
}

/**
 * The SameSite context of a request, for sending cookies: same-site → strict; a cross-site
 * top-level navigation with a safe method → lax; anything else → none.
 * (Chromium `ComputeSameSiteContextForRequest`; RFC 6265bis §5.8.3.)
 */
export function sameSiteContextForRequest(req: CookieRequestContext, url: URL = req.url): SameSiteContext {
  if (isSameSiteRequest(req, url)) return 'strict';
  return req.topLevelNavigation === true && req.method === 'GET' ? 'lax' : 'none';
}

/**
 * The SameSite context of a response, for setting cookies: same-site → strict; a cross-site
 * top-level navigation (any method) → lax; anything else → none, where only SameSite=None
 * cookies may be set. (Chromium `ComputeSameSiteContextForResponse`.)
 */
export function sameSiteContextForResponse(req: CookieRequestContext, url: URL = req.url): SameSiteContext {
  if (isSameSiteRequest(req, url)) return 'strict';
  return req.topLevelNavigation === true ? 'lax' : 'none';
}

/** A cookie jar with Chromium's SameSite rules and reasons for every cookie it withholds or refuses. */
export class Cookies {
  readonly jar: CookieJar;
  readonly now: () => number;
  /** The match of each URL until the jar changes: only for the jar's own store (cookie-match-cache.ts). */
  readonly #matches: CookieMatchCache | undefined;

  constructor(options: CookiesOptions = {}) {
    this.now = options.now ?? Date.now;
    const own = options.store === undefined ? new CountingMemoryCookieStore() : undefined;
    this.#matches = own === undefined ? undefined : new CookieMatchCache(own);
    this.jar = new CookieJar(options.store ?? own, {
      rejectPublicSuffixes: true,
      // Chromium accepts name-less cookies (`Set-Cookie: abc`); tough-cookie's loose mode does too.
      looseMode: true,
      allowSpecialUseDomain: true,
      allowSecureOnLocal: true,
      enforceSecureOriginOnStorage: true,
      // Refuse (rather than silently drop) cookies breaking the __Secure-/__Host- rules, so we can say why.
      prefixSecurity: 'strict',
    });
  }

  /**
   * The cookies for a request: every cookie whose domain, path, Secure flag and expiry match the
   * URL, each with the decision Chromium would take for the request's SameSite context, and the
   * Cookie header built from those sent (ordered as RFC 6265 §5.4 / Chromium: longer paths first,
   * then older first). `header` is undefined when nothing is sent.
   */
  async cookiesFor(req: CookieRequestContext): Promise<CookieLookup> {
    return this.cookiesForNow(req) ?? this.#decide(req, await this.matching(req.url));
  }

  /**
   * cookiesFor() without a promise, when the answer needs none: the jar's store is synchronous
   * (the agent's own memory store, a SQLite profile's) and no matching cookie has expired (which
   * would be removed first). Undefined otherwise: then call cookiesFor(). The fetcher asks this
   * first, so that a request's cookies cost no turn of the microtask queue.
   */
  cookiesForNow(req: CookieRequestContext): CookieLookup | undefined {
    const matching = this.#matchingNow(req.url);
    return matching === undefined ? undefined : this.#decide(req, matching);
  }

  #decide(req: CookieRequestContext, matching: readonly Cookie[]): CookieLookup {
    const url = req.url;
    const context = sameSiteContextForRequest(req, url);
    const decisions: CookieDecision[] = [];
    const sent: string[] = [];
    for (const c of matching) {
      const sameSite = effectiveSameSite(c);
      const reason = this.withholdReason(c, sameSite, context, req, url);
      if (reason === undefined) {
        decisions.push({ name: c.key, sameSite, sent: true });
        sent.push(c.key === '' ? c.value : `${c.key}=${c.value}`);
      } else {
        decisions.push({ name: c.key, sameSite, sent: false, reason: `cookie \`${c.key}\` was not sent: ${reason}` });
      }
    }
    return { header: sent.length > 0 ? sent.join('; ') : undefined, decisions };
  }

  private withholdReason(
    c: Cookie,
    sameSite: CookieDecision['sameSite'],
    context: SameSiteContext,
    req: CookieRequestContext,
    url: URL,
  ): string | undefined {
    if (sameSite === 'none') {
      // Only reachable for state imported from elsewhere: such cookies are refused at set time.
      return c.secure ? undefined : 'it is SameSite=None without Secure, which Chromium does not accept';
    }
    if (context === 'strict') return undefined;
    if (context === 'lax') {
      if (sameSite !== 'strict') return undefined;
      return `${describeSameSite(sameSite)} and the request is a cross-site top-level navigation ${crossSiteRoute(req, url)}`;
    }
    return `${describeSameSite(sameSite)} and the request is cross-site ${crossSiteRoute(req, url)}`;
  }

  /**
   * Stores the Set-Cookie lines of a response to `url`, for the request `req` (whose SameSite
   * context decides whether Lax/Strict cookies may be set). Never throws for a bad cookie: each
   * refused cookie is reported with a reason.
   */
  async store(url: URL, setCookieHeaders: readonly string[], req: CookieRequestContext): Promise<StoreResult> {
    const result: StoreResult = { stored: [], rejected: [] };
    const context = sameSiteContextForResponse(req, url);
    for (const line of setCookieHeaders) {
      const outcome = await this.setOne(url, line, { http: true, context, req });
      if (outcome.ok) result.stored.push(outcome.name);
      else result.rejected.push({ name: outcome.name, reason: outcome.reason });
    }
    return result;
  }

  /**
   * Sets one cookie as if `url` had sent it in a same-site response (or, with `http: false`, as
   * `document.cookie` would). Throws a TypeError with the reason when the cookie is refused.
   */
  async set(url: URL | string, cookie: string, options: { http?: boolean } = {}): Promise<void> {
    const u = typeof url === 'string' ? new URL(url) : url;
    const req: CookieRequestContext = { url: u, method: 'GET', initiator: 'user' };
    const outcome = await this.setOne(u, cookie, { http: options.http ?? true, context: 'strict', req });
    if (!outcome.ok) throw new TypeError(`cookie \`${outcome.name}\` was not stored: ${outcome.reason}`);
  }

  private async setOne(
    url: URL,
    line: string,
    opts: { http: boolean; context: SameSiteContext; req: CookieRequestContext },
  ): Promise<{ ok: true; name: string } | { ok: false; name: string; reason: string }> {
    const parsed = Cookie.parse(line, { loose: true });
    if (parsed === undefined) {
      return { ok: false, name: nameOfLine(line), reason: 'the Set-Cookie line could not be parsed' };
    }
    const name = parsed.key;
    if (Buffer.byteLength(name + parsed.value) > MAX_NAME_VALUE_BYTES) {
      return { ok: false, name, reason: `its name and value are longer than ${MAX_NAME_VALUE_BYTES} bytes` };
    }
    const sameSite = effectiveSameSite(parsed);
    if (sameSite === 'none' && !parsed.secure) {
      return { ok: false, name, reason: 'it is SameSite=None without Secure (Chromium requires Secure for SameSite=None)' };
    }
    if (opts.context === 'none' && sameSite !== 'none') {
      return {
        ok: false,
        name,
        reason: `${describeSameSite(sameSite)} and the response is to a cross-site request ${crossSiteRoute(opts.req, url)}; only SameSite=None; Secure cookies can be set there`,
      };
    }
    const now = this.now();
    absoluteExpiry(parsed, now);
    let stored: Cookie | undefined;
    try {
      stored = await this.jar.setCookie(parsed, url, { http: opts.http, now: new Date(now), ignoreError: false });
    } catch (err) {
      return { ok: false, name, reason: rephrase(err, url) };
    }
    // An expiry in the past deletes the cookie (RFC 6265 §5.3 step 11 and the eviction that follows).
    const expiry = stored === undefined ? null : expiryOf(stored, now);
    if (stored !== undefined && expiry !== null && expiry <= now) {
      await this.jar.store.removeCookie(stored.domain, stored.path, stored.key);
    }
    return { ok: true, name };
  }

  /**
   * `document.cookie` for a document at `url` (HTML "cookie" getter): its non-HttpOnly cookies.
   * Synchronous, as the DOM API is, so the jar's store must be synchronous (the memory and
   * SQLite stores are).
   */
  documentCookie(url: URL): string {
    const now = this.now();
    return this.jar
      .getCookiesSync(url, { http: false, expire: false, sort: true })
      .filter((c) => {
        const expiry = expiryOf(c, now);
        return expiry === null || expiry > now;
      })
      .map((c) => (c.key === '' ? c.value : `${c.key}=${c.value}`))
      .join('; ');
  }

  /** The `document.cookie` setter: refused cookies are ignored, as in browsers. */
  setDocumentCookie(url: URL, line: string): void {
    const parsed = Cookie.parse(line, { loose: true });
    if (parsed === undefined || parsed.httpOnly) return;
    if (Buffer.byteLength(parsed.key + parsed.value) > MAX_NAME_VALUE_BYTES) return;
    if (effectiveSameSite(parsed) === 'none' && !parsed.secure) return;
    const now = this.now();
    absoluteExpiry(parsed, now);
    this.jar.setCookieSync(parsed, url, { http: false, now: new Date(now), ignoreError: true });
  }

  /** Cookies matching the URL's host, path and scheme that have not expired, in Cookie-header order. */
  private async matching(url: URL): Promise<readonly Cookie[]> {
    const found = this.jar.store.synchronous ? this.#find(url) : await this.jar.getCookies(url, MATCH_OPTIONS);
    const now = this.now();
    const live: Cookie[] = [];
    for (const c of found) {
      const expiry = expiryOf(c, now);
      if (expiry !== null && expiry <= now) {
        await this.jar.store.removeCookie(c.domain, c.path, c.key);
        continue;
      }
      live.push(c);
    }
    return live;
  }

  /** matching() when it needs no promise: a synchronous store and nothing expired among the matches. */
  #matchingNow(url: URL): readonly Cookie[] | undefined {
    if (!this.jar.store.synchronous) return undefined;
    const found = this.#find(url);
    const now = this.now();
    for (const c of found) {
      const expiry = expiryOf(c, now);
      if (expiry !== null && expiry <= now) return undefined;
    }
    return found;
  }

  /** The store's matches for the URL (a synchronous store), from the match cache when the store is the agent's own. */
  #find(url: URL): readonly Cookie[] {
    // A synchronous store (memory, SQLite) is read without tough-cookie's callback-to-promise round.
    return this.#matches !== undefined ? this.#matches.match(url, () => this.jar.getCookiesSync(url, MATCH_OPTIONS)) : this.jar.getCookiesSync(url, MATCH_OPTIONS);
  }

  /** Every cookie in the jar that has not expired, as plain data. */
  async all(): Promise<StoredCookie[]> {
    const cookies = await this.jar.store.getAllCookies();
    const now = this.now();
    return cookies.filter((c) => {
      const e = expiryOf(c, now);
      return e === null || e > now;
    }).map(toStored);
  }

  /** The unexpired cookies that would match `url` by domain, path and Secure (before SameSite), or all of them. */
  async list(url?: URL): Promise<StoredCookie[]> {
    if (url === undefined) return this.all();
    return (await this.matching(url)).map(toStored);
  }

  /** Removes every cookie. */
  async clear(): Promise<void> {
    await this.jar.removeAllCookies();
  }

  /** The jar's state, for persisting. Needs a synchronous store (the default MemoryCookieStore is); otherwise use {@link serialize}. */
  toJSON(): CookieJarState {
    const state = this.jar.serializeSync();
    if (state === undefined) throw new TypeError('the cookie store cannot be serialized (it does not implement getAllCookies)');
    return state;
  }

  /** The jar's state, for persisting, with any store. */
  async serialize(): Promise<CookieJarState> {
    return this.jar.serialize();
  }

  /** A jar holding a state produced by {@link toJSON}. The store, if given, must be synchronous. */
  static fromJSON(state: CookieJarState | string, options: CookiesOptions = {}): Cookies {
    const cookies = new Cookies(options);
    // deserializeSync builds a throwaway CookieJar over our store; the cookies land in the store.
    CookieJar.deserializeSync(state, cookies.jar.store);
    return cookies;
  }
}

function toStored(c: Cookie): StoredCookie {
  const expiry = expiryOf(c, Date.now());
  return {
    name: c.key,
    value: c.value,
    domain: c.domain ?? '',
    hostOnly: c.hostOnly === true,
    path: c.path ?? '/',
    secure: c.secure,
    httpOnly: c.httpOnly,
    sameSite: effectiveSameSite(c),
    expires: expiry === null ? null : Number.isFinite(expiry) ? expiry : 0,
    creation: c.creation instanceof Date ? c.creation.getTime() : null,
  };
}

/**
 * Turns Max-Age into an absolute expiry on our clock: tough-cookie measures Max-Age from the
 * last access, and reads Date.now() itself, which an injected clock cannot reach.
 */
function absoluteExpiry(parsed: Cookie, now: number): void {
  if (typeof parsed.maxAge === 'number' || parsed.maxAge === '-Infinity') {
    const seconds = typeof parsed.maxAge === 'number' ? parsed.maxAge : -1;
    parsed.expires = new Date(seconds <= 0 ? 0 : now + seconds * 1000);
    parsed.maxAge = null;
  }
}
