// The WebDriver "Virtual Authenticators" extension commands (WebAuthn §11), as methods with the
// same names, parameters and errors, plus two fedkit additions: answering conditional (autofill)
// requests, which WebDriver has no command for, and a few extra authenticator properties
// (aaguid, algorithms, attestation).

import { isIP } from 'node:net';
import { AuthenticatorError, authenticatorDefaults, importPrivateKey, type CredentialSummary, type VirtualAuthenticator } from './authenticator.js';
import { base64urlDecode, base64urlEncode } from './base64url.js';
import { algorithmOfKey, isSupportedAlgorithm } from './cose.js';
import type { AuthenticatorTransport, StoredAuthenticator, StoredCredential } from '../profile/webauthn-store.js';

/** WebDriver errors of these commands (WebDriver §6.6 error codes). */
export class WebAuthnAutomationError extends Error {
  override readonly name = 'AutomationError';
  constructor(
    readonly error: 'invalid argument' | 'unsupported operation',
    message: string,
  ) {
    super(message);
  }
}

/** WebDriver §11.3 Authenticator Configuration, plus fedkit's aaguid / algorithms / attestation. */
export interface AuthenticatorConfiguration {
  protocol: 'ctap1/u2f' | 'ctap2' | 'ctap2_1';
  transport: AuthenticatorTransport;
  hasResidentKey?: boolean;
  hasUserVerification?: boolean;
  isUserConsenting?: boolean;
  isUserVerified?: boolean;
  extensions?: string[];
  defaultBackupEligibility?: boolean;
  defaultBackupState?: boolean;
  /** fedkit: the AAGUID, as 32 hex digits or a UUID (default Chromium's 01020304-…). */
  aaguid?: string;
  /** fedkit: COSE algorithms the authenticator can create (default [-7, -8, -257]). */
  algorithms?: number[];
  /** fedkit: the attestation format used when the RP asks for attestation (default "packed", self attestation). */
  attestation?: 'packed' | 'none';
}

/** WebDriver §11.5 Credential Parameters (what addCredential takes and getCredentials returns). */
export interface CredentialParameters {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  /** PKCS#8, base64url. P-256 as WebDriver requires; fedkit also takes Ed25519 and RSA keys. */
  privateKey: string;
  userHandle?: string;
  signCount: number | null;
  largeBlob?: string;
  backupEligibility?: boolean;
  backupState?: boolean;
  userName?: string;
  userDisplayName?: string;
}

const CONFIG_KEYS = new Set([
  'protocol',
  'transport',
  'hasResidentKey',
  'hasUserVerification',
  'isUserConsenting',
  'isUserVerified',
  'extensions',
  'defaultBackupEligibility',
  'defaultBackupState',
  'aaguid',
  'algorithms',
  'attestation',
]);
const TRANSPORTS: readonly string[] = ['usb', 'nfc', 'ble', 'smart-card', 'hybrid', 'internal'];
const BOOLEAN_CONFIG = ['hasResidentKey', 'hasUserVerification', 'isUserConsenting', 'isUserVerified', 'defaultBackupEligibility', 'defaultBackupState'] as const;

const invalid = (message: string): WebAuthnAutomationError => new WebAuthnAutomationError('invalid argument', message);

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${what} must be a JSON object.`);
  return value as Record<string, unknown>;
}

function optionalBoolean(p: Record<string, unknown>, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw invalid(`${key} must be a boolean.`);
  return v;
}

/** A "valid RP ID" for Add Credential: a domain in canonical form, not an IP address. */
function validRpId(rpId: unknown): rpId is string {
  if (typeof rpId !== 'string' || rpId === '' || isIP(rpId) !== 0) return false;
  try {
    return new URL(`https://${rpId}/`).hostname === rpId;
  } catch {
    return false;
  }
}

function signCountOf(value: unknown, required: boolean): number | null | undefined {
  if (value === undefined) {
    if (required) throw invalid('signCount is required (a 32-bit unsigned integer or null).');
    return undefined;
  }
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) throw invalid('signCount must be a 32-bit unsigned integer or null.');
  return value;
}

