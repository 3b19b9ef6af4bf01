// Each FedCM endpoint answering badly: what the page sees (what a browser shows), the dialog
// the user sees, and the diagnostic that says what is wrong. Hostile answers (oversize, slow,
// hanging, redirects) end the request promptly and never crash the agent.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { IdentityCredential, IdentityCredentialError, type CredentialMediationRequirement, type Dialog, type DialogType } from '../../src/agent/index.js';
import { errorResponse, johnDoe, type IdpAccount } from '../fixtures/index.js';
import type { FixtureResponse } from '../fixtures/server.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

let w: World;
beforeEach(async () => {
  w = await startWorld({ agent: { timeoutMs: 500 } });
  await w.signInAtIdp();
});
afterEach(() => w.close());

/** Runs get(), answers the dialog (if one shows) and returns the outcome. */
async function attempt(options: { answer?: 'select' | 'cancel'; mediation?: CredentialMediationRequirement } = {}) {
  const shown: DialogType[] = [];
  const answer = (d: Dialog): void => {
    shown.push(d.dialogType);
    setImmediate(() => {
      if (d.dialogType === 'AccountChooser' && options.answer !== 'cancel') w.agent.automation.selectAccount(0);
      else if (d.dialogType !== 'AutoReauthn') w.agent.automation.cancelDialog();
    });
  };
  w.agent.on('dialogShown', answer);
  const started = performance.now();
  const result = await w.page
    .navigator.credentials!.get({ identity: { providers: [w.provider()] }, ...(options.mediation ? { mediation: options.mediation } : {}) })
    .then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error: error as DOMException }),
    );
  w.agent.off('dialogShown', answer);
  return { ...result, shown, ms: performance.now() - started, reasons: w.agent.diagnostics.map((d) => d.reason) };
}

function expectNetworkError(outcome: Awaited<ReturnType<typeof attempt>>, reason: string): void {
  assert.equal(outcome.error?.name, 'NetworkError', `expected NetworkError, got ${String(outcome.error ?? outcome.value)}`);
  assert.equal(outcome.error?.message, 'Error retrieving a token.');
  assert.equal((outcome.error?.cause as { reason?: string } | undefined)?.reason, reason, `diagnostics: ${outcome.reasons.join(', ')}`);
}

describe('config file', () => {
  const cases: [string, FixtureResponse, string][] = [
    ['404', { status: 404, body: 'nope' }, 'ConfigHttpNotFound'],
    ['500', { status: 500, json: {} }, 'ConfigNoResponse'],
    ['text/plain', { headers: { 'content-type': 'text/plain' }, body: '{}' }, 'ConfigInvalidContentType'],
    ['bad JSON', { headers: { 'content-type': 'application/json' }, body: '{"accounts_endpoint": ' }, 'ConfigInvalidResponse'],
    ['a JSON array', { json: [] }, 'ConfigInvalidResponse'],
    ['a redirect', { redirect: '/fedcm/other.json' }, 'ConfigNoResponse'],
    ['over 1 MiB', { json: { pad: 'x'.repeat(1024 * 1024) } }, 'ConfigNoResponse'],
    ['a body that drips slower than the timeout', { drip: { chunk: ' ', everyMs: 100, count: 50 }, json: {} }, 'ConfigNoResponse'],
    ['a body that never ends', { hang: true }, 'ConfigNoResponse'],
  ];
  for (const [name, response, reason] of cases) {
    it(`fails with ${reason} for ${name}`, async () => {
      w.idp.override('config', () => response);
      const outcome = await attempt();
      expectNetworkError(outcome, reason);
      assert.deepEqual(outcome.shown, []);
      assert.ok(outcome.ms < 2000, `settled in ${outcome.ms} ms`);
    });
  }

  it('needs login_url (WPT fedcm-no-login-url) and same-origin endpoints', async () => {
    w.idp.setConfig({ login_url: undefined });
    let outcome = await attempt();
    expectNetworkError(outcome, 'ConfigInvalidResponse');
    assert.match((outcome.error?.cause as { detail: string }).detail, /"login_url" is missing/);
    w.idp.setConfig({ login_url: '/login', accounts_endpoint: 'https://other.example/accounts' });
    outcome = await attempt();
    expectNetworkError(outcome, 'ConfigInvalidResponse');
    assert.match((outcome.error?.cause as { detail: string }).detail, /not same-origin/);
  });

  it('accepts absolute same-origin endpoints', async () => {
    w.idp.setConfig({ accounts_endpoint: 'https://idp.example/fedcm/accounts' });
    const outcome = await attempt();
    assert.ok(outcome.value instanceof IdentityCredential);
  });
});

