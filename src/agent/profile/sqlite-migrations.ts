// The profile file's schema: the ordered list of migrations, one per schema version, and the
// `meta` table's format marker the first one writes. ./sqlite-file.ts runs them (in one IMMEDIATE
// transaction with the version bump) and checks the marker and version of a file it opens; the
// stores (./sqlite-profile.ts, ./sqlite-cookie-store.ts, ./sqlite-webauthn-store.ts) read and
// write the tables made here.

/** The `meta` table's `format` value of a fedkit profile. */
export const PROFILE_FORMAT = 'fedkit-profile';

/**
 * The schema, one entry per version: entry i turns version i into version i + 1. Never edit a
 * released entry; add one. Each runs inside the migration transaction.
 */
export const MIGRATIONS: readonly string[] = [
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
  // 2: WebAuthn (./webauthn-store.ts): virtual authenticators and their public key
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
