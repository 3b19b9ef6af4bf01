// FedCM §2.2.1 IdentityCredential's [[DiscoverFromExternalSource]] and "create an
// IdentityCredential": the whole sign-in request, in Chromium's order (request_service.cc).
// Each step lives in its own module (config, accounts, client metadata, the login popup, the
// ID assertion, continuation; what the dialogs show in account-chooser.ts; cooldowns and auto
// re-authentication in embargo.ts); this one decides what happens between them.

import { isPotentiallyTrustworthy } from '../../common/site.js';
import { AbortState, type AbortLike } from '../base/abort-state.js';
import { isSameSiteCached as isSameSite } from '../net/sites.js';
import { consoleMessage, domException, issue, type DiagnosticInit } from '../base/diagnostics.js';
import type { CredentialMediationRequirement } from '../credentials/contract/credential-type.js';
import type { AgentCore } from '../core.js';
import { connectSrcViolation } from '../document/csp.js';
import type { AgentDocument } from '../document/document.js';
import type { LoginState } from '../mediation/dialog.js';
import { accountChooser, autoReauthnDialog, confirmIdpLoginDialog, errorDialog } from './account-chooser.js';
import { fetchAccounts, fetchBrandIcon, fetchPictures, filterAccounts } from './accounts.js';
import { requestIdentityAssertion, type AssertionRequest } from './assertion.js';
import { clientMetadataCache, fetchClientMetadata } from './client-metadata.js';
import { fetchConfig } from './config.js';
import { loginState } from './connection-status.js';
import { runContinuation } from './continuation.js';
import { cooldownFailure, decideAutoReauthn, dismissal, liftEmbargo, silentMediationObstacle, startQuietPeriod } from './embargo.js';
import { FedCmFailure } from './failure.js';
import { createIdentityCredential, identityCredentialError, type IdentityCredential } from './identity-credential.js';
import { withDevToolsIssue } from './devtools-issue.js';
import { createIdpNetwork, type IdpNetwork } from './idp-network.js';
import { showIdpLoginDialog } from './login-popup.js';
import { randomRejectionDelayMs } from './rejection-delay.js';
import type { Candidate, IdentityRequestOptions, IdentityProviderAccount, IdpState, Provider } from './types.js';

/** FedCM §3.5 (extension): the fields the disclosure text can name. */
const RECOGNIZED_FIELDS = ['name', 'email', 'picture', 'tel', 'username'];
const DEFAULT_FIELDS = ['name', 'email', 'picture'];

/** One FedCM request, as the registry entry (identity-credential-type.ts) hands it over. */
export interface RequestParams {
  core: AgentCore;
  frame: AgentDocument;
  providers: Provider[];
  options: IdentityRequestOptions;
  mediation: CredentialMediationRequirement;
  signal: AbortSignal | undefined;
}

/**
 * Runs the FedCM request. The page-facing result is an IdentityCredential, or a rejection with
 * exactly what Chromium rejects with; every failure is also reported as a diagnostic.
 */
export function runIdentityRequest(params: RequestParams): Promise<IdentityCredential> {
  const { core, frame, options, signal } = params;
  // The request's own abort state: the page's signal, a replacing active-mode request, or the
  // document going away end it. Not an AbortController (base/abort-state.ts): nothing outside
  // the agent sees it, and every step of every sign-in follows it.
  const controller = new AbortState();
  let replaced = false;
  const onPageAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onPageAbort, { once: true });
  const pending = {
    mode: options.mode,
    cancel: () => {
      replaced = true;
      controller.abort(new DOMException('The request is replaced by a new one with active mode.', 'AbortError'));
    },
  };
  frame.pendingIdentityRequest = pending;

  // Failures decided before the first await win over an abort issued right after get()
  // (WPT fedcm-abort-silent-mediation-not-permitted).
  const early = decideBeforeFetching(params);
  const run = early instanceof FedCmFailure ? Promise.reject(early) : fetchAndMediate(params, early, controller);

  // The request is over: the page's signal is let go and the document has no pending request.
  // Called from both handlers below (a .finally after them was one more promise, and one more
  // turn of the microtask queue, on every sign-in's way to the page).
  const settled = (): void => {
    signal?.removeEventListener('abort', onPageAbort);
    if (frame.pendingIdentityRequest === pending) frame.pendingIdentityRequest = null;
  };
  return run.then(
    (credential) => {
      settled();
      return credential;
    },
    async (error: unknown) => {
      try {
        if (controller.aborted && !(early instanceof FedCmFailure)) {
          if (replaced) throw await pageError(core, replacedFailure(), undefined);
          const why = frame.fullyActive ? 'The page aborted the request (its AbortSignal fired).' : 'The document was closed while the request was pending.';
          // Chromium completes an aborted request with kCanceled, its one DevTools issue.
          core.report({ ...issue('Canceled', why, { level: 'info' }), issue: 'Canceled' });
          throw controller.reason;
        }
        if (!(error instanceof FedCmFailure)) throw error;
        throw await pageError(core, error, early instanceof FedCmFailure ? undefined : controller);
      } finally {
        settled();
      }
    },
  );
}

