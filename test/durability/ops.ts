// The writes of the durability tests, shared by the writer (./writer.ts, the child process that
// is killed) and the tests that check what survived (./idp-sqlite.test.ts,
// ./idp-postgres.test.ts, ./profile.test.ts).
//
// A write is an `Op`: plain JSON, so the writer prints it before starting it (`b <id> <json>`)
// and the parent knows exactly what was attempted. What each op leaves in the store is its
// `Expectation`: a slot (what it writes: a user id, a (client, nonce) pair, a login status's
// origin) and the value the slot then holds, or, for grants, the fields it adds (grants only ever
// grow). ./harness.ts compares those with what the store holds after each kill.

import type { Client, KeyRecord, Session, Store, User } from '../../src/idp/index.js';
import { assertionStep } from '../../src/idp/store-steps.js';
import type { Connection, LoginStatus, SqliteProfile, StoredAuthenticator, StoredCredential, WebAuthnStoredCredential } from '../../src/agent/index.js';
import type { Cookies } from '../../src/agent/net/cookies.js';

/** A seeded PRNG (mulberry32): the same seed gives the same writes and the same kill delays. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

/** Long enough that nothing a test writes expires while it runs. */
const LIFETIME_MS = 30 * 24 * 3600 * 1000;

// ---------------------------------------------------------------------------------------------
// The IdP store: users and clients created, sessions started, nonces used, grants upserted, keys.

export type IdpOp =
  | { id: string; kind: 'user'; user: User }
  | { id: string; kind: 'client'; client: Client }
  | { id: string; kind: 'session'; session: Session }
  | { id: string; kind: 'nonce'; clientId: string; nonce: string; now: number; expiresAt: number }
  | { id: string; kind: 'grant'; userId: string; clientId: string; fields: string[]; now: number }
  | { id: string; kind: 'key'; key: KeyRecord }
  /** An ID assertion's store step (Store.assertionStep): its nonce and its grant in one commit. */
  | { id: string; kind: 'assertion'; clientId: string; origin: string; sessionIdHash: string; userId: string; nonce: string; fields: string[]; now: number; expiresAt: number };

const FIELDS = ['name', 'email', 'picture', 'tel', 'username'];

/** What the writer knows of the store: the users and clients it may refer to (foreign keys). */
export interface IdpWriterState {
  users: string[];
  clients: string[];
  /** Acknowledged sessions (an assertion needs a live one). */
  sessions: { idHash: string; userId: string }[];
}

/** The origin nextIdpOp registers for client `c-<id>`. */
function originOf(clientId: string): string {
  return `https://rp-${clientId.slice(2).replace('.', '-')}.example`;
}

/** Fields every writer user has (username is set, picture and tel are not). */
const ASSERTED_FIELDS = ['name', 'email', 'username'];

/** The next IdP write: mostly the writes of a sign-in (session, nonce, grant), some sign-ups. */
export function nextIdpOp(rand: () => number, id: string, state: IdpWriterState): IdpOp {
  const now = Date.now();
  const r = rand();
  if (state.clients.length === 0 || (r < 0.08 && state.users.length > 0)) {
    return {
      id,
      kind: 'client',
      client: { id: `c-${id}`, origins: [originOf(`c-${id}`)], privacyPolicyUrl: 'https://rp.example/privacy', termsOfServiceUrl: null, createdAt: now },
    };
  }
  if (state.users.length === 0 || r < 0.2) {
    return {
      id,
      kind: 'user',
      user: { id: `u-${id}`, email: `user-${id}@durability.example`, name: `User ${id}`, givenName: null, picture: null, username: `user-${id}`, tel: null, passwordHash: `scrypt$1024$8$1$salt$${id}`, createdAt: now },
    };
  }
  if (r < 0.42) return { id, kind: 'session', session: { idHash: `h-${id}`, userId: pick(rand, state.users), createdAt: now, expiresAt: now + LIFETIME_MS } };
  if (r < 0.7) return { id, kind: 'nonce', clientId: pick(rand, state.clients), nonce: `n-${id}`, now, expiresAt: now + LIFETIME_MS };
  if (r < 0.84 || (r < 0.98 && state.sessions.length === 0)) {
    const fields = FIELDS.filter(() => rand() < 0.4);
    return { id, kind: 'grant', userId: pick(rand, state.users), clientId: pick(rand, state.clients), fields, now };
  }
  if (r < 0.98) {
    const session = pick(rand, state.sessions);
    const clientId = pick(rand, state.clients);
    const fields = ASSERTED_FIELDS.filter(() => rand() < 0.6);
    return { id, kind: 'assertion', clientId, origin: originOf(clientId), sessionIdHash: session.idHash, userId: session.userId, nonce: `a-${id}`, fields, now, expiresAt: now + LIFETIME_MS };
  }
  return {
    id,
    kind: 'key',
    key: { kid: `k-${id}`, alg: 'ES256', publicJwk: `{"kid":"k-${id}"}`, privateJwk: `{"kid":"k-${id}","d":"x"}`, createdAt: now, retiredAt: null, expiresAt: null },
  };
}

