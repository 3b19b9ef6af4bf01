// fedkit/jsdom, through the package's own export as users import it: installFedCM on jsdom windows
// made here (new JSDOM, whose window is a realm of its own, as under Jest), signing in against
// fedkit/testing's IdP. Page-realm checks run as page code (window.eval), so `DOMException`,
// `TypeError`, `Promise` and `IdentityCredential` there are the window's own.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { JSDOM, type DOMWindow } from 'jsdom';
import { createAgent, type Diagnostic } from 'fedkit/agent';
import { getFedCM, installFedCM, type FedCM, type InstallFedCMOptions } from 'fedkit/jsdom';
import { createTestSystem, startTestSystem, type TestSystem } from 'fedkit/testing';

let system: TestSystem;
before(async () => {
  system = await startTestSystem();
});
after(async () => {
  await system?.close();
});

/** A jsdom window at `url` whose page code the test can run (window.eval). */
function newWindow(url = 'https://rp.example/'): DOMWindow {
  return new JSDOM('<!doctype html><button id="sign-in">Sign in</button>', { url, runScripts: 'outside-only' }).window;
}

/** Installs on a new window with an agent for the test system, Jane signed in at the IdP. */
async function installed(extra: Partial<InstallFedCMOptions> = {}): Promise<{ window: DOMWindow; fedcm: FedCM }> {
  const window = newWindow();
  const fedcm = await installFedCM(window, { hostRules: system.hostRules, ca: system.ca, ...extra } as InstallFedCMOptions);
  await fedcm.agent.open(system.idp.signInUrl());
  return { window, fedcm };
}

/** The providers member for the test IdP. */
const provider = (overrides: Record<string, unknown> = {}) => ({ configURL: system.idp.configURL, clientId: system.idp.clientId, ...overrides });

/** Runs `code` as page code; its value (a promise, usually) is the window's. */
function page<T>(window: DOMWindow, code: string): T {
  return window.eval(code) as T;
}

/** Resolves with what `p` rejects with; fails if it resolves, or after `ms`. */
async function rejection(p: Promise<unknown>, ms = 10_000): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no rejection within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([p.then((v) => assert.fail(`expected a rejection, got ${String(v)}`)), timeout]);
  } catch (e) {
    return e;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('unreachable');
}

