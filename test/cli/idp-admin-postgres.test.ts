// `fedkit idp user|client|keys …` as real processes against PostgreSQL (in a schema of its own);
// the SQLite side, every command with its errors, is idp-admin.test.ts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withPostgresSchema } from '../idp/helpers.js';
import { runFedkit, type Ran } from '../helpers/cli.js';

const cli = (args: string[], stdin = ''): Promise<Ran> => runFedkit(args, { stdin, timeoutMs: 20_000 });

describe('fedkit idp user|client (PostgreSQL)', { timeout: 60_000 }, () => {
  it('lists, shows, updates and removes in a schema of its own', async () => {
    await withPostgresSchema('fedkit_admin', async ({ schema, url: db, admin }) => {
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
    });
  });
});
