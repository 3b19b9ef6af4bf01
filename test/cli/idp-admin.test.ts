// `fedkit idp user|client|keys …` run as real processes against SQLite: every command, its
// --json, its errors and exit codes, and that a usage error never creates a database file.
// PostgreSQL is idp-admin-postgres.test.ts, the password prompt idp-admin-prompt.test.ts.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIdp, openStore, verifyPassword, type Store } from '../../src/idp/index.js';
import { runFedkit, type Ran } from '../helpers/cli.js';

const cli = (args: string[], stdin = ''): Promise<Ran> => runFedkit(args, { stdin, timeoutMs: 20_000 });

/** Runs `fn` over `items`, three at a time (each call starts a CLI process; the machine has two cores). */
async function eachConcurrently<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(3, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function withStore<T>(database: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await openStore(database);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

describe('fedkit idp user|client|keys (SQLite)', { timeout: 120_000 }, () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-admin-'));
    db = join(dir, 'idp.db');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a usage error, or a command other than add on a missing file, never creates the database', async () => {
    const fresh = join(dir, 'never.db');
    const usage = [
      ['idp', 'user', 'add', '--database', fresh, '--email', 'not-an-email', '--name', 'X', '--password', 'long enough'],
      ['idp', 'user', 'add', '--database', fresh, '--email', 'x@idp.example', '--name', 'X', '--password', 'short'],
      ['idp', 'user', 'add', '--database', fresh, '--email', 'x@idp.example', '--name', 'X', '--id', 'bad id!', '--password', 'long enough'],
      ['idp', 'user', 'add', '--database', fresh, '--email', 'x@idp.example', '--name', 'X'],
      ['idp', 'client', 'add', '--database', fresh, '--id', 'c', '--origin', 'https://rp.example/path'],
      ['idp', 'client', 'add', '--database', fresh, '--id', 'c'],
      ['idp', 'client', 'update', 'c', '--database', fresh],
      ['idp', 'client', 'update', 'c', '--database', fresh, '--add-origin', 'ftp://x'],
      ['idp', 'user', 'show', '--database', fresh],
      ['idp', 'user', 'show', 'a', 'b', '--database', fresh],
      ['idp', 'keys', 'rotate', '--database', fresh, '--algorithm', 'RS256'],
      ['idp', 'keys', 'retire', '--database', fresh],
    ];
    // None of them may create the file, so they can run side by side (a few at a time: each is a process).
    await eachConcurrently(usage, async (args) => {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^fedkit: .+\nRun "fedkit idp .*--help" for usage\.\n$/);
      assert.equal(existsSync(fresh), false, `${args.join(' ')} created ${fresh}`);
    });
    await eachConcurrently([['idp', 'user', 'list'], ['idp', 'client', 'show', 'c'], ['idp', 'keys', 'list'], ['idp', 'user', 'remove', 'x@idp.example']], async (args) => {
      const r = await cli([...args, '--database', fresh]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /there is no database .*never\.db/);
      assert.equal(existsSync(fresh), false);
    });
  });

  it('users: add, a duplicate named by the user who has it, list, show, set-password, remove', async () => {
    assert.equal((await cli(['idp', 'user', 'add', '--database', db, '--email', 'ann@idp.example', '--name', 'Ann', '--id', 'u_ann', '--password', 'password one'])).code, 0);
    const bob = await cli(['idp', 'user', 'add', '--database', db, '--email', 'bob@idp.example', '--name', 'Bob', '--username', 'bobby'], 'password two\n');
    assert.equal(bob.code, 0, bob.stderr);
    const bobId = /^added user (\S+) <bob@idp\.example>\n$/.exec(bob.stdout)?.[1];
    assert.ok(bobId);

    // No --id: a fresh one would be generated; the message names Ann's.
    const dup = await cli(['idp', 'user', 'add', '--database', db, '--email', 'ANN@idp.example', '--name', 'Ann 2', '--password', 'password three']);
    assert.deepEqual(dup, { code: 1, stdout: '', stderr: 'fedkit: a user with email ann@idp.example already exists: u_ann (Ann)\n' });
    const dupId = await cli(['idp', 'user', 'add', '--database', db, '--email', 'other@idp.example', '--name', 'O', '--id', 'u_ann', '--password', 'password three']);
    assert.equal(dupId.stderr, 'fedkit: a user with id u_ann already exists: ann@idp.example (Ann)\n');

    const list = await cli(['idp', 'user', 'list', '--database', db]);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^ID +EMAIL +NAME +CREATED\nu_ann +ann@idp\.example +Ann +\d{4}-\d\d-\d\d\n\S+ +bob@idp\.example +Bob +\d{4}-/);
    const listed = JSON.parse((await cli(['idp', 'user', 'list', '--json', '--database', db])).stdout) as Record<string, unknown>[];
    assert.deepEqual(listed.map((u) => [u.id, u.email, u.username]), [['u_ann', 'ann@idp.example', null], [bobId, 'bob@idp.example', 'bobby']]);
    assert.ok(listed.every((u) => !('passwordHash' in u) && typeof u.createdAt === 'string' && !Number.isNaN(Date.parse(u.createdAt))));

    await withStore(db, async (s) => {
      await s.createClient({ id: 'rp1', origins: ['https://rp.example'], privacyPolicyUrl: null, termsOfServiceUrl: null });
      await s.upsertGrant('u_ann', 'rp1', ['email'], Date.now());
      await s.createSession({ idHash: 'ann-1', userId: 'u_ann', createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
      await s.createSession({ idHash: 'ann-2', userId: 'u_ann', createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
    });
    const shown = JSON.parse((await cli(['idp', 'user', 'show', 'ann@idp.example', '--json', '--database', db])).stdout) as Record<string, unknown>;
    assert.deepEqual({ ...shown, createdAt: 0 }, { id: 'u_ann', email: 'ann@idp.example', name: 'Ann', givenName: null, picture: null, username: null, tel: null, createdAt: 0, grantedClients: ['rp1'] });
    assert.match((await cli(['idp', 'user', 'show', 'u_ann', '--database', db])).stdout, /^id: +u_ann\nemail: +ann@idp\.example\n[^]*granted clients: +rp1\n$/);
    const missing = await cli(['idp', 'user', 'show', 'nobody@idp.example', '--database', db]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /there is no user nobody@idp\.example/);

    const weak = await cli(['idp', 'user', 'set-password', 'u_ann', '--database', db], 'short\n');
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /at least 8 characters/);
    const empty = await cli(['idp', 'user', 'set-password', 'u_ann', '--database', db], '\n');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /a password is required/);
    const set = await cli(['idp', 'user', 'set-password', 'u_ann', '--database', db], 'a new password\n');
    assert.deepEqual(set, { code: 0, stdout: 'set the password of u_ann <ann@idp.example>; 2 sessions ended\n', stderr: '' });
    await withStore(db, async (s) => {
      assert.equal(await verifyPassword('a new password', (await s.getUser('u_ann'))!.passwordHash), true);
      assert.equal(await s.getSession('ann-1', Date.now()), undefined);
    });
    assert.equal((await cli(['idp', 'user', 'set-password', 'nobody', '--database', db], 'a new password\n')).code, 1);

    const removed = await cli(['idp', 'user', 'remove', 'ann@idp.example', '--database', db]);
    assert.deepEqual(removed, { code: 0, stdout: 'removed user u_ann <ann@idp.example>, with their sessions and grants\n', stderr: '' });
    assert.equal((await cli(['idp', 'user', 'remove', 'u_ann', '--database', db])).code, 1);
    await withStore(db, async (s) => {
      assert.deepEqual((await s.listUsers()).map((u) => u.id), [bobId]);
      assert.equal(await s.getGrant('u_ann', 'rp1'), undefined);
    });
  });

  it('clients: add, list, show, update (replace, add, remove origins; set and clear URLs), remove', async () => {
    const add = await cli(['idp', 'client', 'add', '--database', db, '--id', 'rp2', '--origin', 'https://rp2.example', '--privacy-policy-url', 'https://rp2.example/privacy']);
    assert.equal(add.code, 0, add.stderr);
    const listed = JSON.parse((await cli(['idp', 'client', 'list', '--json', '--database', db])).stdout) as { id: string; origins: string[] }[];
    assert.deepEqual(listed.map((c) => [c.id, c.origins]), [['rp1', ['https://rp.example']], ['rp2', ['https://rp2.example']]]);
    assert.match((await cli(['idp', 'client', 'list', '--database', db])).stdout, /^ID +ORIGINS +CREATED\nrp1 +https:\/\/rp\.example +\d{4}-/);

    const updated = await cli(['idp', 'client', 'update', 'rp2', '--database', db, '--add-origin', 'https://www.rp2.example', '--add-origin', 'https://RP2.example', '--clear-privacy-policy-url', '--terms-url', 'https://rp2.example/terms']);
    assert.deepEqual(updated, { code: 0, stdout: 'updated client rp2: https://rp2.example, https://www.rp2.example\n', stderr: '' });
    const shown = JSON.parse((await cli(['idp', 'client', 'show', 'rp2', '--json', '--database', db])).stdout) as Record<string, unknown>;
    assert.deepEqual({ ...shown, createdAt: 0 }, { id: 'rp2', origins: ['https://rp2.example', 'https://www.rp2.example'], privacyPolicyUrl: null, termsOfServiceUrl: 'https://rp2.example/terms', createdAt: 0 });
    assert.match((await cli(['idp', 'client', 'show', 'rp2', '--database', db])).stdout, /^id: +rp2\norigins: +https:\/\/rp2\.example, https:\/\/www\.rp2\.example\nprivacy policy: +\(none\)\n/);

    const notThere = await cli(['idp', 'client', 'update', 'rp2', '--database', db, '--remove-origin', 'https://elsewhere.example']);
    assert.equal(notThere.code, 1);
    assert.match(notThere.stderr, /https:\/\/elsewhere\.example is not an origin of client rp2/);
    const none = await cli(['idp', 'client', 'update', 'rp2', '--database', db, '--remove-origin', 'https://rp2.example', '--remove-origin', 'https://www.rp2.example']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /would be left without origins/);
    assert.equal((await cli(['idp', 'client', 'update', 'rp2', '--database', db, '--terms-url', 'https://x.example', '--clear-terms-url'])).code, 2);
    const replaced = await cli(['idp', 'client', 'update', 'rp2', '--database', db, '--origin', 'https://new.example']);
    assert.equal(replaced.stdout, 'updated client rp2: https://new.example\n');
    assert.equal((await cli(['idp', 'client', 'update', 'nope', '--database', db, '--origin', 'https://new.example'])).code, 1);

    assert.deepEqual(await cli(['idp', 'client', 'remove', 'rp2', '--database', db]), { code: 0, stdout: 'removed client rp2, with the grants users gave it\n', stderr: '' });
    assert.equal((await cli(['idp', 'client', 'remove', 'rp2', '--database', db])).code, 1);
    await withStore(db, async (s) => assert.deepEqual((await s.listClients()).map((c) => c.id), ['rp1']));
  });

  it('keys: list, rotate (the old key stays published), retire (refused for the only signing key and within a minute)', async () => {
    assert.match((await cli(['idp', 'keys', 'list', '--database', db])).stdout, /^no keys yet/);
    const only = await withStore(db, async (s) => {
      const idp = createIdp({ issuer: 'https://idp.example', store: s });
      return ((await idp.jwks()).keys[0]!.kid as string);
    });
    // A key id is a base64url thumbprint and may begin with "-": after --, it is never an option.
    const refused = await cli(['idp', 'keys', 'retire', '--database', db, '--', only]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `fedkit: ${only} is the only signing key: rotate first (\`fedkit idp keys rotate\`), then retire it.\n`);

    const rotated = await cli(['idp', 'keys', 'rotate', '--database', db, '--algorithm', 'EdDSA', '--token-ttl', '300']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const kid = /^new signing key (\S+); retired (\S+) /.exec(rotated.stdout);
    assert.equal(kid?.[2], only);
    const keys = JSON.parse((await cli(['idp', 'keys', 'list', '--json', '--database', db])).stdout) as { kid: string; alg: string; state: string; retiredAt: string; expiresAt: string; publicJwk: { kid: string; d?: string } }[];
    assert.deepEqual(keys.map((k) => [k.kid, k.alg, k.state]), [[kid![1], 'EdDSA', 'signing'], [only, 'ES256', 'retired']]);
    assert.equal(Date.parse(keys[1]!.expiresAt) - Date.parse(keys[1]!.retiredAt), (300 + 60) * 1000);
    assert.ok(keys.every((k) => k.publicJwk.d === undefined), 'no private key is printed');
    assert.match((await cli(['idp', 'keys', 'list', '--database', db])).stdout, new RegExp(`^KID +ALG +CREATED +STATE\\n${kid![1]} +EdDSA +\\S+ +signing\\n${only} +ES256 +\\S+ +retired, in the JWKS until \\d{4}-`));

    const tooSoon = await cli(['idp', 'keys', 'retire', '--database', db, '--', only]);
    assert.equal(tooSoon.code, 1);
    assert.match(tooSoon.stderr, /was retired \d+ s ago: a server may sign with it for up to 60 s after a rotation.*Retry in \d+ s, or pass --force\./);
    assert.equal((await cli(['idp', 'keys', 'retire', 'no-such-kid', '--database', db])).code, 1);
    const forced = await cli(['idp', 'keys', 'retire', '--force', '--database', db, '--', only]);
    assert.deepEqual(forced, { code: 0, stdout: `retired ${only}: it is no longer in the JWKS, and tokens it signed no longer verify\n`, stderr: '' });
    const published = await withStore(db, async (s) => (await createIdp({ issuer: 'https://idp.example', store: s, algorithm: 'EdDSA' }).jwks()).keys.map((k) => k.kid));
    assert.deepEqual(published, [kid![1]]);
  });

  it('answers --help for every leaf', async () => {
    const leaves = ['user add', 'user list', 'user show', 'user remove', 'user set-password', 'client add', 'client list', 'client show', 'client remove', 'client update', 'keys list', 'keys rotate', 'keys retire'];
    await eachConcurrently(leaves, async (leaf) => {
      const r = await cli(['idp', ...leaf.split(' '), '--help']);
      assert.equal(r.code, 0, leaf);
      assert.match(r.stdout, new RegExp(`Usage: fedkit idp ${leaf}`));
    });
    assert.match((await cli(['idp', '--help'])).stdout, /^ {2}keys +manage token-signing keys$/m);
  });
});