describe('well-known file', () => {
  it('must list the config URL (WPT fedcm-manifest-not-in-list)', async () => {
    w.idp.setWellKnown({ provider_urls: ['https://idp.example/other/config.json'] });
    expectNetworkError(await attempt(), 'ConfigNotInWellKnown');
  });

  it('may list only one config URL', async () => {
    w.idp.setWellKnown({ provider_urls: [w.idp.configURL, 'https://idp.example/2.json'] });
    expectNetworkError(await attempt(), 'WellKnownTooBig');
  });

  it('rejects an empty list, a missing list and a missing file', async () => {
    w.idp.setWellKnown({ provider_urls: [] });
    expectNetworkError(await attempt(), 'WellKnownListEmpty');
    w.idp.setWellKnown('empty');
    expectNetworkError(await attempt(), 'WellKnownInvalidResponse');
    w.idp.setWellKnown('missing');
    expectNetworkError(await attempt(), 'WellKnownHttpNotFound');
  });

  it('accepts the direct form (accounts_endpoint + login_url) and checks it against the config', async () => {
    w.idp.setWellKnown('direct');
    assert.ok((await attempt()).value instanceof IdentityCredential);
    w.idp.setWellKnown({ accounts_endpoint: '/fedcm/accounts', login_url: '/elsewhere' });
    expectNetworkError(await attempt(), 'ConfigInvalidResponse');
  });

  it('warns (Chromium) or fails (compat.strictWellKnown, the spec) when client metadata needs the direct form', async () => {
    w.idp.setWellKnown('provider_urls');
    const lenient = await attempt();
    assert.ok(lenient.value instanceof IdentityCredential);
    assert.ok(lenient.reasons.includes('ConfigWarning'));
    const strict = await startWorld({ agent: { compat: { strictWellKnown: true } } });
    try {
      await strict.signInAtIdp();
      const e = (await rejection(strict.page.navigator.credentials!.get({ identity: { providers: [strict.provider()] } }))) as DOMException;
      assert.equal((e.cause as { reason: string }).reason, 'WellKnownInvalidResponse');
      strict.idp.setWellKnown('both');
      strict.agent.on('dialogShown', () => setImmediate(() => strict.agent.automation.selectAccount(0)));
      assert.ok((await strict.page.navigator.credentials!.get({ identity: { providers: [strict.provider()] } })) instanceof IdentityCredential);
    } finally {
      await strict.close();
    }
  });

  it('is fetched from the registrable domain for a config on a subdomain, and not at all for a same-site RP', async () => {
    const sub = await startWorld({ idp: { origin: 'https://accounts.idp.example' } });
    try {
      await sub.signInAtIdp();
      sub.agent.on('dialogShown', () => setImmediate(() => sub.agent.automation.selectAccount(0)));
      assert.ok((await sub.page.navigator.credentials!.get({ identity: { providers: [sub.provider()] } })) instanceof IdentityCredential);
      assert.equal(sub.server.requestsTo('https://idp.example', '/.well-known/web-identity').length, 1);
      sub.server.clearRequests();
      const sameSite = await sub.agent.open('https://www.idp.example/', { load: false });
      assert.ok((await sameSite.navigator.credentials!.get({ identity: { providers: [sub.provider()] } })) instanceof IdentityCredential);
      assert.equal(sub.server.requestsTo('https://idp.example', '/.well-known/web-identity').length, 0);
    } finally {
      await sub.close();
    }
  });
});

