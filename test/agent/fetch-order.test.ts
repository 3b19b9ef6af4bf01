// The FedCM request's fetches in Chromium 156's order (measured with the differential harness,
// test/differential): accounts → hint filters → client metadata → the pictures of the accounts
// the dialog shows, together with the config's brand icon. Also: the brand icon's choice and
// headers, the Error dialog's account, and the headers of document navigations.

import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { programmablePopups, type Diagnostic, type IdentityCredential, type Popup } from '../../src/agent/index.js';
import { chooseBrandIcon } from '../../src/agent/fedcm/accounts.js';
import { DOCUMENT_ACCEPT } from '../../src/agent/window/frame.js';
import { installIdp, johnDoe, twoAccounts } from '../fixtures/index.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

/** The paths the IdP saw, in arrival order (the well-known file and config are left out). */
function idpPaths(w: World): string[] {
  return w.server.requests.filter((r) => r.origin === w.idp.origin && !['/.well-known/web-identity', '/fedcm/config.json'].includes(r.path)).map((r) => r.path);
}

describe('FedCM fetch order and images', () => {
  let w: World;
  const diagnostics: Diagnostic[] = [];
  before(async () => {
    w = await startWorld();
    w.agent.on('diagnostic', (d) => diagnostics.push(d));
  });
  after(() => w.close());
  beforeEach(async () => {
    w.idp.setAccounts([johnDoe(w.idp.origin)]);
    w.idp.override('icon');
    w.idp.override('token');
    w.agent.profile.removeConnections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: w.idp.origin });
    await w.signInAtIdp();
    w.server.clearRequests();
    diagnostics.length = 0;
  });

  it('fetches the client metadata before the pictures and the brand icon, then the token', async () => {
    const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ clientId: '1' })] } });
    await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    w.agent.automation.selectAccount(0);
    await pending;
    const paths = idpPaths(w);
    assert.deepEqual(paths.slice(0, 2), ['/fedcm/accounts', '/fedcm/client_metadata'], `order: ${paths.join(', ')}`);
    assert.deepEqual(paths.slice(2, 4).sort(), ['/branding/icon.png', '/pictures/john.png'], `order: ${paths.join(', ')}`);
    assert.deepEqual(paths.slice(4), ['/fedcm/token'], `order: ${paths.join(', ')}`);
  });

  it('fetches the brand icon with the headers of a picture fetch, and the chooser names it', async () => {
    const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ clientId: '1' })] } });
    const dialog = await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    assert.deepEqual(dialog.dialogType === 'AccountChooser' && dialog.brandIcons, [{ idpConfigUrl: w.idp.configURL, url: 'https://idp.example/branding/icon.png' }]);
    w.agent.automation.selectAccount(0);
    await pending;
    const [icon, ...more] = w.server.requestsTo(w.idp.origin, '/branding/icon.png');
    assert.ok(icon, 'the brand icon was fetched');
    assert.equal(more.length, 0, 'once');
    const [picture] = w.server.requestsTo(w.idp.origin, '/pictures/john.png');
    for (const name of ['accept', 'sec-fetch-dest', 'sec-fetch-mode', 'sec-fetch-site', 'origin', 'referer', 'cookie']) {
      assert.equal(icon.headers[name], picture?.headers[name], `${name} as for a picture`);
    }
    assert.equal(icon.headers['accept'], 'application/json');
    assert.equal(icon.headers['sec-fetch-dest'], 'webidentity');
    assert.equal(icon.headers['sec-fetch-mode'], 'no-cors');
    assert.equal(icon.headers['sec-fetch-site'], 'cross-site');
    assert.equal(icon.headers['cookie'], undefined);
  });

  it('fetches only the pictures of the accounts the loginHint keeps', async () => {
    w.idp.setAccounts(twoAccounts(w.idp.origin));
    const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ clientId: '1', loginHint: 'john_doe' })] } });
    const dialog = await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    assert.deepEqual(dialog.accounts.map((a) => a.accountId), ['john_doe']);
    w.agent.automation.selectAccount(0);
    await pending;
    assert.equal(w.server.requestsTo(w.idp.origin, '/pictures/jane.png').length, 0, "jane's picture is not fetched: she is not shown");
    assert.equal(w.server.requestsTo(w.idp.origin, '/pictures/john.png').length, 1);
  });

  it('fetches no picture when no account matches, but the mismatch dialog gets the brand icon', async () => {
    w.idp.setAccounts(twoAccounts(w.idp.origin));
    const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ clientId: '1', loginHint: 'nobody' })] } });
    const dialog = await w.agent.automation.waitForDialog({ type: 'ConfirmIdpLogin' });
    assert.deepEqual(dialog.dialogType === 'ConfirmIdpLogin' && dialog.brandIcons, [{ idpConfigUrl: w.idp.configURL, url: 'https://idp.example/branding/icon.png' }]);
    w.agent.automation.cancelDialog();
    await rejection(pending);
    assert.equal(w.server.requestsTo(w.idp.origin, '/pictures/').length, 0, 'no picture fetched');
    assert.equal(w.server.requestsTo(w.idp.origin, '/fedcm/client_metadata').length, 0, 'no client metadata either');
    assert.deepEqual(idpPaths(w), ['/fedcm/accounts', '/branding/icon.png']);
  });

  it('tolerates a brand icon that fails: a warning, and a chooser without it', async () => {
    w.idp.override('icon', () => ({ status: 404, headers: { 'content-type': 'text/plain' }, body: 'no' }));
    const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ clientId: '1' })] } });
    const dialog = await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    assert.equal(dialog.dialogType === 'AccountChooser' && dialog.brandIcons, undefined);
    w.agent.automation.selectAccount(0);
    assert.equal(((await pending) as IdentityCredential).token, 'token');
    const failed = diagnostics.find((d) => d.reason === 'BrandIconFetchFailed');
    assert.equal(failed?.level, 'warning');
    assert.equal(failed?.url, 'https://idp.example/branding/icon.png');
  });

  it('fetches no brand icon in active mode (Chromium 156)', async () => {
    w.page.activate();
    const pending = w.page.navigator.credentials!.get({ identity: { mode: 'active', providers: [w.provider({ clientId: '1' })] } });
    await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    w.agent.automation.selectAccount(0);
    await pending;
    assert.equal(w.server.requestsTo(w.idp.origin, '/branding/icon.png').length, 0);
    assert.equal(w.server.requestsTo(w.idp.origin, '/pictures/john.png').length, 1);
  });

  it("the Error dialog after a failed ID assertion carries the chosen account, as the chooser showed it", async () => {
    w.idp.setAccounts(twoAccounts(w.idp.origin));
    w.idp.setToken(() => ({ status: 500, headers: { 'content-type': 'application/json' }, body: '{}' }));
    const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ clientId: '1' })] } });
    const chooser = await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    w.agent.automation.selectAccount(1);
    const error = await w.agent.automation.waitForDialog({ type: 'Error' });
    assert.deepEqual(error.accounts, [chooser.accounts[1]]);
    assert.equal(error.accounts[0]?.accountId, 'john_doe');
    w.agent.automation.clickDialogButton('ErrorGotIt');
    await rejection(pending);
  });
});