/** A pending conditional get() (WebAuthn §5.1.4.2): what the autofill list would offer. */
export interface ConditionalRequest {
  readonly requestId: number;
  readonly origin: string;
  readonly rpId: string;
  /** The credentials the autofill list would show now. */
  credentials(): CredentialSummary[];
}

/** What the automation commands drive: the agent's WebAuthn state (webauthn.ts). */
export interface AutomationTarget {
  authenticators(): readonly { readonly id: string }[];
  virtualAuthenticator(id: string): VirtualAuthenticator | undefined;
  addVirtualAuthenticator(config: StoredAuthenticator): VirtualAuthenticator;
  removeAuthenticator(id: string): boolean;
  newAuthenticatorId(): string;
  now(): number;
  conditionalRequests(): ConditionalRequest[];
  selectConditional(request: ConditionalRequest, credentialId: string): void;
  onConditionalRequest(listener: (request: ConditionalRequest) => void): () => void;
}

export class WebAuthnAutomation {
  readonly #state: AutomationTarget;

  /** @internal */
  constructor(state: AutomationTarget) {
    this.#state = state;
  }

  #authenticator(authenticatorId: string): VirtualAuthenticator {
    const a = typeof authenticatorId === 'string' ? this.#state.virtualAuthenticator(authenticatorId) : undefined;
    if (!a) throw invalid(`No virtual authenticator with id "${String(authenticatorId)}".`);
    return a;
  }

  /** §11.3 Add Virtual Authenticator. Returns the authenticatorId. */
  addVirtualAuthenticator(parameters: AuthenticatorConfiguration): string {
    const p = object(parameters, 'The authenticator configuration');
    for (const key of Object.keys(p)) if (!CONFIG_KEYS.has(key)) throw invalid(`Unknown authenticator configuration key "${key}".`);
    const protocol = p['protocol'];
    if (protocol !== 'ctap1/u2f' && protocol !== 'ctap2' && protocol !== 'ctap2_1') throw invalid('protocol must be "ctap1/u2f", "ctap2" or "ctap2_1".');
    // U2F needs an attestation certificate ("fido-u2f" format, §8.6), which fedkit does not issue.
    if (protocol === 'ctap1/u2f') throw new WebAuthnAutomationError('unsupported operation', 'fedkit does not emulate ctap1/u2f authenticators; use "ctap2".');
    const transport = p['transport'];
    if (typeof transport !== 'string' || !TRANSPORTS.includes(transport)) throw invalid(`transport must be one of ${TRANSPORTS.join(', ')}.`);
    const config = authenticatorDefaults(this.#state.newAuthenticatorId(), this.#state.now(), transport as AuthenticatorTransport);
    config.protocol = protocol;
    for (const key of BOOLEAN_CONFIG) {
      const v = optionalBoolean(p, key);
      if (v !== undefined) config[key] = v;
    }
    const extensions = p['extensions'];
    if (extensions !== undefined) {
      if (!Array.isArray(extensions) || !extensions.every((e) => typeof e === 'string')) throw invalid('extensions must be an array of strings.');
      // §11.3: an extension the implementation does not support is "unsupported operation".
      // fedkit's virtual authenticators implement no authenticator extensions.
      if (extensions.length > 0) throw new WebAuthnAutomationError('unsupported operation', `Unsupported authenticator extension(s): ${extensions.join(', ')}.`);
    }
    const aaguid = p['aaguid'];
    if (aaguid !== undefined) {
      const hex = typeof aaguid === 'string' ? aaguid.replaceAll('-', '').toLowerCase() : '';
      if (!/^[0-9a-f]{32}$/.test(hex)) throw invalid('aaguid must be 16 bytes as hex or a UUID.');
      config.aaguid = hex;
    }
    const algorithms = p['algorithms'];
    if (algorithms !== undefined) {
      if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every((a) => typeof a === 'number' && isSupportedAlgorithm(a))) {
        throw invalid('algorithms must be a non-empty array of -7 (ES256), -8 (EdDSA) and -257 (RS256).');
      }
      config.algorithms = [...(algorithms as number[])];
    }
    const attestation = p['attestation'];
    if (attestation !== undefined) {
      if (attestation !== 'packed' && attestation !== 'none') throw invalid('attestation must be "packed" or "none".');
      config.attestation = attestation;
    }
    return this.#state.addVirtualAuthenticator(config).id;
  }

  /** §11.4 Remove Virtual Authenticator. */
  removeVirtualAuthenticator(authenticatorId: string): void {
    this.#authenticator(authenticatorId);
    this.#state.removeAuthenticator(authenticatorId);
  }

  /** fedkit: the virtual authenticators and their properties. */
  getAuthenticators(): StoredAuthenticator[] {
    return this.#state.authenticators().flatMap((a) => {
      const v = this.#state.virtualAuthenticator(a.id);
      return v ? [v.config] : [];
    });
  }

  /** §11.5 Add Credential. */
  addCredential(authenticatorId: string, parameters: CredentialParameters): void {
    const p = object(parameters, 'The credential parameters');
    const credentialId = typeof p['credentialId'] === 'string' ? base64urlDecode(p['credentialId']) : null;
    if (!credentialId || credentialId.byteLength === 0 || credentialId.byteLength > 1023) throw invalid('credentialId must be 1 to 1023 bytes in base64url.');
    const isResidentCredential = p['isResidentCredential'];
    if (typeof isResidentCredential !== 'boolean') throw invalid('isResidentCredential must be a boolean.');
    const rpId = p['rpId'];
    if (!validRpId(rpId)) throw invalid('rpId must be a valid RP ID (a domain).');
    const der = typeof p['privateKey'] === 'string' ? base64urlDecode(p['privateKey']) : null;
    if (!der) throw invalid('privateKey must be base64url.');
    let algorithm: number | null;
    try {
      algorithm = algorithmOfKey(importPrivateKey(base64urlEncode(der)));
    } catch {
      // The message deliberately says nothing about the key's contents.
      throw invalid('privateKey is not a valid PKCS#8 private key.');
    }
    if (algorithm === null) throw invalid('privateKey must be a P-256, Ed25519 or RSA private key.');
    let userHandle: string | null = null;
    if (p['userHandle'] !== undefined) {
      const bytes = typeof p['userHandle'] === 'string' ? base64urlDecode(p['userHandle']) : null;
      if (!bytes || bytes.byteLength === 0 || bytes.byteLength > 64) throw invalid('userHandle must be 1 to 64 bytes in base64url.');
      userHandle = base64urlEncode(bytes);
    } else if (isResidentCredential) {
      throw invalid('A resident credential needs a userHandle.');
    }
    const authenticator = this.#authenticator(authenticatorId);
    if (isResidentCredential && !authenticator.hasResidentKey) throw invalid('The authenticator does not support resident credentials (hasResidentKey is false).');
    const config = authenticator.config;
    const backupEligibility = optionalBoolean(p, 'backupEligibility') ?? config.defaultBackupEligibility;
    const backupState = optionalBoolean(p, 'backupState') ?? config.defaultBackupState;
    const userName = p['userName'] ?? '';
    const userDisplayName = p['userDisplayName'] ?? '';
    if (typeof userName !== 'string' || typeof userDisplayName !== 'string') throw invalid('userName and userDisplayName must be strings.');
    const signCount = signCountOf(p['signCount'], true) ?? null;
    try {
      authenticator.addCredential({
        credentialId: base64urlEncode(credentialId),
        rpId,
        userHandle,
        userName,
        userDisplayName,
        isResidentCredential,
        algorithm,
        privateKey: base64urlEncode(der),
        signCount,
        backupEligibility,
        backupState,
      });
    } catch (e) {
      throw invalid(e instanceof AuthenticatorError ? e.message : 'The credential could not be added.');
    }
  }

  /** §11.6 Get Credentials: one Credential Parameters object per credential, private key included. */
  getCredentials(authenticatorId: string): CredentialParameters[] {
    return this.#authenticator(authenticatorId)
      .credentials()
      .map((c: StoredCredential) => ({
        credentialId: c.credentialId,
        isResidentCredential: c.isResidentCredential,
        rpId: c.rpId,
        privateKey: c.privateKey,
        ...(c.userHandle === null ? {} : { userHandle: c.userHandle }),
        signCount: c.signCount,
        backupEligibility: c.backupEligibility,
        backupState: c.backupState,
        userName: c.userName,
        userDisplayName: c.userDisplayName,
      }));
  }

  /** §11.7 Remove Credential. */
  removeCredential(authenticatorId: string, credentialId: string): void {
    const authenticator = this.#authenticator(authenticatorId);
    if (!authenticator.removeCredential(credentialId)) throw invalid(`No credential "${credentialId}" on authenticator "${authenticatorId}".`);
  }

  /** §11.8 Remove All Credentials. */
  removeAllCredentials(authenticatorId: string): void {
    this.#authenticator(authenticatorId).removeAllCredentials();
  }

  /** §11.9 Set User Verified. */
  setUserVerified(authenticatorId: string, isUserVerified: boolean): void {
    if (typeof isUserVerified !== 'boolean') throw invalid('isUserVerified must be a boolean.');
    this.#authenticator(authenticatorId).setUserVerified(isUserVerified);
  }

  /** §11.10 Set Credential Properties. */
  setCredentialProperties(authenticatorId: string, credentialId: string, parameters: { backupEligibility?: boolean; backupState?: boolean; signCount?: number | null }): void {
    const p = object(parameters, 'The credential properties');
    const authenticator = this.#authenticator(authenticatorId);
    const props: { backupEligibility?: boolean; backupState?: boolean; signCount?: number | null } = {};
    const be = optionalBoolean(p, 'backupEligibility');
    if (be !== undefined) props.backupEligibility = be;
    const bs = optionalBoolean(p, 'backupState');
    if (bs !== undefined) props.backupState = bs;
    const signCount = signCountOf(p['signCount'], false);
    if (signCount !== undefined) props.signCount = signCount;
    if (!authenticator.setCredentialProperties(credentialId, props)) throw invalid(`No credential "${credentialId}" on authenticator "${authenticatorId}".`);
  }

  // -- Conditional mediation (fedkit) ------------------------------------------------------

  /** The conditional get() requests waiting for the user, oldest first. */
  getConditionalRequests(): { requestId: number; origin: string; rpId: string; credentials: CredentialSummary[] }[] {
    return this.#state.conditionalRequests().map((r) => ({ requestId: r.requestId, origin: r.origin, rpId: r.rpId, credentials: r.credentials() }));
  }

  /**
   * The user picks `credentialId` from the autofill list of a conditional request (the oldest,
   * or `requestId`). The credential must be one the list offers.
   */
  selectConditionalCredential(credentialId: string, options: { requestId?: number } = {}): void {
    const requests = this.#state.conditionalRequests();
    const request = options.requestId === undefined ? requests[0] : requests.find((r) => r.requestId === options.requestId);
    if (!request) throw invalid('No conditional request is waiting.');
    if (!request.credentials().some((c) => c.credentialId === credentialId)) throw invalid(`Credential "${credentialId}" is not offered to ${request.origin}.`);
    this.#state.selectConditional(request, credentialId);
  }

  /** Resolves with the next conditional request (or one already waiting); rejects after `timeoutMs` (default 10 s). */
  waitForConditionalRequest(options: { timeoutMs?: number } = {}): Promise<{ requestId: number; origin: string; rpId: string; credentials: CredentialSummary[] }> {
    const view = (r: ConditionalRequest): { requestId: number; origin: string; rpId: string; credentials: CredentialSummary[] } => ({
      requestId: r.requestId,
      origin: r.origin,
      rpId: r.rpId,
      credentials: r.credentials(),
    });
    const waiting = this.#state.conditionalRequests()[0];
    if (waiting) return Promise.resolve(view(waiting));
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 10_000;
      const off = this.#state.onConditionalRequest((r) => {
        clearTimeout(timer);
        off();
        resolve(view(r));
      });
      const timer = setTimeout(() => {
        off();
        reject(invalid(`No conditional request started within ${timeoutMs} ms.`));
      }, timeoutMs);
    });
  }
}
