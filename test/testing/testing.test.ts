// fedkit/testing: the IdP and RP a test needs. Checked through the package's own export, with
// fedkit's agent and with Debian's Chromium (whose FedCM signs in through the CDP FedCm domain,
// reaching the hosts with the system's chromiumArgs: host rules and an SPKI pin, no
// --ignore-certificate-errors).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { decodeJwt } from 'jose';
import { chromium } from 'playwright-core';
import { createAgent, IdentityCredential } from 'fedkit/agent';
import { createTestSystem, startTestIdp, startTestRp, startTestSystem, type TestSystem } from 'fedkit/testing';

const CHROMIUM = '/usr/bin/chromium';

describe('fedkit/testing', () => {
  let system: TestSystem;
  before(async () => {
    system = await startTestSystem();
  });
  after(async () => {
    await system?.close();
  });

  it('describes the system it started', () => {
    assert.equal(system.idp.origin, 'https://idp.example');
    assert.equal(system.rp.origin, 'https://rp.example');
    assert.equal(system.idp.configURL, 'https://idp.example/fedcm/config.json');
    assert.equal(system.idp.clientId, 'test-rp');
    assert.equal(system.idp.users[0]?.name, 'Jane Doe');
    assert.deepEqual(system.hostRules, { 'idp.example:443': `127.0.0.1:${system.port}`, 'rp.example:443': `127.0.0.1:${system.port}` });
    assert.equal(system.chromiumHostRules, `MAP idp.example:443 127.0.0.1:${system.port}, MAP rp.example:443 127.0.0.1:${system.port}`);
    assert.match(system.ca, /^-----BEGIN CERTIFICATE-----/);
    assert.match(system.chromiumArgs[1] ?? '', /^--ignore-certificate-errors-spki-list=[A-Za-z0-9+/]{43}=$/);
  });

  it('signs Jane in with the agent: sign-in link, account chooser, a token for the RP', async () => {
    const agent = createAgent({ hostRules: system.hostRules, ca: system.ca });
    try {
      const signedIn = await agent.open(system.idp.signInUrl());
      assert.match(signedIn.response?.body ?? '', /Signed in as Jane Doe/);
      assert.equal(agent.profile.getLoginStatus(system.idp.origin), 'logged-in');
      const page = await agent.open(system.rp.url());
      assert.equal(page.response?.status, 200);
      const pending = page.navigator.credentials!.get({
        identity: { providers: [{ configURL: system.idp.configURL, clientId: system.idp.clientId, params: { nonce: 'n-123' } }] },
      });
      const dialog = await agent.automation.waitForDialog({ type: 'AccountChooser', timeoutMs: 5000 });
      assert.deepEqual(dialog.accounts.map((a) => [a.name, a.email, a.loginState]), [['Jane Doe', 'jane@idp.example', 'SignUp']]);
      agent.automation.selectAccount(0);
      const credential = await pending;
      assert.ok(credential instanceof IdentityCredential);
      const claims = decodeJwt(String(credential.token));
      assert.equal(claims.sub, 'jane');
      assert.equal(claims.aud, 'test-rp');
      assert.equal(claims.nonce, 'n-123');
    } finally {
      await agent.close();
    }
  });

  it('signs out with the sign-out link (Set-Login: logged-out)', async () => {
    const agent = createAgent({ hostRules: system.hostRules, ca: system.ca });
    try {
      await agent.open(system.idp.signInUrl('jane@idp.example'));
      const out = await agent.open(system.idp.signOutUrl());
      assert.equal(out.response?.status, 200);
      assert.equal(agent.profile.getLoginStatus(system.idp.origin), 'logged-out');
      const unknown = await agent.open(system.idp.signInUrl('nobody@idp.example'));
      assert.equal(unknown.response?.status, 404);
      assert.match(unknown.response?.body ?? '', /No test user "nobody@idp.example"; the users are jane@idp\.example/);
    } finally {
      await agent.close();
    }
  });

  it('starts the IdP and the RP on listeners of their own, the RP reaching the IdP through its rules (its users in a file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-testing-rp-'));
    const idp = await startTestIdp({ users: [{ id: 'sam', email: 'sam@idp.example', name: 'Sam Lee', password: 'password password' }] });
    const rp = await startTestRp({ idp, reach: idp, database: join(dir, 'rp.db') });
    const agent = createAgent({ hostRules: { ...idp.hostRules, ...rp.hostRules }, ca: [idp.ca, rp.ca] });
    try {
      assert.notEqual(idp.port, rp.port);
      await agent.open(idp.signInUrl());
      const page = await agent.open(rp.url('/'));
      // The page's own nonce (the reference RP renders it into the page and keeps it in a cookie).
      const config = JSON.parse(page.document.getElementById('fedkit-config')?.textContent ?? '{}') as { nonce: string };
      const pending = page.navigator.credentials!.get({ identity: { providers: [{ configURL: idp.configURL, clientId: idp.clientId, params: { nonce: config.nonce } }] } });
      await agent.automation.waitForDialog({ timeoutMs: 5000 });
      agent.automation.selectAccount(0);
      const credential = await pending;
      assert.ok(credential instanceof IdentityCredential);
      // The reference RP verifies the token server-side: discovery and JWKS through the rules.
      const session = await page.fetch('/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: credential.token }),
      });
      assert.equal(session.status, 200, session.body);
      assert.deepEqual((JSON.parse(session.body) as { created: boolean; user: { name: string } }).user.name, 'Sam Lee');
      await rp.close();
      // The RP kept its user and session in the file it was given.
      const db = new Database(join(dir, 'rp.db'), { readonly: true });
      try {
        assert.deepEqual(db.prepare('SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM sessions) AS sessions').get(), { users: 1, sessions: 1 });
      } finally {
        db.close();
      }
    } finally {
      await agent.close();
      await rp.close();
      await idp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds the system without a listener: handlers for createAgent({ handlers }), the RP verifying the token in-process', async () => {
    const inProcess = await createTestSystem();
    // No host rules and no CA: idp.example and rp.example resolve nowhere, so only the handlers can answer.
    const agent = createAgent({ handlers: inProcess.handlers });
    try {
      assert.deepEqual(Object.keys(inProcess.handlers).sort(), ['https://idp.example', 'https://rp.example']);
      assert.equal('port' in inProcess, false);
      const signedIn = await agent.open(inProcess.idp.signInUrl());
      assert.match(signedIn.response?.body ?? '', /Signed in as Jane Doe/);
      assert.equal(agent.profile.getLoginStatus(inProcess.idp.origin), 'logged-in');
      const page = await agent.open(inProcess.rp.url('/'));
      assert.equal(page.response?.status, 200);
      const config = JSON.parse(page.document.getElementById('fedkit-config')?.textContent ?? '{}') as { nonce: string };
      const pending = page.navigator.credentials!.get({ identity: { providers: [{ configURL: inProcess.idp.configURL, clientId: inProcess.idp.clientId, params: { nonce: config.nonce } }] } });
      const dialog = await agent.automation.waitForDialog({ type: 'AccountChooser', timeoutMs: 5000 });
      assert.deepEqual(dialog.accounts.map((a) => a.email), ['jane@idp.example']);
      agent.automation.selectAccount(0);
      const credential = await pending;
      assert.ok(credential instanceof IdentityCredential);
      // The reference RP verifies it server-side, its discovery and JWKS fetches answered by the IdP's handler.
      const session = await page.fetch('/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: credential.token }) });
      assert.equal(session.status, 200, session.body);
      assert.equal((JSON.parse(session.body) as { user: { name: string } }).user.name, 'Jane Doe');
      // Another origin is not answered in-process: it goes to the network, where it does not resolve.
      await assert.rejects(agent.open('https://other.example/'), /could not resolve other\.example/);
    } finally {
      await agent.close();
      await inProcess.close();
      await inProcess.close();
    }
  });

  it("createTestSystem's IdP handler passes the IdP kit's Node path on: a whole sign-in never builds a Request for the IdP", async () => {
    const inProcess = await createTestSystem();
    const LIGHT = Symbol.for('fedkit.lightHandler');
    const original = inProcess.handlers[inProcess.idp.origin]! as unknown as Record<symbol, unknown>;
    assert.equal(typeof original[LIGHT], 'function', 'the test IdP handler exposes a LightHandler');
    // The same Node path behind a web function that fails the test if the agent ever calls it.
    let webCalls = 0;
    let lightCalls = 0;
    const light = original[LIGHT] as (...a: unknown[]) => Promise<unknown>;
    const idpHandler = Object.assign(
      async (request: Request) => {
        webCalls++;
        return new Response(`the web path was taken for ${request.url}`, { status: 500 });
      },
      { [LIGHT]: (...a: unknown[]) => (lightCalls++, light(...a)) },
    );
    const agent = createAgent({ handlers: { [inProcess.idp.origin]: idpHandler, [inProcess.rp.origin]: inProcess.handlers[inProcess.rp.origin]! } });
    try {
      const signedIn = await agent.open(inProcess.idp.signInUrl());
      assert.match(signedIn.response?.body ?? '', /Signed in as Jane Doe/, 'the sign-in link (a test route) answers on the Node path too');
      const page = await agent.open(inProcess.rp.url('/'));
      const config = JSON.parse(page.document.getElementById('fedkit-config')?.textContent ?? '{}') as { nonce: string };
      const pending = page.navigator.credentials!.get({ identity: { providers: [{ configURL: inProcess.idp.configURL, clientId: inProcess.idp.clientId, params: { nonce: config.nonce } }] } });
      await agent.automation.waitForDialog({ type: 'AccountChooser', timeoutMs: 5000 });
      agent.automation.selectAccount(0);
      const credential = await pending;
      assert.ok(credential instanceof IdentityCredential);
      assert.equal(webCalls, 0, 'no request reached the web function');
      assert.ok(lightCalls >= 5, `the sign-in link, well-known, config, accounts and assertion on the Node path (${lightCalls} calls)`);
    } finally {
      await agent.close();
      await inProcess.close();
    }
  });

  const missing = !existsSync(CHROMIUM);
  const underCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
  it('lets Chromium reach the system with chromiumArgs alone and sign in with its own FedCM', { skip: missing && !underCi ? `${CHROMIUM} is not installed` : false, timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-testing-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: false,
      timeout: 30_000,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...system.chromiumArgs],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(15_000);
      await page.goto(system.idp.signInUrl());
      assert.match((await page.textContent('#user')) ?? '', /Signed in as Jane Doe/);
      // The reference RP's own script asks for a passive sign-in on load; Chromium shows its chooser.
      const cdp = await context.newCDPSession(page);
      const shown = new Promise<{ dialogId: string; accounts: { name: string }[] }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no FedCm.dialogShown within 15 s')), 15_000);
        cdp.on('FedCm.dialogShown', (d: { dialogId: string; accounts: { name: string }[] }) => {
          clearTimeout(timer);
          resolve(d);
        });
      });
      await cdp.send('FedCm.enable', { disableRejectionDelay: true });
      await page.goto(system.rp.url());
      const dialog = await shown;
      assert.deepEqual(dialog.accounts.map((a) => a.name), ['Jane Doe']);
      await cdp.send('FedCm.selectAccount', { dialogId: dialog.dialogId, accountIndex: 0 });
      // The page posts the token to its server, which verifies it and signs Jane up.
      await page.waitForSelector('.profile .name', { timeout: 15_000 });
      assert.match((await page.textContent('.profile .name')) ?? '', /^\s*Jane Doe/);
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
