// The embedded store: one SQLite file through better-sqlite3, in WAL mode so readers never wait
// for the writer. better-sqlite3 is synchronous; the async Store surface only wraps it.
//
// Durability (docs/idp.md, "What survives a crash and a power loss"; test/durability/): every
// write is one statement or one IMMEDIATE transaction, so it is there whole or not at all. With
// synchronous=NORMAL (the default) a write survives a crash of the process (the WAL is written at
// commit, synced only at checkpoints) but the latest writes may roll back after a power loss;
// with 'full' SQLite syncs the WAL at every commit, so a write whose promise resolved survives an
// OS crash or a power loss too, at one fdatasync per commit (which blocks the event loop: better-
// sqlite3 is synchronous). The ID assertion steps of one event-loop turn share one commit (group
// commit, sqlite-batch.ts), and none of them is acknowledged before it. The database is never
// corrupted either way.

import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { stepDisclosure } from '../disclosure.js';
import { GroupCommit } from './sqlite-batch.js';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations.js';
import { clientChangeColumns, fieldsJson, normalizeEmail, toClient, toGrant, toKey, toSession, toUser, userChangeColumns, type Row } from './rows.js';
import { StoreConflictError, type AccountsView, type AssertionStepInput, type AssertionStepResult, type Client, type ClientChanges, type Grant, type KeyRecord, type NewClient, type NewUser, type Session, type Store, type User, type UserChanges } from './types.js';

