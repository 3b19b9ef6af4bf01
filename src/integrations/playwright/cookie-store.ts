// The browser context's cookie jar as a tough-cookie Store, so that the agent and the real
// browser share one jar (AgentOptions.cookieStore): an IdP session made in a real page is sent
// on the agent's accounts request, and cookies the IdP sets on FedCM responses land in the
// context, where the pages see them. The agent's Cookies class keeps deciding what is sent and
// stored (Chromium's SameSite rules, RFC 6265bis); this store only reads and writes the jar
// through Playwright: context.cookies(), addCookies(), clearCookies().
//
// Mapping: Playwright names a domain cookie with a leading dot (".idp.example") and a host-only
// one without; tough-cookie keeps the bare domain and a hostOnly flag. A session cookie is
// expires -1 in Playwright and "Infinity" in tough-cookie. Partitioned cookies (CHIPS) belong
// to another top-level site and are left out. Playwright keeps no creation time, so cookies of
// equal path length keep the browser's order.

import { Cookie, Store, pathMatch, permuteDomain, type Callback, type ErrorCallback, type Nullable } from 'tough-cookie';
import type { BrowserContext } from 'playwright-core';

type PlaywrightCookie = Awaited<ReturnType<BrowserContext['cookies']>>[number];
type CookieToAdd = Parameters<BrowserContext['addCookies']>[0][number];

