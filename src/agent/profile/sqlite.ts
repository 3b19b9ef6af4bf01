// The persistent profile: one SQLite file (better-sqlite3, synchronous like the Profile
// interface) holding everything MemoryProfile holds (login status, connected accounts, the
// prevent-silent-access flags, dismissal cooldowns, the auto re-authentication quiet period,
// the credential store), plus the cookie jar's cookies
// (./cookie-store.ts) and WebAuthn's virtual authenticators and passkeys (SqliteWebAuthnStore,
// below), so a second run (or a second process) picks up where the first left off,
// as a browser profile directory does.
//
// The file's safety rules, and why:
//   - It is created by us with O_CREAT|O_EXCL and mode 0600 before SQLite writes a byte: it holds
//     session cookies. SQLite's unix VFS gives the -wal and -shm files the database file's mode,
//     so they are 0600 too (checked again after opening, in case the file was made elsewhere).
//   - Before SQLite is allowed to write, the file is identified: the SQLite header magic, then
//     the header's application_id (fedkit's, set in the very first transaction, before the file
//     goes to WAL mode, so it is always in the main file's header and never only in the -wal),
//     then, through a read-only connection, an integrity check and the `meta` table's format
//     marker and schema version. Anything else (not SQLite, another application's database,
//     damage, a newer schema) is a ProfileError and the file is left exactly as it was: the
//     read-only connection never writes, never checkpoints and never rolls a journal back.
//   - journal_mode=WAL, so readers and the writer of several processes do not block each other,
//     and busy_timeout, so two processes writing at once wait for each other instead of failing.
//   - synchronous=FULL by default: WAL with NORMAL is atomic and consistent but may lose the last
//     transactions on power loss or an OS crash; FULL syncs the WAL on every commit, so a write
//     that returned is on disk ("writes are durable", issue 3). A profile is written a few times
//     per sign-in, so the fsync costs nothing that matters; `synchronous: 'normal'` is there for
//     bulk use.
//   - Every method is one SQL statement (atomic on its own), or one IMMEDIATE transaction;
//     migrations run in one IMMEDIATE transaction together with the version bump, so a profile
//     is at one version or the next (a version 1 file, from before WebAuthn, gains the WebAuthn
//     tables the first time this fedkit opens it; its data stays as it was).
//   - WebAuthn credentials hold private keys (PKCS#8, base64url): secrets like the cookies and
//     passwords, protected by the file's mode, never logged (rows are read back as redacted
//     copies for util.inspect, errors name credential IDs only). Their writes are always synced
//     before they return, even with `synchronous: 'normal'`: a sign counter that went backwards
//     after a power loss would make RPs take the authenticator for a clone (WebAuthn §6.1.1).

