// Active mode, multiple IdPs, hints, and the rejection delay (WPT fedcm-button-and-other-account,
// fedcm-multi-idp, fedcm-loginhint, fedcm-domainhint-*, and FedCM §2.2.1 "rejection delay").

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { IdentityCredential, ManualClock } from '../../src/agent/index.js';
import { echoField, installIdp, janeDoe, johnDoe, twoAccounts, type IdpController } from '../fixtures/index.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

let w: World;
afterEach(() => w.close());

describe('active mode', () => {
  beforeEach(async () => {
    w = await startWorld();
    await w.signInAtIdp();
    w.idp.setToken(echoField('mode'));
  });
  const active = (extra: Record<string, unknown> = {}) =>
    w.page.navigator.credentials!.get({ identity: { providers: [w.provider()], mode: 'active' }, ...extra });

  it('needs a user click: NetworkError without one, immediately (WPT fedcm-button-mode-basics)', async () => {
    const e = (await rejection(active())) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.equal((e.cause as { reason: string }).reason, 'MissingTransientUserActivation');
    assert.deepEqual(w.server.requestsTo('https://idp.example', '/fedcm/config.json'), []);
  });

  it('after a click, signs in and tells the IdP mode=active', async () => {
    w.page.activate();
    const p = active();
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    assert.equal(((await p) as IdentityCredential).token, 'mode=active');
  });

  it('a click expires after 5 s of the agent clock', async () => {
    const clock = new ManualClock();
    await w.close();
    w = await startWorld({ agent: { clock } });
    w.page.activate();
    clock.advance(5001);
    assert.equal(w.page.hasTransientActivation, false);
    assert.equal(((await rejection(active())) as DOMException).name, 'NetworkError');
  });

  it('replaces a pending passive request, which fails with NetworkError (WPT fedcm-active-replaces-passive)', async () => {
    const passive = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    w.page.activate();
    const replacement = active();
    const e = (await rejection(passive)) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.equal((e.cause as { reason: string }).reason, 'ReplacedByActiveMode');
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    assert.equal(((await replacement) as IdentityCredential).token, 'mode=active');
  });

  it('a pending request ends with its document: AbortError, reported as Canceled (not as replaced)', async () => {
    const passive = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    w.page.close();
    const e = (await rejection(passive)) as DOMException;
    assert.equal(e.name, 'AbortError');
    assert.deepEqual(
      w.agent.diagnostics.filter((d) => d.reason === 'Canceled' || d.reason === 'ReplacedByActiveMode').map((d) => [d.reason, d.detail]),
      [['Canceled', 'The document was closed while the request was pending.']],
    );
  });

  it('cannot replace an active request, nor can a passive one (WPT fedcm-*-cannot-replace-active)', async () => {
    w.page.activate();
    const first = active();
    await w.agent.automation.waitForDialog();
    assert.equal(((await rejection(active())) as DOMException).name, 'NotAllowedError');
    assert.equal(((await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }))) as DOMException).name, 'NotAllowedError');
    w.agent.automation.selectAccount(0);
    assert.ok((await first) instanceof IdentityCredential);
  });
});

describe('multiple identity providers', () => {
  let idp2: IdpController;
  beforeEach(async () => {
    w = await startWorld();
    idp2 = installIdp(w.server, { origin: 'https://idp2.example', accounts: [janeDoe('https://idp2.example')] });
    await w.signInAtIdp();
    await w.signInAtIdp(idp2);
  });
  const both = () => [w.provider(), { configURL: idp2.configURL, clientId: '123' }];

  it('merges both accounts lists into one chooser; the choice decides configURL (WPT fedcm-multi-idp-basic)', async () => {
    const p = w.page.navigator.credentials!.get({ identity: { providers: both() } });
    const d = await w.agent.automation.waitForDialog();
    assert.equal(d.title, 'Sign in to rp.example');
    assert.deepEqual(
      d.accounts.map((a) => [a.accountId, a.idpConfigUrl]),
      [
        ['1234', w.idp.configURL],
        ['jane_doe', idp2.configURL],
      ],
    );
    w.agent.automation.selectAccount(1);
    assert.equal(((await p) as IdentityCredential).configURL, idp2.configURL);
  });

  it('auto-reauthenticates only with exactly one returning account (WPT fedcm-multi-idp-mediation-*)', async () => {
    const p1 = w.page.navigator.credentials!.get({ identity: { providers: both() } });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    await p1;
    const silent = (await w.page.navigator.credentials!.get({ identity: { providers: both() }, mediation: 'silent' })) as IdentityCredential;
    assert.equal(silent.isAutoSelected, true);
    assert.equal(silent.configURL, w.idp.configURL);

    const p2 = w.page.navigator.credentials!.get({ identity: { providers: both() }, mediation: 'required' });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(1);
    await p2;
    const e = (await rejection(w.page.navigator.credentials!.get({ identity: { providers: both() }, mediation: 'silent' }))) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.match((e.cause as { detail: string }).detail, /multiple accounts/);
    const p3 = w.page.navigator.credentials!.get({ identity: { providers: both() } });
    assert.equal((await w.agent.automation.waitForDialog()).dialogType, 'AccountChooser');
    w.agent.automation.cancelDialog();
    await rejection(p3);
  });

  it('shows the IdPs that work when one fails, and rejects duplicates', async () => {
    idp2.override('config', () => ({ status: 500, json: {} }));
    const p = w.page.navigator.credentials!.get({ identity: { providers: both() } });
    const d = await w.agent.automation.waitForDialog();
    assert.deepEqual(d.accounts.map((a) => a.accountId), ['1234']);
    w.agent.automation.cancelDialog();
    await rejection(p);
    assert.ok(w.agent.diagnostics.some((x) => x.reason === 'ConfigNoResponse' && x.configURL === idp2.configURL));
    const dup = (await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider(), w.provider()] } }))) as DOMException;
    assert.equal((dup.cause as { reason: string }).reason, 'DuplicateConfigUrl');
  });
});

