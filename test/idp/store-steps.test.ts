// The stores' one-call steps (issue 15 §1): `assertionStep` and `accountsView`, on both real
// stores, against the same steps made call by call (store-steps.ts, what a store without them
// gets) and against decideDisclosure itself, on a grid of users, prior grants and disclosure
// forms. The PostgreSQL step states decideDisclosure's rule in SQL: this is what holds the two
// to the same answers.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AssertionStepInput, Store } from '../../src/idp/index.js';
import { decideDisclosure } from '../../src/idp/disclosure.js';
import { accountsView, assertionStep } from '../../src/idp/store-steps.js';
import { fieldsJson } from '../../src/idp/store/rows.js';
import type { Field } from '../../src/idp/tokens.js';
import { openTestStore, STORE_KINDS, type TestStore } from './helpers.js';

const T0 = 1_700_000_000_000;
const ORIGIN = 'https://rp.example';

/** The store without its one-call methods: what store-steps.ts does for a store that has none. */
function callByCall(store: Store): Store {
  const hidden = new Set<PropertyKey>(['assertionStep', 'accountsView', 'getSessionUser']);
  return new Proxy(store, {
    get(target, name) {
      if (hidden.has(name)) return undefined;
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const USERS = {
  full: { picture: 'https://idp.example/p.png', username: 'ada', tel: '+15550100' },
  bare: { picture: null, username: null, tel: null },
} as const;
const GRANTS: (Field[] | undefined)[] = [undefined, [], ['name'], ['email', 'tel', 'picture']];
const FIELD_LISTS: (Field[] | undefined)[] = [undefined, [], ['name', 'email', 'picture'], ['tel', 'username']];
const SHOWN_LISTS: (Field[] | undefined)[] = [undefined, ['name', 'email', 'picture'], ['tel']];

for (const kind of STORE_KINDS) {
  describe(`store steps (${kind})`, { timeout: 40_000 }, () => {
    let t: TestStore;
    let store: Store;
    before(async () => {
      t = await openTestStore(kind);
      store = t.store;
      for (const [name, extra] of Object.entries(USERS)) {
        await store.createUser({ id: name, email: `${name}@idp.example`, name: `User ${name}`, givenName: null, passwordHash: 'scrypt$1$1$1$s$h', createdAt: T0, ...extra });
        await store.createSession({ idHash: `session-${name}`, userId: name, createdAt: T0, expiresAt: T0 + 10_000 });
      }
    });
    after(() => t?.cleanup());

    it('assertionStep decides as decideDisclosure, writes nonce and grant together, and matches the call-by-call step', async () => {
      let n = 0;
      for (const [userId] of Object.entries(USERS)) {
        for (const prior of GRANTS) {
          for (const fields of FIELD_LISTS) {
            for (const shown of SHOWN_LISTS) {
              for (const textShown of [false, true]) {
                const form = { fields, disclosureShownFor: shown, disclosureTextShown: textShown };
                const results = [];
                for (const [way, s] of [['store', store], ['calls', callByCall(store)]] as const) {
                  const clientId = `c${n}-${way}`;
                  await s.createClient({ id: clientId, origins: [ORIGIN, 'https://other.example'], privacyPolicyUrl: null, termsOfServiceUrl: null, createdAt: T0 });
                  if (prior !== undefined) await s.upsertGrant(userId, clientId, prior, T0);
                  const input: AssertionStepInput = {
                    clientId,
                    sessionIdHash: `session-${userId}`,
                    now: T0 + 5,
                    complete: { origin: ORIGIN, accountId: userId, nonce: `nonce-${n}`, nonceExpiresAt: T0 + 1000, disclosure: form },
                  };
                  const step = await assertionStep(s, input);
                  const grant = await s.getGrant(userId, clientId);
                  const nonceRows = await t.rows(`SELECT nonce FROM used_nonces WHERE client_id = '${clientId}'`);
                  results.push({ step, grant, nonceRows });
                }
                const [own, calls] = results;
                const label = `${userId} prior=${JSON.stringify(prior)} form=${JSON.stringify(form)}`;
                const user = (await store.getUser(userId))!;
                const decision = decideDisclosure(user, form, prior);
                const expected = decision.needsConsent.length === 0 ? 'completed' : 'not-completed';
                assert.equal(own!.step.outcome, expected, `${label}: store outcome`);
                assert.equal(calls!.step.outcome, expected, `${label}: call-by-call outcome`);
                assert.deepEqual(own!.step.session?.user, user, label);
                assert.deepEqual(own!.step.grant?.fields, prior === undefined ? undefined : [...new Set(prior)].sort(), `${label}: grant before`);
                const after = expected === 'completed' ? JSON.parse(fieldsJson([...(prior ?? []), ...decision.disclose])) : prior === undefined ? undefined : [...prior].sort();
                assert.deepEqual(own!.grant?.fields, after, `${label}: grant after (store)`);
                assert.deepEqual(calls!.grant?.fields, after, `${label}: grant after (calls)`);
                assert.equal(own!.nonceRows.length, expected === 'completed' ? 1 : 0, `${label}: nonce used only with the grant`);
                n++;
              }
            }
          }
        }
      }
    });

    it('assertionStep writes nothing when a check fails, and a replay changes nothing', async () => {
      await store.createClient({ id: 'checks', origins: [ORIGIN], privacyPolicyUrl: null, termsOfServiceUrl: null, createdAt: T0 });
      const form = { fields: ['name', 'email'] as Field[], disclosureShownFor: ['name', 'email'] as Field[], disclosureTextShown: false };
      const base = { clientId: 'checks', sessionIdHash: 'session-full', now: T0 + 5 };
      const complete = { origin: ORIGIN, accountId: 'full', nonce: 'once', nonceExpiresAt: T0 + 1000, disclosure: form };
      for (const s of [store, callByCall(store)]) {
        const cases: [string, AssertionStepInput, 'read' | 'client' | 'session'][] = [
          ['read only', base, 'read'],
          ['unlisted origin', { ...base, complete: { ...complete, origin: 'https://evil.example' } }, 'read'],
          ['another account', { ...base, complete: { ...complete, accountId: 'bare' } }, 'read'],
          ['expired session', { ...base, now: T0 + 10_000, complete }, 'session'],
          ['no session id', { ...base, sessionIdHash: undefined, complete }, 'session'],
          ['unknown client', { ...base, clientId: 'nobody', complete }, 'client'],
        ];
        for (const [label, input, missing] of cases) {
          const step = await assertionStep(s, input);
          assert.equal(step.outcome, 'not-completed', label);
          assert.equal(step.client === undefined, missing === 'client', `${label}: client`);
          assert.equal(step.session === undefined, missing === 'session', `${label}: session`);
          assert.equal(await s.getGrant('full', 'checks'), undefined, `${label}: no grant written`);
          assert.deepEqual(await t.rows("SELECT nonce FROM used_nonces WHERE client_id = 'checks'"), [], `${label}: no nonce used`);
        }
      }
      const first = await assertionStep(store, { ...base, complete });
      assert.equal(first.outcome, 'completed');
      const written = await store.getGrant('full', 'checks');
      assert.deepEqual(written?.fields, ['email', 'name']);
      const again = await assertionStep(store, { ...base, now: T0 + 7, complete: { ...complete, disclosure: { ...form, fields: ['name', 'email', 'tel'], disclosureShownFor: ['name', 'email', 'tel'] } } });
      assert.equal(again.outcome, 'replay');
      assert.deepEqual(await store.getGrant('full', 'checks'), written, 'a replay leaves the grant as it was');
      const other = t.openSecond();
      const raced = await Promise.all(Array.from({ length: 8 }, (_, i) => assertionStep(i % 2 === 0 ? store : other, { ...base, complete: { ...complete, nonce: 'raced' } })));
      assert.equal(raced.filter((r) => r.outcome === 'completed').length, 1, 'two servers racing: one completes, the others see a replay');
      assert.equal(raced.filter((r) => r.outcome === 'replay').length, 7);
      const noNonce = await assertionStep(store, { ...base, complete: { ...complete, nonce: undefined } });
      assert.equal(noNonce.outcome, 'completed', 'without a nonce only the grant is written');
    });

    it('assertionStep rewrites a grant only when it gains fields (Grant.updatedAt is when it last did)', async () => {
      await store.createClient({ id: 'repeat', origins: [ORIGIN], privacyPolicyUrl: null, termsOfServiceUrl: null, createdAt: T0 });
      const step = (nonce: string, now: number, fields: Field[]) =>
        store.assertionStep!({ clientId: 'repeat', sessionIdHash: 'session-full', now, complete: { origin: ORIGIN, accountId: 'full', nonce, nonceExpiresAt: T0 + 1000, disclosure: { fields, disclosureShownFor: fields, disclosureTextShown: false } } });
      assert.equal((await step('r1', T0 + 1, ['name', 'email'])).outcome, 'completed');
      assert.deepEqual(await store.getGrant('full', 'repeat'), { userId: 'full', clientId: 'repeat', fields: ['email', 'name'], createdAt: T0 + 1, updatedAt: T0 + 1 });
      assert.equal((await step('r2', T0 + 2, ['email', 'name'])).outcome, 'completed');
      assert.equal((await store.getGrant('full', 'repeat'))?.updatedAt, T0 + 1, 'a repeat sign-in that discloses nothing new leaves the grant');
      assert.deepEqual(await t.rows("SELECT nonce FROM used_nonces WHERE client_id = 'repeat' ORDER BY nonce"), [{ nonce: 'r1' }, { nonce: 'r2' }], 'its nonce is still used');
      assert.equal((await step('r3', T0 + 3, ['name', 'email', 'picture'])).outcome, 'completed');
      assert.deepEqual(await store.getGrant('full', 'repeat'), { userId: 'full', clientId: 'repeat', fields: ['email', 'name', 'picture'], createdAt: T0 + 1, updatedAt: T0 + 3 });
    });

    it('accountsView is the session, its user and the granted clients, as the separate calls give them', async () => {
      await store.upsertGrant('bare', 'c1-store', ['name'], T0);
      await store.upsertGrant('bare', 'c0-store', ['name'], T0);
      for (const userId of Object.keys(USERS)) {
        const view = await store.accountsView!(`session-${userId}`, T0 + 5);
        assert.deepEqual(view, await accountsView(callByCall(store), `session-${userId}`, T0 + 5));
        assert.deepEqual(view?.user, await store.getUser(userId));
        assert.deepEqual(view?.grantedClients, await store.grantedClients(userId));
      }
      // A user who granted no client: an empty list (not a missing row, not [null]).
      await store.createUser({ id: 'lonely', email: 'lonely@idp.example', name: 'Lonely', givenName: null, picture: null, username: null, tel: null, passwordHash: 'scrypt$1$1$1$s$h', createdAt: T0 });
      await store.createSession({ idHash: 'session-lonely', userId: 'lonely', createdAt: T0, expiresAt: T0 + 10_000 });
      const lonely = await store.accountsView!('session-lonely', T0 + 5);
      assert.deepEqual(lonely?.grantedClients, []);
      assert.deepEqual(lonely, await accountsView(callByCall(store), 'session-lonely', T0 + 5));
      assert.equal(await store.accountsView!('session-full', T0 + 10_000), undefined, 'expired');
      assert.equal(await store.accountsView!('nope', T0), undefined);
    });
  });
}
