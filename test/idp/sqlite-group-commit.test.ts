// The SQLite store's group commit (src/idp/store/sqlite-batch.ts, issue 15 §1): the writing
// assertion steps asked for in one event-loop turn share one BEGIN IMMEDIATE … COMMIT, each in
// its own savepoint. What must hold, each checked here on a real database file:
// - the replay guard is exact inside a batch (the same nonce twice: one completes, one replays);
// - a step that throws rolls back alone and rejects alone;
// - no promise settles before the COMMIT returned: a COMMIT that fails rejects every step of the
//   batch, and none of their writes is there (provoked with a deferred foreign key, which SQLite
//   checks only at COMMIT);
// - close() commits and settles the steps still queued.
// Failures are provoked through the database file itself (triggers and a table added with a
// second connection), never by reaching into the store.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore, type AssertionStepInput, type AssertionStepResult } from '../../src/idp/index.js';

const T0 = 1_700_000_000_000;
const ORIGIN = 'https://rp.example';
const CLIENT = 'rp';
const USER = 'ada';
const SESSION = 'session-ada';

function step(nonce: string, fields: string[] = ['name', 'email']): AssertionStepInput {
  return {
    clientId: CLIENT,
    sessionIdHash: SESSION,
    now: T0 + 5,
    complete: { origin: ORIGIN, accountId: USER, nonce, nonceExpiresAt: T0 + 60_000, disclosure: { fields, disclosureShownFor: fields, disclosureTextShown: false } },
  };
}

/** Each promise's outcome, in the order given: the step's outcome, or the error's message. */
async function outcomes(promises: Promise<AssertionStepResult>[]): Promise<string[]> {
  return (await Promise.allSettled(promises)).map((r) => (r.status === 'fulfilled' ? r.value.outcome : `rejected: ${(r.reason as Error).message}`));
}

