// The WPT fedcm/support handlers and helpers the multi-IdP, authz, flexible-token, active-mode and
// well-known files use, re-expressed on the fixture IdP (test/fixtures/idp.ts): the config
// variants are `setConfig`/`setAccounts`/`setToken`/`override` on the fixture's one config URL,
// which is what WPT's select_manifest() achieves by making the well-known file list that config.

import assert from 'node:assert/strict';
import type { CredentialRequestOptions, IdentityCredential } from '../../../src/agent/index.js';
import { corsHeaders, type FixtureRequest, type FixtureResponse, type Handler, type IdpAccount, type IdpController } from '../../fixtures/index.js';
import type { WptWorld } from './world.js';

/** An HTML answer. */
export function html(body: string, headers: Record<string, string | string[]> = {}): FixtureResponse {
  return { headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: `<!doctype html>\n<html><body>\n${body}\n</body></html>\n` };
}

/** A JSON token answer with CORS, as every WPT token handler sends it. */
function tokenJson(req: FixtureRequest, json: unknown): FixtureResponse {
  return { headers: corsHeaders(req), json };
}

/** A WPT handler-specific check failure (WPT answers 55x/56x with a text body). */
function checkFailure(status: number, message: string): FixtureResponse {
  return { status, headers: { 'content-type': 'text/plain' }, body: `${message}\n` };
}

// ---------------------------------------------------------------------------------------------
// Accounts variants

/** accounts_no_approved_clients.py: John (1234) and Jane (jane_doe), neither with approved_clients. */
export function accountsNoApprovedClients(idp: IdpController): IdpAccount[] {
  return [
    {
      id: '1234',
      given_name: 'John',
      name: 'John Doe',
      email: 'john_doe@idp.example',
      picture: idp.url('/pictures/123.png'),
      login_hints: ['john_doe'],
      domain_hints: ['idp.example', 'example'],
    },
    { id: 'jane_doe', given_name: 'Jane', name: 'Jane Doe', email: 'jane_doe@idp.example', picture: idp.url('/pictures/5678.png') },
  ];
}

/** variable_accounts.py's John (approved for 123, 456, 789). */
function variableJohn(idp: IdpController): IdpAccount {
  return {
    id: '1234',
    given_name: 'John',
    name: 'John Doe',
    email: 'john_doe@idp.example',
    picture: idp.url('/pictures/123.png'),
    approved_clients: ['123', '456', '789'],
    login_hints: ['john_doe'],
  };
}

/**
 * variable_accounts.py: the `accounts` cookie picks the list (1: John; 2: John then Jane;
 * otherwise none). The fixture's request checks (session cookie, headers) still run first.
 */
export function variableAccounts(idp: IdpController): Handler {
  return (req) => {
    const john = variableJohn(idp);
    const jane: IdpAccount = {
      id: 'jane_doe',
      given_name: 'Jane',
      name: 'Jane Doe',
      email: 'jane_doe@idp.example',
      picture: idp.url('/pictures/5678.png'),
      approved_clients: ['123', 'abc'],
    };
    const which = req.cookies['accounts'];
    return { json: { accounts: which === '1' ? [john] : which === '2' ? [john, jane] : [] } };
  };
}

// ---------------------------------------------------------------------------------------------
// ID assertion endpoint variants (all after the fixture's tokenCheck)

/**
 * continue_on.py: POST nonce "token" answers `{token: "account=<id>"}`; anything else answers
 * `{continue_on: "resolve.html?selected=<id>&<nonce>&<params>"}` (relative to the endpoint).
 */
export const continueOnPy: Handler = (req) => {
  const account = req.form.get('account_id') ?? '';
  const nonce = req.form.get('nonce') ?? '';
  const params = req.form.get('params') ?? '';
  if (nonce === 'token') return tokenJson(req, { token: `account=${account}` });
  return tokenJson(req, { continue_on: `resolve.html?selected=${account}&${nonce}&${params}` });
};

/** token_check_params.py: POST params must be JSON with {"a string": "a value"}. */
export const tokenCheckParams: Handler = (req) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.form.get('params') ?? '');
  } catch {
    return checkFailure(550, 'params is not JSON');
  }
  if ((parsed as Record<string, unknown> | null)?.['a string'] !== 'a value') return checkFailure(550, 'Incorrect parameters');
  return tokenJson(req, { token: 'token' });
};

/** token_check_disclosure_shown_{true,false}.py. */
export function tokenCheckDisclosureShown(expected: boolean): Handler {
  return (req) => {
    const nonce = req.form.get('nonce') ?? '';
    if (req.form.get('disclosure_text_shown') !== String(expected)) return checkFailure(560, `disclosure_text_shown is not ${expected}`);
    const shownFor = req.form.get('disclosure_shown_for');
    if (expected ? shownFor !== 'name,email,picture' : shownFor !== null) {
      return checkFailure(561, expected ? 'disclosure_shown_for is not name,email,picture' : 'disclosure_shown_for is not None');
    }
    if ((req.form.get('fields') ?? '') !== nonce) return checkFailure(562, 'fields does not match nonce');
    return tokenJson(req, { token: 'token' });
  };
}