describe('accounts endpoint', () => {
  const invalid: [string, unknown][] = [
    ['no accounts member', { users: [] }],
    ['accounts not a list', { accounts: {} }],
    ['an account without id', { accounts: [{ name: 'A', email: 'a@x' }] }],
    ['an account with only an id', { accounts: [{ id: '1' }] }],
    ['duplicate ids', { accounts: [johnDoe(), johnDoe()] }],
    ['an account that is not an object', { accounts: ['x'] }],
  ];
  for (const [name, body] of invalid) {
    it(`shows the mismatch dialog when logged in and the list has ${name}`, async () => {
      w.idp.override('accounts', () => ({ json: body }));
      const outcome = await attempt();
      assert.deepEqual(outcome.shown, ['ConfirmIdpLogin']);
      expectNetworkError(outcome, 'UiDismissedNoEmbargo');
      assert.ok(outcome.reasons.includes('AccountsInvalidResponse'));
    });
  }

  it('accepts accounts identified only by tel or username (WPT alternative-identifiers)', async () => {
    const accounts: IdpAccount[] = [
      { id: 'tel', tel: '+1 555 0100' },
      { id: 'user', username: 'jdoe' },
    ];
    w.idp.setAccounts(accounts);
    const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    const list = w.agent.automation.getAccountList();
    assert.deepEqual(
      list.map((a) => [a.accountId, a.name, a.email]),
      [
        ['tel', '+1 555 0100', ''],
        ['user', 'jdoe', ''],
      ],
    );
    w.agent.automation.cancelDialog();
    await rejection(pending);
  });

  it('treats a redirect as no accounts: the mismatch dialog (WPT fedcm-accounts-endpoint-rejects-redirects)', async () => {
    w.idp.override('accounts', () => ({ redirect: '/fedcm/other' }));
    const outcome = await attempt();
    assert.deepEqual(outcome.shown, ['ConfirmIdpLogin']);
    assert.equal(outcome.error?.name, 'NetworkError');
    assert.ok(outcome.reasons.includes('AccountsNoResponse'));
  });

  it('with login status unknown and no accounts: fails without a dialog and marks the IdP logged out', async () => {
    const fresh = await startWorld();
    try {
      await fresh.agent.cookies.set('https://idp.example/', 'sid=0; SameSite=None; Secure');
      const e = (await rejection(fresh.page.navigator.credentials!.get({ identity: { providers: [fresh.provider()] } }))) as DOMException;
      assert.equal((e.cause as { reason: string }).reason, 'AccountsListEmpty');
      assert.equal(fresh.agent.profile.getLoginStatus('https://idp.example'), 'logged-out');
      fresh.server.clearRequests();
      const again = (await rejection(fresh.page.navigator.credentials!.get({ identity: { providers: [fresh.provider()] } }))) as DOMException;
      assert.equal((again.cause as { reason: string }).reason, 'NotSignedInWithIdp');
      assert.deepEqual(fresh.server.requests, [], 'a logged-out IdP gets no request at all');
    } finally {
      await fresh.close();
    }
  });
});