function replacedFailure(): FedCmFailure {
  return new FedCmFailure(issue('ReplacedByActiveMode', 'A get() with mode "active" (after a user click) replaced this pending passive request.'));
}

/**
 * Converts a failure into what the page sees, after the random rejection delay when the failure
 * calls for it (and the delay is on). Reports the diagnostic first: the request's final one, so
 * it carries the request's DevTools issue (devtools-issue.ts), as does the rejection's cause.
 */
async function pageError(core: AgentCore, failed: FedCmFailure, signal: AbortState | undefined): Promise<unknown> {
  const failure = new FedCmFailure(withDevToolsIssue(failed.diagnostic), { delayed: failed.delayed, page: failed.page });
  core.report(failure.diagnostic);
  if (failure.delayed && core.settings.delayEnabled) {
    // The clock is the user's to replace (createAgent({ clock })): it gets a real AbortSignal.
    await core.clock.sleep(randomRejectionDelayMs(core.random), signal?.asAbortSignal());
  }
  switch (failure.page.kind) {
    case 'IdentityCredentialError':
      return identityCredentialError(failure.page.init, failure.diagnostic);
    case 'NotAllowedError':
      return domException({ message: failure.diagnostic.message, name: 'NotAllowedError' }, failure.diagnostic);
    case 'AbortError':
      return domException({ message: failure.diagnostic.message, name: 'AbortError' }, failure.diagnostic);
    case 'NetworkError':
      return domException({ message: failure.page.message ?? 'Error retrieving a token.', name: 'NetworkError' }, failure.diagnostic);
  }
}

/**
 * Chromium RequestService::RequestToken steps 5–10: everything decided from the page and the
 * profile, before any network activity. Returns the IdPs to fetch, or the failure.
 */
