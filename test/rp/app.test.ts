// The reference RP's server side: it accepts only tokens it can verify for a sign-in it started,
// only from its own pages, and keeps users and sessions straight.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAgent, type Agent, type Frame } from '../../src/agent/index.js';
import { runDemoSignIn } from '../../src/cli/demo.js';
import { RP_ORIGIN, startSystem, type System } from '../../src/cli/system.js';

describe('reference RP app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedkit-rp-'));
  let system: System;
  let agent: Agent;
  let page: Frame;
  before(async () => {
    system = await startSystem({ dir: join(dir, 'state') });
    agent = createAgent({ hostRules: system.hostRules, ca: system.ca });
    page = await agent.open(`${RP_ORIGIN}/`);
  });
  after(async () => {
    await agent.close();
    await system.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => page.fetch(path, { method: 'POST', headers, body });

  it('serves a product page with the sign-in script, a fresh nonce and the browser helper', async () => {
    const html = page.response?.body ?? '';
    assert.match(html, /<button class="btn primary" id="signin" type="button">Sign in with Demo IdP<\/button>/);
    assert.match(html, /import \{ signIn, signOut, disconnect \} from '\/fedkit\/browser\.js'/);
    assert.match(page.response?.headers.get('set-cookie') ?? '', /^__Host-rp_nonce=[A-Za-z0-9_-]{22}; Path=\/; Secure; HttpOnly; SameSite=Strict/);
    const script = await page.fetch('/fedkit/browser.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /text\/javascript/);
    assert.match(script.body, /export async function signIn/);
  });

  it('refuses what it cannot verify, with the failed check named', async () => {
    const bad = await post('/session', JSON.stringify({ token: 'a.b.c' }));
    assert.equal(bad.status, 401);
    assert.equal((JSON.parse(bad.body) as { error: { code: string } }).error.code, 'not_a_jwt');
    assert.equal((await post('/session', 'not json')).status, 400);
    assert.equal((await post('/session', JSON.stringify({ token: 'x' }), { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await post('/session', JSON.stringify({ token: 'x'.repeat(70_000) }))).status, 400);
    const elsewhere = await agent.open('https://idp.example/', { load: false });
    // A cross-site page's POST is refused by the RP (Origin check); the page cannot even read why.
    await assert.rejects(elsewhere.fetch(`${RP_ORIGIN}/session`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}', credentials: 'include' }), TypeError);
    assert.equal(system.rp.store.user(1), undefined);
    const me = await page.fetch('/me');
    assert.equal(me.status, 401);
  });

  it('signs up, then signs in the same user', async () => {
    const first = await runDemoSignIn(system);
    assert.equal(first.ok, true, first.error);
    assert.equal(first.verified?.created, true);
    const second = await runDemoSignIn(system);
    assert.equal(second.verified?.created, false);
    assert.equal(second.verified?.user['id'], first.verified?.user['id']);
  });

  it('a token for another sign-in (wrong nonce) is refused', async () => {
    const result = await runDemoSignIn(system);
    assert.ok(result.token);
    // This page's nonce cookie belongs to a different sign-in than the token's nonce.
    const fresh = await agent.open(`${RP_ORIGIN}/`);
    const r = await fresh.fetch('/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: result.token }) });
    assert.equal(r.status, 401);
    assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'nonce_mismatch');
  });
});