import { chmodSync, closeSync, fchmodSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import Database from 'better-sqlite3';
import { SqliteCookieStore } from './cookie-store.js';
import type { Connection, DismissEmbargo, LoginStatus, Profile, StoredCredential, StoredCredentialKey } from './profile.js';
import { redactedCopy, type AuthenticatorTransport, type StoredAuthenticator, type StoredCredential as WebAuthnCredential, type WebAuthnStore } from './webauthn-store.js';

/** The SQLite header's application_id of a fedkit profile: "FedK". */
export const PROFILE_APPLICATION_ID = 0x4665644b;
/** The `meta` table's `format` value of a fedkit profile. */
export const PROFILE_FORMAT = 'fedkit-profile';

/**
 * The schema, one entry per version: entry i turns version i into version i + 1. Never edit a
 * released entry; add one. Each runs inside the migration transaction.
 */
const MIGRATIONS: readonly string[] = [
  // 1: everything MemoryProfile keeps, and the cookie jar.
  `CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
   INSERT INTO meta (name, value) VALUES ('format', '${PROFILE_FORMAT}');
   CREATE TABLE login_status (
     origin TEXT PRIMARY KEY,
     status TEXT NOT NULL CHECK (status IN ('logged-in', 'logged-out'))
   );
   -- seq keeps MemoryProfile's (Map) order: insertion order, kept when a tuple is updated.
   CREATE TABLE connections (
     seq INTEGER PRIMARY KEY,
     embedder TEXT NOT NULL,
     rp TEXT NOT NULL,
     idp TEXT NOT NULL,
     account_id TEXT NOT NULL,
     last_used INTEGER NOT NULL,
     UNIQUE (embedder, rp, idp, account_id)
   );
   CREATE TABLE prevent_silent_access (origin TEXT PRIMARY KEY);
   CREATE TABLE dismiss_embargo (site TEXT PRIMARY KEY, until INTEGER NOT NULL, dismissals INTEGER NOT NULL);
   CREATE TABLE auto_reauthn (site TEXT PRIMARY KEY, at INTEGER NOT NULL);
   -- Credential Management's credential store. provider is '' for a password credential, so
   -- the key is (type, origin, id, provider) as in storedCredentialKey(); seq is first-stored
   -- order, kept on update. password is a secret, like the cookies: the file is 0600.
   CREATE TABLE stored_credentials (
     seq INTEGER PRIMARY KEY,
     type TEXT NOT NULL CHECK (type IN ('password', 'federated')),
     origin TEXT NOT NULL,
     id TEXT NOT NULL,
     provider TEXT NOT NULL,
     protocol TEXT,
     password TEXT,
     name TEXT NOT NULL,
     icon_url TEXT NOT NULL,
     UNIQUE (type, origin, id, provider)
   );
   CREATE INDEX stored_credentials_by_origin ON stored_credentials (origin, seq);
   CREATE TABLE silent_access_allowed (origin TEXT PRIMARY KEY);
   -- seq is the cookie's creation order (tough-cookie's creationIndex), kept on update.
   CREATE TABLE cookies (
     seq INTEGER PRIMARY KEY,
     domain TEXT NOT NULL,
     path TEXT NOT NULL,
     name TEXT NOT NULL,
     cookie TEXT NOT NULL,
     UNIQUE (domain, path, name)
   );`,
  // 2: WebAuthn (src/agent/webauthn/store.ts): virtual authenticators and their public key
  // credential sources. Booleans are 0/1; extensions and algorithms are JSON arrays; seq keeps
  // insertion order, kept on update (as MemoryWebAuthnStore's Maps do). private_key is PKCS#8
  // DER in base64url: a secret, like the cookies (the file is 0600). sign_count is NULL for a
  // credential without a counter (WebDriver Add Credential with signCount null).
  `CREATE TABLE webauthn_authenticators (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     protocol TEXT NOT NULL,
     transport TEXT NOT NULL,
     has_resident_key INTEGER NOT NULL CHECK (has_resident_key IN (0, 1)),
     has_user_verification INTEGER NOT NULL CHECK (has_user_verification IN (0, 1)),
     is_user_consenting INTEGER NOT NULL CHECK (is_user_consenting IN (0, 1)),
     is_user_verified INTEGER NOT NULL CHECK (is_user_verified IN (0, 1)),
     extensions TEXT NOT NULL,
     default_backup_eligibility INTEGER NOT NULL CHECK (default_backup_eligibility IN (0, 1)),
     default_backup_state INTEGER NOT NULL CHECK (default_backup_state IN (0, 1)),
     aaguid TEXT NOT NULL,
     algorithms TEXT NOT NULL,
     attestation TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE webauthn_credentials (
     seq INTEGER PRIMARY KEY,
     authenticator_id TEXT NOT NULL,
     credential_id TEXT NOT NULL,
     rp_id TEXT NOT NULL,
     user_handle TEXT,
     user_name TEXT NOT NULL,
     user_display_name TEXT NOT NULL,
     is_resident_credential INTEGER NOT NULL CHECK (is_resident_credential IN (0, 1)),
     algorithm INTEGER NOT NULL,
     private_key TEXT NOT NULL,
     sign_count INTEGER CHECK (sign_count IS NULL OR sign_count BETWEEN 0 AND 4294967295),
     backup_eligibility INTEGER NOT NULL CHECK (backup_eligibility IN (0, 1)),
     backup_state INTEGER NOT NULL CHECK (backup_state IN (0, 1)),
     created_at INTEGER NOT NULL,
     UNIQUE (authenticator_id, credential_id)
   );
   CREATE INDEX webauthn_credentials_by_authenticator ON webauthn_credentials (authenticator_id, seq);`,
];

/** The schema version this fedkit writes (and the newest it reads). */
export const PROFILE_SCHEMA_VERSION = MIGRATIONS.length;

/** What is wrong with a profile file. */
export type ProfileProblem =
  /** The path is a directory, a device, … */
  | 'not-a-file'
  /** The file is not a SQLite database at all. */
  | 'not-sqlite'
  /** A SQLite database, but not a fedkit profile. */
  | 'foreign'
  /** A fedkit profile SQLite cannot read. */
  | 'corrupt'
  /** A fedkit profile written by a newer fedkit. */
  | 'newer-schema'
  /** The file cannot be created, opened or locked (permissions, missing directory, another process holding it). */
  | 'unavailable';

/** A profile file that cannot be used. An existing file has not been modified. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  /** The profile path as given. */
  readonly path: string;
  readonly problem: ProfileProblem;

  constructor(path: string, problem: ProfileProblem, detail: string, options?: { cause?: unknown; absent?: boolean }) {
    const untouched = options?.absent === true ? '' : ' The file was not modified.';
    super(`fedkit profile ${JSON.stringify(path)}: ${detail}${untouched}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.path = path;
    this.problem = problem;
  }
}

export interface SqliteProfileOptions {
  /** How long to wait for a lock another process holds, ms (default 5000). */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous`: 'full' (default) makes every write durable on return; 'normal' is
   * still atomic and never corrupts, but may lose the latest writes on power loss.
   */
  synchronous?: 'full' | 'normal';
}

/** The first 16 bytes of every SQLite 3 database (https://www.sqlite.org/fileformat.html §1.3). */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** Offset of the header's application_id (big-endian u32), same section. */
const APPLICATION_ID_OFFSET = 68;
const SQLITE_HEADER_SIZE = 100;

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Turns a SQLite or file-system failure into a ProfileError that says what is wrong. */
function toProfileError(path: string, e: unknown, timeoutMs: number): ProfileError {
  if (e instanceof ProfileError) return e;
  const code = errorCode(e);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new ProfileError(path, 'corrupt', `it is a damaged fedkit profile (SQLite: ${messageOf(e)}); restore a copy or delete it to start a new profile.`, { cause: e });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new ProfileError(path, 'unavailable', `another process held it locked for more than ${timeoutMs} ms (SQLite: ${messageOf(e)}).`, { cause: e });
  }
  return new ProfileError(path, 'unavailable', `it cannot be opened (${messageOf(e)}).`, { cause: e });
}

/**
 * Makes sure `path` is a file SQLite may be let at. Returns 'new' for a file that holds nothing
 * yet (created here, or empty), 'fedkit' for a SQLite file with fedkit's application_id; throws
 * a ProfileError for anything else. Reads at most the 100-byte header.
 */
function claimFile(path: string): 'new' | 'fedkit' {
  try {
    // O_CREAT|O_EXCL: an existing file is never truncated or replaced. The umask can only
    // remove bits from 0600; fchmod makes it exactly 0600 anyway.
    const fd = openSync(path, 'wx', 0o600);
    try {
      fchmodSync(fd, 0o600);
    } finally {
      closeSync(fd);
    }
    return 'new';
  } catch (e) {
    if (errorCode(e) !== 'EEXIST') {
      throw new ProfileError(path, 'unavailable', `it cannot be created (${messageOf(e)}).`, { cause: e, absent: true });
    }
  }
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (e) {
    throw new ProfileError(path, 'unavailable', `it cannot be read (${messageOf(e)}).`, { cause: e });
  }
  // Checked before opening: opening a FIFO for reading would block.
  if (!stat.isFile()) throw new ProfileError(path, 'not-a-file', 'it is not a regular file.');
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new ProfileError(path, 'unavailable', `it cannot be read (${messageOf(e)}).`, { cause: e });
  }
  try {
    const header = Buffer.alloc(SQLITE_HEADER_SIZE);
    const read = readSync(fd, header, 0, SQLITE_HEADER_SIZE, 0);
    if (read === 0) {
      // An empty file holds nothing to lose (SQLite itself takes it as an empty database): one
      // made by mktemp, or by a process that created the profile and is initializing it right
      // now (the migration transaction sorts that out). It will hold cookies: make it private.
      fchmodSync(fd, 0o600);
      return 'new';
    }
    if (read < SQLITE_HEADER_SIZE || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
      throw new ProfileError(path, 'not-sqlite', 'it is not a fedkit profile: it is not a SQLite database (it does not start with the SQLite header).');
    }
    const applicationId = header.readUInt32BE(APPLICATION_ID_OFFSET);
    if (applicationId !== PROFILE_APPLICATION_ID) {
      throw new ProfileError(
        path,
        'foreign',
        `it is not a fedkit profile: it is a SQLite database of another application (application_id ${hex(applicationId)}; fedkit profiles have ${hex(PROFILE_APPLICATION_ID)}).`,
      );
    }
    return 'fedkit';
  } catch (e) {
    throw e instanceof ProfileError ? e : new ProfileError(path, 'unavailable', `it cannot be read (${messageOf(e)}).`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/** The schema version of a database with fedkit's application_id, after checking its format marker. */
function schemaVersion(path: string, db: Database.Database): number {
  const hasMeta = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta || hasMeta.n === 0) {
    throw new ProfileError(path, 'foreign', "it is not a fedkit profile: it has fedkit's application_id but no meta table with fedkit's format marker.");
  }
  const meta = new Map(db.prepare<[], { name: string; value: string }>('SELECT name, value FROM meta').all().map((r) => [r.name, r.value]));
  const format = meta.get('format');
  if (format !== PROFILE_FORMAT) {
    throw new ProfileError(path, 'foreign', `it is not a fedkit profile: its meta table names the format ${JSON.stringify(format ?? null)}, not ${JSON.stringify(PROFILE_FORMAT)}.`);
  }
  const raw = meta.get('schema_version');
  const version = Number(raw);
  if (raw === undefined || !Number.isSafeInteger(version) || version < 1) {
    throw new ProfileError(path, 'corrupt', `it is a damaged fedkit profile: its schema version is ${JSON.stringify(raw ?? null)}.`);
  }
  if (version > PROFILE_SCHEMA_VERSION) {
    throw new ProfileError(
      path,
      'newer-schema',
      `it was written by a newer fedkit (profile schema version ${version}; this fedkit reads versions up to ${PROFILE_SCHEMA_VERSION}). Upgrade fedkit or use another profile.`,
    );
  }
  return version;
}

/** Checks an existing profile through a read-only connection, which cannot change the file. */
function inspect(path: string, timeoutMs: number): void {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: timeoutMs });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      throw new ProfileError(path, 'corrupt', `it is a damaged fedkit profile (SQLite's quick_check: ${String(check)}); restore a copy or delete it to start a new profile.`);
    }
    schemaVersion(path, db);
  } finally {
    db.close();
  }
}

