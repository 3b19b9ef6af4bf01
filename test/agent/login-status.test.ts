// Login Status (w3c-fedid/login-status): the Set-Login header in its contexts,
// navigator.login.setStatus(), and how FedCM uses the status (WPT fedcm-login-status/*).

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parseSetLogin } from '../../src/agent/index.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

describe('Set-Login header parsing', () => {
  it('accepts the two tokens, with parameters and spaces, and nothing else', () => {
    assert.equal(parseSetLogin('logged-in'), 'logged-in');
    assert.equal(parseSetLogin(' logged-out '), 'logged-out');
    assert.equal(parseSetLogin('logged-in; type=idp'), 'logged-in');
    for (const bad of ['"logged-in"', 'logged_in', 'LOGGED-IN', 'logged-in, logged-out', '', '?1', 'logged-in;']) {
      assert.equal(parseSetLogin(bad), null, bad);
    }
    assert.equal(parseSetLogin(null), null);
  });
});

describe('login status in the agent', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(() => w.close());
  const status = () => w.agent.profile.getLoginStatus('https://idp.example');

  it('is set by top-level navigations, including redirect hops', async () => {
    assert.equal(status(), undefined);
    await w.agent.open('https://idp.example/mark_signedin');
    assert.equal(status(), 'logged-in');
    w.server.route('https://idp.example', 'GET', '/out-then-home', () => ({ status: 302, headers: { location: 'https://rp.example/', 'set-login': 'logged-out' } }));
    await w.agent.open('https://idp.example/out-then-home');
    assert.equal(status(), 'logged-out');
  });

  it('is set by same-site subresources, ignored from cross-site ones (WPT cross-origin-status)', async () => {
    const idpPage = await w.agent.open('https://www.idp.example/', { load: false });
    // Same-site but cross-origin: the header applies even though the page may not read the
    // response (it has no CORS headers).
    await assert.rejects(idpPage.fetch('https://idp.example/mark_signedin', { credentials: 'include' }), TypeError);
    assert.equal(status(), 'logged-in');
    // The response has no CORS headers, so the page cannot read it either (TypeError).
    await assert.rejects(w.page.fetch('https://idp.example/mark_signedout', { credentials: 'include' }), TypeError);
    assert.equal(status(), 'logged-in', 'a fetch from the cross-site RP may not change it');
    assert.deepEqual(w.agent.diagnostics.slice(-2).map((d) => d.reason), ['SetLoginIgnored', 'CorsError']);
  });

  it('is ignored from documents and subresources in cross-site iframes', async () => {
    const frame = await w.page.openFrame('https://idp.example/mark_signedin');
    assert.equal(frame.response?.status, 200);
    assert.equal(status(), undefined);
    await frame.fetch('https://idp.example/mark_signedin');
    assert.equal(status(), undefined);
    await frame.navigator.login!.setStatus('logged-in');
    assert.equal(status(), undefined, 'setStatus() in a cross-site iframe is ignored, as Chromium does');
  });

  it('navigator.login.setStatus() sets it for a first-party document and checks its argument', async () => {
    const idpPage = await w.agent.open('https://idp.example/', { load: false });
    await idpPage.navigator.login!.setStatus('logged-in');
    assert.equal(status(), 'logged-in');
    await idpPage.navigator.login!.setStatus('logged-out');
    assert.equal(status(), 'logged-out');
    const e = (await rejection(idpPage.navigator.login!.setStatus('maybe' as never))) as Error;
    assert.equal(e.name, 'TypeError');
  });

  it('logged-out: get() fails without any request (WPT fedcm-login-status/logged-out)', async () => {
    await w.signInAtIdp();
    await w.agent.open('https://idp.example/mark_signedout');
    w.server.clearRequests();
    const e = (await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }))) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.equal((e.cause as { reason: string }).reason, 'NotSignedInWithIdp');
    assert.deepEqual(w.server.requests, []);
    assert.equal(w.agent.automation.currentDialog, null);
  });

  it('a successful accounts fetch marks the IdP logged in', async () => {
    await w.agent.cookies.set('https://idp.example/', 'sid=1; SameSite=None; Secure');
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    assert.equal(status(), 'logged-in');
    w.agent.automation.cancelDialog();
    await rejection(p);
  });
});