describe('returning users and active mode (Chromium 156)', () => {
  let w: World | undefined;
  afterEach(() => w?.close());

  it('active mode: after the login popup the well-known file and config are fetched again', async () => {
    w = await startWorld({ agent: { popupHost: programmablePopups({}) } });
    w.server.clearRequests();
    w.page.activate();
    const pending = w.page.navigator.credentials!.get({ identity: { mode: 'active', providers: [w.provider()] } });
    await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    w.agent.automation.selectAccount(0);
    await pending;
    assert.equal(w.server.requestsTo(w.idp.origin, '/fedcm/config.json').length, 2, 'config before and after the popup');
    assert.equal(w.server.requestsTo(w.idp.origin, '/.well-known/web-identity').length, 2, 'well-known before and after the popup');
    const paths = w.server.requests.filter((r) => r.origin === w?.idp.origin).map((r) => r.path);
    assert.ok(paths.lastIndexOf('/fedcm/config.json') > paths.indexOf('/login'), `order: ${paths.join(', ')}`);
  });

  it('active mode: a returning user is signed in automatically without an AutoReauthn dialog', async () => {
    w = await startWorld();
    await w.signInAtIdp();
    const first = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    w.agent.automation.selectAccount(0);
    await first;
    const shown: string[] = [];
    w.agent.on('dialogShown', (d) => shown.push(d.dialogType));
    w.page.activate();
    const second = (await w.page.navigator.credentials!.get({ identity: { mode: 'active', providers: [w.provider()] } })) as IdentityCredential;
    assert.equal(second.isAutoSelected, true);
    assert.deepEqual(shown, [], 'no dialog');
  });

  it("keeps the IdP's order for sign-up accounts, even one the browser is connected to", async () => {
    w = await startWorld();
    w.idp.setAccounts(twoAccounts(w.idp.origin));
    await w.signInAtIdp();
    const first = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ clientId: 'xyz' })] } });
    await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    w.agent.automation.selectAccount(1);
    await first;
    w.idp.resetCounters();
    const second = w.page.navigator.credentials!.get({ identity: { providers: [w.provider({ clientId: 'xyz' })] } });
    const dialog = await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    assert.deepEqual(dialog.accounts.map((a) => `${a.accountId}:${a.loginState}`), ['jane_doe:SignUp', 'john_doe:SignUp']);
    // Chromium 156 fetches the client metadata once per document: the second get() reuses it.
    assert.equal(w.idp.clientMetadataFetches, 0, 'no second client metadata fetch in the same page');
    assert.equal(dialog.accounts[0]?.privacyPolicyUrl, 'https://rp.example/privacy_policy.html', 'the policy links are still shown');
    w.agent.automation.cancelDialog();
    await rejection(second);
  });
});

