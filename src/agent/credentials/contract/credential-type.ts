// Credential Management §2.1.2 "Credential Type Registry": each credential type plugs into the
// generic get/store/create algorithms (../container.ts) through this interface, as the spec's
// interface objects do through their internal methods.

import type { AgentCore } from '../../core.js';
import type { AgentDocument } from '../../document/document.js';
import type { PolicyFeature } from '../../document/permissions-policy.js';
import type { Credential } from './credential.js';

/** Credential Management §2.3.2 CredentialMediationRequirement. */
export type CredentialMediationRequirement = 'silent' | 'optional' | 'required' | 'conditional';

/** What an internal method gets to work with: the agent, the calling document, the abort signal. */
export interface CredentialContext {
  core: AgentCore;
  frame: AgentDocument;
  /** The document's origin (serialized; "null" when opaque). */
  origin: string;
  /** Credential Management §2.3.2 "same-origin with its ancestors". */
  sameOriginWithAncestors: boolean;
  mediation: CredentialMediationRequirement;
  /** The page's signal, or one that never aborts when the page passed none. */
  signal: AbortSignal;
}

export interface CredentialType<RequestOptions = unknown, CreationOptions = unknown> {
  /** [[type]], e.g. "password", "public-key". */
  readonly type: string;
  /** The CredentialRequestOptions / CredentialCreationOptions member, e.g. "password", "publicKey". */
  readonly optionsMember: string;
  /** [[discovery]]. */
  readonly discovery: 'credential store' | 'remote';
  /** The registry's "Get Permissions Policy" / "Create Permissions Policy". */
  readonly getPermissionsPolicy?: PolicyFeature;
  readonly createPermissionsPolicy?: PolicyFeature;
  /** Types this one may be requested together with in one get() (the registry's last column). */
  readonly mixableWith: readonly string[];
  /** Whether `mediation: "conditional"` is supported (isConditionalMediationAvailable()). */
  readonly conditionalMediation: boolean;
  /** The interface name pages see, for messages ("PasswordCredential"). Default: the type. */
  readonly interfaceName?: string;
  /**
   * CM §2.5.1 step 9.3 resolves `null` for `mediation: "silent"` before asking the user. A type whose
   * [[DiscoverFromExternalSource]] decides silent mediation itself (FedCM's auto re-authentication)
   * sets this and gets called instead.
   */
  readonly handlesSilentMediation?: boolean;
  /**
   * The type keeps its own "one pending request" rule instead of CM §2.5.1 step 6.3's active
   * credential types (FedCM: an active-mode request replaces a pending passive one).
   */
  readonly managesPendingRequests?: boolean;

  /**
   * WebIDL conversion of this type's member of CredentialRequestOptions; throws TypeError.
   * Called only when the member is not undefined.
   */
  convertRequestOptions?(value: unknown): RequestOptions;
  /**
   * Whether the converted member makes this type relevant (CM §2.3.1 "relevant credential interface
   * objects"). Default: yes. `password: false` is present after conversion (it has a default) but
   * requests nothing (WPT credentialscontainer-get-basics: get({}) is NotSupportedError).
   */
  isRequested?(options: RequestOptions): boolean;
  /** WebIDL conversion of this type's member of CredentialCreationOptions; throws TypeError. */
  convertCreationOptions?(value: unknown): CreationOptions;
  /**
   * The rejection for a mediation this type does not support: `conditional` (CM §2.5.1 step 6.1) or
   * uiMode `immediate` (step 6.2). Default: a TypeError. Return null to let the request through.
   */
  unsupportedMediation?(kind: 'conditional' | 'immediate'): unknown;
  /**
   * The type's synchronous checks after the generic ones (after the permissions policy): throws
   * what the page sees (e.g. FedCM's provider validation). May return transformed options.
   */
  prepareRequest?(ctx: CredentialContext, options: RequestOptions): RequestOptions;

  /** [[CollectFromCredentialStore]](origin, options, sameOriginWithAncestors). */
  collectFromCredentialStore?(ctx: CredentialContext, options: RequestOptions): Credential[];
  /** [[DiscoverFromExternalSource]](origin, options, sameOriginWithAncestors). */
  discoverFromExternalSource?(ctx: CredentialContext, options: RequestOptions): Promise<Credential | null>;
  /** [[Create]](origin, options, sameOriginWithAncestors). */
  create?(ctx: CredentialContext, options: CreationOptions): Promise<Credential | null>;
  /** [[Store]](credential, sameOriginWithAncestors). Absent: NotSupportedError (CM §2.2.1.3 default). */
  store?(ctx: CredentialContext, credential: Credential): Promise<void>;
  /** Whether `credential` is an instance of this type's interface. */
  isInstance(credential: unknown): boolean;
}