describe('fedkit/jsdom: installFedCM', { timeout: 30_000 }, () => {
  it('gives the window the surface of a fedkit page, each interface its own', async () => {
    const { window, fedcm } = await installed();
    try {
      const seen = page<string>(
        window,
        `[typeof navigator.credentials.get, typeof navigator.credentials.store, typeof navigator.credentials.create, typeof navigator.credentials.preventSilentAccess,
          navigator.credentials instanceof CredentialsContainer, typeof IdentityCredential.disconnect, typeof IdentityCredentialError, typeof IdentityProvider.close,
          typeof navigator.login.setStatus, navigator.userActivation.isActive, typeof PasswordCredential, typeof FederatedCredential, typeof OTPCredential, isSecureContext].join(' ')`,
      );
      assert.equal(seen, 'function function function function true function function function function false function function function true');
      assert.equal(getFedCM(window), fedcm);
      assert.equal(fedcm.window, window);
      assert.equal(fedcm.frame.url.href, 'https://rp.example/');
      assert.equal(fedcm.frame.response, undefined, 'the document is created without a request');
    } finally {
      await fedcm.uninstall();
    }
  });

  it('signs in passively: the chooser answered through automation, the credential and its promise the page’s own', async () => {
    const { window, fedcm } = await installed();
    try {
      const pending = page<Promise<string>>(
        window,
        `(async () => {
          const p = navigator.credentials.get({ identity: { providers: [${JSON.stringify(provider({ params: { nonce: 'n-1' } }))}] } });
          const c = await p;
          return JSON.stringify([p instanceof Promise, c instanceof IdentityCredential, c instanceof Credential, c.type, c.isAutoSelected, c.configURL, c.token]);
        })()`,
      );
      assert.ok(pending instanceof window.Promise);
      const dialog = await fedcm.agent.automation.waitForDialog({ type: 'AccountChooser', timeoutMs: 5000 });
      assert.deepEqual(
        dialog.accounts.map((a) => [a.name, a.email]),
        [['Jane Doe', 'jane@idp.example']],
      );
      fedcm.agent.automation.selectAccount(0);
      const [isPromise, isCredential, isBase, type, auto, configURL, token] = JSON.parse(await pending) as [boolean, boolean, boolean, string, boolean, string, string];
      assert.deepEqual([isPromise, isCredential, isBase, type, auto, configURL], [true, true, true, 'identity', false, system.idp.configURL]);
      const claims = decodeJwt(token);
      assert.equal(claims.sub, 'jane');
      assert.equal(claims.aud, system.idp.clientId);
      assert.equal(claims.nonce, 'n-1');
    } finally {
      await fedcm.uninstall();
    }
  });

  it('signs in through in-process handlers (createTestSystem), with no listener at all', async () => {
    const inProcess = await createTestSystem();
    const window = newWindow();
    const fedcm = await installFedCM(window, { handlers: inProcess.handlers });
    try {
      await fedcm.agent.open(inProcess.idp.signInUrl());
      const pending = page<Promise<string>>(
        window,
        `navigator.credentials.get({ identity: { providers: [${JSON.stringify({ configURL: inProcess.idp.configURL, clientId: inProcess.idp.clientId, params: { nonce: 'n-2' } })}] } }).then((c) => c.token)`,
      );
      await fedcm.chooseAccount('jane@idp.example', { timeoutMs: 5000 });
      const claims = decodeJwt(await pending);
      assert.equal(claims.sub, 'jane');
      assert.equal(claims.nonce, 'n-2');
    } finally {
      await fedcm.uninstall();
      await inProcess.close();
    }
  });

  it('signs in in active mode after a dispatched click, chosen with chooseAccount', async () => {
    const { window, fedcm } = await installed();
    try {
      page(
        window,
        `document.getElementById('sign-in').addEventListener('click', () => {
          window.result = navigator.credentials.get({ identity: { mode: 'active', providers: [${JSON.stringify(provider())}] } })
            .then((c) => ({ token: c.token, active: navigator.userActivation.isActive }));
        })`,
      );
      (window.document.getElementById('sign-in') as HTMLButtonElement).click();
      const dialog = await fedcm.chooseAccount('jane@idp.example', { timeoutMs: 5000 });
      assert.equal(dialog.accounts[0]?.accountId, 'jane');
      const result = (await (window as unknown as { result: Promise<{ token: string; active: boolean }> }).result);
      assert.equal(decodeJwt(result.token).sub, 'jane');
      assert.equal(result.active, true, 'the click gave the document transient activation');
    } finally {
      await fedcm.uninstall();
    }
  });

  it('refuses active mode without a click: the page’s NetworkError, the diagnostic as cause', async () => {
    const { window, fedcm } = await installed();
    try {
      const outcome = await page<Promise<{ name: string; isDOMException: boolean; message: string; cause: Diagnostic }>>(
        window,
        `navigator.credentials.get({ identity: { mode: 'active', providers: [${JSON.stringify(provider())}] } })
          .then(() => ({ name: 'resolved' }), (e) => ({ name: e.name, isDOMException: e instanceof DOMException, message: e.message, cause: e.cause }))`,
      );
      assert.equal(outcome.name, 'NetworkError');
      assert.equal(outcome.isDOMException, true);
      assert.equal(outcome.cause.reason, 'MissingTransientUserActivation');
      assert.equal(window.navigator.userActivation.isActive, false);
    } finally {
      await fedcm.uninstall();
    }
  });

  it('shows an unregistered clientId as the page’s IdentityCredentialError, the diagnostic as cause', async () => {
    const { window, fedcm } = await installed();
    try {
      const outcome = page<Promise<Record<string, unknown>>>(
        window,
        `navigator.credentials.get({ identity: { providers: [${JSON.stringify(provider({ clientId: 'nobody' }))}] } }).then(
          () => ({ name: 'resolved' }),
          (e) => ({ name: e.name, error: e.error, isICE: e instanceof IdentityCredentialError, isDOMException: e instanceof DOMException, isError: e instanceof Error, cause: e.cause }))`,
      );
      // The test IdP lists Jane for any client; its assertion endpoint refuses the unknown one.
      await fedcm.chooseAccount(0, { timeoutMs: 5000 });
      const error = await fedcm.waitForDialog({ type: 'Error', timeoutMs: 5000 });
      assert.equal(error.error, 'unauthorized_client');
      fedcm.agent.automation.cancelDialog();
      const { cause, ...seen } = await outcome;
      assert.deepEqual(seen, { name: 'IdentityCredentialError', error: 'unauthorized_client', isICE: true, isDOMException: true, isError: true });
      assert.equal((cause as Diagnostic).reason, 'IdTokenIdpErrorResponse');
      assert.equal((cause as Diagnostic).endpoint, 'id assertion endpoint');
      assert.ok(fedcm.agent.diagnostics.includes(cause as Diagnostic), 'the cause is the diagnostic the agent reported');
    } finally {
      await fedcm.uninstall();
    }
  });

  it("makes IdentityCredentialError a subclass of the window's DOMException, and agent TypeErrors the window's", async () => {
    const { window, fedcm } = await installed();
    try {
      const seen = await page<Promise<string>>(
        window,
        `(async () => {
          const out = [];
          const e = new IdentityCredentialError('m', { error: 'access_denied', url: 'https://idp.example/help' });
          out.push(e instanceof IdentityCredentialError, e instanceof DOMException, e instanceof Error, e.name, e.error, e.url);
          for (const make of [() => new IdentityCredential(), () => new Credential(), () => new CredentialsContainer(), () => new OTPCredential(), () => new PasswordCredential({})]) {
            try { make(); out.push('constructed'); } catch (t) { out.push(t instanceof TypeError); }
          }
          try { await navigator.credentials.get({ identity: { providers: 'x' } }); } catch (t) { out.push(t instanceof TypeError, t.name); }
          try { await navigator.credentials.get({}); } catch (t) { out.push(t instanceof DOMException, t.name); }
          out.push(await PasswordCredential.isConditionalMediationAvailable());
          out.push(new PasswordCredential({ id: 'jane', password: 'pw' }) instanceof PasswordCredential);
          return out.join(' ');
        })()`,
      );
      assert.equal(seen, 'true true true IdentityCredentialError access_denied https://idp.example/help true true true true true true TypeError true NotSupportedError false true');
    } finally {
      await fedcm.uninstall();
    }
  });

  it('uninstall() puts the window back exactly, ends the document and closes the agent it created', async () => {
    const window = newWindow();
    // A property some test set up before (the old way: a copied navigator.credentials).
    const old = { get: () => 'old credentials' };
    Object.defineProperty(window.navigator, 'credentials', { value: old, configurable: true, writable: false, enumerable: true });
    const snapshot = () => [window, window.navigator, window.document].map((o) => Object.getOwnPropertyDescriptors(o));
    const before = snapshot();
    const fedcm = await installFedCM(window, { hostRules: system.hostRules, ca: system.ca });
    assert.notEqual(window.navigator.credentials, old);
    assert.notDeepEqual(snapshot(), before);
    await fedcm.agent.open(system.idp.signInUrl());
    const ended = rejection(window.navigator.credentials.get({ identity: { providers: [provider()] } } as CredentialRequestOptions));
    await fedcm.waitForDialog({ timeoutMs: 5000 }).catch(() => undefined);
    await fedcm.uninstall();
    await fedcm.uninstall(); // twice is fine
    assert.deepStrictEqual(snapshot(), before);
    assert.equal(window.navigator.credentials, old);
    for (const name of ['IdentityCredential', 'IdentityCredentialError', 'IdentityProvider', 'PasswordCredential', 'FederatedCredential', 'OTPCredential', 'CredentialsContainer', 'Credential']) {
      assert.equal(Object.hasOwn(window, name), false, name);
    }
    assert.equal('login' in window.navigator, false);
    const e = (await ended) as DOMException;
    assert.ok(e instanceof window.DOMException);
    assert.equal(e.name, 'AbortError', 'the pending request ends with the document');
    window.document.body.click();
    assert.equal(fedcm.frame.hasTransientActivation, false, 'the click listeners are gone');
    assert.throws(() => getFedCM(window), /not installed/);
    await assert.rejects(fedcm.agent.open(system.rp.url()), 'the agent installFedCM created is closed');
    // And it can be installed again.
    const again = await installFedCM(window, { hostRules: system.hostRules, ca: system.ca });
    await again.uninstall();
    assert.deepStrictEqual(snapshot(), before);
  });

  it("leaves the caller's agent open; cancelDialog makes the page's request fail", async () => {
    const agent = createAgent({ hostRules: system.hostRules, ca: system.ca });
    try {
      await agent.open(system.idp.signInUrl());
      const window = newWindow();
      const fedcm = await installFedCM(window, { agent, url: '/account' });
      assert.equal(fedcm.agent, agent);
      assert.equal(fedcm.frame.url.href, 'https://rp.example/account');
      const pending = window.navigator.credentials.get({ identity: { providers: [provider()] } } as CredentialRequestOptions);
      const dialog = await fedcm.cancelDialog({ timeoutMs: 5000 });
      assert.equal(dialog.dialogType, 'AccountChooser');
      assert.equal(((await rejection(pending)) as DOMException).name, 'NetworkError');
      await fedcm.uninstall();
      const page = await agent.open(system.rp.url());
      assert.equal(page.response?.status, 200, 'the agent still works');
    } finally {
      await agent.close();
    }
  });

  it('bounds the dialog helpers: no dialog is a rejection, not a hang', async () => {
    const { fedcm } = await installed();
    try {
      await assert.rejects(fedcm.chooseAccount(0, { timeoutMs: 50 }), { name: 'AutomationError', message: /No AccountChooser dialog was shown within 50 ms/ });
    } finally {
      await fedcm.uninstall();
    }
  });
});

