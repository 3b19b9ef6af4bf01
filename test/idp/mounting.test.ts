// The documented mounts of docs/idp.md "Mounting in a framework", run for real: each example
// file (examples/idp-express.ts, idp-fastify.ts, idp-hono.ts) is the code block the docs show,
// and runs as its own process with an IdP under the path prefix /idp. fedkit's agent signs in
// through it (login form, FedCM config, accounts, assertion), and the RP's verifyIdentityToken
// finds the keys by OpenID discovery at <issuer>/.well-known/openid-configuration. The endpoint
// table of docs/idp.md is checked against IDP_ROUTES, the one list every adapter serves.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fetch as undiciFetch } from 'undici';
import { createAgent, IdentityCredential } from '../../src/agent/index.js';
import { createDispatcher } from '../../src/common/dispatcher.js';
import { addClient, addUser, IDP_ROUTES, openStore, serve, type RunningServer } from '../../src/idp/index.js';
import { verifyIdentityToken, type FetchLike } from '../../src/rp/index.js';
import { testCertificates } from '../helpers/certs.js';
import { FAST_SCRYPT, PASSWORD } from './helpers.js';

const root = new URL('../../../', import.meta.url).pathname;
const docs = readFileSync(join(root, 'docs/idp.md'), 'utf8');

/** The fenced block of language `lang` right after `marker` in docs/idp.md. */
function block(marker: string, lang: string): string {
  const start = docs.indexOf(marker);
  assert.ok(start >= 0, `docs/idp.md has no "${marker}"`);
  const open = docs.indexOf('```' + lang + '\n', start);
  assert.ok(open >= 0 && open - start - marker.length < 5, `no ${lang} block right after "${marker}"`);
  const close = docs.indexOf('\n```', open + 4 + lang.length);
  return docs.slice(open + 4 + lang.length, close + 1);
}

/** Starts an example and resolves with its port once it prints its listening line (at most 20 s). */
function startExample(file: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number; configURL: string }> {
  const child = spawn(process.execPath, [join(root, 'dist/examples', file)], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${file} printed no listening line within 20 s; stdout ${JSON.stringify(out)}, stderr ${JSON.stringify(err)}`));
    }, 20_000);
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on port (\d+); configURL (\S+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), configURL: m[2]! });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code}: ${err}`));
    });
  });
}

/** Ends a child this test started, and waits for it (at most 10 s). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe('the documented framework mounts (docs/idp.md)', { timeout: 120_000 }, () => {
  let dir: string;
  let rpServer: RunningServer;
  const certs = testCertificates();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-mounting-'));
    writeFileSync(join(dir, 'cert.pem'), certs.certPem, { mode: 0o600 });
    writeFileSync(join(dir, 'key.pem'), certs.keyPem, { mode: 0o600 });
    // The RP's page, on its own listener: the agent loads it and calls get() from it.
    rpServer = await serve(() => new Response('<!doctype html><title>RP</title>', { headers: { 'content-type': 'text/html' } }), { tls: { cert: certs.certPem, key: certs.keyPem } });
  });
  after(async () => {
    await rpServer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists, in the endpoint table, exactly the routes of IDP_ROUTES with their methods', () => {
    const start = docs.indexOf('| endpoint | method |');
    assert.ok(start >= 0, 'docs/idp.md has no endpoint table');
    const rows = docs.slice(start).split('\n').slice(2);
    const table = new Map<string, string>();
    for (const row of rows) {
      if (!row.startsWith('|')) break;
      const [, path, methods] = row.split('|').map((c) => c.trim());
      table.set(path!.replace(/`/g, '').replace(/\?.*$/, ''), methods!);
    }
    const expected = new Map(IDP_ROUTES.map((r) => [r.path, r.methods.join(', ')]));
    assert.deepEqual(table, expected);
  });

  for (const [framework, file] of [['Express', 'idp-express'], ['Fastify', 'idp-fastify'], ['Hono', 'idp-hono']] as const) {
    it(`${framework}: the docs show examples/${file}.ts, which serves a whole sign-in under /idp that verifies by discovery`, async () => {
      assert.equal(block(`<!-- example: examples/${file}.ts -->`, 'ts'), readFileSync(join(root, 'examples', `${file}.ts`), 'utf8'));

      const database = join(dir, `${file}.db`);
      const store = await openStore(database);
      await addClient(store, { id: 'mount-rp', origins: ['https://rp.example'] });
      await addUser(store, { id: 'u_mount', email: 'mount@idp.example', name: 'Mount User', password: PASSWORD, scrypt: FAST_SCRYPT });
      await store.close();

      const { child, port, configURL } = await startExample(`${file}.js`, { DATABASE: database, TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem'), PORT: '0' });
      const hostRules = { 'idp.example:443': `127.0.0.1:${port}`, 'rp.example:443': `127.0.0.1:${rpServer.port}` };
      const agent = createAgent({ hostRules, ca: certs.caPem });
      const dispatcher = createDispatcher({ hostRules, ca: certs.caPem });
      try {
        assert.equal(configURL, 'https://idp.example/idp/fedcm/config.json');
        const home = await agent.open('https://idp.example/');
        assert.equal(home.response?.body, 'my existing site');

        // The login form is a POST through the app's body parser (Express, Fastify) or none (Hono).
        const login = await agent.open('https://idp.example/idp/fedcm/login');
        const csrf = /name="csrf" value="([^"]+)"/.exec(login.response?.body ?? '')?.[1];
        assert.ok(csrf, 'the login page has a CSRF field');
        const signedIn = await login.fetch('https://idp.example/idp/fedcm/login', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf, email: 'mount@idp.example', password: PASSWORD }).toString(),
        });
        assert.equal(signedIn.status, 200, signedIn.body);
        assert.equal(signedIn.headers.get('set-login'), 'logged-in');

        const page = await agent.open('https://rp.example/');
        const pending = page.navigator.credentials!.get({ identity: { providers: [{ configURL, clientId: 'mount-rp', params: { nonce: `n-${file}` } }] } });
        await agent.automation.waitForDialog();
        agent.automation.selectAccount(0);
        const credential = await pending;
        assert.ok(credential instanceof IdentityCredential);

        // The RP server's side: the keys come from <issuer>/.well-known/openid-configuration.
        const fetch: FetchLike = (input, init) => undiciFetch(input, { ...init, dispatcher } as never) as unknown as Promise<Response>;
        const { claims } = await verifyIdentityToken(credential.token, { issuer: 'https://idp.example/idp', clientId: 'mount-rp', nonce: `n-${file}`, fetch });
        assert.equal(claims.sub, 'u_mount');
        assert.equal(claims.iss, 'https://idp.example/idp');

        // The well-known file is at the site's root, and names the prefixed config.
        const wellKnown = (await (await fetch('https://idp.example/.well-known/web-identity', { headers: { 'sec-fetch-dest': 'webidentity' } })).json()) as { provider_urls: string[] };
        assert.deepEqual(wellKnown.provider_urls, [configURL]);
      } finally {
        await agent.close();
        await dispatcher.close();
        await stop(child);
      }
    });
  }
});
