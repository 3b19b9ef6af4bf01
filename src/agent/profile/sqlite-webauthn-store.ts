// WebAuthn's store (./webauthn-store.ts) on the profile's SQLite connection: the virtual
// authenticators and their public key credential sources, in the tables that
// ./sqlite-migrations.ts creates (schema version 2), so passkeys survive a restart.
//
// Every method is one SQL statement (atomic on its own), or one IMMEDIATE transaction.
// WebAuthn credentials hold private keys (PKCS#8, base64url): secrets like the cookies and
// passwords, protected by the file's mode, never logged (rows are read back as redacted copies
// for util.inspect, errors name credential IDs only). Their writes are always synced before they
// return, even with `synchronous: 'normal'`: a sign counter that went backwards after a power loss
// would make RPs take the authenticator for a clone (WebAuthn §6.1.1).

import type Database from 'better-sqlite3';
import { redactedCopy, type AuthenticatorTransport, type StoredAuthenticator, type StoredCredential as WebAuthnCredential, type WebAuthnStore } from './webauthn-store.js';

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
 * WebAuthn's store (./webauthn-store.ts) in a profile's database: what
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
   * earlier commit in it) before returning, so a signature counter never goes back after a power
   * loss (WebAuthn §6.1.1).
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