/**
 * Brings the database to PROFILE_SCHEMA_VERSION in one IMMEDIATE transaction (which takes the
 * write lock up front, so processes opening the same file at once take turns; each re-reads the
 * state inside the transaction, so the second finds the work done).
 */
function migrate(path: string, db: Database.Database): void {
  db.transaction(() => {
    const applicationId = Number(db.pragma('application_id', { simple: true }));
    let version: number;
    if (applicationId === 0) {
      const objects = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sqlite_schema').get()?.n ?? 0;
      if (objects > 0) {
        throw new ProfileError(path, 'foreign', 'it is not a fedkit profile: another program created a database in it while fedkit was opening it.');
      }
      db.pragma(`application_id = ${PROFILE_APPLICATION_ID}`);
      version = 0;
    } else if (applicationId === PROFILE_APPLICATION_ID) {
      version = schemaVersion(path, db);
    } else {
      throw new ProfileError(path, 'foreign', `it is not a fedkit profile (application_id ${hex(applicationId)}).`);
    }
    MIGRATIONS.slice(version).forEach((sql, i) => {
      try {
        db.exec(sql);
      } catch (e) {
        // A schema that does not take the next version's statements (a table of that name is
        // already there, say). The transaction rolls back: the file stays at its version.
        // Other failures (disk full, I/O) are toProfileError's.
        if (errorCode(e) !== 'SQLITE_ERROR') throw e;
        throw new ProfileError(
          path,
          'corrupt',
          `it is a damaged fedkit profile: it cannot be brought from schema version ${version + i} to ${version + i + 1} (${messageOf(e)}).`,
          { cause: e },
        );
      }
    });
    if (version < PROFILE_SCHEMA_VERSION) {
      db.prepare("INSERT INTO meta (name, value) VALUES ('schema_version', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run(
        String(PROFILE_SCHEMA_VERSION),
      );
    }
  }).immediate();
}