/** flexible_tokens.py: params.token_type picks a token of that JSON type. */
export const FLEXIBLE_TOKENS: Record<string, unknown> = {
  string: 'simple_string_token',
  'positive-number': 12345,
  'negative-number': -42,
  'boolean-true': true,
  'boolean-false': false,
  null: null,
  zero: 0,
  float: 3.14159,
  array: ['token1', 'token2', 'token3'],
  'empty-array': [],
  'mixed-array': ['string', 123, true, null, { key: 'value' }],
  object: { access_token: 'abc123', token_type: 'Bearer', expires_in: 3600 },
  'empty-object': {},
  'nested-object': { user: { id: '123', profile: { name: 'Test User', preferences: { theme: 'dark' } } } },
};

export const flexibleTokens: Handler = (req) => {
  const params = JSON.parse(req.form.get('params') ?? '{}') as Record<string, unknown>;
  const type = typeof params['token_type'] === 'string' ? params['token_type'] : 'string';
  const token = Object.hasOwn(FLEXIBLE_TOKENS, type) ? FLEXIBLE_TOKENS[type] : FLEXIBLE_TOKENS['string'];
  return tokenJson(req, { token });
};

/** continue_on_flexible_tokens.py: continue_on resolve_flexible_tokens.html?selected=<id>&params=<quoted params>. */
export const continueOnFlexibleTokens: Handler = (req) => {
  const account = req.form.get('account_id') ?? '';
  const params = req.form.get('params') ?? '';
  return tokenJson(req, { continue_on: `resolve_flexible_tokens.html?selected=${account}&params=${encodeURIComponent(params)}` });
};

// ---------------------------------------------------------------------------------------------
// The IdP's pages (run by jsdomPopups: these are real scripts)

/** resolve.html: IdentityProvider.resolve("account=" + selected, {accountId}) on load. */
export function installResolvePage(w: WptWorld, idp: IdpController = w.idp): void {
  w.server.route(idp.origin, 'GET', '/fedcm/resolve.html', () =>
    html(`<script>
window.onload = () => {
  const params = new URLSearchParams(document.location.search);
  const options = {};
  if (params.get('accountId')) options.accountId = params.get('accountId');
  const token = params.get('selected') ? 'account=' + params.get('selected') : 'resolved token';
  IdentityProvider.resolve(token, options);
};
</script>`),
  );
}

/** resolve_flexible_tokens.html: the token's type and value come from the JSON `params`. */
export function installResolveFlexibleTokensPage(w: WptWorld, idp: IdpController = w.idp): void {
  w.server.route(idp.origin, 'GET', '/fedcm/resolve_flexible_tokens.html', () =>
    html(`<script>
window.onload = () => {
  const query = new URLSearchParams(document.location.search);
  const params = JSON.parse(query.get('params'));
  const options = {};
  if (params.accountId) options.accountId = params.accountId;
  let token;
  switch (params.tokenType) {
    case 'number': token = parseFloat(params.tokenValue); break;
    case 'boolean': token = params.tokenValue === true || params.tokenValue === 'true'; break;
    case 'null': token = null; break;
    case 'object': token = typeof params.tokenValue === 'object' ? params.tokenValue : JSON.parse(params.tokenValue); break;
    case 'array': token = Array.isArray(params.tokenValue) ? params.tokenValue : JSON.parse(params.tokenValue); break;
    default: token = String(params.tokenValue);
  }
  IdentityProvider.resolve(token, options);
};
</script>`),
  );
}

/**
 * login.html: `document.cookie = "accounts=1"`, navigator.login.setStatus("logged-in"), then
 * IdentityProvider.close(). Installed at /fedcm/login.html and made the config's login_url.
 */
export function installLoginPage(w: WptWorld, idp: IdpController = w.idp): void {
  w.server.route(idp.origin, 'GET', '/fedcm/login.html', () =>
    html(`<script>
window.onload = () => {
  document.cookie = 'accounts=1';
  navigator.login.setStatus('logged-in');
  IdentityProvider.close();
};
</script>`),
  );
  idp.setConfig({ login_url: '/fedcm/login.html' });
}

/**
 * set_accounts_cookie.py?N, opened as a page of the IdP: `accounts=N; SameSite=None; Secure;
 * HttpOnly` (HttpOnly so login.html's document.cookie cannot overwrite it).
 */
export async function setAccountsCookie(w: WptWorld, value: string, idp: IdpController = w.idp): Promise<void> {
  w.server.route(idp.origin, 'GET', '/fedcm/set_accounts_cookie', (req) =>
    html('<p>accounts cookie</p>', { 'set-cookie': `accounts=${req.url.search.slice(1)}; SameSite=None; Secure; HttpOnly` }),
  );
  const page = await w.agent.open(idp.url(`/fedcm/set_accounts_cookie?${value}`));
  page.close();
}

// ---------------------------------------------------------------------------------------------
// Config variants (the WPT manifest_*.json files)

