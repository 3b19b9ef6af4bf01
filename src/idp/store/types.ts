// The IdP's storage interface. Two real implementations share it (sqlite.ts, postgres.ts) and one
// test suite (test/idp/store.test.ts) runs against both, so they cannot drift apart.
//
// Times are milliseconds since the epoch (integers). Secrets never reach the store in clear:
// passwords arrive as scrypt hashes and session ids as SHA-256 digests.

/** A user account of the IdP (an "account" in FedCM terms: `id` is the account id and the `sub`). */
export interface User {
  id: string;
  /** Unique, stored lower-cased. */
  email: string;
  name: string;
  givenName: string | null;
  /** Absolute URL, or a path resolved against the issuer when served. */
  picture: string | null;
  username: string | null;
  tel: string | null;
  /** `scrypt$N$r$p$salt$hash` (see passwords.ts). */
  passwordHash: string;
  createdAt: number;
}

export type NewUser = Omit<User, 'createdAt'> & { createdAt?: number };

/** What `updateUser` may change: anything but the id and the creation time. */
export type UserChanges = Partial<Omit<User, 'id' | 'createdAt'>>;

export interface Session {
  /** SHA-256 (base64url) of the random session id the cookie carries. */
  idHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

/** A relying party registered with the IdP. */
export interface Client {
  id: string;
  /** Serialized origins (`https://rp.example`) allowed to call the assertion and disconnect endpoints. */
  origins: string[];
  privacyPolicyUrl: string | null;
  termsOfServiceUrl: string | null;
  createdAt: number;
}

export type NewClient = Omit<Client, 'createdAt'> & { createdAt?: number };

/** What `updateClient` may change: anything but the id and the creation time. */
export type ClientChanges = Partial<Omit<Client, 'id' | 'createdAt'>>;

/** The user let `clientId` receive these claims (FedCM "fields"); its presence makes the account "approved". */
export interface Grant {
  userId: string;
  clientId: string;
  fields: string[];
  createdAt: number;
  /** When the grant was last written: by upsertGrant, or by an assertion that added fields (one that discloses nothing new leaves it). */
  updatedAt: number;
}

/** A token-signing key pair. Public keys stay in the JWKS until `expiresAt`. */
export interface KeyRecord {
  kid: string;
  alg: 'ES256' | 'EdDSA';
  /** Public JWK as JSON text. */
  publicJwk: string;
  /** Private JWK as JSON text. */
  privateJwk: string;
  createdAt: number;
  /** When a newer key replaced it (null while it is the signing key). */
  retiredAt: number | null;
  /** When it leaves the JWKS (null while it is the signing key): retirement + the longest token lifetime. */
  expiresAt: number | null;
}

/**
 * What the ID assertion endpoint asks of the store in one call (`Store.assertionStep`): the rows
 * it checks, and the writes an assertion makes when every check passes, all in one transaction
 * (SQLite) or one statement (PostgreSQL), so the replay guard and the grant are committed
 * together before the endpoint signs the token.
 */
export interface AssertionStepInput {
  clientId: string;
  /** SHA-256 (base64url) of the session cookie's id; undefined when the request carries none (no session is read). */
  sessionIdHash: string | undefined;
  now: number;
  /**
   * The assertion to complete if the rows allow it. The store completes it only when the client
   * exists and lists `origin`, the session is live and its user is `accountId`, and
   * `decideDisclosure` (disclosure.ts) on that user and the stored grant needs no further
   * consent; it then uses up (client, nonce) until `nonceExpiresAt` (unless `nonce` is undefined)
   * and, if the nonce was fresh, adds the disclosed fields to the grant. Absent: nothing is written.
   */
  complete?: {
    origin: string;
    accountId: string;
    nonce: string | undefined;
    nonceExpiresAt: number;
    /** The parsed `fields` / `disclosure_shown_for` / `disclosure_text_shown` (recognized field names only). */
    disclosure: { fields: readonly string[] | undefined; disclosureShownFor: readonly string[] | undefined; disclosureTextShown: boolean };
  };
}

export interface AssertionStepResult {
  client: Client | undefined;
  /** The live session and its user (undefined without a session id, or when it is unknown or expired). */
  session: { session: Session; user: User } | undefined;
  /** The user's grant for the client as it was before this step (undefined without session or client). */
  grant: Grant | undefined;
  /**
   * `completed`: every check passed, the nonce was used up and the grant written, committed.
   * `replay`: every check passed but (client, nonce) was already used and has not expired: nothing written.
   * `not-completed`: no `complete` asked, or a check failed (client, origin, session, account, consent): nothing written.
   */
  outcome: 'completed' | 'replay' | 'not-completed';
}

/** What the accounts endpoint needs, in one call (`Store.accountsView`). */
export interface AccountsView {
  session: Session;
  user: User;
  /** The client ids the user granted, sorted (as grantedClients). */
  grantedClients: string[];
}

export interface Store {
  /** Applies the pending versioned migrations (idempotent; safe to run from several servers at once). */
  migrate(): Promise<void>;
  /** The applied migration versions, ascending. */
  migrations(): Promise<number[]>;
  close(): Promise<void>;