/** SQLite already gives -wal and -shm the database's mode; this only repairs a file made elsewhere. */
function restrictCompanions(path: string): void {
  for (const companion of [`${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(companion).mode & 0o077) !== 0) chmodSync(companion, 0o600);
    } catch {
      // Absent (not created yet, or removed by the last connection's checkpoint), or another
      // user's: nothing to repair here.
    }
  }
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

interface WebAuthnAuthenticatorRow {
  id: string;
  protocol: string;
  transport: string;
  has_resident_key: number;
  has_user_verification: number;
  is_user_consenting: number;
  is_user_verified: number;
  extensions: string;
  default_backup_eligibility: number;
  default_backup_state: number;
  aaguid: string;
  algorithms: string;
  attestation: string;
  created_at: number;
}

interface WebAuthnCredentialRow {
  authenticator_id: string;
  credential_id: string;
  rp_id: string;
  user_handle: string | null;
  user_name: string;
  user_display_name: string;
  is_resident_credential: number;
  algorithm: number;
  private_key: string;
  sign_count: number | null;
  backup_eligibility: number;
  backup_state: number;
  created_at: number;
}

/** A JSON array column, keeping the members of the right type (a damaged value reads as []). */
function jsonArray<T>(text: string, member: (v: unknown) => v is T): T[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter(member) : [];
  } catch {
    return [];
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';

function fromAuthenticatorRow(r: WebAuthnAuthenticatorRow): StoredAuthenticator {
  return {
    id: r.id,
    protocol: r.protocol as StoredAuthenticator['protocol'],
    transport: r.transport as AuthenticatorTransport,
    hasResidentKey: r.has_resident_key === 1,
    hasUserVerification: r.has_user_verification === 1,
    isUserConsenting: r.is_user_consenting === 1,
    isUserVerified: r.is_user_verified === 1,
    extensions: jsonArray(r.extensions, isString),
    defaultBackupEligibility: r.default_backup_eligibility === 1,
    defaultBackupState: r.default_backup_state === 1,
    aaguid: r.aaguid,
    algorithms: jsonArray(r.algorithms, isNumber),
    attestation: r.attestation === 'none' ? 'none' : 'packed',
    createdAt: r.created_at,
  };
}

function toAuthenticatorRow(a: StoredAuthenticator): WebAuthnAuthenticatorRow {
  return {
    id: a.id,
    protocol: a.protocol,
    transport: a.transport,
    has_resident_key: Number(a.hasResidentKey),
    has_user_verification: Number(a.hasUserVerification),
    is_user_consenting: Number(a.isUserConsenting),
    is_user_verified: Number(a.isUserVerified),
    extensions: JSON.stringify(a.extensions),
    default_backup_eligibility: Number(a.defaultBackupEligibility),
    default_backup_state: Number(a.defaultBackupState),
    aaguid: a.aaguid,
    algorithms: JSON.stringify(a.algorithms),
    attestation: a.attestation,
    created_at: a.createdAt,
  };
}

/** A credential as the store returns it: util.inspect (console.log) shows no private key. */
function fromWebAuthnCredentialRow(r: WebAuthnCredentialRow): WebAuthnCredential {
  return redactedCopy({
    authenticatorId: r.authenticator_id,
    credentialId: r.credential_id,
    rpId: r.rp_id,
    userHandle: r.user_handle,
    userName: r.user_name,
    userDisplayName: r.user_display_name,
    isResidentCredential: r.is_resident_credential === 1,
    algorithm: r.algorithm,
    privateKey: r.private_key,
    signCount: r.sign_count,
    backupEligibility: r.backup_eligibility === 1,
    backupState: r.backup_state === 1,
    createdAt: r.created_at,
  });
}

function toWebAuthnCredentialRow(c: WebAuthnCredential): WebAuthnCredentialRow {
  return {
    authenticator_id: c.authenticatorId,
    credential_id: c.credentialId,
    rp_id: c.rpId,
    user_handle: c.userHandle,
    user_name: c.userName,
    user_display_name: c.userDisplayName,
    is_resident_credential: Number(c.isResidentCredential),
    algorithm: c.algorithm,
    private_key: c.privateKey,
    sign_count: c.signCount,
    backup_eligibility: Number(c.backupEligibility),
    backup_state: Number(c.backupState),
    created_at: c.createdAt,
  };
}

const AUTHENTICATOR_COLUMNS =
  'id, protocol, transport, has_resident_key, has_user_verification, is_user_consenting, is_user_verified, extensions, default_backup_eligibility, default_backup_state, aaguid, algorithms, attestation, created_at';
const CREDENTIAL_COLUMNS =
  'authenticator_id, credential_id, rp_id, user_handle, user_name, user_display_name, is_resident_credential, algorithm, private_key, sign_count, backup_eligibility, backup_state, created_at';
const values = (columns: string): string => columns.split(', ').map((c) => `@${c}`).join(', ');
const updates = (columns: string, key: readonly string[]): string =>
  columns
    .split(', ')
    .filter((c) => !key.includes(c))
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');

/** WebAuthn's statements, prepared once (this also checks that the tables are there). */
function webauthnStatements(db: Database.Database) {
  return {
    listAuthenticators: db.prepare<[], WebAuthnAuthenticatorRow>(`SELECT ${AUTHENTICATOR_COLUMNS} FROM webauthn_authenticators ORDER BY seq`),
    // DO UPDATE keeps the row and its seq: a replaced authenticator keeps its place, as in a Map.
    putAuthenticator: db.prepare<[WebAuthnAuthenticatorRow]>(
      `INSERT INTO webauthn_authenticators (${AUTHENTICATOR_COLUMNS}) VALUES (${values(AUTHENTICATOR_COLUMNS)})
       ON CONFLICT (id) DO UPDATE SET ${updates(AUTHENTICATOR_COLUMNS, ['id'])}`,
    ),
    deleteAuthenticatorCredentials: db.prepare<[string]>('DELETE FROM webauthn_credentials WHERE authenticator_id = ?'),
    deleteAuthenticator: db.prepare<[string]>('DELETE FROM webauthn_authenticators WHERE id = ?'),
    listCredentials: db.prepare<[string], WebAuthnCredentialRow>(`SELECT ${CREDENTIAL_COLUMNS} FROM webauthn_credentials WHERE authenticator_id = ? ORDER BY seq`),
    getCredential: db.prepare<[string, string], WebAuthnCredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM webauthn_credentials WHERE authenticator_id = ? AND credential_id = ?`,
    ),
    putCredential: db.prepare<[WebAuthnCredentialRow]>(
      `INSERT INTO webauthn_credentials (${CREDENTIAL_COLUMNS}) VALUES (${values(CREDENTIAL_COLUMNS)})
       ON CONFLICT (authenticator_id, credential_id) DO UPDATE SET ${updates(CREDENTIAL_COLUMNS, ['authenticator_id', 'credential_id'])}`,
    ),
    deleteCredential: db.prepare<[string, string]>('DELETE FROM webauthn_credentials WHERE authenticator_id = ? AND credential_id = ?'),
  };
}