describe('login, domain and label hints', () => {
  beforeEach(async () => {
    w = await startWorld();
    await w.signInAtIdp();
  });
  const chooser = async (provider: Record<string, unknown>) => {
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider(provider)] } });
    const d = await w.agent.automation.waitForDialog();
    w.agent.automation.cancelDialog();
    await rejection(p);
    return d;
  };

  it('loginHint keeps the matching account, or shows the mismatch dialog (WPT fedcm-loginhint)', async () => {
    w.idp.setAccounts(twoAccounts());
    const d = await chooser({ loginHint: 'john_doe' });
    assert.deepEqual(d.accounts.map((a) => a.accountId), ['john_doe']);
    const none = await chooser({ loginHint: 'nobody' });
    assert.equal(none.dialogType, 'ConfirmIdpLogin');
    assert.ok(w.agent.diagnostics.some((x) => x.reason === 'AccountsFiltered'));
  });

  it('domainHint matches domain_hints, and "any" needs a non-empty list (WPT fedcm-domainhint-*)', async () => {
    w.idp.setAccounts([johnDoe(), { ...janeDoe(), domain_hints: undefined }]);
    assert.deepEqual((await chooser({ domainHint: 'any' })).accounts.map((a) => a.accountId), ['1234']);
    assert.deepEqual((await chooser({ domainHint: 'example' })).accounts.map((a) => a.accountId), ['1234']);
    assert.equal((await chooser({ domainHint: 'nope.example' })).dialogType, 'ConfirmIdpLogin');
  });

  it("the config's account_label keeps accounts with that label", async () => {
    w.idp.setConfig({ account_label: 'work' });
    w.idp.setAccounts([{ ...johnDoe(), label_hints: ['work'] }, janeDoe()]);
    assert.deepEqual((await chooser({})).accounts.map((a) => a.accountId), ['1234']);
  });

  it('pictures are fetched after filtering, only for the accounts shown (Chromium 156)', async () => {
    w.idp.setAccounts(twoAccounts());
    w.idp.resetCounters();
    await chooser({ loginHint: 'john_doe' });
    assert.equal(w.idp.pictureFetches, 1);
  });
});

describe('rejection delay', () => {
  it('is on with a mediator: a failure waits on the agent clock, a dismissal does not', async () => {
    const clock = new ManualClock();
    w = await startWorld({ agent: { clock, mediator: { choose: () => Promise.resolve({ action: 'cancel' }) }, random: () => 0.5 } });
    await w.signInAtIdp();
    w.idp.override('config', () => ({ status: 404, body: '' }));
    let settled = false;
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }).finally(() => {
      settled = true;
    });
    while (clock.pendingSleeps === 0) await new Promise((r) => setImmediate(r));
    assert.equal(settled, false);
    clock.advance(60_000);
    assert.equal(((await rejection(p)) as DOMException).name, 'NetworkError');

    w.idp.override('config');
    const dismissed = await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }));
    assert.equal((dismissed as DOMException).name, 'NetworkError');
    assert.equal(clock.pendingSleeps, 0);
  });

  it('is off under automation, and setDelayEnabled(true) turns it on', async () => {
    const clock = new ManualClock();
    w = await startWorld({ agent: { clock } });
    w.idp.override('config', () => ({ status: 404, body: '' }));
    await w.signInAtIdp();
    assert.equal(((await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }))) as DOMException).name, 'NetworkError');
    w.agent.automation.setDelayEnabled(true);
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    while (clock.pendingSleeps === 0) await new Promise((r) => setImmediate(r));
    clock.advance(60_000);
    await rejection(p);
  });
});

describe('one dialog surface', () => {
  it('a dialog still waiting when another document needs the surface is dismissed, not left hanging', async () => {
    w = await startWorld();
    await w.signInAtIdp();
    const first = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    const other = await w.agent.open('https://rp2.example/', { load: false });
    const second = other.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    const e = (await rejection(first)) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.equal((e.cause as { reason: string }).reason, 'UiDismissedNoEmbargo');
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    assert.ok((await second) instanceof IdentityCredential);
  });
});
