// FedCM §3.5, the `continue_on` branch: the IdP needs the user on its own page (extra consent,
// a second factor) before it issues the token. The agent opens that page in a popup and waits
// for IdentityProvider.resolve(token, {accountId}) or close().

import type { AbortLike } from '../base/abort-state.js';
import type { AgentCore } from '../core.js';
import { issue } from '../base/diagnostics.js';
import type { IdpConfig } from './types.js';
import { FedCmFailure } from './failure.js';

/**
 * FedCM #fetch-an-identity-assertion, the `continue_on` branch (checklist §1.8): open the URL in
 * a popup and wait for IdentityProvider.resolve() (#dom-identityprovider-resolve); close() or
 * the user closing the window fails the request; the page's abort closes the popup.
 */
export async function runContinuation(
  core: AgentCore,
  config: IdpConfig,
  url: URL,
  signal: AbortLike,
): Promise<{ token: unknown; accountId?: string }> {
  const popup = await core.openPopup('continuation', url, { signal });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      popup.close();
      reject(signal.reason);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const result = await Promise.race([popup.result, aborted]);
    if (result.kind === 'resolved') return result.accountId === undefined ? { token: result.token } : { token: result.token, accountId: result.accountId };
    const extra = { url: url.href, configURL: config.configURL.href };
    if (result.kind === 'identity-provider-close') {
      throw new FedCmFailure({
        reason: 'ContinuationPopupClosedByUser',
        level: 'error',
        message: 'The continuation popup was closed by IdentityProvider.close().',
        detail: `${url.href} called IdentityProvider.close(), which ends the request without a token. Call IdentityProvider.resolve(token) to finish it.`,
        ...extra,
      });
    }
    throw new FedCmFailure({ ...issue('ErrorIdToken', `The user closed the continuation popup ${url.href}.`, extra), reason: 'ContinuationPopupClosedByUser' });
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