/**
 * WebAuthn's store (src/agent/webauthn/store.ts) in a profile's database: what
 * `createWebAuthn(core, { store: profile.webauthnStore })` keeps authenticators and passkeys in.
 * Each write is committed and synced to disk before it returns (see the file's header).
 */
export class SqliteWebAuthnStore implements WebAuthnStore {
  readonly #db: Database.Database;
  readonly #q: ReturnType<typeof webauthnStatements>;
  /** The connection runs with synchronous=NORMAL: raise it to FULL around each write. */
  readonly #raiseSync: boolean;

  /** @internal Use `profile.webauthnStore`. */
  constructor(db: Database.Database, synchronous: 'full' | 'normal') {
    this.#db = db;
    this.#q = webauthnStatements(db);
    this.#raiseSync = synchronous === 'normal';
  }

  /**
   * Runs a write with synchronous=FULL: in WAL mode, the commit then syncs the WAL (with every
   * earlier commit in it) before returning.
   */
  #durably<T>(write: () => T): T {
    if (!this.#raiseSync) return write();
    this.#db.pragma('synchronous = FULL');
    try {
      return write();
    } finally {
      this.#db.pragma('synchronous = NORMAL');
    }
  }

  listAuthenticators(): StoredAuthenticator[] {
    return this.#q.listAuthenticators.all().map(fromAuthenticatorRow);
  }