/** manifest_with_continue_on.json: accounts_no_approved_clients.py + continue_on.py. */
export function useContinueOnManifest(w: WptWorld, idp: IdpController = w.idp): void {
  idp.setAccounts(accountsNoApprovedClients(idp));
  idp.setToken(continueOnPy);
  installResolvePage(w, idp);
}

/** manifest_with_variable_accounts.json: variable_accounts.py, token_with_account_id.py, login.html, Chrome's `modes` form. */
export function useVariableAccountsManifest(w: WptWorld, idp: IdpController = w.idp): void {
  idp.override('accounts', variableAccounts(idp));
  idp.setToken((req) => tokenJson(req, { token: `account_id=${req.form.get('account_id') ?? ''}` }));
  idp.setConfig({ disconnect_endpoint: undefined, modes: { active: { supports_use_other_account: true }, passive: { supports_use_other_account: true } } });
  installLoginPage(w, idp);
}

/** request_options_with_two_idps(mediation): idp (clientId 123, nonce N1) and alt (456, N2). */
export function twoIdps(w: WptWorld, mediation = 'required'): Record<string, unknown> {
  return {
    identity: {
      providers: [
        { configURL: w.idp.configURL, clientId: '123', nonce: 'N1' },
        { configURL: w.alt.configURL, clientId: '456', nonce: 'N2' },
      ],
    },
    mediation,
  };
}

// ---------------------------------------------------------------------------------------------
// Dialog helpers

/** fedcm_get_and_select_first_account: get(), then select account 0 of the AccountChooser when it shows. */
export async function getAndSelectFirstAccount(w: WptWorld, options: CredentialRequestOptions): Promise<IdentityCredential> {
  return (await withSelection(w, 0, w.page.navigator.credentials!.get(options))) as IdentityCredential;
}

/**
 * fedcm_select_account_promise(i) running beside `p`: selects account `i` in the next
 * AccountChooser; stops waiting once `p` settles (a request that fails shows no chooser).
 */
export async function withSelection<T>(w: WptWorld, index: number, p: Promise<T>): Promise<T> {
  const stop = new AbortController();
  const picked = w.agent.automation.waitForDialog({ type: 'AccountChooser', signal: stop.signal }).then(
    () => w.agent.automation.selectAccount(index),
    () => undefined,
  );
  try {
    return await p;
  } finally {
    stop.abort();
    await picked;
  }
}

/** fedcm_get_dialog_type_promise, giving up once `p` settles ('settled' then). */
export async function dialogTypeOrSettled(w: WptWorld, p: Promise<unknown>): Promise<string> {
  const stop = new AbortController();
  const settled = p.then(
    () => 'settled',
    () => 'settled',
  );
  try {
    return await Promise.race([w.agent.automation.waitForDialog({ signal: stop.signal }).then((d) => d.dialogType as string), settled]);
  } finally {
    stop.abort();
  }
}

/** fedcm_expect_auto_reauthn: the request shows the AutoReauthn dialog and resolves auto-selected. */
export async function expectAutoReauthn(w: WptWorld, p: Promise<unknown>): Promise<IdentityCredential> {
  assert.equal(await dialogTypeOrSettled(w, p), 'AutoReauthn');
  const cred = (await p) as IdentityCredential;
  assert.equal(cred.isAutoSelected, true);
  return cred;
}

// ---------------------------------------------------------------------------------------------
// set_well_known_format(format)

/**
 * The well-known file for WPT's set_well_known_format(format). WPT's newest root handler was not
 * readable; these shapes are inferred from well-known-client-metadata-validation's comments and
 * outcomes (every format but 'direct' keeps provider_urls, since 'missing' and 'empty' succeed
 * for a config without client_metadata_endpoint):
 *   direct            accounts_endpoint + login_url (the config's)
 *   missing           provider_urls, accounts_endpoint "" and login_url ""
 *   partial_accounts  provider_urls + accounts_endpoint
 *   partial_login     provider_urls + login_url
 *   provider_urls, empty, default   provider_urls only
 */
export function setWellKnownFormat(idp: IdpController, format: 'direct' | 'missing' | 'partial_accounts' | 'partial_login' | 'provider_urls' | 'empty' | 'default'): void {
  const config = idp.config;
  const absolute = (value: unknown): string => new URL(String(value), idp.configURL).href;
  const providerUrls = { provider_urls: [idp.configURL] };
  switch (format) {
    case 'direct':
      idp.setWellKnown({ accounts_endpoint: absolute(config.accounts_endpoint), login_url: absolute(config.login_url) });
      return;
    case 'missing':
      idp.setWellKnown({ ...providerUrls, accounts_endpoint: '', login_url: '' });
      return;
    case 'partial_accounts':
      idp.setWellKnown({ ...providerUrls, accounts_endpoint: absolute(config.accounts_endpoint) });
      return;
    case 'partial_login':
      idp.setWellKnown({ ...providerUrls, login_url: absolute(config.login_url) });
      return;
    default:
      idp.setWellKnown(providerUrls);
  }
}
