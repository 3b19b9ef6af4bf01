// The page-visible WebAuthn interfaces: PublicKeyCredential (WebAuthn §5.1), AuthenticatorResponse
// (§5.2), AuthenticatorAttestationResponse (§5.2.1) and AuthenticatorAssertionResponse (§5.2.2).
// Pages cannot construct them (no constructor in the IDL); the client builds them with the
// internal construct key. Buffer attributes are [SameObject]: one ArrayBuffer per attribute.

import { Credential, internalConstruct } from '../credentials/contract/credential.js';
import { base64urlEncode, toArrayBuffer } from './base64url.js';
import { parseCreationOptionsFromJSON, parseRequestOptionsFromJSON, type ParsedCreationOptions, type ParsedRequestOptions } from './options.js';

/** AuthenticationExtensionsClientOutputs for the extensions fedkit implements. */
export interface AuthenticationExtensionsClientOutputs {
  /** Credential Properties (§10.1.3). */
  credProps?: { rk: boolean };
}

/** RegistrationResponseJSON (§5.1). */
export interface RegistrationResponseJSON {
  authenticatorAttachment?: 'platform' | 'cross-platform';
  clientExtensionResults: AuthenticationExtensionsClientOutputs;
  id: string;
  rawId: string;
  response: {
    attestationObject: string;
    authenticatorData: string;
    clientDataJSON: string;
    publicKey?: string;
    publicKeyAlgorithm: number;
    transports: string[];
  };
  type: 'public-key';
}

/** AuthenticationResponseJSON (§5.1). */
export interface AuthenticationResponseJSON {
  authenticatorAttachment?: 'platform' | 'cross-platform';
  clientExtensionResults: AuthenticationExtensionsClientOutputs;
  id: string;
  rawId: string;
  response: {
    authenticatorData: string;
    clientDataJSON: string;
    signature: string;
    userHandle?: string;
  };
  type: 'public-key';
}

/** PublicKeyCredentialJSON (§5.1): what toJSON() returns. */
export type PublicKeyCredentialJSON = RegistrationResponseJSON | AuthenticationResponseJSON;

/** PublicKeyCredentialClientCapabilities (§5.1.7): keys sorted, values booleans. */
export type PublicKeyCredentialClientCapabilities = Record<string, boolean>;

const illegal = (): TypeError => new TypeError('Illegal constructor');

/** §5.2 AuthenticatorResponse. */
export class AuthenticatorResponse {
  readonly #clientDataJSON: ArrayBuffer;

  /** @internal */
  constructor(key: typeof internalConstruct, clientDataJSON: Uint8Array) {
    if (key !== internalConstruct) throw illegal();
    this.#clientDataJSON = toArrayBuffer(clientDataJSON);
  }

  get clientDataJSON(): ArrayBuffer {
    return this.#clientDataJSON;
  }
}

/** @internal What the client hands the attestation response. */
export interface AttestationResponseInit {
  clientDataJSON: Uint8Array;
  attestationObject: Uint8Array;
  transports: readonly string[];
  authenticatorData: Uint8Array;
  /** DER SubjectPublicKeyInfo, or null for an algorithm the client cannot translate. */
  publicKey: Uint8Array | null;
  publicKeyAlgorithm: number;
}

/** §5.2.1 AuthenticatorAttestationResponse. */
export class AuthenticatorAttestationResponse extends AuthenticatorResponse {
  readonly #attestationObject: ArrayBuffer;
  readonly #transports: readonly string[];
  readonly #authenticatorData: Uint8Array;
  readonly #publicKey: Uint8Array | null;
  readonly #publicKeyAlgorithm: number;

  /** @internal */
  constructor(key: typeof internalConstruct, init: AttestationResponseInit) {
    super(key, init.clientDataJSON);
    this.#attestationObject = toArrayBuffer(init.attestationObject);
    // [[transports]]: unique and in lexicographical order (§5.1.3, constructCredentialAlg).
    this.#transports = [...new Set(init.transports)].sort();
    this.#authenticatorData = Uint8Array.from(init.authenticatorData);
    this.#publicKey = init.publicKey && Uint8Array.from(init.publicKey);
    this.#publicKeyAlgorithm = init.publicKeyAlgorithm;
  }

  get attestationObject(): ArrayBuffer {
    return this.#attestationObject;
  }

