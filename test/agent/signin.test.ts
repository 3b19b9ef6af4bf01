// The FedCM sign-in flow end to end against the fixture IdP: dialogs, results and the exact
// requests a browser sends (fedcm-spec-checklist §1.16, chromium-firefox-behaviour §1.3).

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IdentityCredential, type IdentityCredentialRequestOptionsContext } from '../../src/agent/index.js';
import { janeDoe, johnDoe } from '../fixtures/index.js';
import { startWorld, type World } from '../helpers/world.js';

describe('FedCM sign-in', () => {
  let w: World;
  before(async () => {
    w = await startWorld();
  });
  after(() => w.close());
  beforeEach(async () => {
    w.idp.setAccounts([johnDoe(w.idp.origin)]);
    w.agent.profile.removeConnections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: w.idp.origin });
    await w.signInAtIdp();
    w.server.clearRequests();
  });

  it('shows the account chooser and resolves with the token (WPT fedcm-basic)', async () => {
    const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ clientId: '1' })] } });
    const dialog = await w.agent.automation.waitForDialog();
    assert.equal(dialog.dialogType, 'AccountChooser');
    assert.equal(w.agent.automation.getDialogType(), 'AccountChooser');
    assert.deepEqual(w.agent.automation.getTitle(), { title: 'Sign in to rp.example with idp.example' });
    assert.deepEqual(w.agent.automation.getAccountList(), [
      {
        accountId: '1234',
        email: 'john_doe@idp.example',
        name: 'John Doe',
        givenName: 'John',
        pictureUrl: 'https://idp.example/pictures/john.png',
        idpConfigUrl: w.idp.configURL,
        idpLoginUrl: 'https://idp.example/login',
        loginState: 'SignUp',
        termsOfServiceUrl: 'https://rp.example/terms_of_service.html',
        privacyPolicyUrl: 'https://rp.example/privacy_policy.html',
      },
    ]);
    w.agent.automation.selectAccount(0);
    const credential = await pending;
    assert.ok(credential instanceof IdentityCredential);
    assert.equal(credential.token, 'token');
    assert.equal(credential.isAutoSelected, false);
    assert.equal(credential.configURL, w.idp.configURL);
    assert.equal(credential.type, 'identity');
    assert.equal(credential.id, '');
    assert.equal(w.agent.automation.currentDialog, null);
  });

  it('sends exactly the requests Chromium sends, in the request matrix shape', async () => {
    // A fresh page: the client metadata is fetched once per document (Chromium), and w.page has it.
    const page = await w.agent.open(w.page.url);
    w.server.clearRequests();
    const pending = page.navigator.credentials!.get({
      identity: { providers: [w.provider({ clientId: '1', params: { nonce: 'n-1', scope: 'openid' } })] },
    });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    await pending;

    const byPath = (origin: string, path: string) => {
      const found = w.server.requests.filter((r) => r.origin === origin && r.path === path);
      assert.equal(found.length, 1, `one request to ${origin}${path}, got ${found.length}`);
      return found[0]!;
    };
    const common = (h: Record<string, string>, mode: string) => {
      assert.equal(h['sec-fetch-dest'], 'webidentity');
      assert.equal(h['sec-fetch-mode'], mode);
      assert.equal(h['accept'], 'application/json');
      assert.equal(h['referer'], undefined);
    };

    const wellKnown = byPath('https://idp.example', '/.well-known/web-identity');
    common(wellKnown.headers, 'no-cors');
    assert.equal(wellKnown.headers['origin'], undefined);
    assert.equal(wellKnown.headers['cookie'], undefined);
    assert.equal(wellKnown.headers['sec-fetch-site'], 'cross-site');

    const config = byPath('https://idp.example', '/fedcm/config.json');
    common(config.headers, 'no-cors');
    assert.equal(config.headers['origin'], undefined);
    assert.equal(config.headers['cookie'], undefined);
    assert.equal(config.headers['sec-fetch-site'], 'cross-site');

    const accounts = byPath('https://idp.example', '/fedcm/accounts');
    common(accounts.headers, 'no-cors');
    assert.equal(accounts.headers['origin'], undefined, 'no Origin: the IdP must not learn the RP');
    assert.deepEqual(accounts.cookies, { sid: '1' });
    assert.equal(accounts.headers['sec-fetch-site'], 'cross-site');

    const metadata = byPath('https://idp.example', '/fedcm/client_metadata');
    common(metadata.headers, 'no-cors');
    assert.equal(metadata.headers['origin'], 'https://rp.example');
    assert.equal(metadata.headers['cookie'], undefined);
    assert.equal(metadata.url, 'https://idp.example/fedcm/client_metadata?client_id=1');

    const picture = byPath('https://idp.example', '/pictures/john.png');
    assert.equal(picture.headers['cookie'], undefined);
    assert.equal(picture.headers['origin'], undefined);

    const token = byPath('https://idp.example', '/fedcm/token');
    common(token.headers, 'cors');
    assert.equal(token.method, 'POST');
    assert.equal(token.headers['origin'], 'https://rp.example');
    assert.equal(token.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(token.cookies, { sid: '1' });
    assert.equal(
      token.body,
      'client_id=1&account_id=1234&disclosure_text_shown=true&is_auto_selected=false&mode=passive&fields=name,email,picture&disclosure_shown_for=name,email,picture&params=%7B%22nonce%22:%22n-1%22,%22scope%22:%22openid%22%7D',
    );
    // Every request of the flow, in header order, carries nothing else.
    for (const r of [wellKnown, config, accounts, metadata, token]) {
      const names = Object.keys(r.headers).sort();
      const allowed = ['accept', 'content-length', 'content-type', 'cookie', 'host', 'origin', 'sec-fetch-dest', 'sec-fetch-mode', 'sec-fetch-site', 'user-agent', 'connection'];
      for (const n of names) assert.ok(allowed.includes(n), `unexpected header ${n} on ${r.path}`);
    }
  });

  it('signs a returning user in automatically (AutoReauthn, is_auto_selected=true)', async () => {
    w.idp.setAccounts([johnDoe(w.idp.origin), janeDoe(w.idp.origin)]);
    const first = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(1);
    await first;
    w.server.clearRequests();

    const shown: string[] = [];
    w.agent.on('dialogShown', (d) => shown.push(d.dialogType));
    const second = await w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    assert.ok(second instanceof IdentityCredential);
    assert.equal(second.isAutoSelected, true);
    assert.deepEqual(shown, ['AutoReauthn']);
    const token = w.server.requestsTo('https://idp.example', '/fedcm/token')[0]!;
    assert.match(token.body, /account_id=jane_doe&disclosure_text_shown=false&is_auto_selected=true/);
  });

  it('asks again with mediation "required" and after preventSilentAccess()', async () => {
    const first = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    await first;

    const required = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'required' });
    const d = await w.agent.automation.waitForDialog();
    assert.equal(d.dialogType, 'AccountChooser');
    assert.equal(d.accounts[0]?.loginState, 'SignIn');
    w.agent.automation.selectAccount(0);
    assert.equal(((await required) as IdentityCredential).isAutoSelected, false);

    await w.page.navigator.credentials!.preventSilentAccess();
    const silent = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'silent' });
    await assert.rejects(silent, (e: DOMException) => e.name === 'NetworkError');
    assert.equal(w.agent.diagnostics.at(-1)?.reason, 'SilentMediationFailure');
  });

  it('titles follow the context (WPT fedcm-context)', async () => {
    const titles: Record<IdentityCredentialRequestOptionsContext, string> = {
      signin: 'Sign in to rp.example with idp.example',
      signup: 'Sign up to rp.example with idp.example',
      use: 'Use rp.example with idp.example',
      continue: 'Continue to rp.example with idp.example',
    };
    for (const [context, title] of Object.entries(titles) as [IdentityCredentialRequestOptionsContext, string][]) {
      const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()], context } });
      const d = await w.agent.automation.waitForDialog();
      assert.equal(d.title, title);
      w.agent.automation.cancelDialog();
      await assert.rejects(p, (e: DOMException) => e.name === 'NetworkError');
    }
  });
});