  putAuthenticator(authenticator: StoredAuthenticator): void {
    this.#durably(() => this.#q.putAuthenticator.run(toAuthenticatorRow(authenticator)));
  }

  deleteAuthenticator(id: string): void {
    this.#durably(() =>
      this.#db
        .transaction(() => {
          this.#q.deleteAuthenticatorCredentials.run(id);
          this.#q.deleteAuthenticator.run(id);
        })
        .immediate(),
    );
  }

  listCredentials(authenticatorId: string): WebAuthnCredential[] {
    return this.#q.listCredentials.all(authenticatorId).map(fromWebAuthnCredentialRow);
  }

  getCredential(authenticatorId: string, credentialId: string): WebAuthnCredential | undefined {
    const row = this.#q.getCredential.get(authenticatorId, credentialId);
    return row && fromWebAuthnCredentialRow(row);
  }

  putCredential(credential: WebAuthnCredential): void {
    this.#durably(() => this.#q.putCredential.run(toWebAuthnCredentialRow(credential)));
  }

  deleteCredential(authenticatorId: string, credentialId: string): boolean {
    return this.#durably(() => this.#q.deleteCredential.run(authenticatorId, credentialId).changes > 0);
  }
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
    const timeoutMs = options.busyTimeoutMs ?? 5000;
    const state = claimFile(path);
    let db: Database.Database | undefined;
    try {
      if (state === 'fedkit') inspect(path, timeoutMs);
      // `timeout` is better-sqlite3's busy_timeout.
      db = new Database(path, { fileMustExist: true, timeout: timeoutMs });
      db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      // The schema is ours; nothing in a profile needs to call functions from triggers or views.
      db.pragma('trusted_schema = OFF');
      // Before WAL: a new profile's first transaction (application_id, meta) goes to the main
      // file, so its header identifies it from the first commit on (see claimFile).
      migrate(path, db);
      db.pragma('journal_mode = WAL');
      restrictCompanions(path);
      try {
        return new SqliteProfile(path, db, options.synchronous === 'normal' ? 'normal' : 'full');
      } catch (e) {
        // The marker and version are fedkit's, but the tables are not what that version has.
        throw new ProfileError(path, 'corrupt', `it is a damaged fedkit profile: its tables do not match its schema version (${messageOf(e)}).`, {
          cause: e,
        });
      }
    } catch (e) {
      db?.close();
      throw toProfileError(path, e, timeoutMs);
    }
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