function decideBeforeFetching(params: RequestParams): IdpState[] | FedCmFailure {
  const { core, frame, providers, options, mediation } = params;
  // Chromium's renderer checks each configURL against the document's CSP connect-src first.
  for (const p of providers) {
    const violation = connectSrcViolation(frame.response?.headers, frame.url, p.configURL);
    if (violation) {
      const message = `Refused to connect to '${p.configURL.href}' because it violates the document's Content Security Policy.`;
      return new FedCmFailure(
        {
          reason: 'InvalidRequest',
          level: 'error',
          message,
          detail: `The page's Content-Security-Policy "${violation.directive}"${violation.fallback ? " (connect-src is not set, so default-src applies)" : ''} does not allow ${p.configURL.href}. Add the IdP's origin to connect-src.`,
          configURL: p.configURL.href,
        },
        // Chromium rejects with a NetworkError that says so, in get()'s context (no issue).
        { page: { kind: 'NetworkError', message: `Failed to execute 'get' on 'CredentialsContainer': ${message}` } },
      );
    }
  }
  const rp = frame.origin;
  if (rp === 'null') {
    return new FedCmFailure(issue('RelyingPartyOriginIsOpaque', 'The calling document has an opaque origin (a sandboxed frame or a data: URL); FedCM needs a real origin to connect accounts to.'));
  }
  if (options.mode === 'active' && !frame.hasTransientActivation) {
    return new FedCmFailure(
      issue('MissingTransientUserActivation', 'mode "active" must be called within 5 s of a user click in this document (call page.activate() to simulate one).'),
    );
  }
  const cooldown = cooldownFailure(core, frame, options.mode);
  if (cooldown) return cooldown;
  const seen = new Set<string>();
  for (const p of providers) {
    if (seen.has(p.configURL.href)) {
      return new FedCmFailure({
        reason: 'DuplicateConfigUrl',
        level: 'error',
        message: consoleMessage.ErrorIdToken,
        detail: `The configURL ${p.configURL.href} is listed twice in providers; list each IdP once.`,
        configURL: p.configURL.href,
      });
    }
    seen.add(p.configURL.href);
    if (!isPotentiallyTrustworthy(p.configURL)) {
      return new FedCmFailure(
        issue('IdpNotPotentiallyTrustworthy', `${p.configURL.href} is not potentially trustworthy: use https (http is allowed only on localhost and loopback addresses).`, {
          configURL: p.configURL.href,
        }),
      );
    }
  }

  const states: IdpState[] = [];
  const dropped: DiagnosticInit[] = [];
  for (const provider of providers) {
    const loginStatus = core.profile.getLoginStatus(provider.idpOrigin);
    const configURL = provider.configURL.href;
    if (loginStatus === 'logged-out' && options.mode === 'passive') {
      // Login Status: no credentialed fetch to an IdP the user is logged out of. (Active mode
      // keeps it: the IdP's login page opens once the config is known.)
      dropped.push(
        issue(
          'NotSignedInWithIdp',
          `The login status of ${provider.idpOrigin} is logged-out, so its accounts are not fetched. The IdP sets it back with a "Set-Login: logged-in" header or navigator.login.setStatus("logged-in") on its own pages after sign-in.`,
          { configURL },
        ),
      );
      continue;
    }
    if (mediation === 'silent') {
      const reason = silentMediationObstacle(core, frame, provider);
      if (reason) {
        dropped.push(issue('SilentMediationFailure', reason, { configURL }));
        continue;
      }
    }
    states.push({ provider, loginStatus, accounts: [], pictures: new Map(), clientMetadata: null, mismatch: false, needsLogin: loginStatus === 'logged-out' });
  }
  if (states.length === 0) {
    const first = dropped.find((d) => d.reason === 'SilentMediationFailure') ?? dropped[0];
    if (!first) throw new Error('unreachable: no providers');
    for (const d of dropped.slice(1)) core.report(d);
    return new FedCmFailure(first, { delayed: true });
  }
  for (const d of dropped) core.report(d);
  return states;
}

/**
 * FedCM #dom-identitycredential-discoverfromexternalsource from "fetch the config file" on
 * (Chromium RequestService::RequestToken steps 13 onwards): fetch every IdP in parallel, then
 * auto re-authenticate or ask the user, and fetch the assertion.
 */