describe('client metadata once per document (Chromium 156)', () => {
  let w: World | undefined;
  afterEach(() => w?.close());
  it('a second get() after a dismissal reuses it; another page fetches it again', async () => {
    const world = await startWorld();
    w = world;
    await w.signInAtIdp();
    const ask = async (page: World['page'], answer: 'select' | 'cancel') => {
      const pending = page.navigator.credentials!.get({ identity: { providers: [world.provider({ clientId: 'xyz' })] } });
      const dialog = await world.agent.automation.waitForDialog({ type: 'AccountChooser' });
      if (answer === 'select') world.agent.automation.selectAccount(0);
      else world.agent.automation.cancelDialog();
      await pending.catch(() => undefined);
      return dialog;
    };
    w.idp.resetCounters();
    await ask(w.page, 'cancel');
    assert.equal(w.idp.clientMetadataFetches, 1);
    const again = await ask(w.page, 'select');
    assert.equal(w.idp.clientMetadataFetches, 1, 'reused in the same document');
    assert.equal(again.accounts[0]?.termsOfServiceUrl, 'https://rp.example/terms_of_service.html');
    const other = await w.agent.open('https://rp.example/');
    w.agent.profile.removeConnections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: w.idp.origin });
    await ask(other, 'cancel');
    assert.equal(w.idp.clientMetadataFetches, 2, 'a new document fetches it');
    other.close();
  });
});

