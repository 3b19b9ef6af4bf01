// What the IdP durability tests (./idp-sqlite.test.ts, ./idp-postgres.test.ts) check after each
// kill, for either store: a snapshot of every table the writer writes (compared with every write
// so far by ./harness.ts checkHistory) and the run's acknowledged writes read back through the
// Store API, as the IdP reads them: each user, client and session as written, each used nonce
// still refused, each grant still holding its fields.

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Store } from '../../src/idp/index.js';
import { toClient, toGrant, toKey, toSession, toUser, type Row } from '../../src/idp/store/rows.js';
import { KILLS, type Snapshot, type Written } from './harness.js';
import { canonical, clientSlot, grantSlot, keySlot, nonceSlot, sessionSlot, userSlot, type IdpOp } from './ops.js';

export const SERIES_TIMEOUT_MS = 30_000 + KILLS * 6_000;

/** Every table the writer writes, slot by slot, read with plain SQL. */
export async function idpSnapshot(rows: (sql: string) => Promise<Row[]>): Promise<Snapshot> {
  const snapshot: Snapshot = new Map();
  for (const r of await rows('SELECT * FROM users')) snapshot.set(userSlot(String(r.id)), canonical(toUser(r)));
  for (const r of await rows('SELECT * FROM clients')) snapshot.set(clientSlot(String(r.id)), canonical(toClient(r)));
  for (const r of await rows('SELECT * FROM sessions')) snapshot.set(sessionSlot(String(r.id_hash)), canonical(toSession(r)));
  for (const r of await rows('SELECT * FROM used_nonces')) snapshot.set(nonceSlot(String(r.client_id), String(r.nonce)), canonical({ expiresAt: Number(r.expires_at) }));
  for (const r of await rows('SELECT * FROM grants')) snapshot.set(grantSlot(String(r.user_id), String(r.client_id)), toGrant(r).fields);
  for (const r of await rows('SELECT * FROM signing_keys')) snapshot.set(keySlot(String(r.kid)), canonical(toKey(r)));
  return snapshot;
}

/** The run's acknowledged writes, read back through the Store API as the IdP reads them. */
export async function probe(store: Store, writes: readonly Written<IdpOp>[], label: string): Promise<void> {
  const now = Date.now();
  const kids = new Set((await store.listKeys()).map((k) => k.kid));
  const one = async ({ op }: Written<IdpOp>): Promise<void> => {
    const what = `${label}: acknowledged write ${op.id} (${op.kind})`;
    switch (op.kind) {
      case 'user':
        assert.deepEqual(await store.getUser(op.user.id), op.user, what);
        assert.equal((await store.getUserByEmail(op.user.email))?.id, op.user.id, what);
        return;
      case 'client':
        assert.deepEqual(await store.getClient(op.client.id), op.client, what);
        return;
      case 'session':
        assert.deepEqual(await store.getSession(op.session.idHash, now), op.session, what);
        return;
      case 'nonce':
        // The replay guard: the pair is still recorded, so using it again is refused.
        assert.equal(await store.useNonce(op.clientId, op.nonce, now, now + 60_000), false, `${what}: a used nonce was accepted again`);
        return;
      case 'grant': {
        const grant = await store.getGrant(op.userId, op.clientId);
        assert.ok(grant !== undefined, `${what}: the grant is gone`);
        for (const f of op.fields) assert.ok(grant.fields.includes(f), `${what}: field ${f} is gone (holds ${grant.fields.join(', ')})`);
        return;
      }
      case 'key':
        assert.ok(kids.has(op.key.kid), `${what}: the key is gone`);
        return;
      case 'assertion': {
        // Both halves of the one commit: the nonce still refused, the grant still holding the fields.
        assert.equal(await store.useNonce(op.clientId, op.nonce, now, now + 60_000), false, `${what}: the assertion's nonce was accepted again`);
        const grant = await store.getGrant(op.userId, op.clientId);
        assert.ok(grant !== undefined, `${what}: the assertion's grant is gone`);
        for (const f of op.fields) assert.ok(grant.fields.includes(f), `${what}: field ${f} is gone (holds ${grant.fields.join(', ')})`);
        return;
      }
    }
  };
  // A few at a time: one round trip each on PostgreSQL.
  for (let i = 0; i < writes.length; i += 8) await Promise.all(writes.slice(i, i + 8).map(one));
}

export function report(t: TestContext, result: { kills: number; acknowledged: number; midWrite: number }): void {
  assert.equal(result.kills, KILLS);
  assert.ok(result.acknowledged > KILLS, `only ${result.acknowledged} writes were acknowledged in ${KILLS} runs: the writer hardly wrote`);
  t.diagnostic(`kills that landed while a write was in flight: ${result.midWrite} of ${result.kills}`);
}
