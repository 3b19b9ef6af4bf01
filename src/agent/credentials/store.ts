// The credential store's rules shared by PasswordCredential and FederatedCredential (Credential
// Management §2.1 "credential store", §5 "User Mediation"): origin-bound checks, the user's
// consent to store, and whether an origin requires user mediation.

import { isPotentiallyTrustworthy } from '../../common/site.js';
import { formatSite } from '../mediation/format-site.js';
import type { CredentialChooserEntry } from '../mediation/dialog.js';
import type { AgentDocument } from '../document/document.js';
import type { AgentCore } from '../core.js';
import type { CredentialContext } from './contract/credential-type.js';
import { credentialOrigin } from './credential-user-data.js';
import type { Credential } from './contract/credential.js';

/**
 * Credential Management §2.2.1.1 "same-origin with its ancestors", from the frame tree. Opaque
 * origins are same-origin only with themselves, and every opaque origin is a different one, so a
 * sandboxed document is never same-origin with an ancestor (HTML §7.5 "same origin").
 */
export function sameOriginWithAncestors(frame: AgentDocument): boolean {
  for (let f = frame.parent; f; f = f.parent) {
    if (frame.origin === 'null' || f.origin !== frame.origin) return false;
  }
  return true;
}

/**
 * Credential Management §2.1: an origin "requires user mediation" while its prevent-silent-access
 * flag is true. The flag is true by default and only the user sets it to false (CM §5.2), which the
 * profile records as `silentAccessAllowed`; `preventSilentAccess()` sets it back to true (the
 * profile's `preventsSilentAccess`, shared with FedCM). See docs/credentials.md.
 */
export function requiresUserMediation(core: AgentCore, origin: string): boolean {
  return !core.profile.silentAccessAllowed(origin) || core.profile.preventsSilentAccess(origin);
}

/**
 * PasswordCredential and FederatedCredential are origin bound: from an opaque origin, get(),
 * create() and store() reject with SecurityError. This is not in the spec text yet; WPT
 * origin-bound-opaque-origin*.https.html expects it (fedcm-spec-checklist §3.4).
 */
export function rejectOpaqueOrigin(ctx: CredentialContext, interfaceName: string, operation: string): void {
  if (ctx.origin !== 'null') return;
  ctx.core.report({
    reason: 'CredentialRequestRejected',
    level: 'error',
    message: `${interfaceName} is not available to an opaque origin.`,
    detail: `${operation}() was called from ${ctx.frame.url.href}, a document with an opaque origin (a sandboxed iframe without allow-same-origin, or a data: URL): ${interfaceName}s are bound to an origin, and this document has none.`,
    url: ctx.frame.url.href,
  });
  throw new DOMException(`${interfaceName} is not available to an opaque origin.`, 'SecurityError');
}

/**
 * CM §3.3.1 step 2 / CM §3.3.3 step 1 (and CM §4.1 for federated): the credential store is reachable only
 * from documents same-origin with all their ancestors (CM §6.4 "origin confusion"). Chromium's message.
 */
export function rejectCrossOriginFrame(ctx: CredentialContext): void {
  if (ctx.sameOriginWithAncestors) return;
  ctx.core.report({
    reason: 'CredentialRequestRejected',
    level: 'error',
    message: 'PasswordCredential and FederatedCredential need a document same-origin with all its ancestors.',
    detail: `${ctx.origin} is embedded in ${ctx.frame.ancestorOrigins.join(' ← ')}; the credential store is only reachable from a top-level document or same-origin iframes (Credential Management §6.4).`,
    url: ctx.frame.url.href,
  });
  throw new DOMException(
    "The following credential operations can only occur in a document which is same-origin with all of its ancestors: storage/retrieval of 'PasswordCredential' and 'FederatedCredential', storage of 'PublicKeyCredential'.",
    'NotAllowedError',
  );
}

/**
 * [[Store]]'s checks shared by PasswordCredential (CM §3.3.3) and FederatedCredential (CM §4.2.3):
 * not from an opaque origin or a cross-origin frame, only a credential of this document's own
 * origin, and only a secure icon.
 */
export function rejectUnstorable(ctx: CredentialContext, credential: Credential & { readonly iconURL: string }, interfaceName: string): void {
  rejectOpaqueOrigin(ctx, interfaceName, 'store');
  rejectCrossOriginFrame(ctx);
  const origin = credentialOrigin(credential);
  if (origin !== ctx.origin) {
    throw new DOMException(`The credential belongs to ${origin}, not to this document's origin ${ctx.origin}.`, 'SecurityError');
  }
  rejectInsecureIcon(credential.iconURL);
}

/**
 * CM §2.2.2 CredentialUserData: iconURL "MUST be an a priori authenticated URL". Chromium enforces
 * it when storing (SecurityError "'iconURL' should be a secure URL").
 */
export function rejectInsecureIcon(iconURL: string): void {
  if (iconURL === '') return;
  // Secure Contexts §3.2 "potentially trustworthy URL": data: URLs are, besides trustworthy origins.
  const url = URL.canParse(iconURL) ? new URL(iconURL) : null;
  if (url !== null && (url.protocol === 'data:' || isPotentiallyTrustworthy(url))) return;
  throw new DOMException("'iconURL' should be a secure URL", 'SecurityError');
}

/**
 * [[Store]]'s "if the user grants permission to store / update credentials": the SaveCredential
 * prompt. Resolves true when the user saves; an abort (the document went away) rejects with its reason.
 */
export function askToStore(ctx: CredentialContext, credential: CredentialChooserEntry, action: 'save' | 'update'): Promise<boolean> {
  const site = formatSite(ctx.origin);
  const what = credential.type === 'password' ? 'password' : `sign-in with ${formatSite(credential.provider)}`;
  return ctx.core.dialogs.confirm(
    {
      dialogType: 'SaveCredential',
      title: action === 'save' ? `Save ${what} for ${site}?` : `Update ${what} for ${site}?`,
      accounts: [],
      origin: ctx.origin,
      action,
      credential,
    },
    'SaveCredentialConfirm',
    ctx.signal,
  );
}