async function fetchAndMediate(params: RequestParams, states: IdpState[], signal: AbortState): Promise<IdentityCredential> {
  const { core, frame, options, mediation } = params;
  const ctx = createIdpNetwork(core, frame, signal);
  await Promise.all(states.map((s) => fetchIdp(ctx, s, params)));
  signal.throwIfAborted();

  const usable = states.filter((s) => s.failure === undefined);
  if (usable.length === 0) {
    // Chromium OnFetchDataForIdpFailed: every IdP failed. Each one that fails while another is
    // still pending raises its issue; the last completes the request with its own (the goldens'
    // "multi-IdP: both configs fail": one issue per IdP, in provider order here).
    const failures = states.map((s) => s.failure).filter((f): f is FedCmFailure => f !== undefined);
    for (const f of failures.slice(0, -1)) core.report(withDevToolsIssue(f.diagnostic));
    throw failures.at(-1);
  }
  // An IdP that failed while others go on: Chromium raises its issue now (OnFetchDataForIdpFailed
  // with IdPs left), since the request's own result will be another IdP's.
  for (const s of states) if (s.failure) core.report(withDevToolsIssue(s.failure.diagnostic));

  // Active mode: a mismatch opens the IdP's login page directly (Chromium), no dialog first.
  const single = usable.length === 1 ? usable[0] : undefined;
  if (options.mode === 'active' && single?.mismatch) {
    await loginThenReload(ctx, params, single, {});
  }

  // FedCM §2.2.1 step "auto reauthentication" (Chromium MaybeShowAccountsDialog).
  const candidates: Candidate[] = usable.flatMap((s) => s.accounts.map((account) => ({ state: s, account })));
  const auto = decideAutoReauthn(core, frame, candidates, mediation, usable.some((s) => s.mismatch));
  if (auto.kind === 'auto') {
    // Chromium 156 reports no AutoReauthn dialog in active mode: the returning account is signed
    // in (isAutoSelected) without one (differential "active: returning user, no auto re-authn").
    const dialog = options.mode === 'active' ? undefined : core.dialogs.show(autoReauthnDialog(auto.candidate), signal);
    try {
      if (dialog) await dialog.action;
      const credential = await signIn(ctx, params, auto.candidate.state, auto.candidate.account, { isAutoSelected: true, loginState: 'SignIn' });
      startQuietPeriod(core, frame);
      return credential;
    } finally {
      dialog?.close();
    }
  }
  if (mediation === 'silent') throw new FedCmFailure(issue('SilentMediationFailure', auto.why), { delayed: true });
  return await chooseAccount(ctx, params, usable);
}

/**
 * FedCM §2.2.1 "build the UI": the account chooser, or the mismatch dialog when no IdP has an
 * account; the user's answer decides what follows (sign in, log in at the IdP, or stop).
 */
async function chooseAccount(ctx: IdpNetwork, params: RequestParams, usable: IdpState[]): Promise<IdentityCredential> {
  const { core, frame, options } = params;
  // The call's signal (ctx), not the page's (params.signal).
  const signal = ctx.signal;
  const newlyLoggedIn = new Set<string>();
  for (;;) {
    const candidates = usable.flatMap((s) => s.accounts.map((account) => ({ state: s, account })));
    if (candidates.length === 0) {
      // Only mismatched IdPs are left (logged in per Login Status, but no account).
      const mismatched = usable.find((s) => s.mismatch);
      if (!mismatched?.config) throw new Error('unreachable: usable IdP without accounts or mismatch');
      await confirmIdpLogin(ctx, params, mismatched);
      for (const a of mismatched.accounts) newlyLoggedIn.add(a.id);
      continue;
    }
    const { dialog, shown } = accountChooser(core, frame, options.context, usable, candidates, newlyLoggedIn);
    const action = await core.dialogs.ask(dialog, signal);
    if (action.action === 'selectAccount') {
      const chosen = shown[action.accountIndex];
      const account = dialog.accounts[action.accountIndex];
      if (!chosen || !account) throw new Error('unreachable: account index validated by the dialog host');
      liftEmbargo(core, frame);
      return await signIn(ctx, params, chosen.state, chosen.account, { isAutoSelected: false, loginState: account.loginState });
    }
    const single = usable.length === 1 ? usable[0] : undefined;
    if (action.action === 'clickButton' && single) {
      // "Use another account": the login page, then the accounts again, newcomers first.
      const before = new Set(single.accounts.map((a) => a.id));
      await loginThenReload(ctx, params, single, hintsOf(single));
      for (const a of single.accounts) if (!before.has(a.id)) newlyLoggedIn.add(a.id);
      continue;
    }
    throw dismissal(core, frame, options.mode, action.action === 'cancel' && action.triggerCooldown === true);
  }
}

function hintsOf(state: IdpState): { loginHint?: string; domainHint?: string } {
  const o = state.provider.options;
  return {
    ...(o.loginHint === undefined ? {} : { loginHint: o.loginHint }),
    ...(o.domainHint === undefined ? {} : { domainHint: o.domainHint }),
  };
}