describe('fedkit/jsdom: bad input', () => {
  const reach = () => ({ hostRules: system.hostRules, ca: system.ca });

  it('refuses what is not a window', async () => {
    const window = newWindow();
    for (const notAWindow of [undefined, null, {}, 'window', window.document, window.navigator]) {
      await assert.rejects(installFedCM(notAWindow as never, reach()), (e: unknown) => e instanceof TypeError && /expected a jsdom window/.test(e.message), String(notAWindow));
    }
  });

  it('refuses an insecure URL, saying why and what to pass', async () => {
    await assert.rejects(installFedCM(newWindow('http://rp.example/'), reach()), {
      name: 'TypeError',
      message: /The window's URL http:\/\/rp\.example\/ is not a secure context.*exist only in secure contexts.*url: 'https:\/\/rp\.example\/'/,
    });
    await assert.rejects(installFedCM(new JSDOM('').window, reach()), { name: 'TypeError', message: /about:blank is not a secure context/ });
    await assert.rejects(installFedCM(newWindow(), { ...reach(), url: 'http://rp.example/' }), { name: 'TypeError', message: /options\.url http:\/\/rp\.example\/ is not a secure context/ });
    await assert.rejects(installFedCM(newWindow(), { ...reach(), url: 'https://[nope' }), { name: 'TypeError', message: /is not a valid URL/ });
    // http: on localhost is a secure context, as in browsers.
    const local = await installFedCM(newWindow('http://localhost:3000/'), reach());
    assert.equal(local.frame.isSecureContext, true);
    await local.uninstall();
  });

  it('refuses unknown, conflicting and malformed options, and a second installation', async () => {
    const window = newWindow();
    await assert.rejects(installFedCM(window, { hostRule: system.hostRules } as never), { name: 'TypeError', message: /unknown option "hostRule".*hostRules/ });
    const agent = createAgent();
    try {
      await assert.rejects(installFedCM(window, { agent, ca: system.ca } as never), { name: 'TypeError', message: /either an agent or agent options, not both.*ca would be ignored/ });
      await assert.rejects(installFedCM(window, { agent: {} } as never), { name: 'TypeError', message: /options\.agent must be an Agent/ });
      await assert.rejects(installFedCM(window, 'https://rp.example/' as never), { name: 'TypeError', message: /options must be an object/ });
      const fedcm = await installFedCM(window, { agent });
      try {
        await assert.rejects(installFedCM(window, reach()), { name: 'TypeError', message: /already installed on this window/ });
      } finally {
        await fedcm.uninstall();
      }
    } finally {
      await agent.close();
    }
    assert.throws(() => getFedCM(window), { name: 'TypeError', message: /not installed on this window/ });
  });

  it('types the options precisely (checked by tsc)', () => {
    // Never called: tsc checks these lines, so a misspelt member is a build error.
    const typeChecks = (window: DOMWindow, agent: ReturnType<typeof createAgent>) => {
      // @ts-expect-error a misspelt agent option
      void installFedCM(window, { hostRule: {} });
      // @ts-expect-error an agent and agent options at once
      void installFedCM(window, { agent, ca: '' });
      // @ts-expect-error a document is not a window
      void installFedCM(window.document, {});
      // @ts-expect-error url is a string or a URL
      void installFedCM(window, { url: 1 });
      void installFedCM(window, { agent, url: new URL('https://rp.example/'), documentCookie: true, activationEvents: ['click'] });
      void installFedCM(window, { hostRules: 'MAP *.example:443 127.0.0.1:1', ca: [''], rejectionDelay: false, onCredentialRequest: (e) => void e.method });
      void installFedCM(window);
    };
    assert.equal(typeof typeChecks, 'function');
  });
});
