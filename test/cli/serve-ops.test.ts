// Operating the servers: settings from flags > environment > --config file > defaults, each bad
// value one error naming its source (and no database file created); /healthz and /readyz; and a
// SIGTERM that lets a slow request in flight finish before the process exits 0.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAIN, runFedkit, type Ran } from '../helpers/cli.js';

const cli = (args: string[], env: Record<string, string> = {}): Promise<Ran> => runFedkit(args, { env });

describe('fedkit idp serve / rp serve: settings, health, shutdown', { timeout: 60_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-ops-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports every bad value once, naming its source, and creates no database file', async () => {
    const db = join(dir, 'never.db');
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ idp: { synchronous: 'sometimes', prot: 1 } }));
    const r = await cli(['idp', 'serve', '--config', config, '--issuer', 'http://idp.example', '--database', db], { FEDKIT_IDP_PORT: 'abc' });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      [
        'fedkit: 4 settings are wrong:',
        `  ${config}: idp.prot is not a setting (known: port, host, database, synchronous, issuer, cert, key, log)`,
        '  FEDKIT_IDP_PORT=abc: not a port (0-65535)',
        `  ${config} idp.synchronous: "sometimes": must be normal or full`,
        '  --issuer http://idp.example: must be https (or http on localhost): browsers refuse FedCM anywhere else',
        'Run "fedkit idp serve --help" for usage.',
        '',
      ].join('\n'),
    );
    assert.equal(existsSync(db), false, 'a usage error opened the database');

    const one = await cli(['idp', 'serve', '--database', db], { FEDKIT_LOG: 'xml' });
    assert.equal(one.stderr, 'fedkit: FEDKIT_LOG=xml: must be pretty or json\nRun "fedkit idp serve --help" for usage.\n');
    const missing = await cli(['rp', 'serve', '--client-id', 'c', '--host-rules', 'MAP idp.test'], {});
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--config-url is required \(or FEDKIT_RP_CONFIG_URL, or rp\.configUrl in the --config file\)/);
    assert.match(missing.stderr, /--host-rules MAP idp\.test: invalid host rule/);
    const noFile = await cli(['rp', 'serve', '--config', join(dir, 'nope.json')]);
    assert.match(noFile.stderr, /--config .*nope\.json: cannot read it \(ENOENT\)/);
  });

  it('lists the environment variables and config keys in --help', async () => {
    const idp = await cli(['idp', 'serve', '--help']);
    for (const row of [/FEDKIT_IDP_ISSUER +--issuer +idp\.issuer/, /FEDKIT_DATABASE_URL +--database +idp\.database/, /FEDKIT_IDP_PORT +--port +idp\.port/, /FEDKIT_LOG +--log +idp\.log/, /FEDKIT_CONFIG +--config/]) assert.match(idp.stdout, row);
    const rp = await cli(['rp', 'serve', '--help']);
    for (const row of [/FEDKIT_RP_CONFIG_URL +--config-url +rp\.configUrl/, /FEDKIT_RP_HOST_RULES +--host-rules +rp\.hostRules/, /FEDKIT_RP_CA +--ca +rp\.ca/, /FEDKIT_RP_JWKS_URI +--jwks-uri +rp\.jwksUri/]) assert.match(rp.stdout, row);
  });

  it('takes flags over the environment over the file; answers /healthz and /readyz; finishes a slow request after SIGTERM and exits 0', async () => {
    const db = join(dir, 'idp.db');
    const config = join(dir, 'fedkit.json');
    // The file says port 1 and a relative database path (relative to the file); the environment
    // overrides the port, the flag overrides the environment's issuer.
    writeFileSync(config, JSON.stringify({ idp: { port: 1, database: 'idp.db', issuer: 'https://file.example' } }));
    const child = spawn(process.execPath, [MAIN, 'idp', 'serve', '--config', config, '--issuer', 'https://flag.example'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FEDKIT_IDP_PORT: '0', FEDKIT_IDP_ISSUER: 'https://env.example' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not started: ${out}`)), 20_000);
        child.stdout.on('data', () => {
          const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\n[^]*database [^\n]*\n/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      assert.match(out, /issuer https:\/\/flag\.example\n/);
      assert.match(out, new RegExp(`database ${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(synchronous=normal\\)\\n`));
      const base = `http://127.0.0.1:${port}`;
      assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' });
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready' });

      // A slow request: a login POST whose body is half sent when SIGTERM arrives.
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      const body = 'email=a%40b.example&password=x&csrf=zzzzzzzzzzzzzzzzzzzz';
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(`POST /fedcm/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill('SIGTERM');
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no stopping line: ${out}`)), 5_000);
        child.stdout.on('data', () => {
          if (/stopping: finishing 1 request\(s\) in flight/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        if (/stopping: finishing 1 request\(s\) in flight/.test(out)) resolve();
      });
      // New connections are refused while the old request is still being answered (the
      // listening socket closes on the event loop's next turn after the line is written).
      await new Promise((resolve) => setTimeout(resolve, 200));
      const refused = await new Promise<string>((resolve) => {
        const probe = connect(port, '127.0.0.1');
        probe.once('connect', () => (probe.destroy(), resolve('connected')));
        probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      assert.equal(refused, 'ECONNREFUSED');
      assert.equal(child.exitCode, null, 'the process waited for the request in flight');
      socket.write(body.slice(10));
      await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error(`the connection stayed open: ${answer}`)), 5_000))]);
      assert.match(answer, /^HTTP\/1\.1 403 /, 'the slow request got its whole answer (the CSRF check refuses it)');
      assert.equal(await exited, 0, out);
      assert.match(out, /fedkit idp: stopped\n$/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