/** FedCM §2.2.1 "mismatch": the ConfirmIdpLogin dialog; Continue opens the login page. */
async function confirmIdpLogin(ctx: IdpNetwork, params: RequestParams, state: IdpState): Promise<void> {
  const { core, frame, options } = params;
  const config = state.config;
  if (!config) throw new Error('unreachable: mismatch without config');
  const action = await core.dialogs.ask(confirmIdpLoginDialog(options.context, frame, state, config.loginUrl), ctx.signal);
  if (action.action !== 'clickButton') throw dismissal(core, frame, options.mode, action.action === 'cancel' && action.triggerCooldown === true);
  await loginThenReload(ctx, params, state, hintsOf(state));
}

/**
 * FedCM #show-an-idp-login-dialog, then "fetch accounts" again: no account afterwards ends the
 * request (docs/decisions.md: after the login popup, still no account).
 */
async function loginThenReload(ctx: IdpNetwork, params: RequestParams, state: IdpState, hints: { loginHint?: string; domainHint?: string }): Promise<void> {
  const config = state.config;
  if (!config) throw new Error('unreachable: login without config');
  await showIdpLoginDialog(params.core, config, state.provider.idpOrigin, { ...hints, signal: ctx.signal });
  state.loginStatus = 'logged-in';
  state.mismatch = false;
  if (params.options.mode === 'active') await refetchConfig(ctx, state, params);
  await loadAccounts(ctx, state, params, { afterLogin: true });
  if (state.failure) throw state.failure;
  if (state.mismatch) {
    throw new FedCmFailure(
      issue('AccountsListEmpty', `The user signed in at ${config.loginUrl.href}, but ${config.accountsEndpoint.href} still returned no usable account.`, {
        configURL: config.configURL.href,
      }),
    );
  }
}

/**
 * Active mode: after the login popup Chromium 156 starts the IdP's fetches over, the well-known
 * file and config included (measured: differential "active: … login popup signs in"); after
 * the passive mismatch dialog's popup it fetches only the accounts again. Throws the failure.
 */
async function refetchConfig(ctx: IdpNetwork, state: IdpState, params: RequestParams): Promise<void> {
  state.config = await fetchConfig(ctx, state.provider.configURL, { strictWellKnown: params.core.settings.strictWellKnown });
}

/**
 * Fetches one IdP: config (+ well-known); the login page first when the user is logged out in
 * active mode; then the accounts. Failures are stored on the state.
 */
async function fetchIdp(ctx: IdpNetwork, state: IdpState, params: RequestParams): Promise<void> {
  const { core } = params;
  const { provider } = state;
  try {
    state.config = await fetchConfig(ctx, provider.configURL, { strictWellKnown: core.settings.strictWellKnown });
    if (state.needsLogin) {
      await showIdpLoginDialog(core, state.config, provider.idpOrigin, { signal: ctx.signal });
      state.loginStatus = 'logged-in';
      await refetchConfig(ctx, state, params);
    }
  } catch (e) {
    if (e instanceof FedCmFailure) {
      state.failure = e;
      return;
    }
    throw e;
  }
  await loadAccounts(ctx, state, params, { afterLogin: state.needsLogin });
  // The user just signed in through the login page (active mode, logged out) and the IdP still
  // has no usable account: the request ends here, as after any login popup (loginThenReload),
  // rather than opening the login page a second time as a mismatch would.
  if (state.needsLogin && state.mismatch && state.config) {
    state.mismatch = false;
    state.failure = new FedCmFailure(
      issue('AccountsListEmpty', `The user signed in at ${state.config.loginUrl.href}, but ${state.config.accountsEndpoint.href} still returned no usable account.`, {
        configURL: state.config.configURL.href,
      }),
    );
  }
}

/**
 * Accounts, hint filters, client metadata and images for one IdP, in Chromium 156's order
 * (measured: test/differential): the accounts; the loginHint / domainHint / account-label
 * filters; the client metadata when it is needed; then, together, the pictures of the accounts
 * the dialog will show and the config's brand icon. Login Status follows the accounts response
 * (Chromium UpdateIdpSigninStatusForAccountsEndpointResponse); an IdP known to be logged in that
 * returns no usable account is a "mismatch", whose dialog shows the brand icon too.
 */