export interface SqliteStoreOptions {
  /** Database file, or ':memory:'. The file (and its -wal/-shm companions) is created 0600. */
  filename: string;
  /** Milliseconds to wait for a lock held by another process (default 5000). */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` (the database is in WAL mode):
   * - 'normal' (default): the WAL is synced only at checkpoints. Writes survive a crash of the
   *   process and are never torn or corrupted, but the last ones before a power loss may be lost.
   * - 'full': each commit syncs the WAL before the write's promise resolves, so an acknowledged
   *   write (a used nonce, a grant, a new user) survives a power loss or an OS crash too. It costs
   *   one fdatasync per commit, during which the event loop waits (the assertion steps of one
   *   event-loop turn share one commit: one fdatasync for the batch).
   */
  synchronous?: 'full' | 'normal';
}

/** SQLite's `PRAGMA synchronous` values (https://www.sqlite.org/pragma.html#pragma_synchronous). */
const SYNCHRONOUS_NAMES = ['off', 'normal', 'full', 'extra'] as const;

function isUniqueViolation(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** A live session joined with its user (the user's columns, the session's under their own names): what toSessionUser reads. */
const SESSION_USER_COLUMNS = 'u.*, s.id_hash, s.user_id, s.created_at AS session_created_at, s.expires_at AS session_expires_at';
/** Binds the session id hash, then `now`. */
const SESSION_USER_FROM = 'FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.expires_at > ?';

function toSessionUser(row: Row): { session: Session; user: User } {
  return {
    session: toSession({ id_hash: row.id_hash, user_id: row.user_id, created_at: row.session_created_at, expires_at: row.session_expires_at }),
    user: toUser(row),
  };
}

export class SqliteStore implements Store {
  readonly filename: string;
  readonly #db: Database.Database;
  /** Prepared statements by SQL text: compiling one costs more than running it. */
  readonly #statements = new Map<string, Database.Statement>();
  #upsertGrant: Database.Transaction<(userId: string, clientId: string, fields: string[], now: number) => Row> | undefined;
  #assertionStep: Database.Transaction<(input: AssertionStepInput) => AssertionStepResult> | undefined;
  /** The writing assertion steps of one event-loop turn, committed together (sqlite-batch.ts). */
  #assertionBatch: GroupCommit<AssertionStepInput, AssertionStepResult> | undefined;

  #sql(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) this.#statements.set(sql, (statement = this.#db.prepare(sql)));
    return statement;
  }

  constructor(options: SqliteStoreOptions) {
    const synchronous = options.synchronous ?? 'normal';
    if (synchronous !== 'full' && synchronous !== 'normal') {
      throw new TypeError(`SqliteStore: synchronous must be 'full' or 'normal', got ${JSON.stringify(options.synchronous)}`);
    }
    this.filename = options.filename;
    if (options.filename !== ':memory:') {
      // Create the file ourselves so it is never world-readable, not even for a moment: SQLite
      // then gives its -wal and -shm files the same mode as the database file.
      closeSync(openSync(options.filename, 'a', 0o600));
      chmodSync(options.filename, 0o600);
    }
    this.#db = new Database(options.filename, { timeout: options.busyTimeoutMs ?? 5000 });
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  }

  /** The `synchronous` setting SQLite reports for the connection ('normal' unless opened with 'full'). */
  get synchronous(): (typeof SYNCHRONOUS_NAMES)[number] {
    const value = Number(this.#db.pragma('synchronous', { simple: true }));
    const name = SYNCHRONOUS_NAMES[value];
    if (name === undefined) throw new Error(`SqliteStore: SQLite reports synchronous = ${value}`);
    return name;
  }

  /** The journal mode SQLite reports ('wal' for a file database). */
  get journalMode(): string {
    return String(this.#db.pragma('journal_mode', { simple: true }));
  }

  async migrate(): Promise<void> {
    const db = this.#db;
    db.exec(MIGRATIONS_TABLE);
    // IMMEDIATE takes the write lock up front, so two processes migrating at once serialize.
    const run = db.transaction(() => {
      const applied = new Set((db.prepare('SELECT version FROM fedkit_migrations').all() as Row[]).map((r) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const sql of m.sqlite) db.exec(sql);
        db.prepare('INSERT INTO fedkit_migrations (version, description, applied_at) VALUES (?, ?, ?)').run(m.version, m.description, Date.now());
      }
    });
    run.immediate();
  }

  async migrations(): Promise<number[]> {
    this.#db.exec(MIGRATIONS_TABLE);
    return (this.#db.prepare('SELECT version FROM fedkit_migrations ORDER BY version').all() as Row[]).map((r) => Number(r.version));
  }

  async close(): Promise<void> {
    if (!this.#db.open) return;
    // Steps queued for this turn's group commit are committed (and settled) first.
    this.#assertionBatch?.flush();
    this.#db.close();
  }

  async createUser(user: NewUser): Promise<User> {
    const record: User = { ...user, email: normalizeEmail(user.email), createdAt: user.createdAt ?? Date.now() };
    try {
      this
        .#sql(
          `INSERT INTO users (id, email, name, given_name, picture, username, tel, password_hash, created_at)
           VALUES (@id, @email, @name, @givenName, @picture, @username, @tel, @passwordHash, @createdAt)`,
        )
        .run(record);
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`a user with id ${JSON.stringify(user.id)} or email ${JSON.stringify(record.email)} already exists`);
      throw e;
    }
    return record;
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = this.#sql('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return r ? toUser(r) : undefined;
  }

  async getUserByEmail(email: string): Promise<User | undefined> {
    const r = this.#sql('SELECT * FROM users WHERE email = ?').get(normalizeEmail(email)) as Row | undefined;
    return r ? toUser(r) : undefined;
  }

  async listUsers(): Promise<User[]> {
    return (this.#sql('SELECT * FROM users ORDER BY created_at, id').all() as Row[]).map(toUser);
  }

  async updateUser(id: string, changes: UserChanges): Promise<User | undefined> {
    const columns = userChangeColumns(changes);
    if (columns.length > 0) {
      try {
        this.#sql(`UPDATE users SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...columns.map(([, v]) => v), id);
      } catch (e) {
        if (isUniqueViolation(e)) throw new StoreConflictError(`a user with email ${JSON.stringify(normalizeEmail(changes.email ?? ''))} already exists`);
        throw e;
      }
    }
    return this.getUser(id);
  }

  async deleteUser(id: string): Promise<boolean> {
    // Sessions and grants go with it (ON DELETE CASCADE; foreign_keys is on for this connection).
    return this.#sql('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }

  async createSession(session: Session): Promise<void> {
    this
      .#sql('INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (@idHash, @userId, @createdAt, @expiresAt)')
      .run(session);
  }

  async getSession(idHash: string, now: number): Promise<Session | undefined> {
    const r = this.#sql('SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?').get(idHash, now) as Row | undefined;
    return r ? toSession(r) : undefined;
  }

  /** The live session joined with its user: one statement. */
  #sessionUser(idHash: string, now: number): { session: Session; user: User } | undefined {
    const row = this.#sql(`SELECT ${SESSION_USER_COLUMNS} ${SESSION_USER_FROM}`).get(idHash, now) as Row | undefined;
    return row === undefined ? undefined : toSessionUser(row);
  }

  async getSessionUser(idHash: string, now: number): Promise<{ session: Session; user: User } | undefined> {
    return this.#sessionUser(idHash, now);
  }

  async accountsView(idHash: string, now: number): Promise<AccountsView | undefined> {
    // One statement, as on PostgreSQL: the session and its user, and the granted client ids as
    // a JSON array in grantedClients()'s order. Outside a transaction every statement is its own
    // read transaction (a WAL read lock taken and released), so one statement instead of two
    // saves ~2-4 µs of ~13 here (issue 15 §1, the accounts endpoint). The ids are aggregated from
    // an ordered subquery, which SQLite answers from the (user_id, client_id) primary key in
    // order, as a co-routine; `json_group_array(… ORDER BY …)` would sort them again in a temp
    // B-tree and cost as much as the second statement did. store-steps.test.ts holds the order
    // to grantedClients()'s.
    const row = this
      .#sql(
        `SELECT ${SESSION_USER_COLUMNS},
                (SELECT json_group_array(client_id) FROM (SELECT g.client_id FROM grants g WHERE g.user_id = s.user_id ORDER BY g.client_id)) AS granted_clients
           ${SESSION_USER_FROM}`,
      )
      .get(idHash, now) as Row | undefined;
    if (row === undefined) return undefined;
    const granted: unknown = JSON.parse(String(row.granted_clients));
    if (!Array.isArray(granted)) throw new Error(`SqliteStore: json_group_array gave ${String(row.granted_clients)}`);
    const { session, user } = toSessionUser(row);
    return { session, user, grantedClients: granted.map(String) };
  }

  async deleteSession(idHash: string): Promise<boolean> {
    return this.#sql('DELETE FROM sessions WHERE id_hash = ?').run(idHash).changes > 0;
  }

  async deleteUserSessions(userId: string): Promise<number> {
    return this.#sql('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return this.#sql('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }

  async createClient(client: NewClient): Promise<Client> {
    const record: Client = { ...client, origins: [...client.origins], createdAt: client.createdAt ?? Date.now() };
    try {
      this
        .#sql('INSERT INTO clients (id, origins, privacy_policy_url, terms_of_service_url, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(record.id, JSON.stringify(record.origins), record.privacyPolicyUrl, record.termsOfServiceUrl, record.createdAt);
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`a client with id ${JSON.stringify(client.id)} already exists`);
      throw e;
    }
    return record;
  }

  async getClient(id: string): Promise<Client | undefined> {
    const r = this.#sql('SELECT * FROM clients WHERE id = ?').get(id) as Row | undefined;
    return r ? toClient(r) : undefined;
  }

  async listClients(): Promise<Client[]> {
    return (this.#sql('SELECT * FROM clients ORDER BY id').all() as Row[]).map(toClient);
  }

  async updateClient(id: string, changes: ClientChanges): Promise<Client | undefined> {
    const columns = clientChangeColumns(changes);
    if (columns.length > 0) this.#sql(`UPDATE clients SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...columns.map(([, v]) => v), id);
    return this.getClient(id);
  }

  async deleteClient(id: string): Promise<boolean> {
    return this.#sql('DELETE FROM clients WHERE id = ?').run(id).changes > 0;
  }

  async getGrant(userId: string, clientId: string): Promise<Grant | undefined> {
    const r = this.#sql('SELECT * FROM grants WHERE user_id = ? AND client_id = ?').get(userId, clientId) as Row | undefined;
    return r ? toGrant(r) : undefined;
  }

  async upsertGrant(userId: string, clientId: string, fields: string[], now: number): Promise<Grant> {
    this.#upsertGrant ??= this.#db.transaction((u: string, c: string, f: string[], t: number): Row => {
      const existing = this.#sql('SELECT * FROM grants WHERE user_id = ? AND client_id = ?').get(u, c) as Row | undefined;
      if (existing) {
        const merged = fieldsJson([...toGrant(existing).fields, ...f]);
        this.#sql('UPDATE grants SET fields = ?, updated_at = ? WHERE user_id = ? AND client_id = ?').run(merged, t, u, c);
      } else {
        this.#sql('INSERT INTO grants (user_id, client_id, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(u, c, fieldsJson(f), t, t);
      }
      return this.#sql('SELECT * FROM grants WHERE user_id = ? AND client_id = ?').get(u, c) as Row;
    });
    return toGrant(this.#upsertGrant.immediate(userId, clientId, fields, now));
  }

  #grantedClients(userId: string): string[] {
    return (this.#sql('SELECT client_id FROM grants WHERE user_id = ? ORDER BY client_id').all(userId) as Row[]).map((r) => String(r.client_id));
  }

  async grantedClients(userId: string): Promise<string[]> {
    return this.#grantedClients(userId);
  }

  async deleteGrant(userId: string, clientId: string): Promise<boolean> {
    return this.#sql('DELETE FROM grants WHERE user_id = ? AND client_id = ?').run(userId, clientId).changes > 0;
  }

  async listKeys(): Promise<KeyRecord[]> {
    return (this.#sql('SELECT * FROM signing_keys ORDER BY created_at DESC, kid DESC').all() as Row[]).map(toKey);
  }

  async insertKey(key: KeyRecord): Promise<void> {
    this
      .#sql(
        `INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk, created_at, retired_at, expires_at)
         VALUES (@kid, @alg, @publicJwk, @privateJwk, @createdAt, @retiredAt, @expiresAt)`,
      )
      .run(key);
  }

  async retireKeys(keepKid: string, retiredAt: number, expiresAt: number): Promise<number> {
    return this
      .#sql('UPDATE signing_keys SET retired_at = ?, expires_at = ? WHERE kid <> ? AND retired_at IS NULL')
      .run(retiredAt, expiresAt, keepKid).changes;
  }

  async deleteExpiredKeys(now: number): Promise<number> {
    return this.#sql('DELETE FROM signing_keys WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now).changes;
  }

  async deleteKey(kid: string): Promise<boolean> {
    return this.#sql('DELETE FROM signing_keys WHERE kid = ?').run(kid).changes > 0;
  }

  async useNonce(clientId: string, nonce: string, now: number, expiresAt: number): Promise<boolean> {
    return this.#useNonce(clientId, nonce, now, expiresAt);
  }

  #useNonce(clientId: string, nonce: string, now: number, expiresAt: number): boolean {
    // One statement (as in PostgresStore): a fresh pair is inserted, an expired record is taken
    // over (the tokens it could replay have expired), a live one is left alone (no change).
    return (
      this.#sql(
        `INSERT INTO used_nonces (client_id, nonce, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (client_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE used_nonces.expires_at <= ?`,
      ).run(clientId, nonce, expiresAt, now).changes === 1
    );
  }

  /**
   * The ID assertion's reads and writes in one IMMEDIATE transaction: client, session and user,
   * grant; then, when `complete` is asked and every check passes on those rows (stepDisclosure,
   * the same decideDisclosure the endpoint uses), the nonce and the grant.
   * A step that may write (`complete` given) joins the group commit of this event-loop turn
   * (sqlite-batch.ts): up to 64 such steps share one BEGIN IMMEDIATE … COMMIT, each in its own
   * savepoint, and each promise settles only after that COMMIT returned. A read-only step (no
   * `complete`: the request failed a parse or has no Origin) writes nothing, so it needs neither
   * the write lock nor the wait: it runs at once in a DEFERRED (read) transaction.
   */
  async assertionStep(input: AssertionStepInput): Promise<AssertionStepResult> {
    this.#assertionStep ??= this.#db.transaction((i: AssertionStepInput): AssertionStepResult => {
      const clientRow = this.#sql('SELECT * FROM clients WHERE id = ?').get(i.clientId) as Row | undefined;
      const client = clientRow === undefined ? undefined : toClient(clientRow);
      const session = i.sessionIdHash === undefined ? undefined : this.#sessionUser(i.sessionIdHash, i.now);
      const grantRow =
        client === undefined || session === undefined
          ? undefined
          : (this.#sql('SELECT * FROM grants WHERE user_id = ? AND client_id = ?').get(session.user.id, client.id) as Row | undefined);
      const grant = grantRow === undefined ? undefined : toGrant(grantRow);
      const c = i.complete;
      const disclose = stepDisclosure(c, client, session, grant);
      if (disclose === undefined || c === undefined || client === undefined || session === undefined) return { client, session, grant, outcome: 'not-completed' };
      if (c.nonce !== undefined && !this.#useNonce(client.id, c.nonce, i.now, c.nonceExpiresAt)) return { client, session, grant, outcome: 'replay' };
      // The grant read above is the row as it stands: this transaction holds the write lock. A
      // grant that already holds every disclosed field is left as it is (as on PostgreSQL: see
      // Grant.updatedAt), which spares a write per repeat sign-in.
      const fields = fieldsJson([...(grant?.fields ?? []), ...disclose]);
      if (grantRow === undefined || grantRow.fields !== fields) {
        this
          .#sql(
            `INSERT INTO grants (user_id, client_id, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (user_id, client_id) DO UPDATE SET fields = excluded.fields, updated_at = excluded.updated_at`,
          )
          .run(session.user.id, client.id, fields, i.now, i.now);
      }
      return { client, session, grant, outcome: 'completed' };
    });
    if (input.complete === undefined) return this.#assertionStep.deferred(input);
    this.#assertionBatch ??= new GroupCommit(this.#db, this.#assertionStep);
    return this.#assertionBatch.run(input);
  }

  async deleteExpiredNonces(now: number): Promise<number> {
    return this.#sql('DELETE FROM used_nonces WHERE expires_at <= ?').run(now).changes;
  }

  async recordLoginFailure(key: string, at: number): Promise<void> {
    this.#sql('INSERT INTO login_failures (key, at) VALUES (?, ?)').run(key, at);
  }

  async countLoginFailures(key: string, since: number): Promise<number> {
    const r = this.#sql('SELECT COUNT(*) AS n FROM login_failures WHERE key = ? AND at > ?').get(key, since) as Row;
    return Number(r.n);
  }

  async lastLoginFailure(key: string, since: number): Promise<number | undefined> {
    const r = this.#sql('SELECT MAX(at) AS at FROM login_failures WHERE key = ? AND at > ?').get(key, since) as Row;
    return r.at === null || r.at === undefined ? undefined : Number(r.at);
  }

  async clearLoginFailures(key: string): Promise<void> {
    this.#sql('DELETE FROM login_failures WHERE key = ?').run(key);
  }

  async deleteLoginFailuresBefore(before: number): Promise<number> {
    return this.#sql('DELETE FROM login_failures WHERE at <= ?').run(before).changes;
  }
}