/** Performs the write; resolves when the store acknowledged it. */
export async function applyIdpOp(store: Store, op: IdpOp): Promise<void> {
  switch (op.kind) {
    case 'user':
      await store.createUser(op.user);
      return;
    case 'client':
      await store.createClient(op.client);
      return;
    case 'session':
      await store.createSession(op.session);
      return;
    case 'nonce':
      // A fresh nonce must be accepted; anything else is a bug the test reports.
      if (!(await store.useNonce(op.clientId, op.nonce, op.now, op.expiresAt))) throw new Error(`useNonce refused the fresh nonce ${op.nonce}`);
      return;
    case 'grant':
      await store.upsertGrant(op.userId, op.clientId, op.fields, op.now);
      return;
    case 'key':
      await store.insertKey(op.key);
      return;
    case 'assertion': {
      // Every check passes (a live session, the client's origin, fields disclosed now): a step
      // that does not complete is a bug the test reports.
      const step = await assertionStep(store, {
        clientId: op.clientId,
        sessionIdHash: op.sessionIdHash,
        now: op.now,
        complete: { origin: op.origin, accountId: op.userId, nonce: op.nonce, nonceExpiresAt: op.expiresAt, disclosure: { fields: op.fields, disclosureShownFor: op.fields, disclosureTextShown: false } },
      });
      if (step.outcome !== 'completed') throw new Error(`assertionStep did not complete assertion ${op.id}: ${step.outcome}`);
      return;
    }
  }
}

/** What a write leaves in the store. */
export type Expectation = { slot: string; value: string } | { slot: string; fields: string[] };

/** JSON with sorted keys, so a record read back compares equal to the one written. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export const userSlot = (id: string): string => `user ${id}`;
export const clientSlot = (id: string): string => `client ${id}`;
export const sessionSlot = (idHash: string): string => `session ${idHash}`;
export const nonceSlot = (clientId: string, nonce: string): string => `nonce ${clientId} ${nonce}`;
export const grantSlot = (userId: string, clientId: string): string => `grant ${userId} ${clientId}`;
export const keySlot = (kid: string): string => `key ${kid}`;

export function idpExpectation(op: IdpOp): Expectation | Expectation[] {
  switch (op.kind) {
    case 'user':
      return { slot: userSlot(op.user.id), value: canonical(op.user) };
    case 'client':
      return { slot: clientSlot(op.client.id), value: canonical(op.client) };
    case 'session':
      return { slot: sessionSlot(op.session.idHash), value: canonical(op.session) };
    case 'nonce':
      return { slot: nonceSlot(op.clientId, op.nonce), value: canonical({ expiresAt: op.expiresAt }) };
    case 'grant':
      return { slot: grantSlot(op.userId, op.clientId), fields: op.fields };
    case 'key':
      return { slot: keySlot(op.key.kid), value: canonical(op.key) };
    case 'assertion':
      return [
        { slot: nonceSlot(op.clientId, op.nonce), value: canonical({ expiresAt: op.expiresAt }) },
        { slot: grantSlot(op.userId, op.clientId), fields: op.fields },
      ];
  }
}

// ---------------------------------------------------------------------------------------------
// The agent's SQLite profile: connections, login status, stored credentials, WebAuthn
// authenticators and passkeys (their signature counters), cookies.

export type ProfileOp =
  | { id: string; kind: 'connection'; connection: Connection }
  | { id: string; kind: 'login-status'; origin: string; status: LoginStatus }
  | { id: string; kind: 'credential'; credential: StoredCredential }
  | { id: string; kind: 'authenticator'; authenticator: StoredAuthenticator }
  | { id: string; kind: 'passkey'; credential: WebAuthnStoredCredential }
  | { id: string; kind: 'cookie'; url: string; name: string; value: string };

/** The origins, sites and names the profile writes go to (small pools, so values are overwritten). */
export const PROFILE_POOLS = {
  rps: ['https://rp1.example', 'https://rp2.example', 'https://rp3.example'],
  idp: 'https://idp.example',
  loginOrigins: Array.from({ length: 12 }, (_, i) => `https://idp${i}.example`),
  credentialOrigins: ['https://site1.example', 'https://site2.example', 'https://site3.example', 'https://site4.example'],
  /** Passkeys whose counters go up by one at every assertion. */
  passkeys: ['pk0', 'pk1', 'pk2', 'pk3'],
  passkeyAuthenticator: 'durability',
  cookieUrls: ['https://idp.example/', 'https://accounts.idp.example/', 'https://rp1.example/'],
  cookieNames: Array.from({ length: 8 }, (_, i) => `c${i}`),
};

export interface ProfileWriterState {
  /** Each passkey's signature counter as the store holds it. */
  counters: Map<string, number>;
}

export function passkey(credentialId: string, signCount: number): WebAuthnStoredCredential {
  return {
    authenticatorId: PROFILE_POOLS.passkeyAuthenticator,
    credentialId,
    rpId: 'rp1.example',
    userHandle: 'dXNlcg',
    userName: 'jane@idp.example',
    userDisplayName: 'Jane',
    isResidentCredential: true,
    algorithm: -7,
    privateKey: `private-key-of-${credentialId}`,
    signCount,
    backupEligibility: false,
    backupState: false,
    createdAt: 1_700_000_000_000,
  };
}