async function loadAccounts(ctx: IdpNetwork, state: IdpState, params: RequestParams, options: { afterLogin?: boolean } = {}): Promise<void> {
  const { core, frame } = params;
  const { provider } = state;
  const config = state.config;
  if (!config) throw new Error('unreachable: accounts without config');
  state.accounts = [];
  state.pictures = new Map();
  delete state.brandIcon;
  const result = await fetchAccounts(ctx, config);
  if (!result.ok) {
    params.core.profile.setLoginStatus(provider.idpOrigin, 'logged-out');
    // Known logged in but no usable account: the mismatch UI (FedCM §2.2.1 "mismatch"). In active
    // mode an unknown status counts too: the user clicked to sign in, so the IdP's login page
    // opens (Chromium treats the empty list as logged-out, which active mode answers with it).
    // Right after the login popup there is no mismatch to offer: the failure itself ends the
    // request, with its own reason (a 500 is AccountsNoResponse, not "no usable account").
    const activeUnknown = params.options.mode === 'active' && state.loginStatus === undefined;
    if ((state.loginStatus === 'logged-in' || activeUnknown) && params.mediation !== 'silent' && options.afterLogin !== true) {
      core.report(result.failure.diagnostic);
      state.mismatch = true;
      await loadBrandIcon(ctx, state, params);
    } else {
      state.failure = result.failure;
    }
    return;
  }
  params.core.profile.setLoginStatus(provider.idpOrigin, 'logged-in');
  const filter = {
    ...(provider.options.loginHint === undefined ? {} : { loginHint: provider.options.loginHint }),
    ...(provider.options.domainHint === undefined ? {} : { domainHint: provider.options.domainHint }),
    ...(config.accountLabel === undefined ? {} : { accountLabel: config.accountLabel }),
  };
  const accounts = filterAccounts(result.accounts, filter);
  if (accounts.length === 0) {
    const hints = Object.entries(filter)
      .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
      .join(', ');
    const diagnostic: DiagnosticInit = {
      reason: 'AccountsFiltered',
      level: 'error',
      message: 'Accounts were received, but none matched the login hint, domain hint, and/or account labels provided.',
      detail: `${result.accounts.length} account(s) came back from ${config.accountsEndpoint.href}, none matching ${hints}. Accounts match through their login_hints, domain_hints and label_hints lists.`,
      configURL: config.configURL.href,
    };
    if (params.mediation !== 'silent') {
      core.report(diagnostic);
      state.mismatch = true;
      await loadBrandIcon(ctx, state, params);
    } else {
      state.failure = new FedCmFailure(diagnostic, { delayed: true });
    }
    return;
  }
  state.accounts = accounts;
  // Chromium fetches client metadata for a cross-site iframe, or when a disclosure will be shown
  // (fields requested and some account signs up).
  const crossSiteEmbedder = !isSameSite(frame.origin, frame.top.origin);
  const fields = provider.options.fields ?? DEFAULT_FIELDS;
  const signUp = state.accounts.some((a) => loginState(core, frame, state, a) === 'SignUp');
  if (crossSiteEmbedder || (fields.length > 0 && signUp)) {
    state.clientMetadata = await fetchClientMetadata(ctx, config, provider.options.clientId, { crossSiteEmbedder, cache: clientMetadataCache(frame) });
  }
  // An IdP that names no picture and no brand icon (as most test IdPs) costs no promise here.
  const icons = params.options.mode === 'passive' ? (config.branding?.icons ?? []) : [];
  if (icons.length === 0 && state.accounts.every((a) => a.picture === undefined)) return;
  const [pictures] = await Promise.all([fetchPictures(ctx, state.accounts, config), loadBrandIcon(ctx, state, params)]);
  state.pictures = pictures;
}

/**
 * The config's brand icon, fetched as Chromium 156 does for the dialogs of a passive request
 * (chooser, AutoReauthn, mismatch); its active-mode dialog fetches none (measured:
 * test/differential). A failure only leaves the dialog without the icon.
 */