  getTransports(): string[] {
    return [...this.#transports];
  }

  /** §5.2.1.1: the authenticator data inside attestationObject. */
  getAuthenticatorData(): ArrayBuffer {
    return toArrayBuffer(this.#authenticatorData);
  }

  /** §5.2.1.1: DER SubjectPublicKeyInfo of the credential public key, or null. */
  getPublicKey(): ArrayBuffer | null {
    return this.#publicKey && toArrayBuffer(this.#publicKey);
  }

  getPublicKeyAlgorithm(): number {
    return this.#publicKeyAlgorithm;
  }
}

/** @internal */
export interface AssertionResponseInit {
  clientDataJSON: Uint8Array;
  authenticatorData: Uint8Array;
  signature: Uint8Array;
  userHandle: Uint8Array | null;
}

/** §5.2.2 AuthenticatorAssertionResponse. */
export class AuthenticatorAssertionResponse extends AuthenticatorResponse {
  readonly #authenticatorData: ArrayBuffer;
  readonly #signature: ArrayBuffer;
  readonly #userHandle: ArrayBuffer | null;

  /** @internal */
  constructor(key: typeof internalConstruct, init: AssertionResponseInit) {
    super(key, init.clientDataJSON);
    this.#authenticatorData = toArrayBuffer(init.authenticatorData);
    this.#signature = toArrayBuffer(init.signature);
    this.#userHandle = init.userHandle && toArrayBuffer(init.userHandle);
  }

  get authenticatorData(): ArrayBuffer {
    return this.#authenticatorData;
  }

  get signature(): ArrayBuffer {
    return this.#signature;
  }

  get userHandle(): ArrayBuffer | null {
    return this.#userHandle;
  }
}

/** @internal */
export interface PublicKeyCredentialInit {
  rawId: Uint8Array;
  response: AuthenticatorAttestationResponse | AuthenticatorAssertionResponse;
  authenticatorAttachment: 'platform' | 'cross-platform' | null;
  clientExtensionResults: AuthenticationExtensionsClientOutputs;
}

const b64 = (buffer: ArrayBuffer): string => base64urlEncode(new Uint8Array(buffer));

/**
 * The client capabilities that do not depend on which authenticators an agent has (§5.1.7).
 * Keys whose answer is unknown are left out, as the spec allows.
 */
export function staticClientCapabilities(): PublicKeyCredentialClientCapabilities {
  return {
    conditionalCreate: false,
    conditionalGet: true,
    'extension:credProps': true,
    hybridTransport: false,
    relatedOrigins: false,
    signalAllAcceptedCredentials: false,
    signalCurrentUserDetails: false,
    signalUnknownCredential: false,
  };
}

/** Sorts capability keys, as §5.1.7 requires ("MUST be sorted in ascending lexicographical order"). */
export function sortedCapabilities(c: PublicKeyCredentialClientCapabilities): PublicKeyCredentialClientCapabilities {
  return Object.fromEntries(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** §5.1 PublicKeyCredential. */
export class PublicKeyCredential extends Credential {
  readonly #rawId: ArrayBuffer;
  readonly #response: AuthenticatorAttestationResponse | AuthenticatorAssertionResponse;
  readonly #authenticatorAttachment: 'platform' | 'cross-platform' | null;
  readonly #clientExtensionResults: AuthenticationExtensionsClientOutputs;

  /** @internal */
  constructor(key: typeof internalConstruct, init: PublicKeyCredentialInit) {
    // §5.1: id is the base64url encoding of [[identifier]]; [[type]] is "public-key".
    super(key, base64urlEncode(init.rawId), 'public-key');
    this.#rawId = toArrayBuffer(init.rawId);
    this.#response = init.response;
    this.#authenticatorAttachment = init.authenticatorAttachment;
    this.#clientExtensionResults = structuredClone(init.clientExtensionResults);
  }

  get rawId(): ArrayBuffer {
    return this.#rawId;
  }

  get response(): AuthenticatorAttestationResponse | AuthenticatorAssertionResponse {
    return this.#response;
  }

  get authenticatorAttachment(): 'platform' | 'cross-platform' | null {
    return this.#authenticatorAttachment;
  }

  getClientExtensionResults(): AuthenticationExtensionsClientOutputs {
    return structuredClone(this.#clientExtensionResults);
  }

  /**
   * §5.1 toJSON(): RegistrationResponseJSON or AuthenticationResponseJSON, buffers in base64url.
   * Members appear in WebIDL dictionary order (lexicographic), as Chromium's output does.
   */
  toJSON(): PublicKeyCredentialJSON {
    const r = this.#response;
    const attachment = this.#authenticatorAttachment === null ? {} : { authenticatorAttachment: this.#authenticatorAttachment };
    const head = { ...attachment, clientExtensionResults: this.getClientExtensionResults(), id: this.id, rawId: b64(this.#rawId) };
    if (r instanceof AuthenticatorAttestationResponse) {
      const publicKey = r.getPublicKey();
      return {
        ...head,
        response: {
          attestationObject: b64(r.attestationObject),
          authenticatorData: b64(r.getAuthenticatorData()),
          clientDataJSON: b64(r.clientDataJSON),
          ...(publicKey === null ? {} : { publicKey: b64(publicKey) }),
          publicKeyAlgorithm: r.getPublicKeyAlgorithm(),
          transports: r.getTransports(),
        },
        type: 'public-key',
      };
    }
    return {
      ...head,
      response: {
        authenticatorData: b64(r.authenticatorData),
        clientDataJSON: b64(r.clientDataJSON),
        signature: b64(r.signature),
        ...(r.userHandle === null ? {} : { userHandle: b64(r.userHandle) }),
      },
      type: 'public-key',
    };
  }

  /** §5.1: conditional mediation is available for get() (see docs/webauthn.md). */
  static override isConditionalMediationAvailable(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /**
   * §5.1.6. This base interface object belongs to no agent, so it knows no authenticator and
   * answers false; an agent's own interface (`webauthn.PublicKeyCredential`) answers for its
   * authenticators.
   */
  static isUserVerifyingPlatformAuthenticatorAvailable(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** §5.1.7. Without an agent, authenticator-dependent keys are omitted ("not known"). */
  static getClientCapabilities(): Promise<PublicKeyCredentialClientCapabilities> {
    return Promise.resolve(sortedCapabilities(staticClientCapabilities()));
  }

  /** §5.1.8. Throws TypeError for a malformed dictionary, EncodingError for bad base64url. */
  static parseCreationOptionsFromJSON(options: unknown): ParsedCreationOptions {
    return parseCreationOptionsFromJSON(options);
  }

  /** §5.1.9. */
  static parseRequestOptionsFromJSON(options: unknown): ParsedRequestOptions {
    return parseRequestOptionsFromJSON(options);
  }
}
