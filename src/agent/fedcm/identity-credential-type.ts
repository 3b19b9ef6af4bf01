// FedCM's entry in the Credential Type Registry (Credential Management §2.1.2): "identity",
// a thin adapter around request.ts, which keeps its own checks, in their own order (FedCM
// §2.2.1; Chromium GetForIdentity).

import { domException, issue } from '../base/diagnostics.js';
import { IdentityCredential } from './identity-credential.js';
import { runIdentityRequest } from './request.js';
import { convertIdentityRequestOptions, validateIdentityRequest } from './request-options.js';
import type { AgentDocument, PendingIdentityRequest } from '../document/document.js';
import type { IdentityRequestOptions, Provider } from './types.js';
import type { CredentialContext, CredentialType } from '../credentials/contract/credential-type.js';

/** The `identity` member, and once checked, the providers FedCM validated. */
interface IdentityRequest {
  identity: IdentityRequestOptions;
  providers?: Provider[];
}

export const identityCredentialType: CredentialType<IdentityRequest> = {
  type: 'identity',
  optionsMember: 'identity',
  interfaceName: 'IdentityCredential',
  discovery: 'remote',
  getPermissionsPolicy: 'identity-credentials-get',
  mixableWith: [],
  conditionalMediation: false,
  // FedCM decides silent mediation itself (auto re-authentication, or a NetworkError).
  handlesSilentMediation: true,
  // An active-mode request after a click replaces a pending passive one (below).
  managesPendingRequests: true,

  convertRequestOptions: (value) => ({ identity: convertIdentityRequestOptions(value) }),

  unsupportedMediation(kind) {
    // The spec says TypeError; Chromium throws NotSupportedError (docs/decisions.md). uiMode is
    // not read by Chromium's FedCM path: it stays ignored.
    if (kind === 'immediate') return null;
    return new DOMException('Conditional mediation is not supported for this credential type', 'NotSupportedError');
  },

  prepareRequest(ctx: CredentialContext, request: IdentityRequest): IdentityRequest {
    const { identity } = request;
    const providers = validateIdentityRequest(identity, ctx.mediation);
    // CM §2.5.1 step 6.3 "active credential types", with FedCM's carve-out: an active request after a
    // user click replaces a pending passive one (Chromium HandlePendingRequestAndCancelNewRequest).
    const frame = ctx.frame;
    const own = frame.pendingIdentityRequest;
    const activeAfterClick = identity.mode === 'active' && frame.hasTransientActivation;
    if (own && !(activeAfterClick && own.mode === 'passive')) {
      // Chromium rejects the second call with kTooManyRequests, its DevTools issue; the pending
      // request goes on (and raises its own issue if it fails).
      const d = issue('TooManyRequests', 'navigator.credentials.get() was called while another FedCM request of this document was pending. Wait for it, or abort it with an AbortSignal.', { issue: 'TooManyRequests' });
      ctx.core.report(d);
      throw domException({ message: d.message, name: 'NotAllowedError' }, d);
    }
    // FedCM §2.2.1 (active mode): pending passive requests in this page are rejected.
    if (activeAfterClick) for (const p of pendingPassive(frame.top)) p.cancel('replaced');
    return { identity, providers };
  },

  discoverFromExternalSource(ctx: CredentialContext, request: IdentityRequest) {
    const providers = request.providers ?? validateIdentityRequest(request.identity, ctx.mediation);
    return runIdentityRequest({ core: ctx.core, frame: ctx.frame, providers, options: request.identity, mediation: ctx.mediation, signal: ctx.signal });
  },

  isInstance: (credential) => credential instanceof IdentityCredential,
};

/** The pending passive FedCM requests of a page (its top-level document and descendants). */
function pendingPassive(top: AgentDocument): PendingIdentityRequest[] {
  const found: PendingIdentityRequest[] = [];
  const stack = [top];
  for (let f = stack.pop(); f; f = stack.pop()) {
    if (f.pendingIdentityRequest?.mode === 'passive') found.push(f.pendingIdentityRequest);
    stack.push(...f.children);
  }
  return found;
}
