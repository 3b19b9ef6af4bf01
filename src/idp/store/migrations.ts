// Versioned schema migrations, one list for both databases. A migration is applied once, inside
// a transaction together with its row in `fedkit_migrations`; a new schema change is a new entry
// at the end of the list (never an edit of an applied one).

export interface Migration {
  version: number;
  description: string;
  sqlite: string[];
  postgres: string[];
}

/** Table definitions that read the same in both dialects (TEXT, BIGINT, composite keys). */
const CORE_TABLES = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     given_name TEXT,
     picture TEXT,
     username TEXT,
     tel TEXT,
     password_hash TEXT NOT NULL,
     created_at BIGINT NOT NULL
   )`,
  `CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL
   )`,
  `CREATE INDEX sessions_user ON sessions(user_id)`,
  `CREATE TABLE clients (
     id TEXT PRIMARY KEY,
     origins TEXT NOT NULL,
     privacy_policy_url TEXT,
     terms_of_service_url TEXT,
     created_at BIGINT NOT NULL
   )`,
  `CREATE TABLE grants (
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
     fields TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (user_id, client_id)
   )`,
  `CREATE TABLE signing_keys (
     kid TEXT PRIMARY KEY,
     alg TEXT NOT NULL,
     public_jwk TEXT NOT NULL,
     private_jwk TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     retired_at BIGINT,
     expires_at BIGINT
   )`,
  `CREATE TABLE used_nonces (
     client_id TEXT NOT NULL,
     nonce TEXT NOT NULL,
     expires_at BIGINT NOT NULL,
     PRIMARY KEY (client_id, nonce)
   )`,
];

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'users, sessions, clients, grants, signing keys, used nonces',
    sqlite: CORE_TABLES,
    postgres: CORE_TABLES,
  },
  {
    version: 2,
    description: 'login failures for rate limiting',
    sqlite: [
      `CREATE TABLE login_failures (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, at BIGINT NOT NULL)`,
      `CREATE INDEX login_failures_key_at ON login_failures(key, at)`,
    ],
    postgres: [
      `CREATE TABLE login_failures (id BIGSERIAL PRIMARY KEY, key TEXT NOT NULL, at BIGINT NOT NULL)`,
      `CREATE INDEX login_failures_key_at ON login_failures(key, at)`,
    ],
  },
];

/** The migrations table itself, created before anything else. */
export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS fedkit_migrations (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;
