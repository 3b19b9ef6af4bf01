// fedkit/playwright in a browser without FedCM: Debian's Chromium with --disable-features=FedCm
// (as Firefox and WebKit are), where fedkit's agent is the page's FedCM. Real pages sign in
// with their own scripts: the reference RP app against the reference IdP, a returning user,
// disconnect, the login popup of active mode with the IdP's real form, iframes with and without
// the permission, the drawn chooser clicked for real and seen in a screenshot, aborts, and the
// other credential types.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AutomationError, createAgent } from '../../../src/agent/index.js';
import { agentOptionsFor, installFedCM, type FedCM } from '../../../src/integrations/playwright/index.js';
import { clickBox, decodePng, findAx, hasAx, launch, skip, within } from './chromium.js';
import { idpSession, signInOnReferenceRp } from './scenarios.js';
import { PICTURE_PATH, RP, USER, startWorld, type World } from './world.js';

// The page's globals the tests use in page.evaluate (TypeScript's DOM library has none of FedCM's).
type Provider = { configURL: string; clientId: string; params?: Record<string, unknown> };
declare const IdentityCredential: abstract new () => Credential & { token: unknown };
declare const IdentityCredentialError: abstract new () => DOMException & { error: string; url: string };
declare const PasswordCredential: new (data: { id: string; password: string; name?: string } | HTMLFormElement) => Credential & { password: string; name: string };
declare const FederatedCredential: new (data: { id: string; provider: string }) => Credential & { provider: string };

/** The avatar colour the drawn dialog gives an account (overlay.ts), as RGB. */
function avatarRgb(key: string): [number, number, number] {
  let hash = 0;
  for (const ch of key) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  const h = hash % 360;
  const s = 0.62;
  const l = 0.42;
  const k = (n: number): number => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))));
  return [f(0), f(8), f(4)];
}

/** The drawn chooser's account row, found in Chromium's accessibility tree; its avatar is checked in a screenshot. */
async function drawnAccountRow(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  const { box } = await findAx(page, 'button', new RegExp(`${USER.name}.*${USER.email}`));
  const shot = decodePng(await page.screenshot({ clip: box }));
  const [r, g, b] = shot.pixel(16 + 18, Math.floor(shot.height / 2));
  const [er, eg, eb] = avatarRgb(USER.email);
  assert.ok(Math.abs(r - er) < 12 && Math.abs(g - eg) < 12 && Math.abs(b - eb) < 12, `avatar pixel rgb(${r},${g},${b}), expected about rgb(${er},${eg},${eb})`);
  return box;
}

