// The `fedkit` executable, run as a real process: help, version, exit codes, the admin commands
// on SQLite and PostgreSQL, and `idp serve` answering FedCM requests until SIGTERM.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VERSION } from '../../src/version.js';
import { openStore, PostgresStore, verifyPassword } from '../../src/idp/index.js';
import { POSTGRES_URL, withPostgresSchema } from './helpers.js';
import { MAIN, runFedkit, type Ran } from '../helpers/cli.js';

const cli = (args: string[], options: { stdin?: string; timeoutMs?: number } = {}): Promise<Ran> => runFedkit(args, options);

describe('fedkit command line', { timeout: 60_000 }, () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-cli-'));
    db = join(dir, 'idp.db');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the version and help; exit code 2 for usage errors', async () => {
    assert.deepEqual(await cli(['--version']), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const top = await cli(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /^ {2}idp +the reference FedCM identity provider$/m);
    const none = await cli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: fedkit <command>/);
    for (const args of [['nope'], ['idp', 'nope'], ['idp', 'serve', '--nope'], ['idp', 'serve', '--port', 'x'], ['idp', 'serve', '--synchronous', 'off'], ['idp', 'serve', '--database', 'postgres://127.0.0.1/x', '--synchronous', 'full'], ['idp', 'client', 'add', '--id', 'c'], ['idp', 'user', 'add', '--email']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^fedkit: .+\nRun "fedkit.*--help" for usage\.\n$/);
    }
    for (const args of [['idp', '--help'], ['idp', 'serve', '--help'], ['idp', 'user', 'add', '--help'], ['idp', 'client', 'add', '--help']]) {
      const r = await cli(args);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Usage: fedkit idp|Commands:/);
    }
    assert.match((await cli(['idp', 'serve', '--help'])).stdout, /--database <file\|postgres:\/\/…> +SQLite file or PostgreSQL URL \(default \.\/fedkit-idp\.db\)/);
  });

  it('adds users (password from the flag or stdin) and clients to an SQLite file', async () => {
    const a = await cli(['idp', 'user', 'add', '--database', db, '--email', 'ann@idp.example', '--name', 'Ann', '--id', 'u_ann', '--password', 'password one']);
    assert.deepEqual(a, { code: 0, stdout: 'added user u_ann <ann@idp.example>\n', stderr: '' });
    const b = await cli(['idp', 'user', 'add', '--database', db, '--email', 'bob@idp.example', '--name', 'Bob', '--id', 'u_bob'], { stdin: 'password two\n' });
    assert.equal(b.code, 0, b.stderr);
    const dup = await cli(['idp', 'user', 'add', '--database', db, '--email', 'ANN@idp.example', '--name', 'Ann 2', '--password', 'password three']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);
    const noPassword = await cli(['idp', 'user', 'add', '--database', db, '--email', 'c@idp.example', '--name', 'C']);
    assert.equal(noPassword.code, 2);

    const c = await cli(['idp', 'client', 'add', '--database', db, '--id', 'rp1', '--origin', 'https://rp.example', '--origin', 'https://www.rp.example', '--privacy-policy-url', 'https://rp.example/privacy', '--terms-url', 'https://rp.example/terms']);
    assert.deepEqual(c, { code: 0, stdout: 'added client rp1 for https://rp.example, https://www.rp.example\n', stderr: '' });
    const bad = await cli(['idp', 'client', 'add', '--database', db, '--id', 'rp2', '--origin', 'https://rp.example/path']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /An origin has no path/);

    const store = await openStore(db);
    try {
      const users = await store.listUsers();
      assert.deepEqual(users.map((u) => [u.id, u.email, u.name]), [['u_ann', 'ann@idp.example', 'Ann'], ['u_bob', 'bob@idp.example', 'Bob']]);
      assert.equal(await verifyPassword('password one', users[0]!.passwordHash), true);
      assert.equal(await verifyPassword('password two', users[1]!.passwordHash), true);
      const client = await store.getClient('rp1');
      assert.deepEqual(client && { ...client, createdAt: 0 }, { id: 'rp1', origins: ['https://rp.example', 'https://www.rp.example'], privacyPolicyUrl: 'https://rp.example/privacy', termsOfServiceUrl: 'https://rp.example/terms', createdAt: 0 });
      assert.equal(await store.getClient('rp2'), undefined);
    } finally {
      await store.close();
    }
  });

  it('adds a client to PostgreSQL given a postgres:// URL', async () => {
    await withPostgresSchema('fedkit_cli', async ({ schema, url }) => {
      const r = await cli(['idp', 'client', 'add', '--database', url, '--id', 'pg-rp', '--origin', 'https://rp.example']);
      assert.equal(r.code, 0, r.stderr);
      const store = new PostgresStore({ connectionString: POSTGRES_URL, schema });
      try {
        assert.deepEqual((await store.getClient('pg-rp'))?.origins, ['https://rp.example']);
      } finally {
        await store.close();
      }
    });
  });

  it('serves the IdP until SIGTERM (SQLite file by default name, issuer from the port, --synchronous full)', async () => {
    const child = spawn(process.execPath, [MAIN, 'idp', 'serve', '--port', '0', '--database', db, '--synchronous', 'full'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening" line: ${out} ${err}`)), 30_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          // The database line is the last of the startup lines: wait for it, as output may arrive in pieces.
          const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\n[^]*config URL (\S+)\n[^]*database [^\n]*\n/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      assert.match(out, new RegExp(`issuer http://localhost:${port}\\n`));
      assert.match(out, /database .+ \(synchronous=full\)\n/, 'the store runs with what --synchronous asked for');
      const res = await fetch(`http://127.0.0.1:${port}/fedcm/config.json`, { headers: { 'sec-fetch-dest': 'webidentity' } });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { login_url: string }).login_url, `http://localhost:${port}/fedcm/login`);
      const jwks = (await (await fetch(`http://127.0.0.1:${port}/fedcm/jwks.json`)).json()) as { keys: unknown[] };
      assert.equal(jwks.keys.length, 1);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, err);
    assert.match(out, /fedkit idp: stopped\n$/);
  });
});
