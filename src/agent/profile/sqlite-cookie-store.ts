// A tough-cookie Store kept in the profile's SQLite database, so a cookie set in one run is sent
// in the next (a browser profile's "Cookies" database).
//
// It mirrors tough-cookie 6's MemoryCookieStore (node_modules/tough-cookie/dist/index.js,
// lib/memstore.ts) method by method, so a jar behaves the same over either store:
//   - findCookies looks up the exact domains `permuteDomain(domain, allowSpecialUseDomain)`
//     yields (or the domain alone when it yields nothing), then keeps the paths `pathMatch`
//     accepts (all of them for an empty path); a callback in third position means
//     allowSpecialUseDomain = true, as there.
//   - findCookie/putCookie ignore a null domain, path or key; updateCookie is putCookie of the new
//     cookie; removeCookies without a path removes the whole domain.
//   - getAllCookies returns cookies in creation order (MemoryCookieStore sorts by creationIndex).
//     Here a row's `seq` is that order, persisted: it is assigned on insert and kept on update,
//     as the jar keeps creationIndex when it replaces a cookie.
// `synchronous = true`, like MemoryCookieStore: better-sqlite3 is synchronous, every callback is
// called before the method returns, so the jar's *Sync methods (serializeSync, used by
// Cookies.toJSON) work.
//
// Differences, on purpose: cookies come back as fresh Cookie objects, not the stored instances,
// so the jar's in-memory `lastAccessed` updates are not persisted (Chromium persists last access
// lazily too, and nothing in the agent reads it). A store failure is passed to the callback (or
// rejects) instead of being thrown.
//
// Cookie values are secrets: nothing here logs a cookie, and errors name no value.

import { Cookie, Store, pathMatch, permuteDomain } from 'tough-cookie';
import type { Callback, ErrorCallback, Nullable } from 'tough-cookie';
import type Database from 'better-sqlite3';

interface CookieRow {
  seq: number;
  domain: string;
  path: string;
  /** Cookie.toJSON(), the format tough-cookie serializes jars in. */
  cookie: string;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Answers like tough-cookie's createPromiseCallback: the callback synchronously, else a promise. */
function answer<T>(compute: () => T, callback: Callback<T> | undefined): Promise<T> | undefined {
  let value: T;
  try {
    value = compute();
  } catch (e) {
    if (callback) {
      callback(asError(e));
      return undefined;
    }
    return Promise.reject(asError(e));
  }
  if (callback) {
    callback(null, value);
    return undefined;
  }
  return Promise.resolve(value);
}

function perform(action: () => void, callback: ErrorCallback | undefined): Promise<void> | undefined {
  try {
    action();
  } catch (e) {
    if (callback) {
      callback(asError(e));
      return undefined;
    }
    return Promise.reject(asError(e));
  }
  if (callback) {
    callback(null);
    return undefined;
  }
  return Promise.resolve();
}

/**
 * The cookies table, as the profile's migrations create it (./sqlite-migrations.ts owns the
 * schema; this store only reads and writes rows).
 */
export class SqliteCookieStore extends Store {
  readonly #find: Database.Statement<[string, string, string], CookieRow>;
  readonly #byDomains: Database.Statement<[string], CookieRow>;
  readonly #put: Database.Statement<[string, string, string, string]>;
  readonly #remove: Database.Statement<[string, string, string]>;
  readonly #removePath: Database.Statement<[string, string]>;
  readonly #removeDomain: Database.Statement<[string]>;
  readonly #removeAll: Database.Statement<[]>;
  readonly #all: Database.Statement<[], CookieRow>;

  /** `db` is the profile's open connection; the profile closes it. */
  constructor(db: Database.Database) {
    super();
    this.synchronous = true;
    const columns = 'seq, domain, path, cookie';
    this.#find = db.prepare(`SELECT ${columns} FROM cookies WHERE domain = ? AND path = ? AND name = ?`);
    this.#byDomains = db.prepare(`SELECT ${columns} FROM cookies WHERE domain IN (SELECT value FROM json_each(?)) ORDER BY seq`);
    // ON CONFLICT … DO UPDATE keeps the row, so its seq (creation order) survives an update.
    this.#put = db.prepare(
      `INSERT INTO cookies (domain, path, name, cookie) VALUES (?, ?, ?, ?)
       ON CONFLICT (domain, path, name) DO UPDATE SET cookie = excluded.cookie`,
    );
    this.#remove = db.prepare('DELETE FROM cookies WHERE domain = ? AND path = ? AND name = ?');
    this.#removePath = db.prepare('DELETE FROM cookies WHERE domain = ? AND path = ?');
    this.#removeDomain = db.prepare('DELETE FROM cookies WHERE domain = ?');
    this.#removeAll = db.prepare('DELETE FROM cookies');
    this.#all = db.prepare(`SELECT ${columns} FROM cookies ORDER BY seq`);
  }

  override findCookie(domain: Nullable<string>, path: Nullable<string>, key: Nullable<string>): Promise<Cookie | undefined>;
  override findCookie(domain: Nullable<string>, path: Nullable<string>, key: Nullable<string>, callback: Callback<Cookie | undefined>): void;
  override findCookie(
    domain: Nullable<string>,
    path: Nullable<string>,
    key: Nullable<string>,
    callback?: Callback<Cookie | undefined>,
  ): Promise<Cookie | undefined> | undefined {
    return answer(() => {
      if (domain == null || path == null || key == null) return undefined;
      const row = this.#find.get(domain, path, key);
      return row && toCookie(row);
    }, callback);
  }

