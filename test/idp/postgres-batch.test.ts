// The PostgreSQL store's group commit (postgres-batch.ts, issue 15 §1): assertion steps called in
// one event-loop turn share one statement and one commit. Against the real PostgreSQL: one
// statement for the batch, each nonce used once (within a batch too), each caller its own result,
// a failing step failing only itself, grants merged per (user, client) and rewritten only when
// they gain fields. StatementBatcher's own rules are tested on a runner that records its calls.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { AssertionStepInput, Store } from '../../src/idp/index.js';
import { StatementBatcher } from '../../src/idp/store/postgres-batch.js';
import type { Field } from '../../src/idp/tokens.js';
import { openTestStore, POSTGRES_URL, type TestStore } from './helpers.js';

const T0 = 1_700_000_000_000;
const ORIGIN = 'https://rp.example';
const SHOWN: Field[] = ['name', 'email'];

/** Counts the statements this process sends to PostgreSQL while `fn` runs (as the bench counts them). */
async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const original = pg.Client.prototype.query;
  let statements = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { result: await fn(), statements };
  } finally {
    pg.Client.prototype.query = original;
  }
}

/** Rejects after `ms`: every wait in these tests is bounded. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function step(clientId: string, user: string, nonce: string | undefined, fields: Field[] = SHOWN, now = T0 + 5): AssertionStepInput {
  return {
    clientId,
    sessionIdHash: `session-${user}`,
    now,
    complete: { origin: ORIGIN, accountId: user, nonce, nonceExpiresAt: T0 + 100_000, disclosure: { fields, disclosureShownFor: fields, disclosureTextShown: false } },
  };
}

describe('PostgreSQL store: assertion steps of one turn in one statement', { timeout: 30_000 }, () => {
  let t: TestStore;
  let store: Store;
  before(async () => {
    t = await openTestStore('postgres');
    store = t.store;
    for (const user of ['ada', 'bob']) {
      await store.createUser({ id: user, email: `${user}@idp.example`, name: user, givenName: null, picture: null, username: null, tel: null, passwordHash: 'scrypt$1$1$1$s$h', createdAt: T0 });
      await store.createSession({ idHash: `session-${user}`, userId: user, createdAt: T0, expiresAt: T0 + 10_000 });
    }
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) await store.createClient({ id, origins: [ORIGIN], privacyPolicyUrl: null, termsOfServiceUrl: null, createdAt: T0 });
  });
  after(() => t?.cleanup());

  it('ten steps called together are one statement, each nonce used once', async () => {
    const { result, statements } = await countStatements(() => Promise.all(Array.from({ length: 10 }, (_, i) => store.assertionStep!(step('c1', 'ada', `n${i}`)))));
    assert.deepEqual(result.map((r) => r.outcome), Array(10).fill('completed'));
    assert.equal(statements, 1, `10 concurrent steps took ${statements} statements`);
    assert.equal((await t.rows("SELECT nonce FROM used_nonces WHERE client_id = 'c1'")).length, 10);
  });

  it('the same nonce twice in one batch: one completes, the other is a replay', async () => {
    const { result, statements } = await countStatements(() =>
      Promise.all([store.assertionStep!(step('c2', 'ada', 'twice')), store.assertionStep!(step('c2', 'ada', 'other')), store.assertionStep!(step('c2', 'ada', 'twice'))]),
    );
    assert.equal(statements, 1, 'the three steps were not one batch');
    assert.deepEqual(result.map((r) => r.outcome), ['completed', 'completed', 'replay'], 'the first caller of the nonce wins');
    assert.deepEqual((await t.rows("SELECT nonce FROM used_nonces WHERE client_id = 'c2' ORDER BY nonce")).map((r) => r.nonce), ['other', 'twice']);
    // And in the next batch, as ever.
    assert.equal((await store.assertionStep!(step('c2', 'ada', 'twice'))).outcome, 'replay');
  });

  it('a step that fails checks does not take the nonce from a later step of the batch', async () => {
    const wrongOrigin: AssertionStepInput = { ...step('c2', 'ada', 'shared'), complete: { ...step('c2', 'ada', 'shared').complete!, origin: 'https://evil.example' } };
    const result = await Promise.all([store.assertionStep!(wrongOrigin), store.assertionStep!(step('c2', 'ada', 'shared'))]);
    assert.deepEqual(result.map((r) => r.outcome), ['not-completed', 'completed']);
  });

  it('each caller gets the rows and outcome of its own input', async () => {
    await store.upsertGrant('bob', 'c3', ['email'], T0);
    const inputs: [AssertionStepInput, { client: string | undefined; user: string | undefined; grant: string[] | undefined; outcome: string }][] = [
      [step('c3', 'ada', 'm1'), { client: 'c3', user: 'ada', grant: undefined, outcome: 'completed' }],
      [step('c3', 'bob', 'm2', ['name']), { client: 'c3', user: 'bob', grant: ['email'], outcome: 'completed' }],
      [step('nobody', 'ada', 'm3'), { client: undefined, user: 'ada', grant: undefined, outcome: 'not-completed' }],
      [{ ...step('c3', 'ada', 'm4'), sessionIdHash: 'no-such-session' }, { client: 'c3', user: undefined, grant: undefined, outcome: 'not-completed' }],
      [{ ...step('c3', 'ada', 'm5'), complete: { ...step('c3', 'ada', 'm5').complete!, accountId: 'bob' } }, { client: 'c3', user: 'ada', grant: undefined, outcome: 'not-completed' }],
      [{ clientId: 'c4', sessionIdHash: 'session-bob', now: T0 + 5 }, { client: 'c4', user: 'bob', grant: undefined, outcome: 'not-completed' }],
      [step('c3', 'ada', undefined), { client: 'c3', user: 'ada', grant: undefined, outcome: 'completed' }],
    ];
    const { result, statements } = await countStatements(() => Promise.all(inputs.map(([input]) => store.assertionStep!(input))));
    assert.equal(statements, 1);
    result.forEach((r, i) => {
      const want = inputs[i]![1];
      assert.deepEqual(
        { client: r.client?.id, user: r.session?.user.id, grant: r.grant?.fields, outcome: r.outcome },
        want,
        `caller ${i} got another caller's answer`,
      );
    });
    assert.deepEqual((await store.getGrant('bob', 'c3'))?.fields, ['email', 'name']);
    assert.deepEqual((await t.rows("SELECT nonce FROM used_nonces WHERE client_id = 'c3' ORDER BY nonce")).map((r) => r.nonce), ['m1', 'm2']);
  });

  it('a failing step fails only itself: the others still complete, each with its own answer', async () => {
    // A NUL character is refused by PostgreSQL in any text: the batch statement fails whole, and
    // each step is then run alone.
    const results = await Promise.allSettled([
      store.assertionStep!(step('c4', 'ada', 'good-1')),
      store.assertionStep!(step('c4', 'ada', 'bad\u0000nonce')),
      store.assertionStep!(step('c4', 'bob', 'good-2', ['email'])),
    ]);
    assert.equal(results[0]!.status, 'fulfilled');
    assert.equal(results[1]!.status, 'rejected', 'the step PostgreSQL cannot store must fail');
    assert.equal(results[2]!.status, 'fulfilled');
    const [first, , third] = results as PromiseFulfilledResult<Awaited<ReturnType<NonNullable<Store['assertionStep']>>>>[];
    assert.equal(first!.value.outcome, 'completed');
    assert.equal(first!.value.session?.user.id, 'ada');
    assert.equal(third!.value.outcome, 'completed');
    assert.equal(third!.value.session?.user.id, 'bob');
    assert.deepEqual((await t.rows("SELECT nonce FROM used_nonces WHERE client_id = 'c4' ORDER BY nonce")).map((r) => r.nonce), ['good-1', 'good-2']);
    assert.deepEqual((await store.getGrant('bob', 'c4'))?.fields, ['email']);
  });

  it('grants: one batch merges every step of a (user, client); a grant is rewritten only when it gains fields', async () => {
    const [a, b] = await Promise.all([store.assertionStep!(step('c5', 'ada', 'g1', ['name'], T0 + 10)), store.assertionStep!(step('c5', 'ada', 'g2', ['email'], T0 + 11))]);
    assert.deepEqual([a.outcome, b.outcome], ['completed', 'completed']);
    assert.equal(a.grant, undefined, 'a step answers the grant as it was before the batch');
    assert.equal(b.grant, undefined);
    const made = await store.getGrant('ada', 'c5');
    assert.deepEqual(made, { userId: 'ada', clientId: 'c5', fields: ['email', 'name'], createdAt: T0 + 11, updatedAt: T0 + 11 });
    const again = await store.assertionStep!(step('c5', 'ada', 'g3', ['name'], T0 + 20));
    assert.equal(again.outcome, 'completed');
    assert.deepEqual(await store.getGrant('ada', 'c5'), made, 'a grant that already holds the fields is left as it was');
    await store.assertionStep!(step('c5', 'ada', 'g4', ['name', 'email'], T0 + 30));
    assert.deepEqual((await store.getGrant('ada', 'c5'))?.updatedAt, T0 + 11);
    // Without `fields`, a returning user's step asks for what was granted: nothing new either.
    const prior = { ...step('c5', 'ada', 'g5', [], T0 + 40), complete: { ...step('c5', 'ada', 'g5').complete!, disclosure: { fields: undefined, disclosureShownFor: undefined, disclosureTextShown: false } } };
    assert.equal((await store.assertionStep!(prior)).outcome, 'completed');
    assert.deepEqual(await store.getGrant('ada', 'c5'), made);
  });

  it('no step of a batch is answered before the batch commits', async () => {
    // Another connection holds an uncommitted insert of one of the batch's nonces: the batch's
    // statement waits on it, and so must every caller of the batch, not only that nonce's.
    const holder = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${t.schema!}` });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("INSERT INTO used_nonces (client_id, nonce, expires_at) VALUES ('c1', 'held', $1)", [T0 + 100_000]);
      let settled = 0;
      const pending = [step('c1', 'ada', 'held'), step('c1', 'ada', 'free-1'), step('c1', 'bob', 'free-2')].map((s) => store.assertionStep!(s).finally(() => settled++));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(settled, 0, 'a step was answered while its batch was still waiting to commit');
      assert.deepEqual(await t.rows("SELECT nonce FROM used_nonces WHERE nonce LIKE 'free-%'"), [], 'the batch committed early');
      await holder.query('COMMIT');
      const results = await within(10_000, 'the batch after the holder committed', Promise.all(pending));
      assert.deepEqual(results.map((r) => r.outcome), ['replay', 'completed', 'completed'], 'the held nonce, committed by the other connection, is a replay');
    } finally {
      await holder.end();
    }
  });

  it('two stores racing with batches of the same nonces: each nonce completes exactly once', async () => {
    const other = t.openSecond();
    const nonces = Array.from({ length: 12 }, (_, i) => `race-${i}`);
    const all = await Promise.all([
      ...nonces.map((n) => store.assertionStep!(step('c1', 'ada', n))),
      ...[...nonces].reverse().map((n) => other.assertionStep!(step('c1', 'ada', n))),
      ...nonces.map((n) => store.assertionStep!(step('c1', 'ada', n))),
    ]);
    assert.equal(all.filter((r) => r.outcome === 'completed').length, nonces.length);
    assert.equal(all.filter((r) => r.outcome === 'replay').length, nonces.length * 2);
  });
});

describe('PostgreSQL store: accounts views of one turn in one statement', { timeout: 30_000 }, () => {
  let t: TestStore;
  let store: Store;
  before(async () => {
    t = await openTestStore('postgres');
    store = t.store;
    for (const user of ['ada', 'bob', 'eve']) {
      await store.createUser({ id: user, email: `${user}@idp.example`, name: user, givenName: null, picture: null, username: null, tel: null, passwordHash: 'scrypt$1$1$1$s$h', createdAt: T0 });
      await store.createSession({ idHash: `session-${user}`, userId: user, createdAt: T0, expiresAt: T0 + (user === 'eve' ? 10 : 10_000) });
    }
    for (const id of ['c1', 'c2']) await store.createClient({ id, origins: [ORIGIN], privacyPolicyUrl: null, termsOfServiceUrl: null, createdAt: T0 });
    await store.upsertGrant('ada', 'c2', ['name'], T0);
    await store.upsertGrant('ada', 'c1', ['name'], T0);
    await store.upsertGrant('bob', 'c2', ['email'], T0);
  });
  after(() => t?.cleanup());

  it('each caller gets its own view (or none) from one statement', async () => {
    const asks: [string, number][] = [
      ['session-bob', T0 + 5],
      ['session-ada', T0 + 5],
      ['no-such-session', T0 + 5],
      ['session-eve', T0 + 5], // live until T0 + 10
      ['session-eve', T0 + 50], // expired
      ['session-ada', T0 + 20_000], // expired for this caller only
      ['session-bob', T0 + 6],
    ];
    const { result, statements } = await countStatements(() => Promise.all(asks.map(([h, now]) => store.accountsView!(h, now))));
    assert.equal(statements, 1, `${asks.length} concurrent views took ${statements} statements`);
    assert.deepEqual(
      result.map((v) => (v === undefined ? undefined : { user: v.user.id, session: v.session.idHash, granted: v.grantedClients })),
      [
        { user: 'bob', session: 'session-bob', granted: ['c2'] },
        { user: 'ada', session: 'session-ada', granted: ['c1', 'c2'] },
        undefined,
        { user: 'eve', session: 'session-eve', granted: [] },
        undefined,
        undefined,
        { user: 'bob', session: 'session-bob', granted: ['c2'] },
      ],
    );
    // The same answers as one call at a time.
    for (const [i, [h, now]] of asks.entries()) assert.deepEqual(await store.accountsView!(h, now), result[i], `caller ${i}`);
  });
});

describe('StatementBatcher', () => {
  /** A runner that records each batch and fails any batch holding a negative number. */
  function recording(): { calls: number[][]; run: (inputs: readonly number[]) => Promise<string[]> } {
    const calls: number[][] = [];
    return {
      calls,
      run: async (inputs) => {
        calls.push([...inputs]);
        if (inputs.some((x) => x < 0)) throw new Error(`negative in ${inputs.join(',')}`);
        return inputs.map((x) => `r${x}`);
      },
    };
  }

  it('calls of one turn are one batch; a later turn is another', async () => {
    const r = recording();
    const b = new StatementBatcher(r.run, 64);
    assert.deepEqual(await Promise.all([b.submit(1), b.submit(2), b.submit(3)]), ['r1', 'r2', 'r3']);
    assert.deepEqual(await b.submit(4), 'r4');
    assert.deepEqual(r.calls, [[1, 2, 3], [4]]);
  });

  it('a failed batch is run again input by input: only the failing input rejects', async () => {
    const r = recording();
    const b = new StatementBatcher(r.run, 64);
    const settled = await Promise.allSettled([b.submit(1), b.submit(-1), b.submit(2)]);
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined)), ['r1', undefined, 'r2']);
    assert.deepEqual(r.calls, [[1, -1, 2], [1], [-1], [2]]);
  });

  it('no more than maxBatch inputs in one batch', async () => {
    const r = recording();
    const b = new StatementBatcher(r.run, 2);
    assert.deepEqual(await Promise.all([1, 2, 3, 4, 5].map((x) => b.submit(x))), ['r1', 'r2', 'r3', 'r4', 'r5']);
    assert.deepEqual(r.calls, [[1, 2], [3, 4], [5]]);
  });

  it('a runner that answers the wrong number of outputs is an error, not a misrouted answer', async () => {
    let calls = 0;
    const b = new StatementBatcher<number, number>(async (inputs) => (++calls === 1 ? inputs.slice(1) : inputs.map((x) => x * 10)), 64);
    assert.deepEqual(await Promise.all([b.submit(1), b.submit(2)]), [10, 20], 'after the mismatch each input is run alone');
    assert.throws(() => new StatementBatcher(async () => [], 0), RangeError);
  });
});
