// Credential Management §2.3 "navigator.credentials": the CredentialsContainer and the generic
// "request a credential" / "store" / "create" / "prevent silent access" algorithms (CM §2.5), which
// run before and around each credential type's internal methods. The types come from the
// registry (registry.ts); FedCM is one of them (fedcm/identity-credential-type.ts) and keeps its
// own checks and order.

import { inOperation } from '../base/webidl.js';
import type { AgentCore } from '../core.js';
import type { AgentDocument } from '../document/document.js';
import { askToChoose } from './chooser.js';
import { Credential, webIdlInterface } from './contract/credential.js';
import { convertCredentialCreationOptions, convertCredentialRequestOptions, type CredentialCreationOptions, type CredentialRequestOptions, type RequestedType } from './options.js';
import type { CredentialContext, CredentialType } from './contract/credential-type.js';
import { requiresUserMediation, sameOriginWithAncestors } from './store.js';
import { credentialTypes } from './registry.js';

const notFullyActive = (): DOMException => new DOMException('The document is not fully active.', 'InvalidStateError');

const interfaceName = (t: CredentialType): string => t.interfaceName ?? t.type;

export class CredentialsContainer {
  readonly #core: AgentCore;
  readonly #frame: AgentDocument;
  readonly #registry: readonly CredentialType[];

  /** @internal */
  constructor(core: AgentCore, frame: AgentDocument, registry: readonly CredentialType[] = credentialTypes) {
    // The interface has no constructor (WebIDL: "Illegal constructor"); the agent makes one per document.
    if (core === undefined || frame === undefined) throw new TypeError('Illegal constructor');
    this.#core = core;
    this.#frame = frame;
    this.#registry = registry;
  }

  /**
   * Credential Management §2.5.1 "Request a Credential". Typed as pages should call it; any value
   * is converted with WebIDL's rules, as in a browser (what a script passes reaches it unchecked).
   */
  // A default (not `?`) keeps get.length 0, as WebIDL's optional argument does.
  get(options: CredentialRequestOptions | undefined = undefined): Promise<Credential | null> {
    let converted;
    try {
      converted = convertCredentialRequestOptions(options, this.#registry);
    } catch (e) {
      return Promise.reject(inOperation(e, 'get', 'CredentialsContainer'));
    }
    const frame = this.#frame;
    const { signal, mediation, types, unsupported } = converted;
    // Step 4 before step 5: a detached document reports InvalidStateError even if aborted
    // (WPT non-fully-active).
    if (!frame.fullyActive) return Promise.reject(notFullyActive());
    if (signal?.aborted) return Promise.reject(signal.reason);

    // Step 6. Settled after a task: an abort right after the call wins (WPT get-basics).
    if (types.length === 0) {
      if (unsupported.length > 0) {
        const why = `This agent does not implement the ${unsupported.join(', ')} credential type(s) yet.`;
        return deferredRejection(signal, () => new DOMException(why, 'NotSupportedError'));
      }
      // Chromium's message (credentials_container.cc); the hint goes to the diagnostic.
      const message = 'No credential type was specified in the request.';
      return deferredRejection(signal, () => {
        this.#core.report({
          reason: 'InvalidRequest',
          level: 'error',
          message,
          detail: 'get() named no credential type: pass `password`, `federated`, `identity`, `otp` or `publicKey`.',
          url: frame.url.href,
        });
        return new DOMException(message, 'NotSupportedError');
      });
    }
    // Step 7: "types allowed in the same get() request". A type this agent does not implement
    // counts too: the registry allows digital and public-key credentials with nothing.
    const mixing = mixingError(types, unsupported);
    if (mixing) return Promise.reject(mixing);

