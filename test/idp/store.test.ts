// One store test suite, run against both real stores: SQLite (a temp file) and PostgreSQL (a
// schema of its own, dropped afterwards). PostgreSQL being unreachable is a failure, not a skip.

import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { MIGRATIONS } from '../../src/idp/store/migrations.js';
import { openStore, SqliteStore, StoreConflictError, type KeyRecord, type Store } from '../../src/idp/index.js';
import { openTestStore, STORE_KINDS, type TestStore } from './helpers.js';

const T0 = 1_700_000_000_000;

function user(id: string, email: string) {
  return { id, email, name: `Name ${id}`, givenName: null, picture: null, username: null, tel: null, passwordHash: `scrypt$1$1$1$salt$${id}`, createdAt: T0 };
}

function key(kid: string, createdAt: number): KeyRecord {
  return { kid, alg: 'ES256', publicJwk: `{"kid":"${kid}"}`, privateJwk: `{"kid":"${kid}","d":"x"}`, createdAt, retiredAt: null, expiresAt: null };
}

for (const kind of STORE_KINDS) {
  describe(`store (${kind})`, { timeout: 30_000 }, () => {
    let t: TestStore;
    let store: Store;
    before(async () => {
      t = await openTestStore(kind);
      store = t.store;
    });
    after(() => t?.cleanup());

    it('applies every migration once, in order, and migrating again changes nothing', async () => {
      assert.deepEqual(await store.migrations(), MIGRATIONS.map((m) => m.version));
      await store.migrate();
      await t.openSecond().migrate();
      const rows = await t.rows('SELECT version, description FROM fedkit_migrations ORDER BY version');
      assert.deepEqual(rows, MIGRATIONS.map((m) => ({ version: m.version, description: m.description })));
    });

    it('users: create, read by id and by email (case-insensitive), refuse duplicates without writing', async () => {
      const created = await store.createUser({ ...user('u1', 'Alice@Example.COM') });
      assert.equal(created.email, 'alice@example.com');
      assert.deepEqual(await store.getUser('u1'), created);
      assert.deepEqual(await store.getUserByEmail('ALICE@example.com'), created);
      assert.equal(await store.getUser('nobody'), undefined);
      await assert.rejects(store.createUser(user('u2', 'alice@example.com')), StoreConflictError);
      await assert.rejects(store.createUser(user('u1', 'other@example.com')), StoreConflictError);
      assert.deepEqual((await store.listUsers()).map((u) => u.id), ['u1']);
    });

    it('keeps SQL-looking input as data', async () => {
      const evil = "x'); DROP TABLE users; --@example.com";
      await store.createUser(user("u'; DELETE FROM users; --", evil));
      assert.equal((await store.getUserByEmail(evil))?.id, "u'; DELETE FROM users; --");
      assert.equal(await store.getClient("' OR '1'='1"), undefined);
      assert.equal((await store.listUsers()).length, 2);
    });

    it('sessions: found until they expire, deleted one by one or when expired', async () => {
      await store.createSession({ idHash: 'h1', userId: 'u1', createdAt: T0, expiresAt: T0 + 1000 });
      await store.createSession({ idHash: 'h2', userId: 'u1', createdAt: T0, expiresAt: T0 + 5000 });
      assert.deepEqual(await store.getSession('h1', T0 + 999), { idHash: 'h1', userId: 'u1', createdAt: T0, expiresAt: T0 + 1000 });
      assert.equal(await store.getSession('h1', T0 + 1000), undefined);
      if (store.getSessionUser) {
        // The one-round-trip form (PostgreSQL): the same session, with its user.
        assert.deepEqual(await store.getSessionUser('h1', T0 + 999), { session: { idHash: 'h1', userId: 'u1', createdAt: T0, expiresAt: T0 + 1000 }, user: await store.getUser('u1') });
        assert.equal(await store.getSessionUser('h1', T0 + 1000), undefined);
        assert.equal(await store.getSessionUser('nope', T0), undefined);
      }
      assert.equal(await store.deleteExpiredSessions(T0 + 1000), 1);
      assert.equal(await store.deleteSession('h2'), true);
      assert.equal(await store.deleteSession('h2'), false);
      assert.deepEqual(await t.rows('SELECT id_hash FROM sessions'), []);
    });

    it('clients: origins and policy URLs round-trip; duplicates are refused', async () => {
      const c = await store.createClient({ id: 'c1', origins: ['https://rp.example', 'https://www.rp.example'], privacyPolicyUrl: 'https://rp.example/p', termsOfServiceUrl: null, createdAt: T0 });
      assert.deepEqual(await store.getClient('c1'), c);
      await assert.rejects(store.createClient({ id: 'c1', origins: ['https://x.example'], privacyPolicyUrl: null, termsOfServiceUrl: null }), StoreConflictError);
      await store.createClient({ id: 'c0', origins: ['https://rp2.example'], privacyPolicyUrl: null, termsOfServiceUrl: null, createdAt: T0 });
      assert.deepEqual((await store.listClients()).map((x) => x.id), ['c0', 'c1']);
    });

    it('grants: created, merged (fields only ever added, kept sorted), listed and deleted', async () => {
      const g1 = await store.upsertGrant('u1', 'c1', ['name', 'email'], T0);
      assert.deepEqual(g1, { userId: 'u1', clientId: 'c1', fields: ['email', 'name'], createdAt: T0, updatedAt: T0 });
      const g2 = await store.upsertGrant('u1', 'c1', ['picture', 'name'], T0 + 10);
      assert.deepEqual(g2, { userId: 'u1', clientId: 'c1', fields: ['email', 'name', 'picture'], createdAt: T0, updatedAt: T0 + 10 });
      await store.upsertGrant('u1', 'c0', [], T0);
      assert.deepEqual(await store.grantedClients('u1'), ['c0', 'c1']);
      assert.equal(await store.deleteGrant('u1', 'c0'), true);
      assert.equal(await store.deleteGrant('u1', 'c0'), false);
      assert.deepEqual(await store.grantedClients('u1'), ['c1']);
      assert.deepEqual(await store.getGrant('u1', 'c1'), g2);
    });

    it('keys: listed newest first, retired with an expiry, deleted once expired', async () => {
      await store.insertKey(key('k1', T0));
      await store.insertKey(key('k2', T0 + 1));
      assert.deepEqual((await store.listKeys()).map((k) => k.kid), ['k2', 'k1']);
      assert.equal(await store.retireKeys('k2', T0 + 5, T0 + 100), 1);
      const [k2, k1] = await store.listKeys();
      assert.deepEqual(k2, key('k2', T0 + 1));
      assert.deepEqual(k1, { ...key('k1', T0), retiredAt: T0 + 5, expiresAt: T0 + 100 });
      assert.equal(await store.deleteExpiredKeys(T0 + 99), 0);
      assert.equal(await store.deleteExpiredKeys(T0 + 100), 1);
      assert.deepEqual((await store.listKeys()).map((k) => k.kid), ['k2']);
    });

    it('users: updated field by field (email normalised, conflicts refused), removed with their sessions and grants', async () => {
      await store.createUser(user('u9', 'nine@example.com'));
      await store.createClient({ id: 'c9', origins: ['https://rp9.example'], privacyPolicyUrl: null, termsOfServiceUrl: null, createdAt: T0 });
      await store.createSession({ idHash: 'h9a', userId: 'u9', createdAt: T0, expiresAt: T0 + 1000 });
      await store.createSession({ idHash: 'h9b', userId: 'u9', createdAt: T0, expiresAt: T0 + 1000 });
      await store.upsertGrant('u9', 'c9', ['email'], T0);
      const changed = await store.updateUser('u9', { name: 'Nine', email: 'NINE@Example.org', passwordHash: 'scrypt$1$1$1$salt$new', picture: null });
      assert.deepEqual(changed, { ...user('u9', 'nine@example.org'), name: 'Nine', passwordHash: 'scrypt$1$1$1$salt$new' });
      assert.deepEqual(await store.getUser('u9'), changed);
      assert.deepEqual(await store.updateUser('u9', {}), changed, 'no change is no write');
      assert.equal(await store.updateUser('nobody', { name: 'X' }), undefined);
      await assert.rejects(store.updateUser('u9', { email: 'alice@example.com' }), StoreConflictError);
      assert.equal((await store.getUser('u9'))?.email, 'nine@example.org', 'a refused update changes nothing');

      assert.equal(await store.deleteUserSessions('u9'), 2);
      assert.equal(await store.getSession('h9a', T0), undefined);
      await store.createSession({ idHash: 'h9c', userId: 'u9', createdAt: T0, expiresAt: T0 + 1000 });
      assert.equal(await store.deleteUser('u9'), true);
      assert.equal(await store.deleteUser('u9'), false);
      assert.equal(await store.getUser('u9'), undefined);
      assert.deepEqual(await t.rows("SELECT id_hash FROM sessions WHERE user_id = 'u9'"), []);
      assert.deepEqual(await t.rows("SELECT client_id FROM grants WHERE user_id = 'u9'"), []);
      assert.equal(await store.deleteClient('c9'), true);
    });

    it('clients: updated (origins replaced, URLs set or cleared), removed with their grants', async () => {
      await store.createUser(user('u8', 'eight@example.com'));
      await store.createClient({ id: 'c8', origins: ['https://rp8.example'], privacyPolicyUrl: 'https://rp8.example/p', termsOfServiceUrl: null, createdAt: T0 });
      await store.upsertGrant('u8', 'c8', ['name'], T0);
      const changed = await store.updateClient('c8', { origins: ['https://a.example', 'https://b.example'], privacyPolicyUrl: null, termsOfServiceUrl: 'https://a.example/t' });
      assert.deepEqual(changed, { id: 'c8', origins: ['https://a.example', 'https://b.example'], privacyPolicyUrl: null, termsOfServiceUrl: 'https://a.example/t', createdAt: T0 });
      assert.deepEqual(await store.getClient('c8'), changed);
      assert.equal(await store.updateClient('nobody', { origins: ['https://x.example'] }), undefined);
      assert.equal(await store.deleteClient('c8'), true);
      assert.equal(await store.deleteClient('c8'), false);
      assert.equal(await store.getGrant('u8', 'c8'), undefined);
      assert.deepEqual(await store.grantedClients('u8'), []);
      assert.equal(await store.deleteUser('u8'), true);
    });

    it('keys: one deleted by kid, the others kept', async () => {
      await store.insertKey(key('k7', T0 + 7));
      await store.insertKey(key('k8', T0 + 8));
      assert.equal(await store.deleteKey('k7'), true);
      assert.equal(await store.deleteKey('k7'), false);
      assert.deepEqual((await store.listKeys()).map((k) => k.kid).filter((k) => k === 'k7' || k === 'k8'), ['k8']);
      assert.equal(await store.deleteKey('k8'), true);
    });

    it('nonces: a (client, nonce) pair is accepted once until it expires; other clients are separate', async () => {
      assert.equal(await store.useNonce('c1', 'n', T0, T0 + 100), true);
      assert.equal(await store.useNonce('c1', 'n', T0 + 50, T0 + 150), false);
      assert.equal(await store.useNonce('c0', 'n', T0 + 50, T0 + 150), true);
      assert.deepEqual(await t.rows("SELECT client_id, nonce, expires_at FROM used_nonces WHERE client_id = 'c1'"), [{ client_id: 'c1', nonce: 'n', expires_at: T0 + 100 }]);
      assert.equal(await store.useNonce('c1', 'n', T0 + 100, T0 + 200), true);
      assert.equal(await store.deleteExpiredNonces(T0 + 200), 2);
    });

    it('nonces: two servers racing for the same pair, exactly one wins', async () => {
      const other = t.openSecond();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? store : other).useNonce('c1', 'race', T0, T0 + 1000)),
      );
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('login failures: counted per key inside a window, cleared, pruned', async () => {
      await store.recordLoginFailure('account:a', T0);
      await store.recordLoginFailure('account:a', T0 + 10);
      await store.recordLoginFailure('address:1', T0 + 10);
      assert.equal(await store.countLoginFailures('account:a', T0 - 1), 2);
      assert.equal(await store.countLoginFailures('account:a', T0), 1);
      assert.equal(await store.lastLoginFailure('account:a', 0), T0 + 10);
      assert.equal(await store.lastLoginFailure('account:a', T0 + 10), undefined, 'only failures after `since`');
      assert.equal(await store.lastLoginFailure('account:none', 0), undefined);
      await store.clearLoginFailures('account:a');
      assert.equal(await store.countLoginFailures('account:a', 0), 0);
      assert.equal(await store.countLoginFailures('address:1', 0), 1);
      assert.equal(await store.deleteLoginFailuresBefore(T0 + 10), 1);
      assert.equal(await store.countLoginFailures('address:1', 0), 0);
    });
  });
}

