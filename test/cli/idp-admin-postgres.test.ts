// `fedkit idp user|client|keys …` as real processes against PostgreSQL (in a schema of its own);
// the SQLite side, every command with its errors, is idp-admin.test.ts.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { POSTGRES_URL } from '../idp/helpers.js';
import { runFedkit, type Ran } from '../helpers/cli.js';

const cli = (args: string[], stdin = ''): Promise<Ran> => runFedkit(args, { stdin, timeoutMs: 20_000 });

describe('fedkit idp user|client (PostgreSQL)', { timeout: 60_000 }, () => {
  it('lists, shows, updates and removes in a schema of its own', async () => {
    const schema = `fedkit_admin_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA "${schema}"`);
      const url = new URL(POSTGRES_URL);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const db = url.href;
      assert.equal((await cli(['idp', 'user', 'add', '--database', db, '--email', 'pg@idp.example', '--name', 'Pg', '--id', 'u_pg', '--password', 'password pg'])).code, 0);
      assert.equal((await cli(['idp', 'client', 'add', '--database', db, '--id', 'pg-rp', '--origin', 'https://rp.example'])).code, 0);
      assert.deepEqual((JSON.parse((await cli(['idp', 'user', 'list', '--json', '--database', db])).stdout) as { id: string }[]).map((u) => u.id), ['u_pg']);
      assert.equal((await cli(['idp', 'client', 'update', 'pg-rp', '--add-origin', 'https://b.example', '--database', db])).stdout, 'updated client pg-rp: https://rp.example, https://b.example\n');
      assert.equal((await cli(['idp', 'user', 'set-password', 'pg@idp.example', '--database', db], 'another password\n')).code, 0);
      assert.equal((await cli(['idp', 'keys', 'rotate', '--database', db])).code, 0);
      assert.equal((JSON.parse((await cli(['idp', 'keys', 'list', '--json', '--database', db])).stdout) as unknown[]).length, 1);
      assert.equal((await cli(['idp', 'user', 'remove', 'u_pg', '--database', db])).code, 0);
      assert.equal((await cli(['idp', 'client', 'remove', 'pg-rp', '--database', db])).code, 0);
      assert.deepEqual((await admin.query(`SELECT count(*)::int AS n FROM "${schema}".users`)).rows, [{ n: 0 }]);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
