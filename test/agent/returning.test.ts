// Returning users and the state around them: auto re-authentication rules, the 10-minute quiet
// period, the dismissal cooldown, disconnect() and getUserInfo(). Time moves on a ManualClock.
// Re-expresses WPT fedcm-returning-account-auto-reauthn, fedcm-auto-reauthn-without-approved-clients,
// fedcm-auto-selected-flag, fedcm-disconnect*, fedcm-too-many-disconnect-calls, fedcm-userinfo.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { IdentityCredential, ManualClock } from '../../src/agent/index.js';
import { echoField, janeDoe, johnDoe } from '../fixtures/index.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

let w: World;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock();
  w = await startWorld({ agent: { clock } });
  w.idp.setToken(echoField('is_auto_selected'));
  await w.signInAtIdp();
});
afterEach(() => w.close());

const get = (extra: Record<string, unknown> = {}) => w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, ...extra });
async function signInWithChooser(index = 0): Promise<IdentityCredential> {
  const p = get({ mediation: 'required' });
  await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
  w.agent.automation.selectAccount(index);
  return (await p) as IdentityCredential;
}
const reason = (e: unknown) => ((e as { cause?: { reason?: string } }).cause ?? {}).reason;

describe('auto re-authentication', () => {
  it('needs a prior sign-in, then happens once per 10 minutes (Chromium quiet period)', async () => {
    assert.equal((await signInWithChooser()).token, 'is_auto_selected=false');
    const auto = (await get()) as IdentityCredential;
    assert.equal(auto.isAutoSelected, true);
    assert.equal(auto.token, 'is_auto_selected=true');

    // Within 10 minutes: optional shows the chooser, silent fails.
    const p = get();
    assert.equal((await w.agent.automation.waitForDialog()).dialogType, 'AccountChooser');
    w.agent.automation.cancelDialog();
    await rejection(p);
    assert.match(String((await rejection(get({ mediation: 'silent' })) as { cause: { detail: string } }).cause.detail), /quiet period/);

    clock.advance(10 * 60 * 1000);
    assert.equal(((await get({ mediation: 'silent' })) as IdentityCredential).isAutoSelected, true);
  });

  it('an explicit choice ends the quiet period', async () => {
    await signInWithChooser();
    await get(); // auto
    await signInWithChooser();
    assert.equal(((await get({ mediation: 'silent' })) as IdentityCredential).isAutoSelected, true);
  });

  it('is not allowed when approved_clients leaves the client out (WPT fedcm-auto-reauthn-without-approved-clients)', async () => {
    w.idp.setAccounts([{ ...johnDoe(), approved_clients: ['someone-else'] }]);
    await signInWithChooser();
    const e = await rejection(get({ mediation: 'silent' }));
    assert.equal(reason(e), 'SilentMediationFailure');
  });

  it('never happens with several returning accounts; the chooser lists them, most recent first', async () => {
    w.idp.setAccounts([johnDoe(), janeDoe()]);
    await signInWithChooser(0);
    clock.advance(1000);
    await signInWithChooser(1);
    const p = get();
    const d = await w.agent.automation.waitForDialog();
    assert.deepEqual(d.accounts.map((a) => [a.accountId, a.loginState]), [
      ['jane_doe', 'SignIn'],
      ['1234', 'SignIn'],
    ]);
    w.agent.automation.cancelDialog();
    await rejection(p);
  });
});

describe('dismissal cooldown', () => {
  it('the close button refuses passive requests for 2 h, then 1 day; active mode and resetCooldown() get through', async () => {
    const dismiss = async () => {
      const p = get();
      await w.agent.automation.waitForDialog();
      w.agent.automation.cancelDialog({ triggerCooldown: true });
      assert.equal(reason(await rejection(p)), 'ShouldEmbargo');
    };
    await dismiss();
    w.server.clearRequests();
    assert.equal(reason(await rejection(get())), 'DisabledInSettings');
    assert.deepEqual(w.server.requests, [], 'no request during the cooldown');

    w.page.activate();
    const active = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()], mode: 'active' } });
    await w.agent.automation.waitForDialog();
    w.agent.automation.cancelDialog({ triggerCooldown: true });
    assert.equal(reason(await rejection(active)), 'UiDismissedNoEmbargo', 'active mode never starts a cooldown');

    clock.advance(2 * 3600e3);
    await dismiss();
    clock.advance(2 * 3600e3);
    assert.equal(reason(await rejection(get())), 'DisabledInSettings', 'the second cooldown lasts a day');
    clock.advance(22 * 3600e3);
    const p = get();
    await w.agent.automation.waitForDialog();
    w.agent.automation.cancelDialog({ triggerCooldown: true });
    await rejection(p);
    w.agent.automation.resetCooldown();
    const after = get();
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    assert.ok((await after) instanceof IdentityCredential);
  });

  it('a plain cancel starts no cooldown', async () => {
    const p = get();
    await w.agent.automation.waitForDialog();
    w.agent.automation.cancelDialog();
    assert.equal(reason(await rejection(p)), 'UiDismissedNoEmbargo');
    const q = get();
    await w.agent.automation.waitForDialog();
    w.agent.automation.cancelDialog();
    await rejection(q);
  });
});

