// The shared store: PostgreSQL through `pg`, for several IdP servers behind a load balancer.
// Every state change is one statement or one transaction, so concurrent servers stay consistent
// (nonce use is a single conditional upsert; migrations hold an advisory lock). The accounts view
// and the assertion step of concurrent requests share one statement (postgres-batch.ts).

import pg from 'pg';
import { DEFAULT_FIELDS } from '../disclosure.js';
import { RECOGNIZED_FIELDS } from '../tokens.js';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations.js';
import { StatementBatcher } from './postgres-batch.js';
import { clientChangeColumns, fieldsJson, normalizeEmail, toClient, toGrant, toKey, toSession, toUser, userChangeColumns, type Row } from './rows.js';
import { StoreConflictError, type AccountsView, type AssertionStepInput, type AssertionStepResult, type Client, type ClientChanges, type Grant, type KeyRecord, type NewClient, type NewUser, type Session, type Store, type User, type UserChanges } from './types.js';

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/database` (anything `pg` accepts). */
  connectionString: string;
  /**
   * A schema to keep the tables in (created by migrate() if missing). Default: the server's
   * search_path, usually `public`.
   */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A session joined with its user: the user's columns and the session's, renamed where they clash.
 * Named one by one, not `u.*`: a prepared statement whose result columns change (a migration that
 * adds a column, run by another server) fails with "cached plan must not change result type".
 */
const SESSION_USER_COLUMNS =
  'u.id, u.email, u.name, u.given_name, u.picture, u.username, u.tel, u.password_hash, u.created_at, ' +
  's.id_hash, s.user_id, s.created_at AS session_created_at, s.expires_at AS session_expires_at';

/** The grant merge of upsertGrant and the assertion steps: distinct, sorted by code point, compact JSON (as fieldsJson()). */
const MERGED_GRANT_FIELDS = `COALESCE((
           SELECT '[' || string_agg(to_json(f)::text, ',' ORDER BY f COLLATE "C") || ']'
           FROM (SELECT DISTINCT jsonb_array_elements_text(grants.fields::jsonb || EXCLUDED.fields::jsonb) AS f) merged
         ), '[]')`;

/**
 * Every assertion step of a batch (AssertionStepInput, one element of the JSON array $1 each,
 * numbered by `idx`) in ONE statement, so one round trip and one commit. For each step the client,
 * the session joined with its user and the grant are read (one snapshot for the whole batch); when
 * `complete` is asked, the checks of AssertionStepInput are made on those rows (origin listed,
 * account is the session's user, and decideDisclosure's rule: the wanted fields, requested ∩ the
 * user's available ones, all disclosed now or granted before; $2 is RECOGNIZED_FIELDS, $3
 * DEFAULT_FIELDS). Then:
 * - the nonce is used (a fresh pair inserted, a record expired at $4 taken over, a live one left
 *   alone), by the first step of the batch that asks for it (`first`): a second step with the same
 *   (client, nonce) in one batch is a replay, as it would be in the next batch;
 * - the grant of every step whose nonce was fresh (or that has none) is upserted, once per
 *   (user, client) with the union of the batch's fields, merged as upsertGrant does; and only when
 *   that adds something: a grant that already holds every field is not rewritten, so concurrent
 *   assertions of one user and client never queue on its row lock (Grant.updatedAt is the last
 *   time fields were added). Only a deletion (a disconnect, a user or client removed) takes
 *   fields away: a step that skipped the write because the snapshot held them is then one that
 *   ran before that deletion, as its snapshot says.
 * Rows are locked in key order (nonces, then grants), so two batches in flight cannot deadlock
 * on each other's rows.
 * The endpoint re-checks each outcome against decideDisclosure on the returned rows, so the SQL
 * and the TypeScript rule cannot silently disagree.
 */
const ASSERTION_STEPS_SQL = `WITH i AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(idx int, client_id text, session_hash text, now bigint, complete boolean, account_id text,
                                                    origin text, nonce text, nonce_expires_at bigint, fields text[], shown text[], text_shown boolean)
),
r AS (
  SELECT i.*, c.id AS c_id, c.origins AS c_origins, su.id AS su_id, su.picture AS su_picture, su.tel AS su_tel, su.username AS su_username,
         g.fields AS g_fields,
         CASE WHEN c.id IS NULL THEN NULL ELSE row_to_json(c) END AS client,
         CASE WHEN su.id IS NULL THEN NULL ELSE row_to_json(su) END AS su,
         CASE WHEN g.user_id IS NULL THEN NULL ELSE row_to_json(g) END AS grant_row
    FROM i
    LEFT JOIN clients c ON c.id = i.client_id
    LEFT JOIN LATERAL (
      SELECT ${SESSION_USER_COLUMNS}
        FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id_hash = i.session_hash AND s.expires_at > i.now
    ) su ON true
    LEFT JOIN grants g ON g.user_id = su.id AND g.client_id = c.id
),
chk AS (
  SELECT idx, c_id AS client_id, su_id AS user_id, now, nonce, nonce_expires_at, fields, shown, text_shown,
         array_remove(ARRAY['name', 'email',
           CASE WHEN su_picture IS NOT NULL THEN 'picture' END,
           CASE WHEN su_tel IS NOT NULL THEN 'tel' END,
           CASE WHEN su_username IS NOT NULL THEN 'username' END], NULL) AS available,
         COALESCE(ARRAY(SELECT jsonb_array_elements_text(g_fields::jsonb)), '{}'::text[]) AS granted,
         g_fields IS NOT NULL AS has_grant
    FROM r
   WHERE complete AND c_id IS NOT NULL AND su_id = account_id AND c_origins::jsonb ? origin
),
dec AS (
  SELECT idx, client_id, user_id, now, nonce, nonce_expires_at, has_grant, granted,
         ARRAY(SELECT unnest(requested) INTERSECT SELECT unnest(available)) AS wanted,
         disclosed || granted AS approved
    FROM (
      SELECT chk.*,
             COALESCE(fields, CASE WHEN has_grant THEN ARRAY(SELECT unnest(granted) INTERSECT SELECT unnest($2::text[]))
                                   WHEN text_shown THEN $3::text[] ELSE '{}'::text[] END) AS requested,
             COALESCE(shown, CASE WHEN text_shown THEN $3::text[] ELSE '{}'::text[] END) AS disclosed
        FROM chk
    ) x
),
ok AS (SELECT * FROM dec WHERE wanted <@ approved),
first AS (
  SELECT DISTINCT ON (client_id, nonce) idx, client_id, nonce, nonce_expires_at
    FROM ok WHERE nonce IS NOT NULL ORDER BY client_id, nonce, idx
),
n AS (
  INSERT INTO used_nonces (client_id, nonce, expires_at)
  SELECT client_id, nonce, nonce_expires_at FROM first ORDER BY client_id, nonce
  ON CONFLICT (client_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE used_nonces.expires_at <= $4::bigint
  RETURNING client_id, nonce
),
done AS (
  SELECT ok.* FROM ok
   WHERE ok.nonce IS NULL
      OR EXISTS (SELECT 1 FROM first f JOIN n ON n.client_id = f.client_id AND n.nonce = f.nonce WHERE f.idx = ok.idx)
),
gw AS (
  SELECT user_id, client_id, max(now) AS now FROM done
   WHERE NOT (has_grant AND wanted <@ granted)
   GROUP BY user_id, client_id
),
w AS (
  INSERT INTO grants (user_id, client_id, fields, created_at, updated_at)
  SELECT gw.user_id, gw.client_id,
         COALESCE((SELECT '[' || string_agg(to_json(f)::text, ',' ORDER BY f COLLATE "C") || ']'
                     FROM (SELECT DISTINCT unnest(d.wanted) AS f FROM done d WHERE d.user_id = gw.user_id AND d.client_id = gw.client_id) m), '[]'),
         gw.now, gw.now
    FROM gw ORDER BY gw.user_id, gw.client_id
  ON CONFLICT (user_id, client_id) DO UPDATE SET fields = ${MERGED_GRANT_FIELDS}, updated_at = EXCLUDED.updated_at
  RETURNING 1
)
SELECT r.idx, r.client, r.su, r.grant_row,
       EXISTS (SELECT 1 FROM ok WHERE ok.idx = r.idx) AS checked,
       EXISTS (SELECT 1 FROM done WHERE done.idx = r.idx) AS completed
  FROM r ORDER BY r.idx`;

/** Most calls one batched statement carries (its parameters and one commit's work). */
const MAX_BATCH = 64;

/** The session and user of a row selected with SESSION_USER_COLUMNS. */
function toSessionUser(row: Row): { session: Session; user: User } {
  return { session: toSession({ id_hash: row['id_hash'], user_id: row['user_id'], created_at: row['session_created_at'], expires_at: row['session_expires_at'] }), user: toUser(row) };
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === '23505';
}

export class PostgresStore implements Store {
  readonly schema: string | undefined;
  readonly #pool: pg.Pool;
  readonly #assertionSteps = new StatementBatcher<AssertionStepInput, AssertionStepResult>((inputs) => this.#runAssertionSteps(inputs), MAX_BATCH);
  readonly #accountsViews = new StatementBatcher<{ idHash: string; now: number }, AccountsView | undefined>((inputs) => this.#runAccountsViews(inputs), MAX_BATCH);

  constructor(options: PostgresStoreOptions) {
    if (options.schema !== undefined && !IDENTIFIER.test(options.schema)) {
      throw new TypeError(`PostgresStore: schema must be a plain identifier, got ${JSON.stringify(options.schema)}`);
    }
    this.schema = options.schema;
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    });
    // An idle client that loses its connection must not crash the server; the next query reconnects.
    this.#pool.on('error', () => {});
  }

  async #query(sql: string, params: unknown[] = []): Promise<pg.QueryResult<Row>> {
    return this.#pool.query<Row>(sql, params);
  }

  /**
   * A hot statement as a named prepared statement: each pooled connection parses and plans it
   * once and then only binds and executes it (planning cost more than running these statements,
   * measured with EXPLAIN ANALYZE). `name` must name one text only.
   */
  async #prepared(name: string, text: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
    return this.#pool.query<Row>({ name, text, values });
  }

  async #transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<void> {
    if (this.schema !== undefined) await this.#query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
    await this.#transaction(async (c) => {
      // Several servers may start together: the lock makes them apply migrations one at a time.
      await c.query(`SELECT pg_advisory_xact_lock(hashtext('fedkit-migrations:' || current_schema()))`);
      await c.query(MIGRATIONS_TABLE);
      const applied = new Set((await c.query<Row>('SELECT version FROM fedkit_migrations')).rows.map((r) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const sql of m.postgres) await c.query(sql);
        await c.query('INSERT INTO fedkit_migrations (version, description, applied_at) VALUES ($1, $2, $3)', [m.version, m.description, Date.now()]);
      }
    });
  }

  async migrations(): Promise<number[]> {
    const exists = await this.#query(`SELECT to_regclass('fedkit_migrations') IS NOT NULL AS present`);
    if (exists.rows[0]?.present !== true) return [];
    return (await this.#query('SELECT version FROM fedkit_migrations ORDER BY version')).rows.map((r) => Number(r.version));
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async createUser(user: NewUser): Promise<User> {
    const r: User = { ...user, email: normalizeEmail(user.email), createdAt: user.createdAt ?? Date.now() };
    try {
      await this.#query(
        `INSERT INTO users (id, email, name, given_name, picture, username, tel, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [r.id, r.email, r.name, r.givenName, r.picture, r.username, r.tel, r.passwordHash, r.createdAt],
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`a user with id ${JSON.stringify(user.id)} or email ${JSON.stringify(r.email)} already exists`);
      throw e;
    }
    return r;
  }

  async getUser(id: string): Promise<User | undefined> {
    const row = (await this.#query('SELECT * FROM users WHERE id = $1', [id])).rows[0];
    return row ? toUser(row) : undefined;
  }

  async getUserByEmail(email: string): Promise<User | undefined> {
    const row = (await this.#query('SELECT * FROM users WHERE email = $1', [normalizeEmail(email)])).rows[0];
    return row ? toUser(row) : undefined;
  }

  async listUsers(): Promise<User[]> {
    return (await this.#query('SELECT * FROM users ORDER BY created_at, id')).rows.map(toUser);
  }

  async updateUser(id: string, changes: UserChanges): Promise<User | undefined> {
    const columns = userChangeColumns(changes);
    if (columns.length === 0) return this.getUser(id);
    try {
      const r = await this.#query(
        `UPDATE users SET ${columns.map(([c], i) => `${c} = $${i + 1}`).join(', ')} WHERE id = $${columns.length + 1} RETURNING *`,
        [...columns.map(([, v]) => v), id],
      );
      return r.rows[0] ? toUser(r.rows[0]) : undefined;
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`a user with email ${JSON.stringify(normalizeEmail(changes.email ?? ''))} already exists`);
      throw e;
    }
  }

  async deleteUser(id: string): Promise<boolean> {
    // Sessions and grants go with it (ON DELETE CASCADE).
    return ((await this.#query('DELETE FROM users WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async createSession(s: Session): Promise<void> {
    await this.#query('INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [s.idHash, s.userId, s.createdAt, s.expiresAt]);
  }

  async getSession(idHash: string, now: number): Promise<Session | undefined> {
    const row = (await this.#query('SELECT * FROM sessions WHERE id_hash = $1 AND expires_at > $2', [idHash, now])).rows[0];
    return row ? toSession(row) : undefined;
  }

  async getSessionUser(idHash: string, now: number): Promise<{ session: Session; user: User } | undefined> {
    const row = (
      await this.#prepared(
        'fedkit_session_user',
        `SELECT ${SESSION_USER_COLUMNS}
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id_hash = $1 AND s.expires_at > $2`,
        [idHash, now],
      )
    ).rows[0];
    if (!row) return undefined;
    return toSessionUser(row);
  }

  async accountsView(idHash: string, now: number): Promise<AccountsView | undefined> {
    return this.#accountsViews.submit({ idHash, now });
  }

  /**
   * One statement for every accounts view of a batch (StatementBatcher): each session joined with
   * its user, and the user's granted clients aggregated in the same snapshot. `ord` numbers the
   * inputs; an input whose session is unknown or expired has no row.
   */
  async #runAccountsViews(inputs: readonly { idHash: string; now: number }[]): Promise<(AccountsView | undefined)[]> {
    const r = await this.#prepared(
      'fedkit_accounts_views',
      `SELECT i.ord, ${SESSION_USER_COLUMNS},
              ARRAY(SELECT g.client_id FROM grants g WHERE g.user_id = u.id ORDER BY g.client_id) AS granted_clients
         FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS i(id_hash, now, ord)
         JOIN sessions s ON s.id_hash = i.id_hash AND s.expires_at > i.now
         JOIN users u ON u.id = s.user_id`,
      [inputs.map((i) => i.idHash), inputs.map((i) => i.now)],
    );
    const views: (AccountsView | undefined)[] = inputs.map(() => undefined);
    for (const row of r.rows) {
      views[Number(row.ord) - 1] = { ...toSessionUser(row), grantedClients: (row.granted_clients as unknown[]).map(String) };
    }
    return views;
  }

  async deleteSession(idHash: string): Promise<boolean> {
    return ((await this.#query('DELETE FROM sessions WHERE id_hash = $1', [idHash])).rowCount ?? 0) > 0;
  }

  async deleteUserSessions(userId: string): Promise<number> {
    return (await this.#query('DELETE FROM sessions WHERE user_id = $1', [userId])).rowCount ?? 0;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return (await this.#query('DELETE FROM sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }

  async createClient(client: NewClient): Promise<Client> {
    const r: Client = { ...client, origins: [...client.origins], createdAt: client.createdAt ?? Date.now() };
    try {
      await this.#query(
        'INSERT INTO clients (id, origins, privacy_policy_url, terms_of_service_url, created_at) VALUES ($1, $2, $3, $4, $5)',
        [r.id, JSON.stringify(r.origins), r.privacyPolicyUrl, r.termsOfServiceUrl, r.createdAt],
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`a client with id ${JSON.stringify(client.id)} already exists`);
      throw e;
    }
    return r;
  }

  async getClient(id: string): Promise<Client | undefined> {
    const row = (await this.#query('SELECT * FROM clients WHERE id = $1', [id])).rows[0];
    return row ? toClient(row) : undefined;
  }

  async listClients(): Promise<Client[]> {
    return (await this.#query('SELECT * FROM clients ORDER BY id')).rows.map(toClient);
  }

  async updateClient(id: string, changes: ClientChanges): Promise<Client | undefined> {
    const columns = clientChangeColumns(changes);
    if (columns.length === 0) return this.getClient(id);
    const r = await this.#query(
      `UPDATE clients SET ${columns.map(([c], i) => `${c} = $${i + 1}`).join(', ')} WHERE id = $${columns.length + 1} RETURNING *`,
      [...columns.map(([, v]) => v), id],
    );
    return r.rows[0] ? toClient(r.rows[0]) : undefined;
  }

  async deleteClient(id: string): Promise<boolean> {
    return ((await this.#query('DELETE FROM clients WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async getGrant(userId: string, clientId: string): Promise<Grant | undefined> {
    const row = (await this.#query('SELECT * FROM grants WHERE user_id = $1 AND client_id = $2', [userId, clientId])).rows[0];
    return row ? toGrant(row) : undefined;
  }

  async upsertGrant(userId: string, clientId: string, fields: string[], now: number): Promise<Grant> {
    // One statement (one round trip, atomic per row): the stored fields and the new ones are
    // merged in SQL exactly as fieldsJson() does (distinct, sorted by code point, compact JSON).
    const r = await this.#query(
      `INSERT INTO grants (user_id, client_id, fields, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (user_id, client_id) DO UPDATE SET fields = ${MERGED_GRANT_FIELDS}, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [userId, clientId, fieldsJson(fields), now],
    );
    return toGrant(r.rows[0]!);
  }

  async grantedClients(userId: string): Promise<string[]> {
    return (await this.#query('SELECT client_id FROM grants WHERE user_id = $1 ORDER BY client_id', [userId])).rows.map((r) => String(r.client_id));
  }

  async deleteGrant(userId: string, clientId: string): Promise<boolean> {
    return ((await this.#query('DELETE FROM grants WHERE user_id = $1 AND client_id = $2', [userId, clientId])).rowCount ?? 0) > 0;
  }

  async listKeys(): Promise<KeyRecord[]> {
    return (await this.#query('SELECT * FROM signing_keys ORDER BY created_at DESC, kid DESC')).rows.map(toKey);
  }

  async insertKey(k: KeyRecord): Promise<void> {
    await this.#query(
      `INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk, created_at, retired_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [k.kid, k.alg, k.publicJwk, k.privateJwk, k.createdAt, k.retiredAt, k.expiresAt],
    );
  }

  async retireKeys(keepKid: string, retiredAt: number, expiresAt: number): Promise<number> {
    const r = await this.#query('UPDATE signing_keys SET retired_at = $1, expires_at = $2 WHERE kid <> $3 AND retired_at IS NULL', [retiredAt, expiresAt, keepKid]);
    return r.rowCount ?? 0;
  }

  async deleteExpiredKeys(now: number): Promise<number> {
    return (await this.#query('DELETE FROM signing_keys WHERE expires_at IS NOT NULL AND expires_at <= $1', [now])).rowCount ?? 0;
  }

  async deleteKey(kid: string): Promise<boolean> {
    return ((await this.#query('DELETE FROM signing_keys WHERE kid = $1', [kid])).rowCount ?? 0) > 0;
  }

  async useNonce(clientId: string, nonce: string, now: number, expiresAt: number): Promise<boolean> {
    // One statement: a fresh pair is inserted, an expired record is taken over, a live one is left
    // alone (no row returned). Concurrent servers cannot both win.
    const r = await this.#query(
      `INSERT INTO used_nonces (client_id, nonce, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (client_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE used_nonces.expires_at <= $4
       RETURNING 1`,
      [clientId, nonce, expiresAt, now],
    );
    return r.rows.length === 1;
  }

  /**
   * The ID assertion's reads and writes in ONE statement (one round trip, one commit). Concurrent
   * calls of one event-loop turn share that statement (StatementBatcher, postgres-batch.ts): see
   * ASSERTION_STEPS_SQL for what one batch reads, checks and writes.
   */
  async assertionStep(input: AssertionStepInput): Promise<AssertionStepResult> {
    return this.#assertionSteps.submit(input);
  }

  /** One statement for `inputs` (ASSERTION_STEPS_SQL); one result per input, in order. */
  async #runAssertionSteps(inputs: readonly AssertionStepInput[]): Promise<AssertionStepResult[]> {
    const steps = inputs.map((input, idx) => {
      const c = input.complete;
      return {
        idx,
        client_id: input.clientId,
        session_hash: input.sessionIdHash ?? null,
        now: input.now,
        complete: c !== undefined,
        account_id: c?.accountId ?? null,
        origin: c?.origin ?? null,
        nonce: c?.nonce ?? null,
        nonce_expires_at: c?.nonceExpiresAt ?? null,
        fields: c?.disclosure.fields === undefined ? null : [...c.disclosure.fields],
        shown: c?.disclosure.disclosureShownFor === undefined ? null : [...c.disclosure.disclosureShownFor],
        text_shown: c?.disclosure.disclosureTextShown ?? false,
      };
    });
    // A used nonce is taken over once expired; one instant for the whole batch, the earliest, so
    // a step never takes over a record that had not expired at its own `now`.
    const earliest = Math.min(...inputs.map((i) => i.now));
    const r = await this.#prepared('fedkit_assertion_steps', ASSERTION_STEPS_SQL, [JSON.stringify(steps), [...RECOGNIZED_FIELDS], [...DEFAULT_FIELDS], earliest]);
    const byIdx = new Map(r.rows.map((row) => [Number(row.idx), row]));
    return inputs.map((_, idx) => {
      const row = byIdx.get(idx);
      if (row === undefined) throw new Error(`assertion step ${idx} of ${inputs.length} has no row`);
      const su = row.su as Row | null;
      const clientRow = row.client as Row | null;
      const grantRow = row.grant_row as Row | null;
      return {
        client: clientRow === null ? undefined : toClient(clientRow),
        session: su === null ? undefined : toSessionUser(su),
        grant: grantRow === null ? undefined : toGrant(grantRow),
        outcome: row.completed === true ? 'completed' : row.checked === true ? 'replay' : 'not-completed',
      };
    });
  }

  async deleteExpiredNonces(now: number): Promise<number> {
    return (await this.#query('DELETE FROM used_nonces WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }

  async recordLoginFailure(key: string, at: number): Promise<void> {
    await this.#query('INSERT INTO login_failures (key, at) VALUES ($1, $2)', [key, at]);
  }

  async countLoginFailures(key: string, since: number): Promise<number> {
    return Number((await this.#query('SELECT COUNT(*) AS n FROM login_failures WHERE key = $1 AND at > $2', [key, since])).rows[0]?.n ?? 0);
  }

  async lastLoginFailure(key: string, since: number): Promise<number | undefined> {
    const at = (await this.#query('SELECT MAX(at) AS at FROM login_failures WHERE key = $1 AND at > $2', [key, since])).rows[0]?.at;
    return at === null || at === undefined ? undefined : Number(at);
  }

  async clearLoginFailures(key: string): Promise<void> {
    await this.#query('DELETE FROM login_failures WHERE key = $1', [key]);
  }

  async deleteLoginFailuresBefore(before: number): Promise<number> {
    return (await this.#query('DELETE FROM login_failures WHERE at <= $1', [before])).rowCount ?? 0;
  }
}
