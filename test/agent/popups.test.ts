// The IdP's own pages in popups: the login page (mismatch dialog, active mode when logged out,
// "use another account") and the continuation page (`continue_on` + IdentityProvider.resolve).
// Re-expresses WPT fedcm-login-status/confirm-idp-login, login-page-broken,
// idp-login-with-failed-accounts-fetch, fedcm-use-other-account, fedcm-authz/*.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { programmablePopups, type IdentityCredential, type Popup } from '../../src/agent/index.js';
import { continueOn, echoField, janeDoe, johnDoe } from '../fixtures/index.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

let w: World;
afterEach(() => w.close());

/** The login page signs the user in by being loaded (cookie + Set-Login), as the fixture's does. */
const loginPages = programmablePopups({});

describe('login popup', () => {
  it('mismatch → ConfirmIdpLogin → Continue opens login_url with the hints → chooser → token', async () => {
    w = await startWorld({ agent: { popupHost: loginPages } });
    await w.agent.open(w.idp.url('/mark_signedin')); // logged in per Login Status, but no session cookie
    const popups: Popup[] = [];
    w.agent.on('popup', (p) => popups.push(p));
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ loginHint: 'john_doe', domainHint: 'example' })] } });
    const confirm = await w.agent.automation.waitForDialog();
    assert.equal(confirm.dialogType, 'ConfirmIdpLogin');
    assert.equal(confirm.dialogType === 'ConfirmIdpLogin' && confirm.idpLoginUrl, 'https://idp.example/login');
    w.agent.automation.clickDialogButton('ConfirmIdpLoginContinue');
    const chooser = await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    assert.equal(popups.length, 1);
    assert.equal(popups[0]?.purpose, 'login');
    assert.equal(popups[0]?.url.href, 'https://idp.example/login?login_hint=john_doe&domain_hint=example');
    assert.equal(popups[0]?.closed, true, 'the popup closes once the IdP reports logged-in');
    assert.deepEqual(chooser.accounts.map((a) => a.accountId), ['1234']);
    w.agent.automation.selectAccount(0);
    assert.equal(((await p) as IdentityCredential).token, 'token');
  });

  it('a login page that never sets the login status fails the request (WPT login-page-broken)', async () => {
    w = await startWorld({ agent: { popupHost: programmablePopups({ login: (popup) => popup.frame.IdentityProvider!.close() }) } });
    w.idp.override('login', () => ({ headers: { 'content-type': 'text/html' }, body: '<p>broken</p>' }));
    await w.agent.open(w.idp.url('/mark_signedin'));
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog({ type: 'ConfirmIdpLogin' });
    w.agent.automation.clickDialogButton('ConfirmIdpLoginContinue');
    const e = (await rejection(p)) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.equal((e.cause as { reason: string }).reason, 'LoginPopupClosedWithoutSignin');
  });

  it('the user closing the login popup fails the request', async () => {
    w = await startWorld({ agent: { popupHost: programmablePopups({ login: (popup) => popup.close() }) } });
    w.idp.override('login', () => ({ headers: { 'content-type': 'text/html' }, body: '<form>…</form>' }));
    await w.agent.open(w.idp.url('/mark_signedin'));
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog({ type: 'ConfirmIdpLogin' });
    w.agent.automation.clickDialogButton('ConfirmIdpLoginContinue');
    assert.match(((await rejection(p)) as { cause: { detail: string } }).cause.detail, /closed before the user signed in/);
  });

  it('active mode with a logged-out IdP opens the login page directly, without hints', async () => {
    w = await startWorld({ agent: { popupHost: loginPages } });
    w.idp.setToken(echoField('mode'));
    await w.agent.open(w.idp.url('/logout'));
    const popups: Popup[] = [];
    w.agent.on('popup', (p) => popups.push(p));
    w.page.activate();
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ loginHint: 'john_doe' })], mode: 'active' } });
    await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    assert.equal(popups[0]?.url.href, 'https://idp.example/login');
    w.agent.automation.selectAccount(0);
    assert.equal(((await p) as IdentityCredential).token, 'mode=active');
  });

  it('active mode: still no account after the login page → NetworkError (WPT idp-login-with-failed-accounts-fetch)', async () => {
    w = await startWorld({ agent: { popupHost: loginPages } });
    w.idp.setAccounts([]);
    await w.agent.open(w.idp.url('/logout'));
    const popups: Popup[] = [];
    w.agent.on('popup', (p) => popups.push(p));
    w.page.activate();
    const e = (await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()], mode: 'active' } }))) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.equal((e.cause as { reason: string }).reason, 'AccountsListEmpty');
    assert.equal(popups.length, 1, 'the login page is not opened a second time');
  });

  it('"use another account" logs in again and lists the new account first (WPT fedcm-use-other-account)', async () => {
    w = await startWorld({
      agent: {
        popupHost: programmablePopups({
          login: () => {
            w.idp.setAccounts([johnDoe(), janeDoe()]);
          },
        }),
      },
    });
    w.idp.setConfig({ supports_use_other_account: true });
    await w.signInAtIdp();
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    const first = await w.agent.automation.waitForDialog();
    assert.equal(first.dialogType === 'AccountChooser' && first.useOtherAccount, true);
    w.agent.automation.clickDialogButton('ConfirmIdpLoginContinue');
    const second = await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    assert.notEqual(second.dialogId, first.dialogId);
    assert.deepEqual(second.accounts.map((a) => a.accountId), ['jane_doe', '1234']);
    w.agent.automation.selectAccount(0);
    await p;
  });

  it('"use another account" is refused when the config does not offer it', async () => {
    w = await startWorld();
    await w.signInAtIdp();
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    assert.throws(() => w.agent.automation.clickDialogButton('ConfirmIdpLoginContinue'), { error: 'invalid argument' });
    w.agent.automation.cancelDialog();
    await rejection(p);
  });
});

