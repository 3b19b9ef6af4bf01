// WPT's fedcm/support/ directory, re-expressed on the fixture IdPs: the config variants
// (manifest_*.json), the accounts, token, client metadata and disconnect handlers they point to
// (each with its request-params-check.py check first), the IdP's little login pages, and the
// helpers of fedcm-helper.sub.js that the core tests use (select_manifest,
// fedcm_get_and_select_first_account, the error dialog helpers, fedcm_expect_auto_reauthn).
//
// Everything is served under /fedcm/support/ on the IdP's origin, so a config's endpoints are
// relative names as in WPT ("two_accounts.py"). The IdP's own default config (fedcmTest's
// `requestOptions()`) plays WPT's manifest.py. The credentialed check wants the fixture's
// session cookie (sid=1, set by fedcmTest's sign-in visit) where WPT wants cookie=1.

import assert from 'node:assert/strict';
import type {
  CredentialRequestOptions,
  Dialog,
  DialogButton,
  DialogType,
  Frame,
  IdentityCredential,
  IdentityCredentialRequestOptions,
  IdentityProviderRequestOptions,
} from '../../../src/agent/index.js';
import {
  checkRequest,
  corsHeaders,
  johnDoe,
  twoAccounts,
  type CheckKind,
  type FixtureRequest,
  type FixtureResponse,
  type Handler,
  type IdpAccount,
  type IdpController,
} from '../../fixtures/index.js';
import { fedcmTest, type WptWorld } from './world.js';

export const SUPPORT = '/fedcm/support/';

export interface SupportWorld extends WptWorld {
  /** Every dialog shown, in order. */
  readonly dialogs: Dialog[];
  /** How many requests reached client_metadata.py on each IdP (client_metadata_clear_count.py). */
  clientMetadataCount(idp: IdpController): number;
  /**
   * WPT request_options_with_mediation_required(file, origin): `{identity: {providers:
   * [{configURL, clientId: '1', nonce: '2'}]}, mediation: 'required'}`; `file` undefined is
   * manifest.py, the IdP's default config.
   */
  options(file?: string, idp?: IdpController, provider?: Partial<IdentityProviderRequestOptions>, extra?: CredentialRequestOptions): RequestOptions;
  /** The configURL of a support config on `idp` (default: the main IdP). */
  configURL(file: string, idp?: IdpController): string;
}

/** The WPT helpers' request options: what a page passes to get(), with an identity member. */
export type RequestOptions = CredentialRequestOptions & { identity: IdentityCredentialRequestOptions };