  /** Throws StoreConflictError when the id or the email is taken. */
  createUser(user: NewUser): Promise<User>;
  getUser(id: string): Promise<User | undefined>;
  getUserByEmail(email: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /**
   * Changes the given fields of a user (never the id: it is the tokens' `sub`). Returns the user
   * as stored, or undefined when there is none. Throws StoreConflictError when the email is taken.
   */
  updateUser(id: string, changes: UserChanges): Promise<User | undefined>;
  /** Deletes the user with its sessions and grants. False when there was none. */
  deleteUser(id: string): Promise<boolean>;

  createSession(session: Session): Promise<void>;
  /** The session if it exists and has not expired at `now`. */
  getSession(idHash: string, now: number): Promise<Session | undefined>;
  /**
   * Optional: getSession and then getUser in one call, for stores where each call is a round trip
   * (every credentialed FedCM request needs both). Without it the IdP makes the two calls.
   */
  getSessionUser?(idHash: string, now: number): Promise<{ session: Session; user: User } | undefined>;
  /**
   * Optional: the live session, its user and the clients the user granted, in one call (one
   * round trip on PostgreSQL). Without it the IdP makes the separate calls.
   */
  accountsView?(idHash: string, now: number): Promise<AccountsView | undefined>;
  deleteSession(idHash: string): Promise<boolean>;
  /** Ends every session of the user (a new password signs them out everywhere). */
  deleteUserSessions(userId: string): Promise<number>;
  deleteExpiredSessions(now: number): Promise<number>;

  /** Throws StoreConflictError when the id is taken. */
  createClient(client: NewClient): Promise<Client>;
  getClient(id: string): Promise<Client | undefined>;
  listClients(): Promise<Client[]>;
  /** Changes the given fields of a client. Returns it as stored, or undefined when there is none. */
  updateClient(id: string, changes: ClientChanges): Promise<Client | undefined>;
  /** Deletes the client with every grant users gave it. False when there was none. */
  deleteClient(id: string): Promise<boolean>;

  getGrant(userId: string, clientId: string): Promise<Grant | undefined>;
  /** Creates the grant, or adds `fields` to an existing one (fields are never removed here). */
  upsertGrant(userId: string, clientId: string, fields: string[], now: number): Promise<Grant>;
  /** The client ids the user granted, sorted. */
  grantedClients(userId: string): Promise<string[]>;
  deleteGrant(userId: string, clientId: string): Promise<boolean>;

  /** Every key, newest first. */
  listKeys(): Promise<KeyRecord[]>;
  insertKey(key: KeyRecord): Promise<void>;
  /** Retires every signing key except `keepKid`, keeping them published until `expiresAt`. */
  retireKeys(keepKid: string, retiredAt: number, expiresAt: number): Promise<number>;
  deleteExpiredKeys(now: number): Promise<number>;
  /** Deletes one key, public half included (it leaves the JWKS at once). False when there was none. */
  deleteKey(kid: string): Promise<boolean>;

  /**
   * Records (clientId, nonce) as used until `expiresAt`. Returns false, changing nothing, when the
   * pair is already recorded and not yet expired at `now` (a replay).
   */
  useNonce(clientId: string, nonce: string, now: number, expiresAt: number): Promise<boolean>;
  deleteExpiredNonces(now: number): Promise<number>;
  /**
   * Optional: everything an ID assertion reads and writes, in one transaction or statement
   * (AssertionStepInput). Without it the IdP makes the separate calls (getClient, the session,
   * getGrant, useNonce, upsertGrant), each its own commit.
   */
  assertionStep?(input: AssertionStepInput): Promise<AssertionStepResult>;


  recordLoginFailure(key: string, at: number): Promise<void>;
  countLoginFailures(key: string, since: number): Promise<number>;
  /** The time of the latest failure recorded under `key` after `since`, or undefined. */
  lastLoginFailure(key: string, since: number): Promise<number | undefined>;
  clearLoginFailures(key: string): Promise<void>;
  deleteLoginFailuresBefore(before: number): Promise<number>;
}

/** A uniqueness violation (an id or email that already exists). */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}
