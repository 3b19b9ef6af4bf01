// WebAuthn for the agent: the "public-key" entry of the Credential Type Registry (Credential
// Management §2.1.2, WebAuthn §5.1), the per-agent state behind it, and the pieces (CBOR, COSE,
// the virtual authenticator, automation) for callers that need them directly.
//
// Integration: the agent calls `createWebAuthn(core, options)` once with its AgentCore (keeping
// the result as `agent.webauthn`), and the container registers `publicKeyCredentialType`. The
// internal methods find that state from `ctx.core`; a core that never had createWebAuthn() gets
// a default in-memory state on first use.

import type { CredentialType } from '../credentials/contract/credential-type.js';
import { convertCreationOptions, convertRequestOptions, type CreationOptions, type RequestOptions } from './options.js';
import { PublicKeyCredential } from './credential.js';
import { WebAuthn, type WebAuthnOptions } from './webauthn.js';
import type { WebAuthnContext, WebAuthnCore } from './client-context.js';

const states = new WeakMap<WebAuthnCore, WebAuthn>();

/** Creates the WebAuthn state of the agent whose core this is. Call once per agent. */
export function createWebAuthn(core: WebAuthnCore, options: WebAuthnOptions = {}): WebAuthn {
  if (states.has(core)) throw new Error('WebAuthn state already exists for this agent core.');
  const state = new WebAuthn(core, options);
  states.set(core, state);
  return state;
}

/** The WebAuthn state of an agent core (created with defaults if the agent made none). */
export function webAuthnFor(core: WebAuthnCore): WebAuthn {
  let state = states.get(core);
  if (!state) {
    state = new WebAuthn(core);
    states.set(core, state);
  }
  return state;
}

/**
 * The registry entry for PublicKeyCredential. `conditionalMediation` is true: conditional get()
 * is implemented (the autofill list is answered by `conditionalUi` or automation).
 */
export const publicKeyCredentialType: CredentialType<RequestOptions, CreationOptions> = {
  type: 'public-key',
  optionsMember: 'publicKey',
  discovery: 'remote',
  getPermissionsPolicy: 'publickey-credentials-get',
  createPermissionsPolicy: 'publickey-credentials-create',
  mixableWith: [],
  conditionalMediation: true,
  interfaceName: 'PublicKeyCredential',
  convertRequestOptions,
  convertCreationOptions,
  // §5.1.4: PublicKeyCredential inherits the default [[CollectFromCredentialStore]], which
  // returns nothing: every assertion needs an authorization gesture.
  collectFromCredentialStore: () => [],
  discoverFromExternalSource: (ctx: WebAuthnContext, options: RequestOptions) => webAuthnFor(ctx.core).discoverCredential(ctx, options),
  create: (ctx: WebAuthnContext, options: CreationOptions) => webAuthnFor(ctx.core).createCredential(ctx, options),
  // §5.1.5: [[Store]] always throws NotSupportedError.
  store: () => Promise.reject(new DOMException('Store operation not permitted for this credential type.', 'NotSupportedError')),
  isInstance: (credential: unknown) => credential instanceof PublicKeyCredential,
};

export { WebAuthn, PLATFORM_AUTHENTICATOR_ID, sameOriginWithAncestors } from './webauthn.js';
export type { WebAuthnOptions, CredentialChooser, ConditionalUi, PublicKeyCredentialCall } from './webauthn.js';
export type { ConditionalRequest } from './automation.js';
export {
  PublicKeyCredential,
  AuthenticatorResponse,
  AuthenticatorAttestationResponse,
  AuthenticatorAssertionResponse,
  type AuthenticationExtensionsClientOutputs,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
  type PublicKeyCredentialJSON,
  type PublicKeyCredentialClientCapabilities,
} from './credential.js';
export {
  convertCreationOptions,
  convertRequestOptions,
  parseCreationOptionsFromJSON,
  parseRequestOptionsFromJSON,
  type CreationOptions,
  type RequestOptions,
  type PublicKeyCredentialCreationOptionsInit,
  type PublicKeyCredentialRequestOptionsInit,
  type PublicKeyCredentialDescriptorInit,
  type AuthenticationExtensionsClientInputs,
  type ParsedCreationOptions,
  type ParsedRequestOptions,
} from './options.js';
export { serializeClientData, type CollectedClientData } from './client-data.js';
export { isRegistrableDomainSuffixOrEqual } from './rp-id.js';
export { parseAuthenticatorData, parseAttestationObject } from './authenticator-data.js';
export type { WebAuthnContext, WebAuthnCore, CredentialChoiceRequest, ConditionalRequestInfo } from './client-context.js';
export {
  VirtualAuthenticator,
  AuthenticatorError,
  DEFAULT_AAGUID,
  type Authenticator,
  type AuthenticatorErrorCode,
  type CredentialDescriptor,
  type CredentialSummary,
  type GetAssertionRequest,
  type GetAssertionResult,
  type MakeCredentialRequest,
  type UserPresencePolicy,
  type UserPresenceRequest,
} from './authenticator.js';
export { WebAuthnAutomation, WebAuthnAutomationError, type AuthenticatorConfiguration, type CredentialParameters } from './automation.js';
export { MemoryWebAuthnStore, type WebAuthnStore, type StoredAuthenticator, type StoredCredential, type AuthenticatorTransport } from '../profile/webauthn-store.js';
export { encodeCbor, decodeCbor, decodeCborPrefix, CborError, type CborValue, type CborMap, type CborKey, type CborEncodable, type CborDecodeOptions } from './cbor.js';
export { COSE_ALGORITHM, SUPPORTED_ALGORITHMS, encodeCoseKey, decodeCoseKey, generateCredentialKeyPair, signWith, verifyWith, type CoseAlgorithm } from './cose.js';
export { base64urlEncode, base64urlDecode } from './base64url.js';