/** fedcmTest() plus the support directory on both IdPs. */
export async function supportTest(options: Parameters<typeof fedcmTest>[0] = {}): Promise<SupportWorld> {
  const w = await fedcmTest(options);
  const dialogs: Dialog[] = [];
  w.agent.on('dialogShown', (d) => dialogs.push(d));
  const counters = new Map<IdpController, { n: number }>();
  for (const idp of [w.idp, w.alt]) {
    const counter = { n: 0 };
    counters.set(idp, counter);
    installSupport(w, idp, counter);
  }
  const configURL = (file: string, idp: IdpController = w.idp): string => idp.url(SUPPORT + file);
  return Object.assign(w, {
    dialogs,
    clientMetadataCount: (idp: IdpController) => counters.get(idp)?.n ?? 0,
    configURL,
    options(file?: string, idp: IdpController = w.idp, provider: Partial<IdentityProviderRequestOptions> = {}, extra: CredentialRequestOptions = {}): RequestOptions {
      const url = file === undefined ? idp.configURL : configURL(file, idp);
      return { identity: { providers: [{ configURL: url, clientId: '1', nonce: '2', ...provider }] }, mediation: 'required', ...extra };
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The handlers

type Members = Record<string, string>;

/** The config variants, by file name: relative endpoint names as in WPT. */
function manifests(w: WptWorld): Record<string, Members> {
  const common = { client_metadata_endpoint: 'client_metadata.py', login_url: 'login.html' };
  return {
    'manifest.py': { accounts_endpoint: 'accounts.py', id_assertion_endpoint: 'token.py', disconnect_endpoint: 'disconnect.py', ...common },
    'manifest-not-in-list.json': { accounts_endpoint: 'accounts.py', id_assertion_endpoint: 'token.py', disconnect_endpoint: 'disconnect.py', ...common },
    'manifest_no_login_url.json': { accounts_endpoint: 'accounts.py', client_metadata_endpoint: 'client_metadata.py', id_assertion_endpoint: 'token.py' },
    'manifest_redirect_accounts.json': { accounts_endpoint: '/common/redirect.py?location=/fedcm/support/accounts.py', id_assertion_endpoint: 'token.py', ...common },
    'manifest_redirect_token.json': {
      accounts_endpoint: 'accounts.py',
      id_assertion_endpoint: '/common/redirect.py?location=/fedcm/support/token.py&status=308',
      disconnect_endpoint: 'disconnect.py',
      ...common,
    },
    'manifest-token-nocors.json': { accounts_endpoint: 'accounts.py', id_assertion_endpoint: 'token.py?nocors=1', disconnect_endpoint: 'disconnect.py', ...common },
    'manifest_token_with_http_error.json': { accounts_endpoint: 'accounts.py', id_assertion_endpoint: 'token_with_http_error.py', ...common },
    'manifest_id_assertion_endpoint_returns_error_format.json': { accounts_endpoint: 'accounts.py', id_assertion_endpoint: 'error_with_error_and_url_format.py', ...common },
    'manifest_check_same_site_strict.json': { accounts_endpoint: 'accounts_check_same_site_strict.py', id_assertion_endpoint: 'token_check_same_site_strict.py', ...common },
    'manifest_with_two_accounts.json': { accounts_endpoint: 'two_accounts.py', id_assertion_endpoint: 'token_with_account_id.py', ...common },
    'manifest_with_single_account.json': { accounts_endpoint: 'single_account.py', id_assertion_endpoint: 'token_with_account_id.py', ...common },
    'manifest_with_auto_selected_flag.json': { accounts_endpoint: 'two_accounts.py', id_assertion_endpoint: 'token_with_auto_selected_flag.py', ...common },
    'manifest_with_single_identifier.json': { accounts_endpoint: 'single_identifier_accounts.py', id_assertion_endpoint: 'token_with_account_id.py', ...common },
    'manifest_with_cross_origin_disconnect.sub.json': {
      accounts_endpoint: 'accounts.py',
      id_assertion_endpoint: 'token.py',
      disconnect_endpoint: w.alt.url(`${SUPPORT}disconnect.py`),
      ...common,
    },
    'manifest_with_disconnect_failure.json': { accounts_endpoint: 'accounts.py', id_assertion_endpoint: 'token.py', disconnect_endpoint: 'disconnect_failure.py', ...common },
    'manifest_iframe.py': { accounts_endpoint: 'accounts.py', client_metadata_endpoint: 'client_metadata_iframe.py', id_assertion_endpoint: 'token.py', login_url: 'login.html' },
    'manifest_with_picture_account.json': { accounts_endpoint: 'picture_account.py', id_assertion_endpoint: 'token.py', ...common },
    'manifest_with_variable_accounts.json': { accounts_endpoint: 'variable_accounts.py', id_assertion_endpoint: 'token_with_account_id.py', ...common },
    'manifest_broken_login.json': { accounts_endpoint: 'no_accounts.py', id_assertion_endpoint: 'token.py', disconnect_endpoint: 'disconnect.py', client_metadata_endpoint: 'client_metadata.py', login_url: 'idp_close.html' },
    'manifest_no_accounts_login_delay.json': { accounts_endpoint: 'no_accounts.py', client_metadata_endpoint: 'client_metadata.py', id_assertion_endpoint: 'token_with_account_id.py', login_url: 'login_delay.html' },
  };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const HTML_TYPE = { 'content-type': 'text/html; charset=utf-8' };

/** Runs request-params-check.py's check for `kind` first, answering its 53x status on failure. */
function checked(kind: CheckKind, idp: IdpController, handler: Handler): Handler {
  return (req) => {
    const failure = checkRequest(kind, req, { sessionCookie: idp.session });
    if (failure) {
      return { status: failure.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `WPT support check (${kind}): ${failure.message}\n` };
    }
    return handler(req);
  };
}

function accounts(list: IdpAccount[]): FixtureResponse {
  return { headers: JSON_TYPE, json: { accounts: list } };
}

function token(req: FixtureRequest, value: unknown, status = 200): FixtureResponse {
  return { status, headers: { ...JSON_TYPE, ...corsHeaders(req) }, json: { token: value } };
}

/** A page whose only content is a script (the agent runs it with jsdomPopups()). */
function scriptPage(script: string): FixtureResponse {
  return { headers: HTML_TYPE, body: `<!doctype html>\n<script>\n${script}\n</script>\n` };
}

/** Serves the support directory on `idp` (supportTest() does it for both IdPs of the world). */
export function installSupport(w: WptWorld, idp: IdpController, clientMetadata: { n: number } = { n: 0 }): void {
  const { server } = w;
  const route = (method: 'GET' | 'POST', name: string, handler: Handler): void => server.route(idp.origin, method, SUPPORT + name, handler);
  const origin = idp.origin;

  for (const [file, members] of Object.entries(manifests(w))) {
    route('GET', file, checked('config', idp, () => ({ headers: JSON_TYPE, json: members })));
  }

  // Accounts endpoints (accounts.py and its siblings).
  route('GET', 'accounts.py', checked('accounts', idp, () => accounts([johnDoe(origin)])));
  route('GET', 'two_accounts.py', checked('accounts', idp, () => accounts(twoAccounts(origin))));
  route('GET', 'no_accounts.py', checked('accounts', idp, () => accounts([])));
  route(
    'GET',
    'single_account.py',
    checked('accounts', idp, () => {
      const { login_hints: _l, domain_hints: _d, ...john } = johnDoe(origin);
      return accounts([{ ...john, id: 'john_doe' }]);
    }),
  );
  route(
    'GET',
    'single_identifier_accounts.py',
    checked('accounts', idp, () => accounts([{ id: 'john_doe', username: 'john_doe' }, { id: 'john_doe2', tel: '+1 (416) 000-0000' }])),
  );
  route('GET', 'picture_account.py', checked('accounts', idp, () => accounts([{ ...johnDoe(origin), picture: 'https://localhost/profile/123' }])));
  route(
    'GET',
    'variable_accounts.py',
    checked('accounts', idp, (req) => {
      const john: IdpAccount = { ...johnDoe(origin), picture: 'https://localhost/profile/123' };
      const jane: IdpAccount = { id: 'jane_doe', given_name: 'Jane', name: 'Jane Doe', email: 'jane_doe@idp.example', approved_clients: ['123', 'abc'] };
      const which = req.cookies['accounts'];
      return accounts(which === '1' ? [john] : which === '2' ? [john, jane] : []);
    }),
  );
  route(
    'GET',
    'accounts_check_same_site_strict.py',
    checked('accounts', idp, (req) => {
      if (req.cookies['same_site_strict'] === '1') return { status: 546, body: 'Should not send SameSite=Strict cookies' };
      if (req.cookies['same_site_lax'] === '1') return { status: 547, body: 'Should not send SameSite=Lax cookies' };
      if (req.headers['sec-fetch-site'] !== 'cross-site') return { status: 538, body: 'Wrong Sec-Fetch-Site header' };
      const { picture: _picture, ...john } = johnDoe(origin);
      return accounts([john]);
    }),
  );

  // Client metadata: a counter in the privacy policy URL; cacheable for a day, as WPT serves it.
  route(
    'GET',
    'client_metadata.py',
    checked('clientMetadata', idp, () => {
      clientMetadata.n += 1;
      return {
        headers: { ...JSON_TYPE, 'cache-control': 'public, max-age=86400' },
        json: { privacy_policy_url: `https://privacypolicy${clientMetadata.n}.com` },
      };
    }),
  );
  route(
    'GET',
    'client_metadata_iframe.py',
    checked('clientMetadata', idp, (req) => {
      if (!req.url.searchParams.get('top_frame_origin')) return { status: 560, body: 'Missing top_frame_origin' };
      return { headers: JSON_TYPE, json: { client_is_third_party_to_top_frame_origin: true } };
    }),
  );

  // ID assertion endpoints.
  route(
    'POST',
    'token.py',
    checked('token', idp, (req) => {
      const res = token(req, 'token');
      if (req.url.searchParams.has('nocors')) return { ...res, headers: JSON_TYPE };
      return res;
    }),
  );
  route('POST', 'token_with_account_id.py', checked('token', idp, (req) => token(req, `account_id=${req.form.get('account_id') ?? ''}`)));
  route('POST', 'token_with_auto_selected_flag.py', checked('token', idp, (req) => token(req, `is_auto_selected=${req.form.get('is_auto_selected') ?? ''}`)));
  route('POST', 'token_with_http_error.py', checked('token', idp, (req) => token(req, 'token', 403)));
  route(
    'POST',
    'error_with_error_and_url_format.py',
    checked('token', idp, () => ({ status: 401, headers: JSON_TYPE, json: { error: { error: 'unauthorized_client', url: 'error.html' } } })),
  );
  route(
    'POST',
    'token_check_same_site_strict.py',
    checked('token', idp, (req) => {
      if (req.cookies['same_site_strict'] === '1') return { status: 546, body: 'Should not send SameSite=Strict cookies' };
      if (req.cookies['same_site_lax'] === '1') return { status: 547, body: 'Should not send SameSite=Lax cookies' };
      return token(req, 'token');
    }),
  );

  // Disconnect endpoints.
  route('POST', 'disconnect.py', checked('disconnect', idp, (req) => ({ headers: { ...JSON_TYPE, ...corsHeaders(req) }, json: { account_id: req.form.get('account_hint') ?? '' } })));
  route('POST', 'disconnect_failure.py', (req) => ({ status: 599, headers: { ...JSON_TYPE, ...corsHeaders(req) }, body: 'Server failure' }));

  // /common/redirect.py: a redirect (302 unless ?status=) to ?location=, with no checks.
  server.route(idp.origin, '*', '/common/redirect.py', (req) => ({
    status: Number(req.url.searchParams.get('status') ?? '302'),
    redirect: req.url.searchParams.get('location') ?? '/',
  }));

  // set_cookie: the session cookie plus SameSite=Strict and SameSite=Lax cookies.
  route('GET', 'set_cookie', () => ({
    headers: {
      ...HTML_TYPE,
      'set-cookie': [
        `${idp.session.name}=${idp.session.value}; SameSite=None; Secure; Path=/`,
        'same_site_strict=1; SameSite=Strict; Secure; Path=/',
        'same_site_lax=1; SameSite=Lax; Secure; Path=/',
      ],
    },
    body: '<!doctype html><title>set_cookie</title>',
  }));

  // mark_signedin / mark_signedout: only the Set-Login header, readable by the test page (CORS
  // for WPT's main origin, here the RP).
  for (const [name, status] of [['mark_signedin', 'logged-in'], ['mark_signedout', 'logged-out']] as const) {
    route('GET', name, () => ({
      headers: { ...HTML_TYPE, 'set-login': status, 'access-control-allow-origin': 'https://rp.example', 'access-control-allow-credentials': 'true' },
      body: `<!doctype html><title>${name}</title>`,
    }));
  }

  // The IdP's pages, run by jsdomPopups() when FedCM opens them. login.html sets the cookie
  // variable_accounts.py reads; WPT's RP is same-site with its IdP so a bare cookie reaches the
  // accounts endpoint there, while fedkit's RP is cross-site, so the cookie is SameSite=None here.
  route('GET', 'login.html', () =>
    scriptPage(`document.cookie = "accounts=1; SameSite=None; Secure; Path=/";\nnavigator.login.setStatus("logged-in");\nIdentityProvider.close();`),
  );
  route('GET', 'idp_close.html', () => scriptPage('IdentityProvider.close();'));
  route('GET', 'login_delay.html', () => scriptPage('navigator.login.setStatus("logged-in");\nsetTimeout(() => IdentityProvider.close(), 200);'));
  route('GET', 'error.html', () => ({ headers: HTML_TYPE, body: '<!doctype html><title>error</title><p>Error details.</p>' }));
}

// ---------------------------------------------------------------------------------------------
// fedcm-helper.sub.js

/**
 * select_manifest(): the next /.well-known/web-identity response of `idp`'s site lists
 * `configURL` instead of the IdP's default config; one fetch uses it up.
 */
export function selectManifest(idp: IdpController, configURL: string): void {
  idp.override('wellKnown', () => {
    idp.override('wellKnown');
    return { json: { provider_urls: [configURL] } };
  });
}

/**
 * fedcm_get_and_select_first_account(t, options) from `frame`: get(), and select account 0 of
 * the chooser when one appears (nothing happens if none does before the request settles).
 */
export function getAndSelectFirstAccount(w: WptWorld, options: RequestOptions, frame: Frame = w.page): Promise<unknown> {
  const p = frame.navigator.credentials!.get(options);
  selectWhenShown(w, p, 'AccountChooser', () => w.agent.automation.selectAccount(0));
  return p;
}

/** fedcm_select_account_promise(t, 0) for an already pending request. */
export function selectFirstAccountOf(w: WptWorld, p: Promise<unknown>): void {
  selectWhenShown(w, p, 'AccountChooser', () => w.agent.automation.selectAccount(0));
}

/** fedcm_error_dialog_dismiss(t): expects an Error dialog for `p`, then cancels it. */
export function errorDialogDismiss(w: WptWorld, p: Promise<unknown>): void {
  selectWhenShown(w, p, 'Error', () => w.agent.automation.cancelDialog());
}

/** fedcm_error_dialog_click_button(t, button). */
export function errorDialogClickButton(w: WptWorld, p: Promise<unknown>, button: DialogButton): void {
  selectWhenShown(w, p, 'Error', () => w.agent.automation.clickDialogButton(button));
}

/** Acts on the next dialog of `type`, until `p` settles (the WPT helpers retry until then). */
function selectWhenShown(w: WptWorld, p: Promise<unknown>, type: DialogType, act: () => void): void {
  const stop = new AbortController();
  const done = (): void => stop.abort();
  p.then(done, done);
  w.agent.automation.waitForDialog({ type, signal: stop.signal, timeoutMs: 20_000 }).then(act, () => {});
}

/**
 * fedcm_expect_auto_reauthn(t, p): the request shows the AutoReauthn sheet (no chooser) and
 * resolves; returns the credential.
 */
export async function expectAutoReauthn(w: SupportWorld, p: Promise<unknown>): Promise<IdentityCredential> {
  const before = w.dialogs.length;
  const cred = (await p) as IdentityCredential;
  const shown = w.dialogs.slice(before).map((d) => d.dialogType);
  assert.deepEqual(shown, ['AutoReauthn'], `expected only the AutoReauthn dialog, saw ${JSON.stringify(shown)}`);
  return cred;
}

/** One subtest's world: a fresh supportTest(), closed afterwards whatever happens. */
export async function inWorld(fn: (w: SupportWorld) => Promise<void>, options: Parameters<typeof fedcmTest>[0] = {}): Promise<void> {
  const w = await supportTest(options);
  try {
    await fn(w);
  } finally {
    // WPT_DEBUG=1 prints what the agent diagnosed, to check that a rejection has the right cause.
    if (process.env['WPT_DEBUG']) for (const d of w.agent.diagnostics) console.log(`  [diagnostic] ${d.reason}: ${d.detail}`);
    await w.close();
  }
}

/** The name of what `p` rejects with (fails if it resolves). */
export async function rejectionName(p: Promise<unknown>): Promise<string> {
  try {
    const value = await p;
    throw new assert.AssertionError({ message: `expected a rejection, got ${describe(value)}` });
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    return (e as { name?: string }).name ?? String(e);
  }
}

function describe(value: unknown): string {
  if (value && typeof value === 'object' && 'token' in value) return `a credential with token ${JSON.stringify((value as { token: unknown }).token)}`;
  return JSON.stringify(value) ?? String(value);
}

// ---------------------------------------------------------------------------------------------
// Iframes (the agent runs no page scripts: the test acts for the iframe's document)

/** An iframe with allow="identity-credentials-get" at `url` (served as an empty page). */
export async function idpIframe(w: SupportWorld, url: string): Promise<Frame> {
  const target = new URL(url);
  w.server.route(target.origin, 'GET', target.pathname, () => ({ headers: { 'content-type': 'text/html' }, body: '<!doctype html><title>iframe</title>' }));
  return w.page.openFrame(target, { allow: 'identity-credentials-get' });
}

/**
 * support/fedcm/userinfo-iframe.html: getUserInfo() for the alt IdP's
 * manifest_with_picture_account.json and clientId '123', reported as a message.
 */
export async function userInfoIframe(w: SupportWorld, frame: Frame): Promise<Record<string, unknown>> {
  try {
    const info = await frame.IdentityProvider!.getUserInfo({ configURL: w.configURL('manifest_with_picture_account.json', w.alt), clientId: '123' });
    return {
      result: 'Pass',
      numAccounts: info.length,
      firstAccountEmail: info[0]?.email,
      firstAccountName: info[0]?.name,
      firstAccountGivenName: info[0]?.givenName,
      firstAccountPicture: info[0]?.picture,
    };
  } catch (e) {
    return { result: 'Fail', errorType: (e as Error).name };
  }
}