  override findCookies(domain: Nullable<string>, path: Nullable<string>, allowSpecialUseDomain?: boolean): Promise<Cookie[]>;
  override findCookies(
    domain: Nullable<string>,
    path: Nullable<string>,
    allowSpecialUseDomain?: boolean,
    callback?: Callback<Cookie[]>,
  ): void;
  override findCookies(
    domain: Nullable<string>,
    path: Nullable<string>,
    allowSpecialUseDomain: boolean | Callback<Cookie[]> = false,
    callback?: Callback<Cookie[]>,
  ): Promise<Cookie[]> | undefined {
    // MemoryCookieStore: `findCookies(domain, path, callback)` means allowSpecialUseDomain = true.
    let allowSpecial: boolean;
    if (typeof allowSpecialUseDomain === 'function') {
      callback = allowSpecialUseDomain;
      allowSpecial = true;
    } else {
      allowSpecial = allowSpecialUseDomain;
    }
    return answer(() => {
      if (!domain) return [];
      const domains = permuteDomain(domain, allowSpecial) ?? [domain];
      // MemoryCookieStore walks the domains in permuteDomain's order (the registrable domain
      // first), each in creation order; the query gives creation order, a stable sort the rest.
      // Cookies are built in creation order first, so their creationIndex follows it (see toCookie).
      const rank = new Map(domains.map((d, i) => [d, i]));
      return this.#byDomains
        .all(JSON.stringify(domains))
        .filter((r) => !path || pathMatch(path, r.path))
        .flatMap((r) => {
          const cookie = toCookie(r);
          return cookie ? [{ cookie, rank: rank.get(r.domain) ?? 0 }] : [];
        })
        .sort((a, b) => a.rank - b.rank)
        .map((x) => x.cookie);
    }, callback);
  }

  override putCookie(cookie: Cookie): Promise<void>;
  override putCookie(cookie: Cookie, callback: ErrorCallback): void;
  override putCookie(cookie: Cookie, callback?: ErrorCallback): Promise<void> | undefined {
    return perform(() => this.#putNow(cookie), callback);
  }

  override updateCookie(oldCookie: Cookie, newCookie: Cookie): Promise<void>;
  override updateCookie(oldCookie: Cookie, newCookie: Cookie, callback: ErrorCallback): void;
  override updateCookie(_oldCookie: Cookie, newCookie: Cookie, callback?: ErrorCallback): Promise<void> | undefined {
    // As MemoryCookieStore: the jar only updates a cookie under the same (domain, path, key).
    return perform(() => this.#putNow(newCookie), callback);
  }

  override removeCookie(domain: Nullable<string>, path: Nullable<string>, key: Nullable<string>): Promise<void>;
  override removeCookie(domain: Nullable<string>, path: Nullable<string>, key: Nullable<string>, callback: ErrorCallback): void;
  override removeCookie(
    domain: Nullable<string>,
    path: Nullable<string>,
    key: Nullable<string>,
    callback?: ErrorCallback,
  ): Promise<void> | undefined {
    return perform(() => {
      if (domain == null || path == null || key == null) return;
      this.#remove.run(domain, path, key);
    }, callback);
  }

  override removeCookies(domain: string, path: Nullable<string>): Promise<void>;
  override removeCookies(domain: string, path: Nullable<string>, callback: ErrorCallback): void;
  override removeCookies(domain: string, path: Nullable<string>, callback?: ErrorCallback): Promise<void> | undefined {
    return perform(() => {
      // MemoryCookieStore: a path removes that path's cookies, no path the whole domain.
      if (path) this.#removePath.run(domain, path);
      else this.#removeDomain.run(domain);
    }, callback);
  }

  override removeAllCookies(): Promise<void>;
  override removeAllCookies(callback: ErrorCallback): void;
  override removeAllCookies(callback?: ErrorCallback): Promise<void> | undefined {
    return perform(() => {
      this.#removeAll.run();
    }, callback);
  }

  override getAllCookies(): Promise<Cookie[]>;
  override getAllCookies(callback: Callback<Cookie[]>): void;
  override getAllCookies(callback?: Callback<Cookie[]>): Promise<Cookie[]> | undefined {
    return answer(() => this.#all.all().flatMap((r) => toCookie(r) ?? []), callback);
  }

  #putNow(cookie: Cookie): void {
    const { domain, path, key } = cookie;
    // MemoryCookieStore drops a cookie without domain, path or key (the jar always sets them).
    if (domain == null || path == null || key == null) return;
    this.#put.run(domain, path, key, JSON.stringify(cookie.toJSON()));
  }
}

/**
 * A row back into a Cookie. A row that is not a cookie (edited by hand, say) is skipped, as a
 * browser skips a cookie it cannot load, rather than failing every request that would match it.
 * Rows are read in seq order, so the Cookie objects' creationIndex (a per-process counter that
 * cookieCompare uses after the creation time) follows the persisted creation order.
 */
function toCookie(row: CookieRow): Cookie | undefined {
  return Cookie.fromJSON(row.cookie);
}