describe('continuation popup (continue_on)', () => {
  const resolveWith = (token: unknown, options?: { accountId?: string }) =>
    programmablePopups({ continuation: (popup) => void popup.frame.IdentityProvider!.resolve(token, options) });

  it('resolve(token) in the continuation page finishes the sign-in (WPT fedcm-continue-on)', async () => {
    w = await startWorld({ agent: { popupHost: resolveWith('account=1234') } });
    w.idp.setToken(continueOn((req) => `/continue?selected=${req.form.get('account_id')}`));
    w.server.route('https://idp.example', 'GET', '/continue', () => ({ headers: { 'content-type': 'text/html' }, body: '<p>consent</p>' }));
    await w.signInAtIdp();
    const popups: Popup[] = [];
    w.agent.on('popup', (p) => popups.push(p));
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    const credential = (await p) as IdentityCredential;
    assert.equal(credential.token, 'account=1234');
    assert.equal(popups[0]?.purpose, 'continuation');
    assert.equal(popups[0]?.url.href, 'https://idp.example/continue?selected=1234');
  });

  it('resolve(token, {accountId}) makes that account the returning one (WPT fedcm-continue-on-with-account)', async () => {
    w = await startWorld({ agent: { popupHost: resolveWith({ any: ['json'] }, { accountId: 'jane_doe' }) } });
    w.idp.setAccounts([johnDoe(), janeDoe()]);
    w.idp.setToken(continueOn('/continue'));
    await w.signInAtIdp();
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    assert.deepEqual(((await p) as IdentityCredential).token, { any: ['json'] });
    w.idp.setToken(echoField('account_id'));
    const again = (await w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } })) as IdentityCredential;
    assert.equal(again.isAutoSelected, true);
    assert.equal(again.token, 'account_id=jane_doe');
  });

  it('after preventSilentAccess(), a sign-in through resolve() allows silent again (WPT resolve-after-preventsilentaccess)', async () => {
    w = await startWorld({ agent: { popupHost: resolveWith('resolved') } });
    await w.signInAtIdp();
    const first = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    await first;
    await w.page.navigator.credentials!.preventSilentAccess();
    assert.equal(((await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'silent' }))) as DOMException).name, 'NetworkError');
    w.idp.setToken(continueOn('/continue'));
    const mediated = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    assert.equal(((await mediated) as IdentityCredential).token, 'resolved');
    w.idp.setToken(echoField('is_auto_selected'));
    const silent = (await w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'silent' })) as IdentityCredential;
    assert.equal(silent.isAutoSelected, true);
    assert.equal(silent.token, 'is_auto_selected=true');
  });

  it('is not allowed with silent mediation (WPT fedcm-continue-on-disallowed)', async () => {
    w = await startWorld({ agent: { popupHost: resolveWith('x') } });
    await w.signInAtIdp();
    const first = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    await first;
    w.idp.setToken(continueOn('/continue'));
    const e = (await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'silent' }))) as DOMException;
    assert.equal(e.name, 'NetworkError');
  });

  it('IdentityProvider.close() or the user closing it fails the request', async () => {
    for (const end of [(p: Popup) => p.frame.IdentityProvider!.close(), (p: Popup) => p.close()]) {
      w = await startWorld({ agent: { popupHost: programmablePopups({ continuation: end }) } });
      w.idp.setToken(continueOn('/continue'));
      await w.signInAtIdp();
      const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
      await w.agent.automation.waitForDialog();
      w.agent.automation.selectAccount(0);
      assert.equal(((await rejection(p)) as DOMException).name, 'NetworkError');
      await w.close();
    }
    w = await startWorld();
  });

  it('resolve() anywhere but a continuation popup is NotAllowedError', async () => {
    w = await startWorld();
    const idpPage = await w.agent.open(w.idp.url('/login'));
    const e = (await rejection(idpPage.IdentityProvider!.resolve('t'))) as DOMException;
    assert.equal(e.name, 'NotAllowedError');
  });
});

describe('active mode with an unknown login status', () => {
  it('no accounts yet: the login page opens, then the chooser', async () => {
    w = await startWorld({ agent: { popupHost: loginPages } });
    const popups: Popup[] = [];
    w.agent.on('popup', (p) => popups.push(p));
    w.page.activate();
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()], mode: 'active' } });
    await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    assert.equal(popups[0]?.url.href, 'https://idp.example/login');
    w.agent.automation.selectAccount(0);
    assert.equal(((await p) as IdentityCredential).token, 'token');
  });
});
