// Credential Management §2.1.2 "Credential Type Registry": each credential type plugs into the
// generic get/store/create algorithms (container.ts) through this interface, as the spec's
// interface objects do through their internal methods.

import type { AgentCore } from '../agent.js';
import type { Frame } from '../page/frame.js';
import type { PolicyFeature } from '../page/permissions-policy.js';
import type { Credential } from './credential.js';

/** What an internal method gets to work with: the agent, the calling document, the abort signal. */
export interface CredentialContext {
  core: AgentCore;
  frame: Frame;
  /** The document's origin (serialized). */
  origin: string;
  /** Credential Management §2.3.2 "same-origin with its ancestors". */
  sameOriginWithAncestors: boolean;
  mediation: 'silent' | 'optional' | 'required' | 'conditional';
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

  /** WebIDL conversion of this type's member of CredentialRequestOptions; throws TypeError. */
  convertRequestOptions?(value: unknown): RequestOptions;
  /** WebIDL conversion of this type's member of CredentialCreationOptions; throws TypeError. */
  convertCreationOptions?(value: unknown): CreationOptions;

  /** [[CollectFromCredentialStore]](origin, options, sameOriginWithAncestors). */
  collectFromCredentialStore?(ctx: CredentialContext, options: RequestOptions): Credential[];
  /** [[DiscoverFromExternalSource]](origin, options, sameOriginWithAncestors). */
  discoverFromExternalSource?(ctx: CredentialContext, options: RequestOptions): Promise<Credential | null>;
  /** [[Create]](origin, options, sameOriginWithAncestors). */
  create?(ctx: CredentialContext, options: CreationOptions): Promise<Credential | null>;
  /** [[Store]](credential, sameOriginWithAncestors). */
  store?(ctx: CredentialContext, credential: Credential): Promise<void>;
  /** Whether `credential` is an instance of this type's interface. */
  isInstance(credential: unknown): boolean;
}
