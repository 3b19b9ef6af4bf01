// The profile file: claiming a path as a fedkit profile, checking what is in it, opening it and
// bringing it to the current schema (./sqlite-migrations.ts), and the ProfileError that says why
// a file cannot be used. The stores on the open connection are ./sqlite-profile.ts (which opens
// files through openProfileFile), ./sqlite-cookie-store.ts and ./sqlite-webauthn-store.ts.
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
//   - Migrations run in one IMMEDIATE transaction together with the version bump, so a profile
//     is at one version or the next (a version 1 file, from before WebAuthn, gains the WebAuthn
//     tables the first time this fedkit opens it; its data stays as it was).

import { chmodSync, closeSync, fchmodSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import Database from 'better-sqlite3';
import { MIGRATIONS, PROFILE_FORMAT, PROFILE_SCHEMA_VERSION } from './sqlite-migrations.js';

/** The SQLite header's application_id of a fedkit profile: "FedK". */
export const PROFILE_APPLICATION_ID = 0x4665644b;

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

/** How to open a profile file: SqliteProfileOptions (./sqlite-profile.ts) with its defaults applied. */
export interface ProfileFileSettings {
  /** busy_timeout, ms. */
  busyTimeoutMs: number;
  /** SQLite's `synchronous` (see the rules above). */
  synchronous: 'full' | 'normal';
}

/**
 * Opens the profile at `path` by the rules above, creating it (mode 0600) when there is no file,
 * and returns what `attach` builds on the connection (the stores, whose statements, prepared
 * there, check that the tables are there). Throws a ProfileError, leaving the file untouched and
 * the connection closed, when it is not a fedkit profile, is damaged, or was written by a newer
 * fedkit.
 */
export function openProfileFile<T>(path: string, settings: ProfileFileSettings, attach: (db: Database.Database) => T): T {
  const timeoutMs = settings.busyTimeoutMs;
  const state = claimFile(path);
  let db: Database.Database | undefined;
  try {
    if (state === 'fedkit') inspect(path, timeoutMs);
    // `timeout` is better-sqlite3's busy_timeout.
    db = new Database(path, { fileMustExist: true, timeout: timeoutMs });
    db.pragma(`synchronous = ${settings.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // The schema is ours; nothing in a profile needs to call functions from triggers or views.
    db.pragma('trusted_schema = OFF');
    // Before WAL: a new profile's first transaction (application_id, meta) goes to the main
    // file, so its header identifies it from the first commit on (see claimFile).
    migrate(path, db);
    db.pragma('journal_mode = WAL');
    restrictCompanions(path);
    try {
      return attach(db);
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

/** The first 16 bytes of every SQLite 3 database (https://www.sqlite.org/fileformat.html §1.3). */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** Offset of the header's application_id (big-endian u32), same section. */
const APPLICATION_ID_OFFSET = 68;
/** The database header is the file's first 100 bytes, same section. */
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
 * a ProfileError for anything else. Reads at most the 100-byte header: SQLite file format §1.3
 * "The Database Header", the magic string at offset 0 and the application ID at offset 68.
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

/**
 * Checks an existing profile (SQLite's quick_check, then the `meta` format marker and schema
 * version) through a read-only connection, which cannot change the file.
 */
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

/**
 * Keeps the WAL companions (-wal, -shm) 0600 like the file. SQLite already gives -wal and -shm
 * the database's mode; this only repairs a file made elsewhere.
 */
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