describe('multi-IdP with an empty second accounts list (kept: docs/decisions.md)', () => {
  let w: World | undefined;
  afterEach(() => w?.close());
  it("the chooser lists the first IdP's account and selecting it signs in", async () => {
    w = await startWorld();
    const idp2 = installIdp(w.server, { origin: 'https://idp2.example', accounts: [] });
    await w.signInAtIdp();
    await w.signInAtIdp(idp2);
    const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider(), { configURL: idp2.configURL, clientId: '123' }] } });
    const dialog = await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    assert.deepEqual(dialog.accounts.map((a) => a.idpConfigUrl), [w.idp.configURL]);
    w.agent.automation.selectAccount(0);
    assert.equal(((await pending) as IdentityCredential).configURL, w.idp.configURL);
  });
});

describe('brand icon choice (as measured with Chromium 156: ideal 50, minimum 25, no size wins)', () => {
  const icon = (size: number) => ({ url: `https://idp.example/${size}.png`, size });
  it('takes the smallest icon at least the ideal size', () => {
    assert.equal(chooseBrandIcon([icon(64), icon(40), icon(20)])?.size, 64);
    assert.equal(chooseBrandIcon([icon(48), icon(64)])?.size, 64);
    assert.equal(chooseBrandIcon([icon(49), icon(64)])?.size, 64);
    assert.equal(chooseBrandIcon([icon(50), icon(64)])?.size, 50);
    assert.equal(chooseBrandIcon([icon(128), icon(56), icon(64)])?.size, 56);
  });
  it('else the largest one at least the minimum', () => assert.equal(chooseBrandIcon([icon(16), icon(26), icon(30)])?.size, 30));
  it('never one below the minimum', () => {
    assert.equal(chooseBrandIcon([icon(24), icon(16)]), undefined);
    assert.equal(chooseBrandIcon([icon(25)])?.size, 25);
  });
  it('an icon without a size wins wherever it is listed', () => {
    assert.equal(chooseBrandIcon([icon(0), icon(48)])?.size, 0);
    assert.equal(chooseBrandIcon([icon(64), icon(0)])?.size, 0);
  });
});

describe('document navigations', () => {
  let w: World | undefined;
  afterEach(() => w?.close());

  it("send Chromium's Accept and Sec-Fetch-User: ?1 for agent.open() and the login popup", async () => {
    const popups: Popup[] = [];
    w = await startWorld({ agent: { popupHost: programmablePopups({}) } });
    w.server.clearRequests();
    (await w.agent.open(w.idp.url('/mark_signedin'))).close();
    const [opened] = w.server.requestsTo(w.idp.origin, '/mark_signedin');
    assert.equal(opened?.headers['accept'], DOCUMENT_ACCEPT);
    assert.equal(opened?.headers['sec-fetch-user'], '?1');
    assert.equal(opened?.headers['sec-fetch-site'], 'none');
    w.agent.on('popup', (p) => popups.push(p));
    const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog({ type: 'ConfirmIdpLogin' });
    w.agent.automation.clickDialogButton('ConfirmIdpLoginContinue');
    await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
    w.agent.automation.selectAccount(0);
    await pending;
    assert.equal(popups[0]?.purpose, 'login');
    const [login] = w.server.requestsTo(w.idp.origin, '/login');
    assert.equal(login?.headers['accept'], DOCUMENT_ACCEPT);
    assert.equal(login?.headers['sec-fetch-user'], '?1');
    assert.equal(login?.headers['sec-fetch-dest'], 'document');
  });

  it('send no Sec-Fetch-User for an iframe, but the same Accept', async () => {
    w = await startWorld();
    w.server.clearRequests();
    const top = await w.agent.open('https://rp.example/');
    const frame = await top.openFrame(w.idp.url('/mark_signedin'));
    frame.close();
    top.close();
    const [framed] = w.server.requestsTo(w.idp.origin, '/mark_signedin');
    assert.equal(framed?.headers['sec-fetch-dest'], 'iframe');
    assert.equal(framed?.headers['accept'], DOCUMENT_ACCEPT);
    assert.equal(framed?.headers['sec-fetch-user'], undefined);
  });
});
