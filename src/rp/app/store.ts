// The reference RP's own data: its users (one per IdP account it has seen) and their sessions,
// in SQLite. Session ids are random and stored hashed, so the file alone cannot sign anyone in.

import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface RpUser {
  id: number;
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
  picture: string | null;
  createdAt: number;
  lastSignIn: number;
}

const SCHEMA_VERSION = 1;

export class RpStore {
  readonly #db: Database.Database;

  constructor(path: string) {
    if (path !== ':memory:') {
      // Create the file 0600 before SQLite opens it: it holds session hashes and user data.
      try {
        closeSync(openSync(path, 'wx', 0o600));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 5000');
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new Error(`${path} was written by a newer fedkit RP (schema ${version}).`);
    if (version < 1) {
      this.#db.exec(`
        CREATE TABLE users (
          id INTEGER PRIMARY KEY,
          issuer TEXT NOT NULL,
          subject TEXT NOT NULL,
          email TEXT, name TEXT, picture TEXT,
          created_at INTEGER NOT NULL,
          last_sign_in INTEGER NOT NULL,
          UNIQUE (issuer, subject)
        );
        CREATE TABLE sessions (
          id_hash TEXT PRIMARY KEY,
          user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          expires_at INTEGER NOT NULL
        );
        PRAGMA user_version = 1;
      `);
    }
  }

  /** Signs the IdP account in, creating the user on first sight; `created` tells sign-up from sign-in. */
  upsertUser(claims: { issuer: string; subject: string; email?: string; name?: string; picture?: string }, now: number): { user: RpUser; created: boolean } {
    return this.#db.transaction(() => {
      const existing = this.#db.prepare('SELECT id FROM users WHERE issuer = ? AND subject = ?').get(claims.issuer, claims.subject) as { id: number } | undefined;
      if (existing) {
        this.#db
          .prepare('UPDATE users SET email = coalesce(?, email), name = coalesce(?, name), picture = coalesce(?, picture), last_sign_in = ? WHERE id = ?')
          .run(claims.email ?? null, claims.name ?? null, claims.picture ?? null, now, existing.id);
        return { user: this.user(existing.id)!, created: false };
      }
      const info = this.#db
        .prepare('INSERT INTO users (issuer, subject, email, name, picture, created_at, last_sign_in) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(claims.issuer, claims.subject, claims.email ?? null, claims.name ?? null, claims.picture ?? null, now, now);
      return { user: this.user(Number(info.lastInsertRowid))!, created: true };
    })();
  }

  user(id: number): RpUser | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    if (!row) return undefined;
    return {
      id: row['id'] as number,
      issuer: row['issuer'] as string,
      subject: row['subject'] as string,
      email: row['email'] as string | null,
      name: row['name'] as string | null,
      picture: row['picture'] as string | null,
      createdAt: row['created_at'] as number,
      lastSignIn: row['last_sign_in'] as number,
    };
  }

  /** A new session for the user; returns the id for the cookie (only its hash is stored). */
  createSession(userId: number, now: number, ttlMs: number): string {
    const id = randomBytes(32).toString('base64url');
    this.#db.prepare('INSERT INTO sessions (id_hash, user_id, expires_at) VALUES (?, ?, ?)').run(hash(id), userId, now + ttlMs);
    return id;
  }

  sessionUser(id: string, now: number): RpUser | undefined {
    const row = this.#db.prepare('SELECT user_id FROM sessions WHERE id_hash = ? AND expires_at > ?').get(hash(id), now) as { user_id: number } | undefined;
    return row ? this.user(row.user_id) : undefined;
  }

  deleteSession(id: string): void {
    this.#db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(hash(id));
  }

  /** "Disconnect this IdP": the RP forgets the user entirely. */
  deleteUser(id: number): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
      this.#db.prepare('DELETE FROM users WHERE id = ?').run(id);
    })();
  }

  /** Throws when the database cannot be read (the readiness probe). */
  ping(): void {
    this.#db.prepare('SELECT 1').get();
  }

  close(): void {
    this.#db.close();
  }
}

function hash(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}
