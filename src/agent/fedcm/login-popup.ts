// FedCM §3.7 "show an IDP login dialog": the IdP's login_url in a popup, when the user is logged
// out (active mode), when the accounts list came back empty although the IdP said "logged in"
// (the mismatch dialog's Continue), or for "use another account". Mirrors Chromium's
// LoginToIdP: it ends when the page calls IdentityProvider.close() or when the IdP's login
// status becomes logged-in.

import type { AbortLike } from '../base/abort-state.js';
import type { AgentCore } from '../core.js';
import type { DiagnosticInit } from '../base/diagnostics.js';
import type { PopupResult } from '../mediation/popup-window.js';
import type { IdpConfig } from './types.js';
import { FedCmFailure } from './failure.js';

export interface LoginPopupOptions {
  /** Appended as login_hint / domain_hint (Chromium does so only from the mismatch and "use another account" paths). */
  loginHint?: string;
  domainHint?: string;
  signal: AbortLike;
}

/**
 * FedCM #show-an-idp-login-dialog (index.bs L1814-1854): resolves when the user is logged in at the
 * IdP; throws a FedCmFailure when they are not.
 */
export async function showIdpLoginDialog(core: AgentCore, config: IdpConfig, idpOrigin: string, options: LoginPopupOptions): Promise<void> {
  const url = new URL(config.loginUrl);
  if (options.loginHint !== undefined) url.searchParams.append('login_hint', options.loginHint);
  if (options.domainHint !== undefined) url.searchParams.append('domain_hint', options.domainHint);

  let onStatus: ((e: { origin: string; status: string }) => void) | undefined;
  const loggedIn = new Promise<PopupResult>((resolve) => {
    onStatus = (e) => {
      if (e.origin === idpOrigin && e.status === 'logged-in') resolve({ kind: 'logged-in' });
    };
    core.events.on('loginStatus', onStatus);
  });
  const popup = await core.openPopup('login', url, { signal: options.signal });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      popup.close();
      reject(options.signal.reason);
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const result = await Promise.race([popup.result, loggedIn, aborted]);
    if (result.kind === 'logged-in') {
      popup.end({ kind: 'identity-provider-close' });
      return;
    }
    // FedCM: close() succeeds only if the IdP is now logged in.
    if (result.kind === 'identity-provider-close' && core.profile.getLoginStatus(idpOrigin) === 'logged-in') return;
    const detail =
      result.kind === 'closed-by-user'
        ? `The login popup ${url.href} was closed before the user signed in.`
        : `${url.href} called IdentityProvider.close() but the login status of ${idpOrigin} is not logged-in. After signing the user in, send "Set-Login: logged-in" or call navigator.login.setStatus("logged-in") before close().`;
    const diagnostic: DiagnosticInit = {
      reason: 'LoginPopupClosedWithoutSignin',
      level: 'error',
      message: 'The login popup was closed without signing in.',
      detail,
      url: url.href,
      configURL: config.configURL.href,
    };
    throw new FedCmFailure(diagnostic);
  } finally {
    if (onStatus) core.events.off('loginStatus', onStatus);
    if (onAbort) options.signal.removeEventListener('abort', onAbort);
  }
}
