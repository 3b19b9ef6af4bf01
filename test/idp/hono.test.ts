// Mounting the kit in an existing Hono app, with the route loop of docs/idp.md (examples/idp-hono.ts,
// run as a file by mounting.test.ts): Hono's handlers take and return web-standard
// Request/Response, so the IdP mounts with no glue. Here: the client address reaches the kit
// through c.env, at the root issuer.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createAgent, IdentityCredential, type Agent } from '../../src/agent/index.js';
import { addClient, addUser, createIdp, IDP_ROUTES, openStore, serve, type ConnectionInfo, type RunningServer, type Store } from '../../src/idp/index.js';
import { testCertificates } from '../helpers/certs.js';
import { FAST_SCRYPT, PASSWORD } from './helpers.js';

describe('mounting the IdP in a Hono app', { timeout: 30_000 }, () => {
  let dir: string;
  let store: Store;
  let server: RunningServer;
  let agent: Agent;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-hono-'));
    store = await openStore(join(dir, 'idp.db'));
    await addClient(store, { id: 'hono-rp', origins: ['https://rp.example'] });
    await addUser(store, { id: 'u_hono', email: 'hono@idp.example', name: 'Hono User', password: PASSWORD, scrypt: FAST_SCRYPT });

    // --- as in docs/idp.md ---
    const idp = createIdp({ issuer: 'https://idp.example', store });
    const app = new Hono<{ Bindings: ConnectionInfo }>();
    app.get('/', (c) => c.text('my existing site'));
    for (const route of IDP_ROUTES) {
      app.all(new URL(idp.urls[route.name]).pathname, (c) => idp(c.req.raw, c.env));
    }
    // --- end of example ---

    const certs = testCertificates();
    server = await serve(
      (request, info) =>
        new URL(request.url).hostname === 'rp.example'
          ? new Response('<!doctype html><title>RP</title>', { headers: { 'content-type': 'text/html' } })
          : app.fetch(request, info),
      { tls: { cert: certs.certPem, key: certs.keyPem } },
    );
    agent = createAgent({ hostRules: { '*.example:443': `127.0.0.1:${server.port}` }, ca: certs.caPem });
  });
  after(async () => {
    await agent?.close();
    await server?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the app\'s own routes and serves a whole FedCM sign-in through Hono', async () => {
    const home = await agent.open('https://idp.example/');
    assert.equal(home.response?.body, 'my existing site');

    const login = await agent.open('https://idp.example/fedcm/login');
    const csrf = /name="csrf" value="([^"]+)"/.exec(login.response?.body ?? '')![1]!;
    const form = (password: string) => ({ method: 'POST' as const, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, email: 'hono@idp.example', password }).toString() });
    assert.equal((await login.fetch('https://idp.example/fedcm/login', form('wrong password'))).status, 401);
    // The client address reached the kit through Hono's env (c.env): the failure is counted per address.
    assert.equal(await store.countLoginFailures('address:127.0.0.1', 0), 1);
    const ok = await login.fetch('https://idp.example/fedcm/login', form(PASSWORD));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('set-login'), 'logged-in');

    const page = await agent.open('https://rp.example/');
    const pending = page.navigator.credentials!.get({ identity: { providers: [{ configURL: 'https://idp.example/fedcm/config.json', clientId: 'hono-rp', params: { nonce: 'n-hono' } }] } });
    await agent.automation.waitForDialog();
    agent.automation.selectAccount(0);
    const credential = await pending;
    assert.ok(credential instanceof IdentityCredential);
    const jwks = JSON.parse((await page.fetch('https://idp.example/fedcm/jwks.json', { credentials: 'omit' })).body) as JSONWebKeySet;
    const { payload } = await jwtVerify(credential.token as string, createLocalJWKSet(jwks), { issuer: 'https://idp.example', audience: 'hono-rp' });
    assert.equal(payload.sub, 'u_hono');
    assert.equal(payload.nonce, 'n-hono');
  });
});
