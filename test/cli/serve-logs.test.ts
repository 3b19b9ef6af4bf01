// `fedkit idp serve --log json` and `fedkit rp serve` (one-line format) as real processes, a
// full sign-in through them with the agent (login form with a password, FedCM, the RP verifying
// the token through --host-rules and --ca), refusals whose reasons must reach the log, and then
// the logs searched for every secret of the sign-in: none may be there.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fetch as undiciFetch } from 'undici';
import { createAgent, IdentityCredential } from '../../src/agent/index.js';
import { createDispatcher } from '../../src/common/dispatcher.js';
import { addClient, addUser, openStore } from '../../src/idp/index.js';
import { testCertificates } from '../helpers/certs.js';

const MAIN = join(process.cwd(), 'dist/src/cli/main.js');
const PASSWORD = 'plum tangerine 4417 wobble';
const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

interface Server {
  child: ChildProcess;
  out: () => string;
  port: number;
  exited: Promise<number | null>;
}

/** Starts `fedkit …args` and waits (bounded) until its output matches `ready`. */
function start(args: string[], ready: RegExp): Promise<Server> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fedkit ${args.join(' ')} did not start:\n${out}`));
    }, 20_000);
    const check = () => {
      const m = ready.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({ child, out: () => out, port: Number(m[1]), exited });
    };
    child.stdout!.on('data', check);
    void exited.then(() => reject(new Error(`fedkit ${args.join(' ')} exited:\n${out}`)));
  });
}

describe('request logs of fedkit idp serve and fedkit rp serve', { timeout: 60_000 }, () => {
  let dir: string;
  let idp: Server;
  let rp: Server;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-logs-'));
    const certs = testCertificates();
    for (const [name, pem] of [['ca.pem', certs.caPem], ['cert.pem', certs.certPem], ['key.pem', certs.keyPem]] as const) writeFileSync(join(dir, name), pem, { mode: 0o600 });
    const store = await openStore(join(dir, 'idp.db'));
    await addClient(store, { id: 'acme', origins: ['https://rp.example'] });
    await addUser(store, { id: 'u_jane', email: 'jane@idp.example', name: 'Jane Doe', password: PASSWORD, scrypt: FAST_SCRYPT });
    await store.close();
    const tls = ['--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem')];
    idp = await start(['idp', 'serve', '--port', '0', '--database', join(dir, 'idp.db'), '--issuer', 'https://idp.example', ...tls, '--log', 'json'], /"msg":"listening on https:\/\/127\.0\.0\.1:(\d+)"[^]*"msg":"database /);
    rp = await start(
      ['rp', 'serve', '--port', '0', '--config-url', 'https://idp.example/fedcm/config.json', '--client-id', 'acme', '--origin', 'https://rp.example', '--database', join(dir, 'rp.db'), ...tls, '--host-rules', `MAP idp.example 127.0.0.1:${idp.port}`, '--ca', join(dir, 'ca.pem')],
      /listening on https:\/\/127\.0\.0\.1:(\d+)/,
    );
  });
  after(async () => {
    for (const s of [idp, rp]) if (s && s.child.exitCode === null) s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs each request with its reason, and no token, cookie, password or nonce', async () => {
    const certs = testCertificates();
    const hostRules = { 'idp.example:443': `127.0.0.1:${idp.port}`, 'rp.example:443': `127.0.0.1:${rp.port}` };
    const agent = createAgent({ hostRules, ca: certs.caPem });
    const secrets: Record<string, string> = { password: PASSWORD };
    try {
      // The login form, with the password.
      const login = await agent.open('https://idp.example/fedcm/login');
      const csrf = /name="csrf" value="([^"]+)"/.exec(login.response?.body ?? '')?.[1];
      assert.ok(csrf, login.response?.body);
      const signedIn = await login.fetch('https://idp.example/fedcm/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, email: 'jane@idp.example', password: PASSWORD }).toString(),
      });
      assert.equal(signedIn.status, 200, signedIn.body);
      secrets['csrf token'] = csrf;
      secrets['IdP session cookie'] = /fedkit_session=([^;]+)/.exec(signedIn.headers.getSetCookie().join('\n'))?.[1] ?? assert.fail('no session cookie');
      login.close();

      // FedCM, then the RP verifies the token server-side, through --host-rules and --ca.
      const page = await agent.open('https://rp.example/');
      const { nonce } = JSON.parse(page.document.getElementById('fedkit-config')?.textContent ?? '{}') as { nonce: string };
      secrets['nonce'] = nonce;
      const provider = { configURL: 'https://idp.example/fedcm/config.json', clientId: 'acme', params: { nonce } };
      const pending = page.navigator.credentials!.get({ identity: { providers: [provider] } });
      await agent.automation.waitForDialog({ timeoutMs: 5000 });
      agent.automation.selectAccount(0);
      const credential = await pending;
      assert.ok(credential instanceof IdentityCredential);
      secrets['token'] = String(credential.token);
      const session = await page.fetch('/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: credential.token }) });
      assert.equal(session.status, 200, session.body);
      secrets['RP session cookie'] = /__Host-rp_session=([^;]+)/.exec(session.headers.getSetCookie().join('\n'))?.[1] ?? assert.fail('no RP session cookie');


      // An unregistered client: answered with CORS for the requesting origin and the error body.
      const dispatcher = createDispatcher({ hostRules, ca: certs.caPem });
      const res = await undiciFetch('https://idp.example/fedcm/assertion', {
        method: 'POST',
        dispatcher,
        headers: { 'sec-fetch-dest': 'webidentity', origin: 'https://rp.example', 'content-type': 'application/x-www-form-urlencoded', cookie: `fedkit_session=${secrets['IdP session cookie']}` },
        body: 'client_id=my-rp&account_id=u_jane',
      });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://rp.example');
      assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized_client');
      // A replayed nonce, as the browser would send it: the IdP refuses it, and the log says why.
      const replay = await undiciFetch('https://idp.example/fedcm/assertion', {
        method: 'POST',
        dispatcher,
        headers: { 'sec-fetch-dest': 'webidentity', origin: 'https://rp.example', 'content-type': 'application/x-www-form-urlencoded', cookie: `fedkit_session=${secrets['IdP session cookie']}` },
        body: new URLSearchParams({ client_id: 'acme', account_id: 'u_jane', params: JSON.stringify({ nonce }), disclosure_text_shown: 'true' }).toString(),
      });
      assert.equal(replay.status, 400, await replay.clone().text());
      await replay.body?.cancel();
      await dispatcher.close();
    } finally {
      await agent.close();
    }

    for (const s of [idp, rp]) s.child.kill('SIGTERM');
    assert.equal(await idp.exited, 0, idp.out());
    assert.equal(await rp.exited, 0, rp.out());

    // The IdP's log: JSON lines, one per request, with the reasons of the refusals.
    const records = idp.out().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = records.filter((r) => r['msg'] === 'request');
    for (const r of requests) {
      assert.deepEqual(Object.keys(r).filter((k) => !['level', 'time', 'name', 'msg'].includes(k)).sort(), ['method', 'ms', 'path', 'reqId', 'status', ...(r['reason'] === undefined ? [] : ['reason'])].sort());
      assert.equal(r['name'], 'fedkit idp');
    }
    const line = (method: string, path: string, status: number) => requests.find((r) => r['method'] === method && r['path'] === path && r['status'] === status);
    assert.ok(line('POST', '/fedcm/login', 200), 'the sign-in');
    assert.ok(line('POST', '/fedcm/assertion', 200), 'the token');
    assert.ok(line('GET', '/fedcm/jwks.json', 200), "the RP's JWKS fetch");
    const reasons = requests.filter((r) => r['path'] === '/fedcm/assertion' && r['status'] === 400).map((r) => String(r['reason']));
    assert.equal(reasons.length, 2, JSON.stringify(requests));
    assert.ok(reasons.some((r) => /^invalid_request: This nonce was already used for client "acme"/.test(r)), reasons.join('\n'));
    assert.ok(reasons.some((r) => /^unauthorized_client: No client "my-rp" is registered/.test(r)), reasons.join('\n'));
    assert.equal(records.at(-1)?.['msg'], 'stopped');

    // The RP's log: one readable line per request.
    assert.match(rp.out(), /^fedkit rp: \d\d:\d\d:\d\d\.\d{3} POST \/session 200 [\d.]+ms req=[A-Za-z0-9_-]{12}$/m);
    assert.match(rp.out(), /^fedkit rp: \d\d:\d\d:\d\d\.\d{3} GET \/ 200 /m);
    assert.match(rp.out(), /fedkit rp: stopped\n$/);

    const logs = idp.out() + rp.out();
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(value.length >= 8, `${name} is long enough to search for`);
      assert.equal(logs.includes(value), false, `the ${name} is in the logs`);
      // Nor any long piece of it (a token's payload or signature alone would still be a leak).
      for (const piece of value.split('.').filter((p) => p.length >= 16)) assert.equal(logs.includes(piece), false, `part of the ${name} is in the logs`);
    }
  });
});
