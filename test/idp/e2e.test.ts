// End to end: the agent signs up at the reference IdP (new account, disclosure), then signs in
// again with automatic re-authentication; the tokens are verified with jose against the JWKS
// the IdP serves. On both stores.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { IdentityCredential } from '../../src/agent/index.js';
import { CLIENT_ID, RP_ORIGIN, STORE_KINDS, startIdpWorld, type IdpWorld } from './helpers.js';

for (const kind of STORE_KINDS) {
  describe(`end to end with the agent (${kind})`, { timeout: 60_000 }, () => {
    let w: IdpWorld;
    before(async () => {
      w = await startIdpWorld(kind);
    });
    after(() => w?.close());

    async function verify(token: unknown, nonce: string) {
      assert.equal(typeof token, 'string');
      // The JWKS fetched over HTTPS from the page, as a browser-side verifier would.
      const res = await w.page.fetch(w.idp.urls.jwks, { credentials: 'omit' });
      assert.equal(res.status, 200);
      const jwks = JSON.parse(res.body) as JSONWebKeySet;
      const { payload, protectedHeader } = await jwtVerify(token as string, createLocalJWKSet(jwks), {
        issuer: 'https://idp.example',
        audience: CLIENT_ID,
        algorithms: ['ES256'],
        currentDate: new Date(w.clock.now()),
      });
      assert.equal(payload.nonce, nonce);
      assert.equal(protectedHeader.typ, 'JWT');
      assert.equal(protectedHeader.kid, jwks.keys[0]?.kid);
      assert.equal(payload.exp! - payload.iat!, 600);
      assert.equal(payload.iat, Math.floor(w.clock.now() / 1000));
      return payload;
    }

    it('signs up: login form, Set-Login, account chooser (SignUp), disclosure, verified token, stored grant', async () => {
      const login = await w.signIn();
      assert.equal(login.status, 200);
      assert.equal(login.headers.get('set-login'), 'logged-in');
      assert.equal(w.agent.profile.getLoginStatus('https://idp.example'), 'logged-in');

      const pending = w.page.navigator.credentials!.get({
        identity: { providers: [{ configURL: w.idp.configURL, clientId: CLIENT_ID, params: { nonce: 'n-signup' } }] },
      });
      const dialog = await w.agent.automation.waitForDialog();
      assert.equal(dialog.dialogType, 'AccountChooser');
      assert.deepEqual(
        dialog.accounts.map((a) => ({ id: a.accountId, email: a.email, name: a.name, picture: a.pictureUrl, state: a.loginState, tos: a.termsOfServiceUrl, pp: a.privacyPolicyUrl })),
        [
          {
            id: 'u_jane',
            email: 'jane@idp.example',
            name: 'Jane Doe',
            picture: 'https://idp.example/pictures/jane.png',
            state: 'SignUp',
            tos: 'https://rp.example/terms',
            pp: 'https://rp.example/privacy',
          },
        ],
      );
      w.agent.automation.selectAccount(0);
      const credential = await pending;
      assert.ok(credential instanceof IdentityCredential);
      assert.equal(credential.isAutoSelected, false);
      const payload = await verify(credential.token, 'n-signup');
      assert.deepEqual(
        Object.keys(payload).sort(),
        ['aud', 'email', 'exp', 'given_name', 'iat', 'iss', 'name', 'nonce', 'picture', 'sub'],
      );
      assert.equal(payload.sub, 'u_jane');
      assert.equal(payload.email, 'jane@idp.example');
      assert.equal(payload.picture, 'https://idp.example/pictures/jane.png');

      const grant = await w.store.getGrant('u_jane', CLIENT_ID);
      assert.deepEqual(grant?.fields, ['email', 'name', 'picture']);
      assert.deepEqual(await w.testStore.rows(`SELECT client_id, nonce FROM used_nonces`), [{ client_id: CLIENT_ID, nonce: 'n-signup' }]);
    });

    it('signs in again automatically (AutoReauthn, is_auto_selected), approved_clients from the grant', async () => {
      const shown: string[] = [];
      const onShown = (d: { dialogType: string }) => shown.push(d.dialogType);
      w.agent.on('dialogShown', onShown);
      try {
        const credential = await w.page.navigator.credentials!.get({
          identity: { providers: [{ configURL: w.idp.configURL, clientId: CLIENT_ID, params: { nonce: 'n-again' } }] },
        });
        assert.ok(credential instanceof IdentityCredential);
        assert.equal(credential.isAutoSelected, true);
        assert.deepEqual(shown, ['AutoReauthn']);
        const payload = await verify(credential.token, 'n-again');
        assert.equal(payload.name, 'Jane Doe');
      } finally {
        w.agent.off('dialogShown', onShown);
      }
      // The account is now "returning": approved_clients (from the stored grant) makes it SignIn.
      const required = w.page.navigator.credentials!.get({
        identity: { providers: [{ configURL: w.idp.configURL, clientId: CLIENT_ID, params: { nonce: 'n-required' } }] },
        mediation: 'required',
      });
      const dialog = await w.agent.automation.waitForDialog();
      assert.equal(dialog.accounts[0]?.loginState, 'SignIn');
      w.agent.automation.selectAccount(0);
      const third = await required;
      assert.ok(third instanceof IdentityCredential);
      await verify(third.token, 'n-required');
      assert.deepEqual(
        (await w.testStore.rows('SELECT nonce FROM used_nonces ORDER BY nonce')).map((r) => r.nonce),
        ['n-again', 'n-required', 'n-signup'],
      );
      assert.equal(RP_ORIGIN, w.page.origin);
    });
  });
}

for (const kind of STORE_KINDS) {
  describe(`an IdP on accounts.idp.example signing with EdDSA (${kind})`, { timeout: 60_000 }, () => {
    let w: IdpWorld;
    before(async () => {
      w = await startIdpWorld(kind, { issuer: 'https://accounts.idp.example', algorithm: 'EdDSA' });
    });
    after(() => w?.close());

    it('serves the well-known file at the registrable domain and signs in through it', async () => {
      assert.equal(w.idp.configURL, 'https://accounts.idp.example/fedcm/config.json');
      assert.equal(w.idp.urls.wellKnown, 'https://idp.example/.well-known/web-identity');
      assert.equal((await w.signIn()).status, 200);
      const pending = w.page.navigator.credentials!.get({
        identity: { providers: [{ configURL: w.idp.configURL, clientId: CLIENT_ID, params: { nonce: 'n-eddsa' }, fields: ['email'] }] },
      });
      await w.agent.automation.waitForDialog();
      w.agent.automation.selectAccount(0);
      const credential = await pending;
      assert.ok(credential instanceof IdentityCredential);
      const jwks = (await w.idp.jwks()) as JSONWebKeySet;
      assert.deepEqual(jwks.keys.map((k) => [k.kty, k.crv, k.alg]), [['OKP', 'Ed25519', 'EdDSA']]);
      const { payload, protectedHeader } = await jwtVerify(credential.token as string, createLocalJWKSet(jwks), {
        issuer: 'https://accounts.idp.example',
        audience: CLIENT_ID,
        algorithms: ['EdDSA'],
        currentDate: new Date(w.clock.now()),
      });
      assert.equal(protectedHeader.alg, 'EdDSA');
      assert.equal(payload.nonce, 'n-eddsa');
      assert.equal(payload.email, 'jane@idp.example');
      assert.equal(payload.name, undefined, 'only the requested field is disclosed');
    });
  });
}