describe('SQLite store: group commit of the assertion steps', { timeout: 30_000 }, () => {
  let dir: string;
  let filename: string;
  let store: SqliteStore;
  /** A second connection to the same file: reads what is committed, adds the test's triggers. */
  let side: Database.Database;
  const committedNonces = (): string[] => (side.prepare('SELECT nonce FROM used_nonces ORDER BY nonce').all() as { nonce: string }[]).map((r) => r.nonce);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-group-commit-'));
    filename = join(dir, 'idp.db');
    store = new SqliteStore({ filename });
    await store.migrate();
    await store.createUser({ id: USER, email: 'ada@idp.example', name: 'Ada', givenName: null, picture: null, username: null, tel: null, passwordHash: 'scrypt$1$1$1$s$h', createdAt: T0 });
    await store.createClient({ id: CLIENT, origins: [ORIGIN], privacyPolicyUrl: null, termsOfServiceUrl: null, createdAt: T0 });
    await store.createSession({ idHash: SESSION, userId: USER, createdAt: T0, expiresAt: T0 + 3_600_000 });
    side = new Database(filename);
    // A step whose nonce is 'boom' fails inside its own statement.
    side.exec(`CREATE TRIGGER test_boom BEFORE INSERT ON used_nonces WHEN NEW.nonce = 'boom' BEGIN SELECT RAISE(ABORT, 'boom: the test refuses this nonce'); END`);
    // A step whose nonce starts with 'poison' succeeds, but leaves a deferred foreign-key
    // violation that SQLite checks only when the outermost transaction commits: the COMMIT fails.
    side.exec(`CREATE TABLE test_parent (id TEXT PRIMARY KEY);
               CREATE TABLE test_child (parent TEXT REFERENCES test_parent (id) DEFERRABLE INITIALLY DEFERRED);
               CREATE TRIGGER test_poison AFTER INSERT ON used_nonces WHEN NEW.nonce LIKE 'poison%' BEGIN INSERT INTO test_child (parent) VALUES ('missing'); END`);
  });
  after(async () => {
    side?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the same nonce twice in one batch: exactly one completes, the other is a replay', async () => {
    const results = await outcomes([store.assertionStep(step('twice')), store.assertionStep(step('twice')), store.assertionStep(step('once'))]);
    assert.deepEqual(results, ['completed', 'replay', 'completed']);
    assert.deepEqual(committedNonces(), ['once', 'twice']);
    // The replay of a committed nonce in a later batch is refused too.
    assert.deepEqual(await outcomes([store.assertionStep(step('twice'))]), ['replay']);
  });

  it('steps later in a batch see the grant written by the steps before them', async () => {
    const [first, second] = await Promise.all([store.assertionStep(step('g1', ['name'])), store.assertionStep(step('g2', ['email']))]);
    assert.equal(first.outcome, 'completed');
    assert.equal(second.outcome, 'completed');
    assert.deepEqual(second.grant?.fields.slice().sort(), ['email', 'name'], 'the second step read the grant the first one wrote');
  });

  it('a step that throws rolls back alone: the others of its batch complete and are committed', async () => {
    const results = await outcomes([store.assertionStep(step('before-boom')), store.assertionStep(step('boom')), store.assertionStep(step('after-boom'))]);
    assert.deepEqual(results, ['completed', 'rejected: boom: the test refuses this nonce', 'completed']);
    const nonces = committedNonces();
    assert.ok(nonces.includes('before-boom') && nonces.includes('after-boom'), `committed: ${nonces.join(', ')}`);
    assert.ok(!nonces.includes('boom'), 'the failed step left nothing');
  });

  it('a COMMIT that fails rejects every step of its batch, and none of their writes is there', async () => {
    const settledBeforeCommit: string[] = [];
    const promises = [step('victim-1'), step('poison-1'), step('victim-2')].map((input) => {
      const p = store.assertionStep(input);
      p.then(
        () => settledBeforeCommit.push(`${input.complete!.nonce} resolved`),
        () => undefined,
      );
      return p;
    });
    const results = await outcomes(promises);
    for (const r of results) assert.match(r, /^rejected: FOREIGN KEY constraint failed/);
    assert.deepEqual(settledBeforeCommit, [], 'a step resolved although its batch did not commit');
    const nonces = committedNonces();
    for (const n of ['victim-1', 'poison-1', 'victim-2']) assert.ok(!nonces.includes(n), `${n} is in used_nonces after a failed COMMIT`);
    assert.equal((side.prepare('SELECT count(*) AS n FROM test_child').get() as { n: number }).n, 0);
    // The store is not left inside a transaction: the next batch commits, and the victims'
    // nonces were never used, so they complete now.
    assert.deepEqual(await outcomes([store.assertionStep(step('victim-1')), store.assertionStep(step('victim-2'))]), ['completed', 'completed']);
  });

  it('more steps than one transaction takes: all complete, each nonce once', async () => {
    const nonces = Array.from({ length: 150 }, (_, i) => `many-${i}`);
    const results = await outcomes([...nonces, ...nonces.slice(0, 10)].map((n) => store.assertionStep(step(n))));
    assert.deepEqual(results.slice(0, 150), nonces.map(() => 'completed'));
    assert.deepEqual(results.slice(150), nonces.slice(0, 10).map(() => 'replay'));
  });

  it('a read-only step (no completion asked) writes nothing and does not wait for a batch', async () => {
    const queued = store.assertionStep(step('queued'));
    let readOnlyDone = false;
    const readOnly = store.assertionStep({ clientId: CLIENT, sessionIdHash: SESSION, now: T0 + 5 }).then((r) => {
      readOnlyDone = true;
      return r;
    });
    // A microtask turn is enough for the read-only step; the batch waits for setImmediate.
    await Promise.resolve();
    await Promise.resolve();
    assert.ok(readOnlyDone, 'the read-only step waited for the group commit');
    const r = await readOnly;
    assert.equal(r.outcome, 'not-completed');
    assert.equal(r.session?.user.id, USER);
    assert.equal((await queued).outcome, 'completed');
  });

  it('close() commits the steps still queued before it closes the database', async () => {
    const other = new SqliteStore({ filename });
    const queued = other.assertionStep(step('at-close'));
    await other.close();
    assert.equal((await queued).outcome, 'completed');
    assert.ok(committedNonces().includes('at-close'));
  });
});