async function loadBrandIcon(ctx: IdpNetwork, state: IdpState, params: RequestParams): Promise<void> {
  const config = state.config;
  if (!config || params.options.mode !== 'passive') return;
  const icon = await fetchBrandIcon(ctx, config);
  if (icon) state.brandIcon = icon;
}

/**
 * FedCM §3.5 and "create an IdentityCredential": fetch the assertion for the chosen account;
 * on success record the connection and clear prevent-silent-access; on an IdP error show the
 * Error dialog and reject once the user dismisses it.
 */
async function signIn(
  ctx: IdpNetwork,
  params: RequestParams,
  state: IdpState,
  account: IdentityProviderAccount,
  how: { isAutoSelected: boolean; loginState: LoginState },
): Promise<IdentityCredential> {
  const { core, frame, options } = params;
  const config = state.config;
  if (!config) throw new Error('unreachable: sign-in without config');
  const p = state.provider.options;
  const fields = p.fields ?? DEFAULT_FIELDS;
  const signUp = !how.isAutoSelected && how.loginState === 'SignUp';
  const disclosed = signUp ? fields.filter((f) => RECOGNIZED_FIELDS.includes(f)) : [];
  const request: AssertionRequest = {
    clientId: p.clientId,
    accountId: account.id,
    disclosureTextShown: DEFAULT_FIELDS.every((f) => disclosed.includes(f)),
    isAutoSelected: how.isAutoSelected,
    mode: options.mode,
    fields,
    disclosureShownFor: disclosed,
  };
  if (p.nonce !== undefined) {
    request.nonce = p.nonce;
    core.report({
      reason: 'NonceInTopLevel',
      level: 'warning',
      message:
        "The 'nonce' parameter should be passed within the 'params' object instead of as a top-level parameter. Top-level nonce support will be removed in a future Chrome version.",
      detail: 'Move `nonce` into `params: { nonce }`; fedkit still sends the top-level field, as Chrome does.',
      configURL: config.configURL.href,
    });
  }
  if (state.provider.params !== undefined) request.params = state.provider.params;

  let result;
  try {
    result = await requestIdentityAssertion(ctx, config, request);
  } catch (e) {
    if (e instanceof FedCmFailure && e.page.kind === 'IdentityCredentialError') await showErrorDialog(params, state, { account, loginState: how.loginState }, e, ctx.signal);
    throw e;
  }
  let token: unknown;
  let accountId = account.id;
  if (result.kind === 'continue_on') {
    // Chromium CanShowContinueOnPopup: never without the user's involvement.
    if (params.mediation === 'silent') {
      throw new FedCmFailure(
        issue('IdTokenInvalidResponse', `The IdP answered continue_on ${result.url.href}, but a popup cannot open during silent mediation.`, {
          configURL: config.configURL.href,
        }),
      );
    }
    const resolved = await runContinuation(core, config, result.url, ctx.signal);
    token = resolved.token;
    if (resolved.accountId !== undefined) accountId = resolved.accountId;
  } else {
    token = result.token;
  }
  const idp = state.provider.idpOrigin;
  core.profile.addConnection({ embedder: frame.top.origin, rp: frame.origin, idp, accountId, lastUsed: core.clock.now() });
  core.profile.setPreventSilentAccess(frame.origin, false);
  return createIdentityCredential({ token, isAutoSelected: how.isAutoSelected, configURL: p.configURL });
}

/** FedCM §3.5: the UA MUST show the error before rejecting; resolves when the user dismisses it. */
async function showErrorDialog(
  params: RequestParams,
  state: IdpState,
  chosen: { account: IdentityProviderAccount; loginState: LoginState },
  failure: FedCmFailure,
  signal: AbortLike,
): Promise<void> {
  const init = failure.page.kind === 'IdentityCredentialError' ? failure.page.init : {};
  const action = await params.core.dialogs.ask(errorDialog(params.options.context, params.frame, state, chosen, init), signal);
  // "More details" opens the IdP's error page; the request does not wait for it.
  if (action.action === 'clickButton' && action.button === 'ErrorMoreDetails' && init.url) {
    void params.core.openPopup('details', new URL(init.url));
  }
}

