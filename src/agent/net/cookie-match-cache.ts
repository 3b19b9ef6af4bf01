// The cookies a URL matches, remembered until the jar changes. tough-cookie's getCookies()
// recomputes the match for every request (the URL's public suffix through tldts, every domain
// and path permutation, a promise callback even for a synchronous store, the sort): ~4 % of a
// sign-in through in-process handlers, for the same two or three IdP URLs every time. Its answer
// (with `expire: false`, as Cookies.matching asks) depends on nothing but the store's contents and
// the URL's scheme, host and path, so it can be kept until the store changes: the same Cookie
// objects, in the same order, with lastAccessed stamped as getCookies stamps it. Expiry is still
// decided by the caller on every request, with its own clock.
//
// Only for a store whose every change is seen: the agent's own MemoryCookieStore, made here with
// a change counter. A store someone else can write to (a SQLite profile another agent shares, a
// browser context's cookies under Playwright) is matched by tough-cookie every time.

import { MemoryCookieStore } from 'tough-cookie';
import type { Cookie, ErrorCallback, Nullable } from 'tough-cookie';

/** A MemoryCookieStore that counts its changes (every write goes through one of these methods). */
export class CountingMemoryCookieStore extends MemoryCookieStore {
  /** Bumped before and after every change, so no answer computed during one is kept. */
  changes = 0;

  override putCookie(cookie: Cookie): Promise<void>;
  override putCookie(cookie: Cookie, callback: ErrorCallback): void;
  override putCookie(cookie: Cookie, callback?: ErrorCallback): Promise<void> | void {
    this.changes++;
    try {
      return callback === undefined ? super.putCookie(cookie) : super.putCookie(cookie, callback);
    } finally {
      this.changes++;
    }
  }

  override updateCookie(oldCookie: Cookie, newCookie: Cookie): Promise<void>;
  override updateCookie(oldCookie: Cookie, newCookie: Cookie, callback: ErrorCallback): void;
  override updateCookie(oldCookie: Cookie, newCookie: Cookie, callback?: ErrorCallback): Promise<void> | void {
    this.changes++;
    try {
      return callback === undefined ? super.updateCookie(oldCookie, newCookie) : super.updateCookie(oldCookie, newCookie, callback);
    } finally {
      this.changes++;
    }
  }

  override removeCookie(domain: string, path: string, key: string): Promise<void>;
  override removeCookie(domain: string, path: string, key: string, callback: ErrorCallback): void;
  override removeCookie(domain: string, path: string, key: string, callback?: ErrorCallback): Promise<void> | void {
    this.changes++;
    try {
      return callback === undefined ? super.removeCookie(domain, path, key) : super.removeCookie(domain, path, key, callback);
    } finally {
      this.changes++;
    }
  }

  override removeCookies(domain: string, path: Nullable<string>): Promise<void>;
  override removeCookies(domain: string, path: Nullable<string>, callback: ErrorCallback): void;
  override removeCookies(domain: string, path: Nullable<string>, callback?: ErrorCallback): Promise<void> | void {
    this.changes++;
    try {
      return callback === undefined ? super.removeCookies(domain, path as string) : super.removeCookies(domain, path as string, callback);
    } finally {
      this.changes++;
    }
  }

  override removeAllCookies(): Promise<void>;
  override removeAllCookies(callback: ErrorCallback): void;
  override removeAllCookies(callback?: ErrorCallback): Promise<void> | void {
    this.changes++;
    try {
      return callback === undefined ? super.removeAllCookies() : super.removeAllCookies(callback);
    } finally {
      this.changes++;
    }
  }
}

/** At most this many URLs are remembered between two changes (then the oldest half is let go). */
const MAX_ENTRIES = 256;

/** getCookies() answers by URL, valid while the store's change counter stands still. */
export class CookieMatchCache {
  readonly #store: CountingMemoryCookieStore;
  #changes = -1;
  readonly #entries = new Map<string, readonly Cookie[]>();

  constructor(store: CountingMemoryCookieStore) {
    this.#store = store;
  }

  /**
   * The cookies `compute` finds for `url` (tough-cookie's getCookiesSync with `expire: false`),
   * from the last call for the same scheme, host and path when the store has not changed since.
   * A remembered answer gets lastAccessed stamped as getCookies stamps it (one Date for all).
   */
  match(url: URL, compute: () => Cookie[]): readonly Cookie[] {
    if (this.#store.changes !== this.#changes) {
      this.#entries.clear();
      this.#changes = this.#store.changes;
    }
    // tough-cookie reads exactly these of the URL: the host and path to match, the scheme and
    // host for "potentially trustworthy" (Secure cookies).
    const key = `${url.protocol}//${url.hostname}${url.pathname}`;
    const known = this.#entries.get(key);
    if (known !== undefined) {
      const now = new Date();
      for (const c of known) c.lastAccessed = now;
      return known;
    }
    const found = compute();
    // Computing never changes the store with `expire: false`; if something else did meanwhile, keep nothing.
    if (this.#store.changes === this.#changes) {
      if (this.#entries.size >= MAX_ENTRIES) {
        let drop = MAX_ENTRIES / 2;
        for (const k of this.#entries.keys()) {
          if (drop-- <= 0) break;
          this.#entries.delete(k);
        }
      }
      this.#entries.set(key, found);
    }
    return found;
  }
}
