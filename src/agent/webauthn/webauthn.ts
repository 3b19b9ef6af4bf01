// One agent's WebAuthn state: its authenticators (persisted in a WebAuthnStore), the prompts that
// stand in for the user, pending conditional requests, and the agent's own PublicKeyCredential
// interface object. The registry entry (index.ts) finds it from the CredentialContext's core.

import { randomUUID } from 'node:crypto';
import { internalConstruct } from '../credentials/contract/credential.js';
import type { AgentDocument } from '../document/document.js';
import type { PolicyFeature } from '../document/permissions-policy.js';
import { authenticatorDefaults, VirtualAuthenticator, type Authenticator, type AuthenticatorHost, type UserPresencePolicy } from './authenticator.js';
import type { ClientEnvironment, ConditionalRequestInfo, CredentialChoiceRequest, WebAuthnContext, WebAuthnCore } from './client-context.js';
import { createCredential } from './create.js';
import { PublicKeyCredential, sortedCapabilities, staticClientCapabilities, type PublicKeyCredentialClientCapabilities, type PublicKeyCredentialInit } from './credential.js';
import { discoverCredential } from './get.js';
import { convertCreationOptions, convertRequestOptions, type CreationOptions, type RequestOptions } from './options.js';
import { MemoryWebAuthnStore, type StoredAuthenticator, type WebAuthnStore } from '../profile/webauthn-store.js';
import { WebAuthnAutomation, type ConditionalRequest } from './automation.js';

/** The account chooser: return a credential ID from `request.credentials`, or null to cancel. */
export type CredentialChooser = (request: CredentialChoiceRequest, signal: AbortSignal) => string | null | Promise<string | null>;

/** Conditional UI: return the credential ID the user picks from the autofill list, or null (keep waiting). */
export type ConditionalUi = (request: ConditionalRequestInfo, signal: AbortSignal) => string | null | Promise<string | null>;

export interface WebAuthnOptions {
  /** Where authenticators and credentials (with their private keys) live. Default: memory. */
  store?: WebAuthnStore;
  /**
   * The authenticator created when the store has none: by default a platform authenticator
   * (transport internal, discoverable credentials, user verification that succeeds), like a
   * browser's passkey manager. `false` starts without any, as a WebDriver session does.
   */
  defaultAuthenticator?: Partial<Omit<StoredAuthenticator, 'createdAt'>> | false;
  /** Answers the user-presence / consent gestures of authenticators whose isUserConsenting is true. Default: approve. */
  userPresence?: UserPresencePolicy;
  /** Picks among several credentials. Default: the first (allowCredentials order, else newest). */
  chooseCredential?: CredentialChooser;
  /** Answers conditional (autofill) requests. Default: they wait for `automation.selectConditionalCredential()`. */
  conditionalUi?: ConditionalUi;
  /** Add Chromium's GREASE member to 20% of clientDataJSON values (default false: deterministic). */
  clientDataGrease?: boolean;
  /** Clamp timeouts to Chromium's 10 s – 10 min (default false, as with virtual authenticators). */
  clampTimeouts?: boolean;
}

interface PendingConditional extends ConditionalRequest {
  resolve(credentialId: string): void;
}

/** The id of the default platform authenticator. */
export const PLATFORM_AUTHENTICATOR_ID = 'platform';

/** The options argument of WebAuthn.create() / get(): CredentialCreationOptions / CredentialRequestOptions with `publicKey`. */
export interface PublicKeyCredentialCall {
  publicKey?: unknown;
  signal?: AbortSignal;
  mediation?: 'silent' | 'optional' | 'required' | 'conditional';
}

/** Credential Management §2.3.2: the document is same-origin with every ancestor. */
export function sameOriginWithAncestors(frame: AgentDocument): boolean {
  if (frame.origin === 'null') return false;
  return frame.ancestorOrigins.every((o) => o === frame.origin);
}

export class WebAuthn {
  /** The WebDriver virtual authenticator commands (WebAuthn §11). */
  readonly automation: WebAuthnAutomation;
  /** This agent's PublicKeyCredential interface object (its statics know this agent's authenticators). */
  readonly PublicKeyCredential: typeof PublicKeyCredential;
  readonly store: WebAuthnStore;

  readonly #core: WebAuthnCore;
  readonly #options: WebAuthnOptions;
  readonly #authenticators = new Map<string, Authenticator>();
  readonly #changeListeners = new Set<() => void>();
  readonly #conditional = new Set<PendingConditional>();
  readonly #conditionalListeners = new Set<(request: ConditionalRequest) => void>();
  #nextConditionalId = 1;
  readonly #host: AuthenticatorHost;
  readonly #env: ClientEnvironment;