    // Step 8, for each interface: unsupported mediation, then active credential types.
    for (const { type } of types) {
      if (mediation === 'conditional' && !type.conditionalMediation) {
        const e = type.unsupportedMediation ? type.unsupportedMediation('conditional') : new TypeError(`Conditional mediation is not supported for ${interfaceName(type)}.`);
        if (e !== null) return Promise.reject(e);
      }
      if (converted.uiMode === 'immediate') {
        const e = type.unsupportedMediation ? type.unsupportedMediation('immediate') : new TypeError(`uiMode "immediate" is not supported for ${interfaceName(type)}.`);
        if (e !== null) return Promise.reject(e);
      }
      if (!type.managesPendingRequests && frame.activeCredentialTypes.has(type.type)) {
        return Promise.reject(new DOMException(`A request for ${interfaceName(type)} is already pending in this document.`, 'NotAllowedError'));
      }
    }

    // Steps 9–10.
    const ctx = this.#context(mediation, signal);
    // Step 11: each interface's Get Permissions Policy.
    for (const { type } of types) {
      const denied = this.#policyDenied(type.getPermissionsPolicy);
      if (denied) return Promise.reject(denied);
    }
    // The types' own synchronous checks (FedCM's provider validation, WebOTP's transport).
    const prepared: RequestedType[] = [];
    for (const { type, options: typeOptions } of types) {
      try {
        prepared.push({ type, options: type.prepareRequest ? type.prepareRequest(ctx, typeOptions) : typeOptions });
      } catch (e) {
        // Chromium's renderer checks (GetForIdentity) reject their TypeErrors in get()'s context.
        return Promise.reject(inOperation(e, 'get', 'CredentialsContainer'));
      }
    }
    // Step 8.4, once nothing can fail synchronously any more (so a rejected call leaves no type
    // behind, which the spec's order would).
    const tracked = prepared.filter((t) => !t.type.managesPendingRequests).map((t) => t.type.type);
    for (const t of tracked) frame.activeCredentialTypes.add(t);
    const p = this.#request(ctx, prepared);
    // Step 13: react to p.
    const release = (): void => {
      for (const t of tracked) frame.activeCredentialTypes.delete(t);
    };
    p.then(release, release);
    return p;
  }

  /** CM §2.5.1 step 12, the part "in parallel". */
  async #request(ctx: CredentialContext, types: RequestedType[]): Promise<Credential | null> {
    const only = types.length === 1 ? types[0] : undefined;
    // A type that discovers remotely starts at once (FedCM decides failures before any fetch,
    // which must win over an abort right after get(); WebOTP must be listening when the SMS
    // comes). The credential store is read after a task, so an abort right after the call wins.
    if (only?.type.discovery !== 'remote') {
      await nextTask();
      ctx.signal.throwIfAborted();
    }
    // 12.1–12.2 "collect Credentials from the credential store".
    const credentials: Credential[] = [];
    for (const { type, options } of types) if (type.collectFromCredentialStore) credentials.push(...type.collectFromCredentialStore(ctx, options));

    // 12.3: one credential, an origin that does not require mediation, options matchable a priori.
    const matchableAPriori = types.every((t) => t.type.discovery === 'credential store');
    const single = credentials.length === 1 ? credentials[0] : undefined;
    if (single && matchableAPriori && ctx.mediation !== 'required' && ctx.mediation !== 'conditional' && !requiresUserMediation(ctx.core, ctx.origin)) {
      // CM §5.2: the UA MUST notify the user when credentials are provided to an origin.
      ctx.core.report({
        reason: 'CredentialProvided',
        level: 'info',
        message: `Signed in to ${ctx.origin} without asking.`,
        detail: `The ${single.type} credential "${single.id}" was given to ${ctx.origin} without the chooser: it is the only one stored, and the user let this origin sign in without mediation.`,
        url: ctx.frame.url.href,
      });
      return single;
    }
    // 12.4.
    if (ctx.mediation === 'silent' && !only?.type.handlesSilentMediation) return null;

    // 12.5 "ask the user to choose". A lone type that mediates itself (FedCM, WebOTP, WebAuthn)
    // is chosen without a chooser (CM §5.3 note). With nothing stored and nothing to discover,
    // fedkit resolves null without showing an empty chooser, as Chromium does.
    let discover: RequestedType | undefined;
    if (credentials.length > 0) {
      const choice = await askToChoose(ctx, credentials);
      if (choice) {
        // CM §5.2: choosing in the chooser is user mediation; "stay signed in" lets the origin skip
        // it next time. A later preventSilentAccess() sets the flag again.
        ctx.core.profile.setPreventSilentAccess(ctx.origin, false);
        if (choice.staySignedIn) ctx.core.profile.setSilentAccessAllowed(ctx.origin, true);
        return choice.credential;
      }
    } else {
      const discoverable = types.filter((t) => t.type.discoverFromExternalSource);
      if (discoverable.length === 1) discover = discoverable[0];
    }
    // 12.6: [[DiscoverFromExternalSource]].
    if (discover?.type.discoverFromExternalSource) {
      const result = await discover.type.discoverFromExternalSource(ctx, discover.options);
      if (result) return result;
    }
    // 12.8: a conditional request never resolves with null; it stays pending until aborted.
    if (ctx.mediation === 'conditional') {
      return new Promise<never>((_, reject) => {
        if (ctx.signal.aborted) reject(ctx.signal.reason);
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
      });
    }
    return null;
  }

  /** Credential Management §2.5.2 "Store a Credential". */
  store(credential: Credential): Promise<undefined> {
    const frame = this.#frame;
    if (!frame.fullyActive) return Promise.reject(notFullyActive());
    // WebIDL: the argument must be a Credential.
    if (!(credential instanceof Credential)) {
      return Promise.reject(new TypeError("Failed to execute 'store' on 'CredentialsContainer': parameter 1 is not of type 'Credential'."));
    }
    const type = this.#registry.find((t) => t.isInstance(credential));
    // Steps 5–6: active credential types.
    const typeName = credential.type;
    if (frame.activeCredentialTypes.has(typeName)) {
      return Promise.reject(new DOMException(`A request for ${type ? interfaceName(type) : typeName} is already pending in this document.`, 'NotAllowedError'));
    }
    frame.activeCredentialTypes.add(typeName);
    const ctx = this.#context('optional', undefined);
    const p = (async (): Promise<undefined> => {
      await nextTask();
      // CM §2.2.1.3: the default [[Store]] throws NotSupportedError (WPT fedcm-store, otpcredential-store).
      if (!type?.store) {
        throw new DOMException(type ? `${interfaceName(type)} cannot be stored.` : 'Store operation not permitted for this credential type.', 'NotSupportedError');
      }
      await type.store(ctx, credential);
      return undefined;
    })();
    const release = (): void => {
      frame.activeCredentialTypes.delete(typeName);
    };
    p.then(release, release);
    return p;
  }

  /** Credential Management §2.5.3 "Create a Credential" (typed as `get`, converted as in a browser). */
  create(options: CredentialCreationOptions | undefined = undefined): Promise<Credential | null> {
    let converted;
    try {
      converted = convertCredentialCreationOptions(options, this.#registry);
    } catch (e) {
      return Promise.reject(inOperation(e, 'create', 'CredentialsContainer'));
    }
    const frame = this.#frame;
    if (!frame.fullyActive) return Promise.reject(notFullyActive());
    const { signal, mediation, types, unsupported } = converted;
    // Step 8.2: more than one interface.
    if (types.length + unsupported.length > 1) {
      return Promise.reject(
        new DOMException("Only exactly one of 'password', 'federated', and 'publicKey' credential types are currently supported.", 'NotSupportedError'),
      );
    }
    const ctx = this.#context(mediation, signal);
    // Step 9: the Create Permissions Policy.
    for (const { type } of types) {
      const denied = this.#policyDenied(type.createPermissionsPolicy);
      if (denied) return Promise.reject(denied);
    }
    // Step 10. WPT create-basics checks the abort reason before "no interfaces", which the spec
    // text does not cover: no interface is NotSupportedError, settled after a task so that an
    // abort right after the call still wins.
    if (signal?.aborted) return Promise.reject(signal.reason);
    const only = types[0];
    if (!only) {
      const why = unsupported.length > 0 ? `This agent does not implement creating ${unsupported.join(', ')} credentials yet.` : 'No credential type was given (pass `password`, `federated` or `publicKey`).';
      return deferredRejection(signal, () => new DOMException(why, 'NotSupportedError'));
    }
    // Steps 11–13: active credential types.
    const typeName = only.type.type;
    if (frame.activeCredentialTypes.has(typeName)) {
      return Promise.reject(new DOMException(`A request for ${interfaceName(only.type)} is already pending in this document.`, 'NotAllowedError'));
    }
    frame.activeCredentialTypes.add(typeName);
    const p = (async (): Promise<Credential | null> => {
      if (only.type.discovery !== 'remote') {
        await nextTask();
        ctx.signal.throwIfAborted();
      }
      // CM §2.2.1.4: the default [[Create]] returns null.
      return only.type.create ? await only.type.create(ctx, only.options) : null;
    })();
    const release = (): void => {
      frame.activeCredentialTypes.delete(typeName);
    };
    p.then(release, release);
    return p;
  }

  /** Credential Management §2.5.4 "Prevent Silent Access": sets the flag for this origin. */
  preventSilentAccess(): Promise<undefined> {
    if (!this.#frame.fullyActive) return Promise.reject(notFullyActive());
    this.#core.profile.setPreventSilentAccess(this.#frame.origin, true);
    return Promise.resolve(undefined);
  }

  #context(mediation: CredentialContext['mediation'], signal: AbortSignal | undefined): CredentialContext {
    const frame = this.#frame;
    return {
      core: this.#core,
      frame,
      origin: frame.origin,
      sameOriginWithAncestors: sameOriginWithAncestors(frame),
      mediation,
      // The page's signal, and the document's lifetime: a request that waits for the user or the
      // phone ends when its document goes away (FedCM's own request is cancelled by Frame.close()
      // before this fires, so it sees no change).
      signal: signal ? AbortSignal.any([signal, frame.lifetime]) : frame.lifetime,
    };
  }

  /** Permissions Policy "allowed to use": NotAllowedError (with a diagnostic) when the frame may not. */
  #policyDenied(feature: CredentialType['getPermissionsPolicy']): DOMException | null {
    const frame = this.#frame;
    if (feature === undefined || frame.allowsFeature(feature)) return null;
    const message = `The '${feature}' feature is not enabled in this document.`;
    this.#core.report({
      reason: 'PermissionsPolicyDenied',
      level: 'error',
      message,
      detail: frame.parent
        ? `${frame.origin} is an iframe of ${frame.parent.origin}: every <iframe> between it and the top needs allow="${feature}" (a cross-origin one at least), and no page above it may disable the feature with a Permissions-Policy header.`
        : `The page's Permissions-Policy header disables ${feature} (${frame.response?.headers.get('permissions-policy') ?? ''}).`,
      url: frame.url.href,
    });
    return new DOMException(message, 'NotAllowedError');
  }
}

// WebIDL shape (optional arguments make get.length and create.length 0).
webIdlInterface(CredentialsContainer, 'CredentialsContainer');

/** CM §2.5.1 step 7: the first pair of requested types the registry does not allow together. */
function mixingError(types: readonly RequestedType[], unsupported: readonly string[]): DOMException | null {
  const entries = [
    ...types.map((t) => ({ member: t.type.optionsMember, type: t.type.type, mixableWith: t.type.mixableWith })),
    ...unsupported.map((member) => ({ member, type: member, mixableWith: [] as readonly string[] })),
  ];
  for (const a of entries) {
    for (const b of entries) {
      if (a.type === b.type || a.mixableWith.includes(b.type)) continue;
      return new DOMException(`The '${a.member}' and '${b.member}' credential types cannot be requested together.`, 'NotSupportedError');
    }
  }
  return null;
}

/** A task later (the spec's "in parallel" steps come back through a queued task). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