/** Settles `callback` from `work`, or returns the promise when there is none (tough-cookie calls both ways). */
function settle<T>(work: () => Promise<T>, callback: Callback<T> | undefined): Promise<T> | undefined {
  const p = Promise.resolve().then(work);
  if (!callback) return p;
  p.then(
    (value) => callback(null, value),
    (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
  );
  return undefined;
}

function done(work: () => Promise<void>, callback: ErrorCallback | undefined): Promise<void> | undefined {
  const p = Promise.resolve().then(work);
  if (!callback) return p;
  p.then(
    () => callback(null),
    (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
  );
  return undefined;
}

/** A browser cookie as tough-cookie's Cookie. */
export function toToughCookie(c: PlaywrightCookie): Cookie {
  const sameSite = c.sameSite.toLowerCase();
  return new Cookie({
    key: c.name,
    value: c.value,
    domain: c.domain.replace(/^\./, ''),
    hostOnly: !c.domain.startsWith('.'),
    path: c.path,
    expires: c.expires < 0 ? 'Infinity' : new Date(c.expires * 1000),
    secure: c.secure,
    httpOnly: c.httpOnly,
    sameSite,
  });
}

/** tough-cookie's Cookie as a cookie for context.addCookies(). */
export function toBrowserCookie(c: Cookie): CookieToAdd {
  const domain = c.domain ?? '';
  const sameSite = c.sameSite === 'strict' ? 'Strict' : c.sameSite === 'lax' ? 'Lax' : c.sameSite === 'none' ? 'None' : undefined;
  return {
    name: c.key,
    value: c.value,
    domain: c.hostOnly === false ? `.${domain}` : domain,
    path: c.path ?? '/',
    expires: c.expires instanceof Date ? c.expires.getTime() / 1000 : -1,
    httpOnly: c.httpOnly,
    secure: c.secure,
    ...(sameSite === undefined ? {} : { sameSite }),
  };
}

/** The context's jar, read and written through Playwright (asynchronous: `synchronous` is false). */
export class BrowserContextCookieStore extends Store {
  readonly #context: BrowserContext;

  constructor(context: BrowserContext) {
    super();
    this.synchronous = false;
    this.#context = context;
  }

  /** Every unpartitioned cookie of the context. */
  async #browserCookies(): Promise<PlaywrightCookie[]> {
    return (await this.#context.cookies()).filter((c) => c.partitionKey === undefined);
  }

  async #all(): Promise<Cookie[]> {
    return (await this.#browserCookies()).map(toToughCookie);
  }

  /** Removes the browser's cookies named (domain, path, key), host-only and domain variants both. */
  async #remove(domain: string, path: string | undefined, key: string | undefined, keep?: Cookie): Promise<void> {
    for (const c of await this.#browserCookies()) {
      if (c.domain.replace(/^\./, '') !== domain) continue;
      if (path !== undefined && c.path !== path) continue;
      if (key !== undefined && c.name !== key) continue;
      if (keep !== undefined && c.domain === toBrowserCookie(keep).domain) continue;
      await this.#context.clearCookies({ name: c.name, domain: c.domain, path: c.path });
    }
  }

  override findCookie(domain: Nullable<string>, path: Nullable<string>, key: Nullable<string>): Promise<Cookie | undefined>;
  override findCookie(domain: Nullable<string>, path: Nullable<string>, key: Nullable<string>, callback: Callback<Cookie | undefined>): void;
  override findCookie(domain: Nullable<string>, path: Nullable<string>, key: Nullable<string>, callback?: Callback<Cookie | undefined>): Promise<Cookie | undefined> | undefined {
    return settle(async () => {
      if (domain == null || path == null || key == null) return undefined;
      return (await this.#all()).find((c) => c.domain === domain && c.path === path && c.key === key);
    }, callback);
  }

  override findCookies(domain: Nullable<string>, path: Nullable<string>, allowSpecialUseDomain?: boolean): Promise<Cookie[]>;
  override findCookies(domain: Nullable<string>, path: Nullable<string>, allowSpecialUseDomain?: boolean, callback?: Callback<Cookie[]>): void;
  override findCookies(domain: Nullable<string>, path: Nullable<string>, allowSpecialUseDomain = false, callback?: Callback<Cookie[]>): Promise<Cookie[]> | undefined {
    return settle(async () => {
      if (!domain) return [];
      const domains = permuteDomain(domain, allowSpecialUseDomain) ?? [domain];
      return (await this.#all()).filter((c) => domains.includes(c.domain ?? '') && (!path || pathMatch(path, c.path ?? '/')));
    }, callback);
  }

  override putCookie(cookie: Cookie): Promise<void>;
  override putCookie(cookie: Cookie, callback: ErrorCallback): void;
  override putCookie(cookie: Cookie, callback?: ErrorCallback): Promise<void> | undefined {
    return done(async () => {
      // One cookie per (domain, path, name), as tough-cookie's stores keep them: the other
      // variant (host-only or domain) of the same name goes.
      if (cookie.domain != null && cookie.path != null) await this.#remove(cookie.domain, cookie.path, cookie.key, cookie);
      await this.#context.addCookies([toBrowserCookie(cookie)]);
    }, callback);
  }

  override updateCookie(oldCookie: Cookie, newCookie: Cookie): Promise<void>;
  override updateCookie(oldCookie: Cookie, newCookie: Cookie, callback: ErrorCallback): void;
  override updateCookie(_oldCookie: Cookie, newCookie: Cookie, callback?: ErrorCallback): Promise<void> | undefined {
    // The jar updates a cookie only under the same (domain, path, key): putting it replaces it.
    return done(() => this.putCookie(newCookie), callback);
  }

  override removeCookie(domain: Nullable<string>, path: Nullable<string>, key: Nullable<string>): Promise<void>;
  override removeCookie(domain: Nullable<string>, path: Nullable<string>, key: Nullable<string>, callback: ErrorCallback): void;
  override removeCookie(domain: Nullable<string>, path: Nullable<string>, key: Nullable<string>, callback?: ErrorCallback): Promise<void> | undefined {
    return done(async () => {
      if (domain == null || path == null || key == null) return;
      await this.#remove(domain, path, key);
    }, callback);
  }

  override removeCookies(domain: string, path: Nullable<string>): Promise<void>;
  override removeCookies(domain: string, path: Nullable<string>, callback: ErrorCallback): void;
  override removeCookies(domain: string, path: Nullable<string>, callback?: ErrorCallback): Promise<void> | undefined {
    // As MemoryCookieStore: a path removes that path's cookies, no path the whole domain.
    return done(() => this.#remove(domain, path ?? undefined, undefined), callback);
  }

  override removeAllCookies(): Promise<void>;
  override removeAllCookies(callback: ErrorCallback): void;
  override removeAllCookies(callback?: ErrorCallback): Promise<void> | undefined {
    return done(() => this.#context.clearCookies(), callback);
  }

  override getAllCookies(): Promise<Cookie[]>;
  override getAllCookies(callback: Callback<Cookie[]>): void;
  override getAllCookies(callback?: Callback<Cookie[]>): Promise<Cookie[]> | undefined {
    return settle(() => this.#all(), callback);
  }
}