  constructor(core: WebAuthnCore, options: WebAuthnOptions = {}) {
    this.#core = core;
    this.#options = options;
    this.store = options.store ?? new MemoryWebAuthnStore();
    const host: AuthenticatorHost = {
      store: this.store,
      now: () => core.clock.now(),
      get userPresence() {
        return options.userPresence;
      },
    };
    this.#host = host;
    const stored = this.store.listAuthenticators().sort((a, b) => a.createdAt - b.createdAt);
    for (const config of stored) this.#authenticators.set(config.id, new VirtualAuthenticator(config, host));
    if (stored.length === 0 && options.defaultAuthenticator !== false) {
      this.addVirtualAuthenticator({
        ...authenticatorDefaults(PLATFORM_AUTHENTICATOR_ID, core.clock.now(), 'internal'),
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        ...(options.defaultAuthenticator ?? {}),
      });
    }

    // The agent's own interface object: statics that know this agent's authenticators, and
    // instances that are also `instanceof PublicKeyCredential`.
    const uvpaa = (): boolean => this.#userVerifyingPlatformAuthenticator();
    const capabilities = (): PublicKeyCredentialClientCapabilities => this.clientCapabilities();
    this.PublicKeyCredential = class PublicKeyCredential_ extends PublicKeyCredential {
      static override isUserVerifyingPlatformAuthenticatorAvailable(): Promise<boolean> {
        return Promise.resolve(uvpaa());
      }

      static override getClientCapabilities(): Promise<PublicKeyCredentialClientCapabilities> {
        return Promise.resolve(capabilities());
      }
    };
    Object.defineProperty(this.PublicKeyCredential, 'name', { value: 'PublicKeyCredential' });

    this.#env = {
      authenticators: () => [...this.#authenticators.values()],
      authenticatorsChanged: (signal) => this.#authenticatorsChanged(signal),
      chooseCredential: async (request, signal) => {
        const chooser = this.#options.chooseCredential;
        if (!chooser) return request.credentials[0]?.credentialId ?? null;
        return chooser(request, signal);
      },
      conditionalSelection: (request, signal) => this.#conditionalSelection(request, signal),
      credential: (init: PublicKeyCredentialInit) => new this.PublicKeyCredential(internalConstruct, init),
      settings: {
        clientDataGrease: options.clientDataGrease ?? false,
        clampTimeouts: options.clampTimeouts ?? false,
      },
    };
    this.automation = new WebAuthnAutomation(this);
  }

  // -- Authenticators ------------------------------------------------------------------------

