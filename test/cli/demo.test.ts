// `fedkit demo --once --json`: the whole system on loopback, signed in by the agent, verified
// by the RP. The second run finds the user again (sign-in, not sign-up) and keeps the CA.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { run } from '../../src/cli/run.js';
import type { Io } from '../../src/cli/command.js';

function captureIo(): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
    readSecret: () => Promise.resolve(undefined),
    stopped: Promise.resolve(),
  };
  return io;
}

describe('fedkit demo', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'fedkit-demo-')), 'state');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('signs up the demo user through every FedCM step and the RP verifies the token', async () => {
    const io = captureIo();
    const code = await run(['demo', '--once', '--json', '--dir', dir], io);
    assert.equal(code, 0, io.err);
    const result = JSON.parse(io.out) as {
      ok: boolean;
      steps: { step: number; requests: { method: string; url: string; status: number }[] }[];
      dialog: { type: string; title: string; accounts: { email: string; loginState: string }[] };
      verified: { created: boolean; user: { email: string; subject: string } };
      chrome: string;
    };
    assert.equal(result.ok, true);
    const urls = (n: number) => result.steps[n - 1]!.requests.map((r) => `${r.method} ${r.url} ${r.status}`);
    assert.deepEqual(urls(2).sort(), ['GET https://idp.example/.well-known/web-identity 200', 'GET https://idp.example/fedcm/config.json 200']);
    assert.deepEqual(urls(4), ['GET https://idp.example/fedcm/accounts 200']);
    assert.deepEqual(urls(8), ['POST https://idp.example/fedcm/assertion 200']);
    assert.equal(result.dialog.type, 'AccountChooser');
    assert.equal(result.dialog.title, 'Sign in to rp.example with idp.example');
    assert.deepEqual(result.dialog.accounts.map((a) => [a.email, a.loginState]), [['demo@idp.example', 'SignUp']]);
    assert.equal(result.verified.created, true);
    assert.equal(result.verified.user.email, 'demo@idp.example');
    assert.match(result.chrome, /--host-resolver-rules="MAP \*\.example:443 127\.0\.0\.1:\d+" --ignore-certificate-errors https:\/\/rp\.example\//);
    assert.equal(statSync(join(dir, 'ca-key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'server-key.pem')).mode & 0o777, 0o600);
  });

  it('a second run keeps the CA and signs the same user in again', async () => {
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const io = captureIo();
    assert.equal(await run(['demo', '--once', '--json', '--dir', dir], io), 0, io.err);
    const result = JSON.parse(io.out) as { verified: { created: boolean }; dialog: { accounts: { loginState: string }[] } };
    assert.equal(result.verified.created, false);
    assert.equal(result.dialog.accounts[0]?.loginState, 'SignIn', 'the IdP remembers the grant (approved_clients)');
    assert.equal(readFileSync(join(dir, 'ca.pem'), 'utf8'), ca);
  });

  it('--fresh starts from new state (the user signs up again) and keeps the CA', async () => {
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const io = captureIo();
    assert.equal(await run(['demo', '--once', '--json', '--fresh', '--dir', dir], io), 0, io.err);
    const result = JSON.parse(io.out) as { verified: { created: boolean }; dialog: { accounts: { loginState: string }[] } };
    assert.equal(result.verified.created, true, 'the RP sees a new user');
    assert.equal(result.dialog.accounts[0]?.loginState, 'SignUp', 'the IdP has no grant any more');
    assert.equal(readFileSync(join(dir, 'ca.pem'), 'utf8'), ca);
  });

  it('answers /favicon.ico on both origins with an icon', async () => {
    const { startSystem } = await import('../../src/cli/system.js');
    const { createDispatcher } = await import('../../src/common/dispatcher.js');
    const { fetch } = await import('undici');
    const system = await startSystem({ dir });
    const dispatcher = createDispatcher({ hostRules: system.hostRules, ca: system.ca });
    try {
      for (const origin of ['https://idp.example', 'https://rp.example']) {
        const res = await fetch(`${origin}/favicon.ico`, { dispatcher });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/svg+xml');
        assert.match(await res.text(), /^<svg /);
      }
    } finally {
      await dispatcher.close();
      await system.close();
    }
  });

  it('prints the steps for people, and rejects bad usage with exit 2', async () => {
    const io = captureIo();
    assert.equal(await run(['demo', '--once', '--dir', dir], io), 0, io.err);
    assert.match(io.out, / 1 {2}The RP page calls navigator\.credentials\.get\(\)/);
    assert.match(io.out, /10 {2}The RP page receives the IdentityCredential/);
    assert.match(io.out, /The RP server verifies the token .*: valid/);
    const bad = captureIo();
    assert.equal(await run(['demo', '--port', 'x'], bad), 2);
    assert.match(bad.err, /--port must be 0-65535/);
  });
});