export function authenticator(id: string): StoredAuthenticator {
  return {
    id,
    protocol: 'ctap2',
    transport: 'internal',
    hasResidentKey: true,
    hasUserVerification: true,
    isUserConsenting: true,
    isUserVerified: true,
    extensions: [],
    defaultBackupEligibility: false,
    defaultBackupState: false,
    aaguid: '00000000000000000000000000000000',
    algorithms: [-7],
    attestation: 'none',
    createdAt: 1_700_000_000_000,
  };
}

/** The next profile write: what one sign-in leaves in a browser profile, in random order. */
export function nextProfileOp(rand: () => number, id: string, state: ProfileWriterState, first: boolean): ProfileOp {
  if (first) return { id, kind: 'authenticator', authenticator: authenticator(`auth-${id}`) };
  const r = rand();
  const P = PROFILE_POOLS;
  if (r < 0.2) {
    const rp = pick(rand, P.rps);
    return { id, kind: 'connection', connection: { embedder: rp, rp, idp: P.idp, accountId: `acct-${id}`, lastUsed: Date.now() } };
  }
  if (r < 0.4) return { id, kind: 'login-status', origin: pick(rand, P.loginOrigins), status: rand() < 0.5 ? 'logged-in' : 'logged-out' };
  if (r < 0.55) {
    return { id, kind: 'credential', credential: { type: 'password', origin: pick(rand, P.credentialOrigins), id: `user-${id}`, password: `pw-${id}`, name: `User ${id}`, iconURL: '' } };
  }
  if (r < 0.75) {
    const credentialId = pick(rand, P.passkeys);
    const signCount = (state.counters.get(credentialId) ?? 0) + 1;
    return { id, kind: 'passkey', credential: passkey(credentialId, signCount) };
  }
  return { id, kind: 'cookie', url: pick(rand, P.cookieUrls), name: pick(rand, P.cookieNames), value: `v-${id}` };
}

/** Performs the write through the profile's own API (cookies through the agent's cookie jar). */
export async function applyProfileOp(profile: SqliteProfile, cookies: Cookies, op: ProfileOp, state: ProfileWriterState): Promise<void> {
  switch (op.kind) {
    case 'connection':
      profile.addConnection(op.connection);
      return;
    case 'login-status':
      profile.setLoginStatus(op.origin, op.status);
      return;
    case 'credential':
      profile.putStoredCredential(op.credential);
      return;
    case 'authenticator':
      profile.webauthnStore.putAuthenticator(op.authenticator);
      return;
    case 'passkey':
      profile.webauthnStore.putCredential(op.credential);
      state.counters.set(op.credential.credentialId, op.credential.signCount ?? 0);
      return;
    case 'cookie':
      await cookies.set(op.url, `${op.name}=${op.value}; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=2592000`);
      return;
  }
}

export const connectionSlot = (c: Pick<Connection, 'embedder' | 'rp' | 'idp' | 'accountId'>): string => `connection ${c.embedder} ${c.rp} ${c.idp} ${c.accountId}`;
export const loginStatusSlot = (origin: string): string => `login-status ${origin}`;
export const credentialSlot = (origin: string, id: string): string => `credential ${origin} ${id}`;
export const authenticatorSlot = (id: string): string => `authenticator ${id}`;
export const passkeySlot = (credentialId: string): string => `passkey ${credentialId}`;
export const cookieSlot = (domain: string, name: string): string => `cookie ${domain} ${name}`;

export function profileExpectation(op: ProfileOp): Expectation {
  switch (op.kind) {
    case 'connection':
      return { slot: connectionSlot(op.connection), value: canonical(op.connection) };
    case 'login-status':
      return { slot: loginStatusSlot(op.origin), value: op.status };
    case 'credential':
      return { slot: credentialSlot(op.credential.origin, op.credential.id), value: canonical(op.credential) };
    case 'authenticator':
      return { slot: authenticatorSlot(op.authenticator.id), value: canonical(op.authenticator) };
    case 'passkey':
      return { slot: passkeySlot(op.credential.credentialId), value: canonical(op.credential) };
    case 'cookie':
      return { slot: cookieSlot(new URL(op.url).hostname, op.name), value: op.value };
  }
}

// ---------------------------------------------------------------------------------------------
// What the writer is told (as JSON in FEDKIT_DURABILITY).

export type WriterTarget =
  | { kind: 'idp-sqlite'; filename: string; synchronous: 'full' | 'normal' }
  | { kind: 'idp-postgres'; connectionString: string; schema: string }
  | { kind: 'profile'; path: string; synchronous: 'full' | 'normal' };

export interface WriterConfig {
  target: WriterTarget;
  /** The run's number: every op id starts with it, so ids never repeat across runs. */
  run: number;
  seed: number;
  /** Writes in flight at once (PostgreSQL: several requests of one server; SQLite is synchronous). */
  concurrency: number;
  /** Stop (closing the store) after this many writes, instead of writing until killed. */
  maxWrites?: number;
}