  /** The authenticators, oldest first. */
  authenticators(): Authenticator[] {
    return [...this.#authenticators.values()];
  }

  /** A virtual authenticator by id. */
  virtualAuthenticator(id: string): VirtualAuthenticator | undefined {
    const a = this.#authenticators.get(id);
    return a instanceof VirtualAuthenticator ? a : undefined;
  }

  /** @internal Adds and persists a virtual authenticator (automation validates the config). */
  addVirtualAuthenticator(config: StoredAuthenticator): VirtualAuthenticator {
    const authenticator = new VirtualAuthenticator(config, this.#host);
    this.store.putAuthenticator(authenticator.config);
    this.#authenticators.set(config.id, authenticator);
    this.#notifyChange();
    return authenticator;
  }

  /**
   * Attaches an authenticator implemented outside this module (a CTAP bridge, a test double).
   * It is not persisted and automation cannot manage its credentials.
   */
  attachAuthenticator(authenticator: Authenticator): void {
    if (this.#authenticators.has(authenticator.id)) throw new Error(`An authenticator with id "${authenticator.id}" exists.`);
    this.#authenticators.set(authenticator.id, authenticator);
    this.#notifyChange();
  }

  /** Removes an authenticator and, for virtual ones, its stored credentials. */
  removeAuthenticator(id: string): boolean {
    const existed = this.#authenticators.delete(id);
    if (existed) {
      this.store.deleteAuthenticator(id);
      this.#notifyChange();
    }
    return existed;
  }

  /** @internal A fresh authenticator id (WebDriver: up to 48 "unreserved" characters). */
  newAuthenticatorId(): string {
    return randomUUID();
  }

  /** @internal */
  now(): number {
    return this.#core.clock.now();
  }

  #notifyChange(): void {
    const listeners = [...this.#changeListeners];
    this.#changeListeners.clear();
    for (const l of listeners) l();
  }

  #authenticatorsChanged(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        this.#changeListeners.delete(listener);
        reject(signal.reason);
      };
      const listener = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#changeListeners.add(listener);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #userVerifyingPlatformAuthenticator(): boolean {
    return this.authenticators().some((a) => a.attachment === 'platform' && a.hasUserVerification);
  }

  /** §5.1.7 getClientCapabilities() for this agent. */
  clientCapabilities(): PublicKeyCredentialClientCapabilities {
    const platform = this.authenticators().filter((a) => a.attachment === 'platform' && a.hasUserVerification);
    return sortedCapabilities({
      ...staticClientCapabilities(),
      passkeyPlatformAuthenticator: platform.some((a) => a.hasResidentKey),
      userVerifyingPlatformAuthenticator: platform.length > 0,
    });
  }

  // -- Conditional requests ------------------------------------------------------------------

  /** @internal Pending conditional (autofill) requests, oldest first. */
  conditionalRequests(): ConditionalRequest[] {
    return [...this.#conditional];
  }

  /** @internal Resolves a pending conditional request with the user's pick. */
  selectConditional(request: ConditionalRequest, credentialId: string): void {
    for (const p of this.#conditional) if (p === request) p.resolve(credentialId);
  }

  /** @internal Calls `listener` for each conditional request that starts waiting. */
  onConditionalRequest(listener: (request: ConditionalRequest) => void): () => void {
    this.#conditionalListeners.add(listener);
    return () => this.#conditionalListeners.delete(listener);
  }

  #conditionalSelection(info: ConditionalRequestInfo, signal: AbortSignal): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const done = (): void => {
        this.#conditional.delete(pending);
        signal.removeEventListener('abort', onAbort);
      };
      const pending: PendingConditional = {
        requestId: this.#nextConditionalId++,
        origin: info.origin,
        rpId: info.rpId,
        credentials: () => info.candidates(),
        resolve: (credentialId) => {
          done();
          resolve(credentialId);
        },
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#conditional.add(pending);
      for (const l of [...this.#conditionalListeners]) l(pending);
      const ui = this.#options.conditionalUi;
      if (ui) {
        Promise.resolve()
          .then(() => ui(info, signal))
          .then(
            (picked) => {
              if (picked !== null && this.#conditional.has(pending)) pending.resolve(picked);
            },
            () => {},
          );
      }
    });
  }

  // -- The internal methods, and the Credential Management steps around them ------------------

  /** @internal The client's view of this state. */
  get environment(): ClientEnvironment {
    return this.#env;
  }

  /** PublicKeyCredential.[[Create]] with a context from the container (or from create()). */
  createCredential(ctx: WebAuthnContext, options: CreationOptions): Promise<PublicKeyCredential> {
    return createCredential(this.#env, ctx, options);
  }

  /** PublicKeyCredential.[[DiscoverFromExternalSource]]. */
  discoverCredential(ctx: WebAuthnContext, options: RequestOptions): Promise<PublicKeyCredential> {
    return discoverCredential(this.#env, ctx, options);
  }

  /** The context the registry's internal methods get, for a document of this agent. */
  context(frame: AgentDocument, options: { mediation?: WebAuthnContext['mediation']; signal?: AbortSignal } = {}): WebAuthnContext {
    return {
      core: this.#core,
      frame,
      origin: frame.origin,
      sameOriginWithAncestors: sameOriginWithAncestors(frame),
      mediation: options.mediation ?? 'optional',
      signal: options.signal ?? new AbortController().signal,
    };
  }

  /**
   * `navigator.credentials.create({ publicKey })` for `frame`: the Credential Management steps
   * that concern a publicKey-only call (fully active, conversion, abort, Permissions Policy),
   * then [[Create]]. The container does the same generically for every credential type.
   */
  create(frame: AgentDocument, options: PublicKeyCredentialCall): Promise<PublicKeyCredential> {
    return this.#call(frame, options, 'publickey-credentials-create', convertCreationOptions, (ctx, pk) => this.createCredential(ctx, pk));
  }

  /**
   * `navigator.credentials.get({ publicKey })` for `frame`. `mediation: 'silent'` runs like
   * 'optional' here; the container resolves null for it before [[DiscoverFromExternalSource]]
   * (Credential Management §2.5.1), since every assertion needs a gesture.
   */
  get(frame: AgentDocument, options: PublicKeyCredentialCall): Promise<PublicKeyCredential> {
    return this.#call(frame, options, 'publickey-credentials-get', convertRequestOptions, (ctx, pk) => this.discoverCredential(ctx, pk));
  }

  async #call<O>(
    frame: AgentDocument,
    options: PublicKeyCredentialCall,
    feature: PolicyFeature,
    convert: (value: unknown) => O,
    run: (ctx: WebAuthnContext, pk: O) => Promise<PublicKeyCredential>,
  ): Promise<PublicKeyCredential> {
    if (!frame.isSecureContext) throw new TypeError('navigator.credentials is only available in secure contexts.');
    // WebIDL conversion happens before the method's steps, so its TypeErrors come first.
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError("Failed to read the 'signal' property: Failed to convert value to 'AbortSignal'.");
    const pk = options.publicKey === undefined ? undefined : convert(options.publicKey);
    if (!frame.fullyActive) throw new DOMException('The document is not fully active.', 'InvalidStateError');
    if (pk === undefined) throw new DOMException("Required parameters missing in 'options.publicKey'.", 'NotSupportedError');
    const ctx = this.context(frame, { ...(options.mediation ? { mediation: options.mediation } : {}), ...(signal ? { signal } : {}) });
    if (signal?.aborted) throw signal.reason;
    if (!frame.allowsFeature(feature)) {
      this.#core.report({
        reason: 'PermissionsPolicyDenied',
        level: 'error',
        message: `WebAuthn: the '${feature}' feature is not enabled in this document.`,
        detail: `${frame.origin} is a cross-origin iframe of ${frame.parent?.origin ?? frame.origin}; every <iframe> between it and the top needs allow="${feature}".`,
        url: frame.url.href,
      });
      throw new DOMException(`The '${feature}' feature is not enabled in this document. Permissions Policy may be used to delegate Web Authentication capabilities to cross-origin child frames.`, 'NotAllowedError');
    }
    return run(ctx, pk);
  }
}
