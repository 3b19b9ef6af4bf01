// Credential Management §2.3 "navigator.credentials": the CredentialsContainer and the generic
// "request a credential" / "store" / "create" / "prevent silent access" algorithms, which run
// before any credential type's own steps.

import type { AgentCore } from '../agent.js';
import { runIdentityRequest, validateIdentityRequest } from '../fedcm/request.js';
import type { Frame } from '../page/frame.js';
import type { Credential } from './credential.js';
import { IdentityCredential } from '../fedcm/identity-credential.js';
import { convertCredentialRequestOptions } from './options.js';

const notFullyActive = (): DOMException => new DOMException('The document is not fully active.', 'InvalidStateError');

export class CredentialsContainer {
  readonly #core: AgentCore;
  readonly #frame: Frame;

  /** @internal */
  constructor(core: AgentCore, frame: Frame) {
    this.#core = core;
    this.#frame = frame;
  }

  /** Credential Management §2.5.1 "Request a Credential". */
  get(options?: unknown): Promise<Credential | null> {
    let converted;
    try {
      converted = convertCredentialRequestOptions(options);
    } catch (e) {
      return Promise.reject(e);
    }
    const frame = this.#frame;
    const { signal, mediation } = converted;
    // Step 2 before step 3: a detached document reports InvalidStateError even if aborted.
    if (!frame.fullyActive) return Promise.reject(notFullyActive());
    if (signal?.aborted) return Promise.reject(signal.reason);

    const types = [...(converted.identity ? ['identity'] : []), ...converted.unsupported];
    if (types.length === 0 || !converted.identity) {
      const why =
        converted.unsupported.length > 0
          ? `This agent does not implement the ${converted.unsupported.join(', ')} credential type(s) yet.`
          : 'No credential type was requested (pass `identity`).';
      return deferredRejection(signal, () => new DOMException(why, 'NotSupportedError'));
    }
    // Step 5: "identity" may not be mixed with any other type.
    if (types.length > 1) {
      return Promise.reject(new DOMException('Identity credentials cannot be requested together with other credential types.', 'NotSupportedError'));
    }
    const identity = converted.identity;
    if (mediation === 'conditional') {
      // The spec says TypeError; Chromium throws NotSupportedError. fedkit follows Chromium.
      return Promise.reject(new DOMException('Conditional mediation is not supported for this credential type', 'NotSupportedError'));
    }
    // Step 8: Permissions Policy "identity-credentials-get".
    if (!frame.allowsFeature('identity-credentials-get')) {
      this.#core.report({
        reason: 'PermissionsPolicyDenied',
        level: 'error',
        message: "The 'identity-credentials-get' feature is not enabled in this document.",
        detail: `${frame.origin} is a cross-origin iframe of ${frame.parent?.origin ?? frame.origin}; every <iframe> between it and the top needs allow="identity-credentials-get".`,
        url: frame.url.href,
      });
      return Promise.reject(new DOMException("The 'identity-credentials-get' feature is not enabled in this document.", 'NotAllowedError'));
    }
    let providers;
    try {
      providers = validateIdentityRequest(identity, mediation);
    } catch (e) {
      return Promise.reject(e);
    }
    // Step 6 "active credential types", with FedCM's carve-out: an active request after a user
    // click replaces a pending passive one (Chromium HandlePendingRequestAndCancelNewRequest).
    const own = frame.pendingIdentityRequest;
    const activeAfterClick = identity.mode === 'active' && frame.hasTransientActivation;
    if (own) {
      if (!(activeAfterClick && own.mode === 'passive')) {
        return Promise.reject(new DOMException('Only one navigator.credentials.get request may be outstanding at one time.', 'NotAllowedError'));
      }
    }
    // FedCM §2.2.1 (active mode): pending passive requests in this page are rejected.
    if (activeAfterClick) for (const p of pendingPassive(frame.top)) p.cancel('replaced');
    return runIdentityRequest({ core: this.#core, frame, providers, options: identity, mediation, signal });
  }

  /** Credential Management §2.5.2 "Store a Credential". */
  store(credential: Credential): Promise<undefined> {
    if (!this.#frame.fullyActive) return Promise.reject(notFullyActive());
    if (credential instanceof IdentityCredential) {
      return Promise.reject(new DOMException('IdentityCredential cannot be stored.', 'NotSupportedError'));
    }
    return Promise.reject(new DOMException('This agent does not implement storing this credential type yet.', 'NotSupportedError'));
  }

  /** Credential Management §2.5.3 "Create a Credential". */
  create(options?: unknown): Promise<Credential | null> {
    if (!this.#frame.fullyActive) return Promise.reject(notFullyActive());
    const signal = typeof options === 'object' && options !== null ? (options as { signal?: unknown }).signal : undefined;
    if (signal instanceof AbortSignal && signal.aborted) return Promise.reject(signal.reason);
    return Promise.reject(new DOMException('This agent does not implement creating credentials of the requested type.', 'NotSupportedError'));
  }

  /** Credential Management §2.5.4 "Prevent Silent Access": sets the flag for this origin. */
  preventSilentAccess(): Promise<undefined> {
    if (!this.#frame.fullyActive) return Promise.reject(notFullyActive());
    this.#core.profile.setPreventSilentAccess(this.#frame.origin, true);
    return Promise.resolve(undefined);
  }
}

/** The pending passive FedCM requests of a page (its top-level document and descendants). */
function pendingPassive(top: Frame): NonNullable<Frame['pendingIdentityRequest']>[] {
  const found: NonNullable<Frame['pendingIdentityRequest']>[] = [];
  const stack = [top];
  for (let f = stack.pop(); f; f = stack.pop()) {
    if (f.pendingIdentityRequest?.mode === 'passive') found.push(f.pendingIdentityRequest);
    stack.push(...f.children);
  }
  return found;
}

/**
 * Rejects after a task, checking the signal first: an abort issued right after the call must
 * win (WPT credentialscontainer-get-basics), so the rejection cannot be settled synchronously.
 */
function deferredRejection(signal: AbortSignal | undefined, error: () => unknown): Promise<never> {
  return new Promise((_, reject) => {
    setImmediate(() => reject(signal?.aborted ? signal.reason : error()));
  });
}
