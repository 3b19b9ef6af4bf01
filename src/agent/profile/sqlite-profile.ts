// The persistent profile: one SQLite file (better-sqlite3, synchronous like the Profile
// interface) holding everything MemoryProfile holds (login status, connected accounts, the
// prevent-silent-access flags, dismissal cooldowns, the auto re-authentication quiet period,
// the credential store), plus the cookie jar's cookies (./sqlite-cookie-store.ts) and WebAuthn's
// virtual authenticators and passkeys (./sqlite-webauthn-store.ts), so a second run (or a second
// process) picks up where the first left off, as a browser profile directory does.
//
// How the file is claimed, checked, kept private and migrated, and why: ./sqlite-file.ts; its
// schema: ./sqlite-migrations.ts. Every method here is one SQL statement (atomic on its own).

import type Database from 'better-sqlite3';
import { SqliteCookieStore } from './sqlite-cookie-store.js';
import { openProfileFile } from './sqlite-file.js';
import { SqliteWebAuthnStore } from './sqlite-webauthn-store.js';
import type { Connection, DismissEmbargo, LoginStatus, Profile, StoredCredential, StoredCredentialKey } from './profile.js';

export interface SqliteProfileOptions {
  /** How long to wait for a lock another process holds, ms (default 5000). */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous`: 'full' (default) makes every write durable on return; 'normal' is
   * still atomic and never corrupts, but may lose the latest writes on power loss.
   */
  synchronous?: 'full' | 'normal';
}

interface StoredCredentialRow {
  type: 'password' | 'federated';
  origin: string;
  id: string;
  provider: string;
  protocol: string | null;
  password: string | null;
  name: string;
  icon_url: string;
}

function fromCredentialRow(r: StoredCredentialRow): StoredCredential {
  const common = { origin: r.origin, id: r.id, name: r.name, iconURL: r.icon_url };
  return r.type === 'password'
    ? { type: 'password', ...common, password: r.password ?? '' }
    : { type: 'federated', ...common, provider: r.provider, protocol: r.protocol };
}

function toCredentialRow(c: StoredCredential): StoredCredentialRow {
  const common = { origin: c.origin, id: c.id, name: c.name, icon_url: c.iconURL };
  return c.type === 'password'
    ? { type: 'password', ...common, provider: '', protocol: null, password: c.password }
    : { type: 'federated', ...common, provider: c.provider, protocol: c.protocol, password: null };
}

/** The profile's statements, prepared once (this also checks that the tables are there). */
function statements(db: Database.Database) {
  return {
    getLoginStatus: db.prepare<[string], { status: string }>('SELECT status FROM login_status WHERE origin = ?'),
    setLoginStatus: db.prepare<[string, string]>(
      'INSERT INTO login_status (origin, status) VALUES (?, ?) ON CONFLICT (origin) DO UPDATE SET status = excluded.status',
    ),
    connections: db.prepare<[string, string, string], { embedder: string; rp: string; idp: string; account_id: string; last_used: number }>(
      'SELECT embedder, rp, idp, account_id, last_used FROM connections WHERE embedder = ? AND rp = ? AND idp = ? ORDER BY seq',
    ),
    // DO UPDATE keeps the row and its seq: a re-added tuple keeps its place, as in a Map.
    addConnection: db.prepare<[string, string, string, string, number]>(
      `INSERT INTO connections (embedder, rp, idp, account_id, last_used) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (embedder, rp, idp, account_id) DO UPDATE SET last_used = excluded.last_used`,
    ),
    removeConnections: db.prepare<[string, string, string]>('DELETE FROM connections WHERE embedder = ? AND rp = ? AND idp = ?'),
    removeConnection: db.prepare<[string, string, string, string]>(
      'DELETE FROM connections WHERE embedder = ? AND rp = ? AND idp = ? AND account_id = ?',
    ),
    preventsSilentAccess: db.prepare<[string], { origin: string }>('SELECT origin FROM prevent_silent_access WHERE origin = ?'),
    preventSilentAccess: db.prepare<[string]>('INSERT INTO prevent_silent_access (origin) VALUES (?) ON CONFLICT (origin) DO NOTHING'),
    allowSilentAccess: db.prepare<[string]>('DELETE FROM prevent_silent_access WHERE origin = ?'),
    getDismissEmbargo: db.prepare<[string], { until: number; dismissals: number }>('SELECT until, dismissals FROM dismiss_embargo WHERE site = ?'),
    setDismissEmbargo: db.prepare<[string, number, number]>(
      `INSERT INTO dismiss_embargo (site, until, dismissals) VALUES (?, ?, ?)
       ON CONFLICT (site) DO UPDATE SET until = excluded.until, dismissals = excluded.dismissals`,
    ),
    clearDismissEmbargo: db.prepare<[string]>('DELETE FROM dismiss_embargo WHERE site = ?'),
    getLastAutoReauthn: db.prepare<[string], { at: number }>('SELECT at FROM auto_reauthn WHERE site = ?'),
    setLastAutoReauthn: db.prepare<[string, number]>('INSERT INTO auto_reauthn (site, at) VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET at = excluded.at'),
    clearLastAutoReauthn: db.prepare<[string]>('DELETE FROM auto_reauthn WHERE site = ?'),
    storedCredentials: db.prepare<[string], StoredCredentialRow>(
      'SELECT type, origin, id, provider, protocol, password, name, icon_url FROM stored_credentials WHERE origin = ? ORDER BY seq',
    ),
    putStoredCredential: db.prepare<[StoredCredentialRow]>(
      `INSERT INTO stored_credentials (type, origin, id, provider, protocol, password, name, icon_url)
       VALUES (@type, @origin, @id, @provider, @protocol, @password, @name, @icon_url)
       ON CONFLICT (type, origin, id, provider) DO UPDATE SET
         protocol = excluded.protocol, password = excluded.password, name = excluded.name, icon_url = excluded.icon_url`,
    ),
    deleteStoredCredential: db.prepare<[string, string, string, string]>(
      'DELETE FROM stored_credentials WHERE type = ? AND origin = ? AND id = ? AND provider = ?',
    ),
    silentAccessAllowed: db.prepare<[string], { origin: string }>('SELECT origin FROM silent_access_allowed WHERE origin = ?'),
    allowSilentAccessByUser: db.prepare<[string]>('INSERT INTO silent_access_allowed (origin) VALUES (?) ON CONFLICT (origin) DO NOTHING'),
    revokeSilentAccessByUser: db.prepare<[string]>('DELETE FROM silent_access_allowed WHERE origin = ?'),
  };
}

/** A Profile kept in a SQLite file. Open with {@link SqliteProfile.open}; {@link close} when done. */
export class SqliteProfile implements Profile {
  /** The profile file, as given to open(). */
  readonly path: string;
  /** The cookie jar's store, in the same database (for `new Cookies({ store })`). */
  readonly cookieStore: SqliteCookieStore;
  /**
   * WebAuthn's authenticators and credentials (private keys included), in the same database.
   * An agent given this profile uses it (`createWebAuthn(core, { store: profile.webauthnStore })`).
   */
  readonly webauthnStore: SqliteWebAuthnStore;
  readonly #db: Database.Database;
  readonly #q: ReturnType<typeof statements>;

  private constructor(path: string, db: Database.Database, synchronous: 'full' | 'normal') {
    this.path = path;
    this.#db = db;
    this.cookieStore = new SqliteCookieStore(db);
    this.#q = statements(db);
    this.webauthnStore = new SqliteWebAuthnStore(db, synchronous);
  }

  /**
   * Opens the profile at `path`, creating it (mode 0600) when there is no file. Throws a
   * {@link ProfileError}, leaving the file untouched, when it is not a fedkit profile, is
   * damaged, or was written by a newer fedkit.
   */
  static open(path: string, options: SqliteProfileOptions = {}): SqliteProfile {
    const synchronous = options.synchronous === 'normal' ? 'normal' : 'full';
    return openProfileFile(path, { busyTimeoutMs: options.busyTimeoutMs ?? 5000, synchronous }, (db) => new SqliteProfile(path, db, synchronous));
  }

  /**
   * The `synchronous` setting SQLite reports for the connection: 'full' unless opened with
   * `synchronous: 'normal'` (WebAuthn writes raise it to 'full' for themselves).
   */
  get synchronous(): 'off' | 'normal' | 'full' | 'extra' {
    const value = Number(this.#db.pragma('synchronous', { simple: true }));
    const name = (['off', 'normal', 'full', 'extra'] as const)[value];
    if (name === undefined) throw new Error(`SqliteProfile: SQLite reports synchronous = ${value}`);
    return name;
  }

  /** Closes the database (the last connection to close folds the WAL into the file). Idempotent. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  getLoginStatus(origin: string): LoginStatus | undefined {
    const status = this.#q.getLoginStatus.get(origin)?.status;
    return status === 'logged-in' || status === 'logged-out' ? status : undefined;
  }

  setLoginStatus(origin: string, status: LoginStatus): void {
    this.#q.setLoginStatus.run(origin, status);
  }

  connections(filter: { embedder: string; rp: string; idp: string }): Connection[] {
    return this.#q.connections.all(filter.embedder, filter.rp, filter.idp).map((r) => ({
      embedder: r.embedder,
      rp: r.rp,
      idp: r.idp,
      accountId: r.account_id,
      lastUsed: r.last_used,
    }));
  }

  addConnection(connection: Connection): void {
    const c = connection;
    this.#q.addConnection.run(c.embedder, c.rp, c.idp, c.accountId, c.lastUsed);
  }

  removeConnections(filter: { embedder: string; rp: string; idp: string; accountId?: string }): number {
    const { embedder, rp, idp, accountId } = filter;
    const result =
      accountId === undefined ? this.#q.removeConnections.run(embedder, rp, idp) : this.#q.removeConnection.run(embedder, rp, idp, accountId);
    return result.changes;
  }

  preventsSilentAccess(origin: string): boolean {
    return this.#q.preventsSilentAccess.get(origin) !== undefined;
  }

  setPreventSilentAccess(origin: string, value: boolean): void {
    if (value) this.#q.preventSilentAccess.run(origin);
    else this.#q.allowSilentAccess.run(origin);
  }

  getDismissEmbargo(site: string): DismissEmbargo | undefined {
    const row = this.#q.getDismissEmbargo.get(site);
    return row && { until: row.until, count: row.dismissals };
  }

  setDismissEmbargo(site: string, embargo: DismissEmbargo | undefined): void {
    if (embargo) this.#q.setDismissEmbargo.run(site, embargo.until, embargo.count);
    else this.#q.clearDismissEmbargo.run(site);
  }

  getLastAutoReauthn(site: string): number | undefined {
    return this.#q.getLastAutoReauthn.get(site)?.at;
  }

  setLastAutoReauthn(site: string, at: number | undefined): void {
    if (at === undefined) this.#q.clearLastAutoReauthn.run(site);
    else this.#q.setLastAutoReauthn.run(site, at);
  }

  storedCredentials(origin: string): StoredCredential[] {
    return this.#q.storedCredentials.all(origin).map(fromCredentialRow);
  }

  putStoredCredential(credential: StoredCredential): void {
    this.#q.putStoredCredential.run(toCredentialRow(credential));
  }

  deleteStoredCredential(key: StoredCredentialKey): boolean {
    const provider = key.type === 'federated' ? key.provider : '';
    return this.#q.deleteStoredCredential.run(key.type, key.origin, key.id, provider).changes > 0;
  }

  silentAccessAllowed(origin: string): boolean {
    return this.#q.silentAccessAllowed.get(origin) !== undefined;
  }

  setSilentAccessAllowed(origin: string, allowed: boolean): void {
    if (allowed) this.#q.allowSilentAccessByUser.run(origin);
    else this.#q.revokeSilentAccessByUser.run(origin);
  }
}