describe('store (sqlite) files', { timeout: 30_000 }, () => {
  it('uses WAL and creates the database and its -wal/-shm files 0600', async () => {
    const t = await openTestStore('sqlite');
    try {
      await t.store.createUser(user('u1', 'a@example.com'));
      assert.equal((t.store as SqliteStore).journalMode, 'wal');
      for (const suffix of ['', '-wal', '-shm']) {
        assert.equal(statSync(t.filename! + suffix).mode & 0o777, 0o600, `mode of ${t.filename}${suffix}`);
      }
    } finally {
      await t.cleanup();
    }
  });

  it('runs with synchronous=NORMAL unless opened with synchronous: \'full\' (SqliteStore and openStore)', async () => {
    const t = await openTestStore('sqlite');
    const opened: { close(): Promise<void> }[] = [];
    try {
      // What SQLite reports for the connection, read with PRAGMA synchronous (2 = FULL, 1 = NORMAL).
      const cases: [SqliteStore, 'full' | 'normal'][] = [
        [t.store as SqliteStore, 'normal'],
        [new SqliteStore({ filename: t.filename! }), 'normal'],
        [new SqliteStore({ filename: t.filename!, synchronous: 'full' }), 'full'],
        [new SqliteStore({ filename: t.filename!, synchronous: 'normal' }), 'normal'],
        [(await openStore(t.filename!)) as SqliteStore, 'normal'],
        [(await openStore(t.filename!, { synchronous: 'full' })) as SqliteStore, 'full'],
      ];
      opened.push(...cases.slice(1).map(([s]) => s));
      for (const [store, expected] of cases) assert.equal(store.synchronous, expected);
      assert.throws(() => new SqliteStore({ filename: t.filename!, synchronous: 'off' as 'normal' }), /synchronous must be 'full' or 'normal', got "off"/);
    } finally {
      for (const s of opened) await s.close();
      await t.cleanup();
    }
  });
});
