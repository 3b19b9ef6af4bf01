// fedkit/rp/browser in fedkit's agent: the same functions a real browser runs, given an agent
// page as the environment.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { autoSelect } from '../../src/agent/index.js';
import { describeError, disconnect, isFedCmSupported, signIn, signOut, type BrowserEnv } from '../../src/rp/browser.js';
import { defaultToken, errorResponse } from '../fixtures/index.js';
import { startWorld, type World } from '../helpers/world.js';

describe('rp/browser signIn', () => {
  let w: World;
  let env: BrowserEnv;
  before(async () => {
    w = await startWorld({ agent: { mediator: autoSelect(0), rejectionDelay: false } });
    env = { navigator: w.page.navigator as BrowserEnv['navigator'], IdentityCredential: w.page.IdentityCredential };
  });
  after(() => w.close());
  beforeEach(async () => {
    w.idp.setToken(defaultToken);
    await w.signInAtIdp();
  });

  it('signs in with a fresh nonce in params', async () => {
    const a = await signIn({ configURL: w.idp.configURL, clientId: '123', params: { scope: 'email' } }, env);
    assert.equal(a.status, 'signed-in');
    if (a.status !== 'signed-in') return;
    assert.equal(a.token, 'token');
    assert.match(a.nonce, /^[A-Za-z0-9_-]{22}$/);
    const body = new URLSearchParams(w.server.requestsTo('https://idp.example', '/fedcm/token').at(-1)?.body ?? '');
    assert.deepEqual(JSON.parse(body.get('params') ?? '{}'), { scope: 'email', nonce: a.nonce });
    const b = await signIn({ configURL: w.idp.configURL, clientId: '123', mediation: 'required' }, env);
    assert.notEqual(b.status === 'signed-in' && b.nonce, a.nonce);
  });

  it('says "unsupported" without FedCM, with the fallback', async () => {
    assert.equal(isFedCmSupported({}), false);
    assert.deepEqual(await signIn({ configURL: 'https://idp.example/c', clientId: '1', fallbackURL: '/login' }, {}), { status: 'unsupported', fallbackURL: '/login' });
  });

  it('explains an IdP error to the user', async () => {
    w.idp.setToken(errorResponse({ error: 'access_denied', url: 'https://idp.example/help' }));
    const r = await signIn({ configURL: w.idp.configURL, clientId: '123', mediation: 'required' }, env);
    assert.equal(r.status, 'failed');
    if (r.status !== 'failed') return;
    assert.deepEqual(r.error, { name: 'IdentityCredentialError', code: 'access_denied', url: 'https://idp.example/help', message: 'Sign-in was refused by your identity provider.', retry: false });
    assert.equal(describeError(new DOMException('x', 'AbortError')).message, 'Sign-in was cancelled.');
  });

  it('refuses a token that is not a string', async () => {
    w.idp.setToken((req) => ({ headers: { 'access-control-allow-origin': req.headers['origin'] ?? '', 'access-control-allow-credentials': 'true' }, json: { token: { a: 1 } } }));
    const r = await signIn({ configURL: w.idp.configURL, clientId: '123', mediation: 'required' }, env);
    assert.equal(r.status === 'failed' && r.error.name, 'TypeError');
  });

  it('disconnects, and signs out with preventSilentAccess()', async () => {
    await signIn({ configURL: w.idp.configURL, clientId: '123', mediation: 'required' }, env);
    assert.deepEqual(await disconnect({ configURL: w.idp.configURL, clientId: '123', accountHint: '1234' }, env), { ok: true });
    await signIn({ configURL: w.idp.configURL, clientId: '123', mediation: 'required' }, env);
    await signOut(env);
    const silent = await signIn({ configURL: w.idp.configURL, clientId: '123', mediation: 'silent' }, env);
    assert.equal(silent.status === 'failed' && silent.error.name, 'NetworkError');
  });
});