describe('IdentityCredential.disconnect()', () => {
  const options = { configURL: 'https://idp.example/fedcm/config.json', clientId: '123', accountHint: '1234' };

  it('fails without a connection and without any request', async () => {
    w.server.clearRequests();
    const e = (await rejection(w.page.IdentityCredential!.disconnect(options))) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.deepEqual(w.server.requests, []);
  });

  it('POSTs Chromium\'s body with Origin and cookies, forgets the account, and fails the second time', async () => {
    await signInWithChooser();
    w.server.clearRequests();
    await w.page.IdentityCredential!.disconnect(options);
    const req = w.server.requestsTo('https://idp.example', '/fedcm/disconnect')[0];
    assert.equal(req?.method, 'POST');
    assert.equal(req?.body, 'client_id=123&account_hint=1234');
    assert.equal(req?.headers['origin'], 'https://rp.example');
    assert.equal(req?.headers['sec-fetch-dest'], 'webidentity');
    assert.equal(req?.headers['sec-fetch-mode'], 'cors');
    assert.deepEqual(req?.cookies, { sid: '1' });
    assert.deepEqual(w.agent.profile.connections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' }), []);
    assert.equal(((await rejection(w.page.IdentityCredential!.disconnect(options))) as DOMException).name, 'NetworkError');
    // The account is new again: the chooser, not auto re-authentication.
    const p = get();
    assert.equal((await w.agent.automation.waitForDialog()).dialogType, 'AccountChooser');
    w.agent.automation.cancelDialog();
    await rejection(p);
  });

  it('a wrong accountHint still succeeds (the IdP echoes it) and removes every connection', async () => {
    await signInWithChooser();
    await w.page.IdentityCredential!.disconnect({ ...options, accountHint: 'nobody' });
    assert.deepEqual(w.agent.profile.connections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' }), []);
  });

  it('rejects missing members, cross-origin endpoints, server failures and concurrent calls', async () => {
    assert.equal(((await rejection(w.page.IdentityCredential!.disconnect({ configURL: options.configURL, clientId: '123' } as never))) as Error).name, 'TypeError');
    await signInWithChooser();
    w.idp.setConfig({ disconnect_endpoint: 'https://other.example/disconnect' });
    assert.equal(((await rejection(w.page.IdentityCredential!.disconnect(options))) as DOMException).name, 'NetworkError');
    w.idp.setConfig({ disconnect_endpoint: '/fedcm/disconnect' });
    await signInWithChooser();
    w.idp.override('disconnect', () => ({ status: 500, json: {} }));
    assert.equal(((await rejection(w.page.IdentityCredential!.disconnect(options))) as DOMException).name, 'NetworkError');
    assert.deepEqual(w.agent.profile.connections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' }), [], 'a failure forgets all');
    w.idp.override('disconnect');
    await signInWithChooser();
    const first = w.page.IdentityCredential!.disconnect(options);
    const second = (await rejection(w.page.IdentityCredential!.disconnect(options))) as DOMException;
    assert.equal(second.name, 'NetworkError');
    await first;
  });

  it('needs the permissions policy in a cross-origin iframe (WPT fedcm-disconnect-iframe)', async () => {
    const frame = await w.page.openFrame('https://other.example/');
    assert.equal(((await rejection(frame.IdentityCredential!.disconnect(options))) as DOMException).name, 'NotAllowedError');
  });
});

describe('IdentityProvider.getUserInfo()', () => {
  const config = { configURL: 'https://idp.example/fedcm/config.json', clientId: '123' };

  it('returns the accounts to an IdP iframe once the user has signed in to the RP (WPT fedcm-userinfo)', async () => {
    const idpFrame = await w.page.openFrame(w.idp.url('/login'), { allow: 'identity-credentials-get' });
    assert.equal(((await rejection(idpFrame.IdentityProvider!.getUserInfo(config))) as DOMException).name, 'NetworkError');
    await signInWithChooser();
    assert.deepEqual(await idpFrame.IdentityProvider!.getUserInfo(config), [
      { email: 'john_doe@idp.example', name: 'John Doe', givenName: 'John', picture: 'https://idp.example/pictures/john.png' },
    ]);
  });

  it('is refused in the top frame and in frames of another origin', async () => {
    await signInWithChooser();
    assert.equal(((await rejection(w.page.IdentityProvider!.getUserInfo(config))) as DOMException).name, 'InvalidStateError');
    const other = await w.page.openFrame('https://other.example/', { allow: 'identity-credentials-get' });
    assert.equal(((await rejection(other.IdentityProvider!.getUserInfo(config))) as DOMException).name, 'InvalidStateError');
    const idpTop = await w.agent.open(w.idp.url('/login'));
    assert.equal(((await rejection(idpTop.IdentityProvider!.getUserInfo(config))) as DOMException).name, 'NetworkError');
  });

  it('is refused while the IdP is logged out', async () => {
    await signInWithChooser();
    const idpFrame = await w.page.openFrame(w.idp.url('/login'), { allow: 'identity-credentials-get' });
    await w.agent.open(w.idp.url('/mark_signedout'));
    assert.equal(((await rejection(idpFrame.IdentityProvider!.getUserInfo(config))) as DOMException).name, 'NetworkError');
  });
});