describe('ID assertion endpoint', () => {
  async function tokenError(response: FixtureResponse | ((origin: string) => FixtureResponse)) {
    w.idp.setToken((req) => (typeof response === 'function' ? response(req.headers['origin'] ?? '') : response));
    const outcome = await attempt();
    assert.deepEqual(outcome.shown, ['AccountChooser', 'Error']);
    assert.ok(outcome.error instanceof IdentityCredentialError, `got ${String(outcome.error)}`);
    assert.equal(outcome.error.name, 'IdentityCredentialError');
    return { error: outcome.error as IdentityCredentialError, reason: (outcome.error.cause as { reason: string }).reason };
  }

  it('reads {error} even from a 401 without CORS headers (WPT fedcm-error-basic)', async () => {
    w.idp.setToken(errorResponse({ status: 401, error: 'unauthorized_client', url: 'error.html' }));
    const outcome = await attempt();
    const e = outcome.error as IdentityCredentialError;
    assert.equal(e.error, 'unauthorized_client');
    assert.equal(e.url, 'https://idp.example/fedcm/error.html');
    assert.equal(w.agent.diagnostics.at(-1)?.reason, 'IdTokenIdpErrorResponse');
  });

  it('drops an error url that is not same-site with the endpoint', async () => {
    const { error, reason } = await tokenError({ status: 400, json: { error: { error: 'invalid_request', url: 'https://evil.test/x' } } });
    assert.equal(error.error, 'invalid_request');
    assert.equal(error.url, '');
    assert.equal(reason, 'IdTokenCrossSiteIdpErrorResponse');
  });

  it('fails the CORS check without Access-Control-Allow-Origin (WPT fedcm-identity-assertion-nocors)', async () => {
    const { error, reason } = await tokenError({ json: { token: 'token' } });
    assert.equal(error.error, '');
    assert.equal(reason, 'CorsError');
  });

  it('fails the CORS check with a wildcard origin or without credentials', async () => {
    assert.equal((await tokenError({ headers: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' }, json: { token: 't' } })).reason, 'CorsError');
    assert.equal((await tokenError((o) => ({ headers: { 'access-control-allow-origin': o }, json: { token: 't' } }))).reason, 'CorsError');
  });

  it('treats a token with a 403 status as an error (WPT fedcm-token-returned-with-http-error)', async () => {
    const { error } = await tokenError((o) => ({ status: 403, headers: cors(o), json: { token: 'token' } }));
    assert.equal(error.error, '');
    assert.equal(error.url, '');
  });

  it('maps a bare 500 to server_error and 503 to temporarily_unavailable', async () => {
    assert.equal((await tokenError((o) => ({ status: 500, headers: cors(o), body: 'oops' }))).error.error, 'server_error');
    assert.equal((await tokenError((o) => ({ status: 503, headers: cors(o), json: {} }))).error.error, 'temporarily_unavailable');
  });

  it('refuses redirects (WPT fedcm-token-endpoint-rejects-redirects)', async () => {
    const { error, reason } = await tokenError({ status: 308, headers: { location: '/fedcm/token2' } });
    assert.equal(error.error, '');
    assert.equal(reason, 'IdTokenNoResponse');
  });

  it('rejects a response with neither token, continue_on nor error', async () => {
    assert.equal((await tokenError((o) => ({ headers: cors(o), json: { tok: 1 } }))).reason, 'IdTokenInvalidResponse');
  });

  it('rejects a cross-origin continue_on with a NetworkError and no Error dialog, as Chromium', async () => {
    w.idp.setToken((req) => ({ headers: cors(req.headers['origin'] ?? ''), json: { continue_on: 'https://evil.test/' } }));
    const outcome = await attempt();
    assert.deepEqual(outcome.shown, ['AccountChooser']);
    expectNetworkError(outcome, 'IdTokenInvalidResponse');
  });

  it('passes any JSON value through as the token (WPT fedcm-flexible-token)', async () => {
    for (const token of ['s', 42, -1, 0, 3.5, true, false, null, [], [1, 'a', { b: null }], {}, { nested: { deep: [1] } }]) {
      w.idp.setToken((req) => ({ headers: cors(req.headers['origin'] ?? ''), json: { token } }));
      const outcome = await attempt();
      assert.ok(outcome.value instanceof IdentityCredential, `token ${JSON.stringify(token)}`);
      assert.deepEqual(outcome.value.token, token);
    }
  });

  it('dismissing the Error dialog with either button gives the same error', async () => {
    w.idp.setToken(errorResponse({ status: 401, error: 'access_denied', url: 'https://idp.example/why' }));
    for (const button of ['ErrorGotIt', 'ErrorMoreDetails'] as const) {
      const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
      await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
      w.agent.automation.selectAccount(0);
      const d = await w.agent.automation.waitForDialog({ type: 'Error' });
      assert.equal(d.dialogType === 'Error' && d.error, 'access_denied');
      w.agent.automation.clickDialogButton(button);
      const e = (await rejection(pending)) as IdentityCredentialError;
      assert.equal(e.error, 'access_denied');
      assert.equal(e.url, 'https://idp.example/why');
    }
  });
});

function cors(origin: string): Record<string, string> {
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' };
}