describe('fedkit/playwright: fedkit as the FedCM of a browser without one (--disable-features=FedCm)', { skip, timeout: 120_000 }, () => {
  let dir: string;
  let world: World;
  let browser: Browser;
  const contexts: { context: BrowserContext; fedcm: FedCM }[] = [];

  async function newContext(): Promise<{ context: BrowserContext; fedcm: FedCM }> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 720 } });
    const fedcm = await installFedCM(context, { hostRules: world.hostRules, ca: world.ca });
    contexts.push({ context, fedcm });
    return { context, fedcm };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-playwright-'));
    world = await startWorld(dir);
    browser = await launch(world.hostRules, { fedcm: false });
  });

  after(async () => {
    for (const { context, fedcm } of contexts) {
      await fedcm.close().catch(() => {});
      await context.close().catch(() => {});
    }
    await browser?.close().catch(() => {});
    await world?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('the reference RP, one user from sign-up to disconnect', () => {
    let context: BrowserContext;
    let fedcm: FedCM;
    let page: Page;
    const browserRequests: string[] = [];

    before(async () => {
      ({ context, fedcm } = await newContext());
      context.on('request', (r) => browserRequests.push(r.url()));
    });

    it('signs up with a real click on the chooser drawn in the page (the IdP session of the real page, a screenshot of the chooser)', { timeout: 40_000 }, async () => {
      page = await idpSession(context, world);
      await signInOnReferenceRp(page, fedcm, async () => {
        // The screenshot: the account row shows the initials avatar in the account's colour.
        const box = await drawnAccountRow(page);
        assert.ok(await hasAx(page, 'dialog', /Sign in to rp\.example/), 'the chooser is a dialog named by its title');
        // The chooser draws no picture the browser would fetch (the agent fetched it; the signed-in RP page shows it later).
        assert.ok(!browserRequests.some((u) => u.includes(PICTURE_PATH)), 'the browser did not fetch the account picture for the chooser');
        await clickBox(page, box);
      });
      // The accounts request carried the session cookie the real page got from the IdP.
      const accounts = world.idpRequests.find((r) => r.path === '/fedcm/accounts');
      assert.match(accounts?.cookie ?? '', /=/, 'the accounts request sent the browser context’s IdP cookies');
      assert.ok(!(await hasAx(page, 'dialog', /Sign in to rp\.example/)), 'the chooser is gone');
    });

    it('signs a returning user back in automatically (AutoReauthn)', { timeout: 30_000 }, async () => {
      // The RP forgets its session; the browser remembers the connection.
      await context.clearCookies({ name: '__Host-rp_session' });
      const sheet = fedcm.waitForDialog({ type: 'AutoReauthn', timeoutMs: 15_000 });
      await page.reload();
      const dialog = await sheet;
      assert.equal(dialog.title, 'Signing you in…');
      assert.equal(dialog.accounts[0].email, USER.email);
      await page.waitForSelector('.profile .name', { timeout: 15_000 });
      assert.match(world.idpRequests.findLast((r) => r.path === '/fedcm/assertion')?.body ?? '', /is_auto_selected=true/);
    });

    it('disconnects: the IdP forgets the grant and the next sign-in is a sign-up again', { timeout: 30_000 }, async () => {
      const chooser = fedcm.waitForDialog({ type: 'AccountChooser', timeoutMs: 15_000 });
      await page.click('#disconnect');
      await page.waitForSelector('#signin', { timeout: 15_000 });
      assert.equal(world.idpRequests.findLast((r) => r.path === '/fedcm/disconnect')?.method, 'POST');
      assert.equal(await world.store.getGrant(USER.id, 'playwright-rp'), undefined);
      // The signed-out page asks again on load: the account is SignUp, no auto re-authentication.
      const dialog = await chooser;
      assert.equal(dialog.accounts[0]?.loginState, 'SignUp');
      await fedcm.cancelDialog();
    });
  });

  describe('active mode from a logged-out state', () => {
    let context: BrowserContext;
    let fedcm: FedCM;
    let page: Page;

    before(async () => {
      ({ context, fedcm } = await newContext());
      page = await context.newPage();
      page.setDefaultTimeout(15_000);
    });

    it('opens the IdP login page as a real popup of the page; its real form signs the user in; the chooser follows', { timeout: 40_000 }, async () => {
      await page.goto(`${RP}/`);
      const popupOpened = page.waitForEvent('popup', { timeout: 15_000 });
      await page.click('#signin');
      const popup = await popupOpened;
      await popup.waitForLoadState('domcontentloaded');
      assert.equal(new URL(popup.url()).pathname, '/fedcm/login');
      assert.equal(await popup.evaluate(() => window.opener !== null), true, 'the popup has an opener');
      await popup.fill('#email', USER.email);
      await popup.fill('#password', USER.password);
      const chooser = fedcm.waitForDialog({ type: 'AccountChooser', timeoutMs: 15_000 });
      const closed = popup.waitForEvent('close', { timeout: 15_000 });
      // Set-Login: logged-in on the form's response ends the agent's login popup, and the window closes.
      await popup.click('#signin').catch((e: unknown) => {
        if (!popup.isClosed()) throw e;
      });
      await closed;
      const dialog = await chooser;
      assert.equal(dialog.accounts[0]?.email, USER.email);
      assert.ok(await hasAx(page, 'dialog', /Sign in to rp\.example/), 'the chooser is drawn (modal) in the page');
      await fedcm.selectAccount(0);
      await page.waitForSelector('.profile .name', { timeout: 15_000 });
      assert.match((await page.textContent('.profile .name')) ?? '', new RegExp(USER.name));
    });

    it('refuses active mode without a click, as Chrome does (page.evaluate has no user activation)', { timeout: 20_000 }, async () => {
      await page.goto(`${RP}/direct`);
      const diagnostics: string[] = [];
      fedcm.on('diagnostic', (d) => diagnostics.push(d.reason));
      const result = await within(
        page.evaluate(() =>
          navigator.credentials.get({ identity: { mode: 'active', providers: [(window as unknown as { provider: Provider }).provider] } } as CredentialRequestOptions).then(
            () => 'resolved',
            (e: DOMException) => `${e.name}: ${e.message}`,
          ),
        ),
        10_000,
        'active get() without a click',
      );
      assert.equal(result, 'NetworkError: Error retrieving a token.');
      assert.ok(diagnostics.includes('MissingTransientUserActivation'), diagnostics.join());
    });
  });

  describe('frames, aborts and the page’s own errors', () => {
    let context: BrowserContext;
    let fedcm: FedCM;
    let page: Page;

    before(async () => {
      ({ context, fedcm } = await newContext());
      page = await idpSession(context, world);
    });

    it('refuses a cross-origin iframe without allow="identity-credentials-get" (permissions policy)', { timeout: 20_000 }, async () => {
      await page.goto('https://rp2.example/?allow=no');
      const frame = page.frame({ url: `${RP}/widget` });
      assert.ok(frame, 'the widget iframe loaded');
      const result = await within(frame.evaluate(() => (window as unknown as { signIn(): Promise<unknown> }).signIn()), 10_000, 'get() in the iframe');
      assert.deepEqual(result, { name: 'NotAllowedError', message: (result as { message: string }).message, domException: true });
      assert.equal(fedcm.currentDialog, null);
    });

    it('signs in from a cross-origin iframe with allow="identity-credentials-get"; the chooser is drawn in the top page', { timeout: 20_000 }, async () => {
      await page.goto('https://rp2.example/?allow=yes');
      const frame = page.frame({ url: `${RP}/widget` });
      assert.ok(frame, 'the widget iframe loaded');
      const pending = frame.evaluate(() => (window as unknown as { signIn(): Promise<unknown> }).signIn());
      const dialog = await fedcm.waitForDialog({ type: 'AccountChooser' });
      assert.match(dialog.subtitle ?? '', /rp2\.example/);
      const { box } = await findAx(page, 'button', /Continue as Dee/);
      await clickBox(page, box);
      assert.deepEqual(await within(pending, 10_000, 'get() in the iframe'), { identity: true, token: 'string' });
    });

    it('aborts the agent’s request with the page’s AbortSignal; the page gets its own reason', { timeout: 20_000 }, async () => {
      await page.goto(`${RP}/direct`);
      await page.evaluate(() => {
        const w = window as unknown as { ctl: AbortController; reason: object; pending: Promise<unknown>; provider: Provider };
        w.ctl = new AbortController();
        w.reason = { why: 'the user went elsewhere' };
        w.pending = navigator.credentials.get({ signal: w.ctl.signal, mediation: 'required', identity: { providers: [w.provider] } } as CredentialRequestOptions).then(
          () => 'resolved',
          (e: unknown) => (e === w.reason ? 'the page’s own reason' : String(e)),
        );
      });
      await fedcm.waitForDialog({ type: 'AccountChooser' });
      const outcome = await within(
        page.evaluate(() => {
          const w = window as unknown as { ctl: AbortController; reason: object; pending: Promise<unknown> };
          w.ctl.abort(w.reason);
          return w.pending;
        }),
        10_000,
        'the aborted get()',
      );
      assert.equal(outcome, 'the page’s own reason');
      assert.equal(fedcm.currentDialog, null, 'the agent closed its dialog');
    });

    it('gives the page IdentityCredentialError of its own realm when the IdP refuses (error dialog, a real click on “Got it”)', { timeout: 30_000 }, async () => {
      const signIn = (): Promise<unknown> =>
        page.evaluate(() => {
          const w = window as unknown as { provider: Provider };
          return navigator.credentials.get({ mediation: 'required', identity: { providers: [{ ...w.provider, params: { nonce: 'once' } }] } } as CredentialRequestOptions).then(
            (c) => ({ identity: c instanceof IdentityCredential }),
            (e: { name: string; error: string; constructor: unknown }) => ({ name: e.name, error: e.error, ice: e instanceof IdentityCredentialError, dom: e instanceof DOMException }),
          );
        });
      const first = signIn();
      await fedcm.waitForDialog({ type: 'AccountChooser' });
      await fedcm.selectAccount(0);
      assert.deepEqual(await within(first, 10_000, 'the first get()'), { identity: true });
      // The same nonce again: the IdP refuses it.
      const second = signIn();
      await fedcm.waitForDialog({ type: 'AccountChooser' });
      await fedcm.selectAccount(0);
      await fedcm.waitForDialog({ type: 'Error' });
      const { box } = await findAx(page, 'button', /Got it/);
      await clickBox(page, box);
      assert.deepEqual(await within(second, 10_000, 'the refused get()'), { name: 'IdentityCredentialError', error: 'invalid_request', ice: true, dom: true });
    });
  });

  describe('login status, popups and Content-Security-Policy', () => {
    let context: BrowserContext;
    let fedcm: FedCM;
    let page: Page;

    before(async () => {
      ({ context, fedcm } = await newContext());
      page = await idpSession(context, world);
    });

    it('applies navigator.login.setStatus() of IdP pages and the Set-Login of the browser’s subresource responses, by the Login Status rules', { timeout: 20_000 }, async () => {
      const status = (): unknown => fedcm.agent!.profile.getLoginStatus('https://idp.example');
      const eventually = async (want: string, what: string): Promise<void> => {
        const deadline = Date.now() + 3000;
        while (status() !== want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        assert.equal(status(), want, what);
      };
      assert.equal(status(), 'logged-in', 'the login form’s navigation response said Set-Login: logged-in');
      // A page of the IdP (one without the login page's strict CSP, which would refuse fetch()).
      await page.goto('https://idp.example/status');
      await page.evaluate(() => (navigator as unknown as { login: { setStatus(s: string): Promise<void> } }).login.setStatus('logged-out'));
      assert.equal(status(), 'logged-out', 'navigator.login.setStatus() in the IdP’s page');
      // A subresource of the IdP's own page: same-site, applied.
      await page.evaluate(() => fetch('/status?set=logged-in').then((r) => r.status));
      await eventually('logged-in', 'Set-Login on a same-site subresource response');
      // A subresource of the RP's page: cross-site, ignored (with a diagnostic).
      await page.goto(`${RP}/direct`);
      const ignored = new Promise<string>((resolve) => fedcm.on('diagnostic', (d) => d.reason === 'SetLoginIgnored' && resolve(d.detail)));
      await page.evaluate(() => fetch('https://idp.example/status?set=logged-out', { mode: 'no-cors' }).then(() => 'sent'));
      assert.match(await within(ignored, 5000, 'the SetLoginIgnored diagnostic'), /not same-site/);
      assert.equal(status(), 'logged-in');
    });

    it('opens the continue_on page as a real popup; its IdentityProvider.resolve() gives the page the token', { timeout: 30_000 }, async () => {
      await page.goto(`${RP}/direct`);
      const pending = page.evaluate(() => {
        const w = window as unknown as { provider: Provider };
        return navigator.credentials
          .get({ mediation: 'required', identity: { providers: [{ ...w.provider, fields: ['name', 'email', 'tel'], params: { nonce: 'continued' } }] } } as CredentialRequestOptions)
          .then((c) => ({ identity: c instanceof IdentityCredential, token: typeof (c as unknown as { token: unknown }).token }), (e: Error) => ({ name: e.name, message: e.message }));
      });
      await fedcm.waitForDialog({ type: 'AccountChooser' });
      const popupOpened = page.waitForEvent('popup', { timeout: 15_000 });
      await fedcm.selectAccount(0);
      // The IdP wants consent for the phone number: its page, in a window the RP page opened.
      const popup = await popupOpened;
      await popup.waitForSelector('#allow');
      assert.equal(new URL(popup.url()).pathname, '/fedcm/continue');
      const closed = popup.waitForEvent('close', { timeout: 15_000 });
      await popup.click('#allow').catch((e: unknown) => {
        if (!popup.isClosed()) throw e;
      });
      assert.deepEqual(await within(pending, 15_000, 'get() through the continuation popup'), { identity: true, token: 'string' });
      await closed;
    });

    it('enforces the page’s connect-src on the config URL, from the browser’s response headers', { timeout: 20_000 }, async () => {
      await page.goto(`${RP}/csp?policy=${encodeURIComponent("connect-src 'self'")}`);
      const diagnostics: string[] = [];
      fedcm.on('diagnostic', (d) => diagnostics.push(d.message));
      const result = await within(
        page.evaluate(() =>
          navigator.credentials.get({ identity: { providers: [(window as unknown as { provider: Provider }).provider] } } as CredentialRequestOptions).then(
            () => 'resolved',
            (e: DOMException) => e.name,
          ),
        ),
        10_000,
        'get() under connect-src',
      );
      assert.equal(result, 'NetworkError');
      assert.ok(diagnostics.some((m) => /Content Security Policy/.test(m)), diagnostics.join('\n'));
    });

    it('draws its styled chooser in a page whose CSP forbids inline styles', { timeout: 20_000 }, async () => {
      const policy = "default-src 'self'; script-src 'unsafe-inline'; connect-src 'self' https://idp.example";
      await page.goto(`${RP}/csp?policy=${encodeURIComponent(policy)}`);
      const pending = page.evaluate(() =>
        navigator.credentials.get({ mediation: 'required', identity: { providers: [(window as unknown as { provider: Provider }).provider] } } as CredentialRequestOptions).then(
          (c) => c instanceof IdentityCredential,
          (e: Error) => e.name,
        ),
      );
      await fedcm.waitForDialog({ type: 'AccountChooser' });
      await clickBox(page, await drawnAccountRow(page));
      assert.equal(await within(pending, 10_000, 'get()'), true);
    });
  });

  describe('the fedcm object', () => {
    it('drives an agent of one’s own, made with agentOptionsFor(context); close() leaves it open', { timeout: 30_000 }, async () => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const agent = createAgent({ hostRules: world.hostRules, ca: world.ca, ...agentOptionsFor(context) });
      const fedcm = await installFedCM(context, { agent });
      contexts.push({ context, fedcm });
      assert.equal(fedcm.agent, agent);
      const page = await idpSession(context, world);
      await page.goto(`${RP}/direct`);
      const pending = page.evaluate(() =>
        navigator.credentials.get({ mediation: 'required', identity: { providers: [(window as unknown as { provider: Provider }).provider] } } as CredentialRequestOptions).then((c) => c instanceof IdentityCredential),
      );
      await fedcm.waitForDialog({ type: 'AccountChooser' });
      assert.deepEqual((await fedcm.getAccountList()).map((a) => a.email), [USER.email]);
      assert.match((await fedcm.getTitle()).title, /rp\.example/);
      assert.equal(await fedcm.getDialogType(), 'AccountChooser');
      await fedcm.selectAccount(0);
      assert.equal(await within(pending, 10_000, 'get()'), true);
      await assert.rejects(fedcm.waitForDialog({ timeoutMs: 50 }), (e: unknown) => e instanceof AutomationError && e.error === 'no such alert');
      await assert.rejects(fedcm.selectAccount(0), (e: unknown) => e instanceof AutomationError && e.error === 'no such alert');
      await fedcm.close();
      const stillOpen = await agent.open(`${RP}/`, { load: false });
      assert.equal(stillOpen.origin, RP, 'the agent is the caller’s, still open');
      await agent.close();
    });
  });

  describe('the other credential types', () => {
    let fedcm: FedCM;
    let page: Page;

    before(async () => {
      let context: BrowserContext;
      ({ context, fedcm } = await newContext());
      page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${RP}/direct`);
    });

    it('stores and gets a PasswordCredential; the constructor throws the agent’s TypeErrors', { timeout: 20_000 }, async () => {
      const thrown = await page.evaluate(() => {
        try {
          new PasswordCredential({ id: '', password: 'x' });
          return 'constructed';
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message} ${e instanceof TypeError}`;
        }
      });
      const agentPage = await fedcm.agent!.open(`${RP}/direct`, { load: false });
      let expected = '';
      try {
        new agentPage.PasswordCredential!({ id: '', password: 'x' });
      } catch (e) {
        expected = `${(e as Error).name}: ${(e as Error).message} true`;
      }
      agentPage.close();
      assert.equal(thrown, expected);

      // From a form (CM §3.3.4), in the constructor and in create().
      const fromForm = await page.evaluate(async () => {
        const form = document.createElement('form');
        form.innerHTML = '<input name="u" autocomplete="username" value="dee"><input name="p" type="password" autocomplete="current-password" value="pw">';
        const c = new PasswordCredential(form);
        const created = (await navigator.credentials.create({ password: form } as CredentialCreationOptions)) as unknown as { id: string; password: string };
        let message = '';
        try {
          new PasswordCredential(document.createElement('form'));
        } catch (e) {
          message = (e as Error).message;
        }
        return { id: c.id, password: c.password, created: created instanceof PasswordCredential && `${created.id}/${created.password}`, message };
      });
      assert.deepEqual(fromForm, { id: 'dee', password: 'pw', created: 'dee/pw', message: "'username' must be specified in the form's autocomplete attribute." });

      const stored = page.evaluate(() => navigator.credentials.store(new PasswordCredential({ id: 'dee', password: 'secret', name: 'Dee' })).then(() => 'stored'));
      const save = await fedcm.waitForDialog({ type: 'SaveCredential' });
      assert.equal(save.credential.id, 'dee');
      await fedcm.clickDialogButton('SaveCredentialConfirm');
      assert.equal(await within(stored, 10_000, 'store()'), 'stored');
      const got = page.evaluate(() =>
        navigator.credentials.get({ password: true, mediation: 'required' } as CredentialRequestOptions).then((c) => ({
          password: c instanceof PasswordCredential,
          credential: c instanceof Credential,
          id: c?.id,
          secret: (c as unknown as { password: string }).password,
        })),
      );
      await fedcm.waitForDialog({ type: 'CredentialChooser' });
      await fedcm.selectAccount(0);
      assert.deepEqual(await within(got, 10_000, 'get({password})'), { password: true, credential: true, id: 'dee', secret: 'secret' });
    });

    it('stores and gets a FederatedCredential', { timeout: 20_000 }, async () => {
      const stored = page.evaluate(() => navigator.credentials.store(new FederatedCredential({ id: 'dee@idp.example', provider: 'https://idp.example/' })).then(() => 'stored'));
      await fedcm.waitForDialog({ type: 'SaveCredential' });
      await fedcm.selectAccount(0);
      assert.equal(await within(stored, 10_000, 'store()'), 'stored');
      const got = page.evaluate(() =>
        navigator.credentials.get({ federated: { providers: ['https://idp.example'] }, mediation: 'required' } as CredentialRequestOptions).then((c) => ({
          federated: c instanceof FederatedCredential,
          provider: (c as unknown as { provider: string }).provider,
        })),
      );
      await fedcm.waitForDialog({ type: 'CredentialChooser' });
      await fedcm.selectAccount(0);
      assert.deepEqual(await within(got, 10_000, 'get({federated})'), { federated: true, provider: 'https://idp.example' });
    });

    it('creates and gets a passkey with ArrayBuffers of the page (PublicKeyCredential)', { timeout: 20_000 }, async () => {
      const result = await within(
        page.evaluate(async () => {
          const created = (await navigator.credentials.create({
            publicKey: {
              challenge: new Uint8Array([1, 2, 3, 4]),
              rp: { name: 'RP' },
              user: { id: new Uint8Array([7, 7, 7]), name: 'dee', displayName: 'Dee' },
              pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
              authenticatorSelection: { residentKey: 'required' },
            },
          })) as PublicKeyCredential;
          const attestation = created.response as AuthenticatorAttestationResponse;
          const asserted = (await navigator.credentials.get({ publicKey: { challenge: new Uint8Array([5, 6]) } })) as PublicKeyCredential;
          const assertion = asserted.response as AuthenticatorAssertionResponse;
          const clientData = JSON.parse(new TextDecoder().decode(assertion.clientDataJSON)) as { type: string; origin: string };
          return {
            created: created instanceof PublicKeyCredential,
            rawId: created.rawId instanceof ArrayBuffer,
            attestation: attestation instanceof AuthenticatorAttestationResponse,
            algorithm: attestation.getPublicKeyAlgorithm(),
            sameId: asserted.id === created.id,
            signature: assertion.signature instanceof ArrayBuffer && assertion.signature.byteLength > 0,
            userHandle: Array.from(new Uint8Array(assertion.userHandle!)),
            clientData: { type: clientData.type, origin: clientData.origin },
            json: (asserted.toJSON() as { type: string }).type,
            platform: await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(),
          };
        }),
        15_000,
        'create() and get() with publicKey',
      );
      assert.deepEqual(result, {
        created: true,
        rawId: true,
        attestation: true,
        algorithm: -7,
        sameId: true,
        signature: true,
        userHandle: [7, 7, 7],
        clientData: { type: 'webauthn.get', origin: RP },
        json: 'public-key',
        platform: true,
      });
    });

    it('close() gives the pages their own interfaces back', { timeout: 20_000 }, async () => {
      assert.equal(await page.evaluate(() => typeof IdentityCredential), 'function');
      await fedcm.close();
      assert.equal(await page.evaluate(() => typeof (window as { IdentityCredential?: unknown }).IdentityCredential), 'undefined', 'this Chromium has no FedCM of its own');
      assert.equal(await page.evaluate(() => Object.prototype.toString.call(navigator.credentials)), '[object CredentialsContainer]');
      await page.reload();
      assert.equal(await page.evaluate(() => typeof (window as { IdentityCredential?: unknown }).IdentityCredential), 'undefined', 'no init script after close()');
    });
  });
});
