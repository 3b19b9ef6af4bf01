// A software authenticator: WebAuthn §6.3 "Authenticator Operations" (authenticatorMakeCredential,
// authenticatorGetAssertion, silentCredentialDiscovery) over the WebDriver §11 virtual
// authenticator model, with Chromium's virtual CTAP2 device (device/fido/virtual_ctap2_device.cc)
// as the reference where the spec leaves a choice:
//   - credential IDs are the SHA-256 of the COSE public key (32 bytes);
//   - a new credential's signature counter starts at 1 and each assertion adds 1 before signing;
//   - a user handle is returned with an assertion only for discoverable credentials;
//   - the AAGUID defaults to Chromium's 01020304-0506-0708-0102-030405060708.
// Every credential, discoverable or not, is kept in the WebAuthnStore (as Chromium keeps all
// registrations), so non-discoverable credentials are found by ID rather than decrypted from it.

import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { base64urlDecode, base64urlEncode, bytesEqual, concatBytes } from './base64url.js';
import { encodeCbor, type CborValue } from './cbor.js';
import { algorithmOfKey, encodeCoseKey, generateCredentialKeyPair, isSupportedAlgorithm, signWith, type CoseAlgorithm } from './cose.js';
import { type AuthenticatorTransport, type StoredAuthenticator, type StoredCredential, type WebAuthnStore } from '../profile/webauthn-store.js';

/** The DOMException names an authenticator's error statuses map to (§6.3.2, §6.3.3). */
export type AuthenticatorErrorCode = 'InvalidStateError' | 'NotAllowedError' | 'NotSupportedError' | 'ConstraintError' | 'UnknownError';

/** An authenticator's error status. The message is for diagnostics; pages see the client's. */
export class AuthenticatorError extends Error {
  override readonly name = 'AuthenticatorError';
  constructor(
    readonly code: AuthenticatorErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** PublicKeyCredentialDescriptor after conversion (§5.8.3), bytes snapshotted. */
export interface CredentialDescriptor {
  type: string;
  id: Uint8Array;
  transports?: string[];
}

/** The members of a stored credential that the client and the user see: no key material, counter or backup state. */
const SUMMARY_MEMBERS = ['authenticatorId', 'credentialId', 'rpId', 'userHandle', 'userName', 'userDisplayName', 'isResidentCredential', 'createdAt'] as const;

/** A credential as the client and the user see it; no key material. */
export type CredentialSummary = Pick<StoredCredential, (typeof SUMMARY_MEMBERS)[number]>;

/** What a user-presence / consent prompt is about (§6.3.2 steps 3 and 6, §6.3.3 step 7). */
export interface UserPresenceRequest {
  /** 'exclude' asks consent to reveal that an excluded credential is on the authenticator. */
  operation: 'create' | 'get' | 'exclude';
  authenticatorId: string;
  /** The calling document's origin. */
  origin: string;
  rpId: string;
  userName: string;
  userDisplayName: string;
  /** The credential concerned (get, exclude), base64url. */
  credentialId?: string;
  /** Whether the gesture must include user verification. */
  userVerification: boolean;
}

/**
 * Decides whether the user consents (touches the key, confirms the prompt). Return false to
 * decline. It is asked only when the authenticator's `isUserConsenting` is true (the default:
 * Chromium's virtual authenticator approves every gesture); without a policy, that is the answer.
 */
export type UserPresencePolicy = (request: UserPresenceRequest, signal: AbortSignal) => boolean | Promise<boolean>;

/** authenticatorMakeCredential's inputs (§6.3.2). */
export interface MakeCredentialRequest {
  hash: Uint8Array;
  rp: { id: string; name: string };
  user: { id: Uint8Array; name: string; displayName: string };
  requireResidentKey: boolean;
  requireUserPresence: boolean;
  requireUserVerification: boolean;
  credTypesAndPubKeyAlgs: { type: string; alg: number }[];
  excludeCredentialDescriptorList: CredentialDescriptor[];
  enterpriseAttestationPossible: boolean;
  attestationFormats: string[];
  extensions: Map<string, CborValue>;
  /** For prompts only: the document asking. */
  origin: string;
}

/** authenticatorGetAssertion's inputs (§6.3.3). */
export interface GetAssertionRequest {
  rpId: string;
  hash: Uint8Array;
  /** Undefined when the client supplied no list (discoverable credentials). */
  allowCredentialDescriptorList?: CredentialDescriptor[];
  requireUserPresence: boolean;
  requireUserVerification: boolean;
  extensions: Map<string, CborValue>;
  origin: string;
  /** The credential the user already picked in the client's chooser, base64url. */
  selectedCredentialId?: string;
}

export interface GetAssertionResult {
  /** Null when exactly one allowed credential was given (§6.3.3 "Return": the client knows it). */
  credentialId: Uint8Array | null;
  authenticatorData: Uint8Array;
  signature: Uint8Array;
  userHandle: Uint8Array | null;
}

/** What the client needs from any authenticator; VirtualAuthenticator is the agent's. */
export interface Authenticator {
  readonly id: string;
  /** §6.2.1 authenticator attachment modality: 'platform' for the internal transport. */
  readonly attachment: 'platform' | 'cross-platform';
  /** Sorted, unique AuthenticatorTransport values (getTransports(), §5.2.1). */
  readonly transports: readonly string[];
  readonly hasResidentKey: boolean;
  readonly hasUserVerification: boolean;
  supportsAlgorithm(alg: number): boolean;
  /** The client platform's lookup of §5.1.4.2 step 3: which of `ids` this authenticator holds for `rpId`. */
  boundCredentials(rpId: string, ids: readonly Uint8Array[]): CredentialSummary[];
  /** silentCredentialDiscovery (§6.3.5), newest first. */
  discoverableCredentials(rpId: string): CredentialSummary[];
  /** Resolves with the attestation object bytes (§6.5.4). */
  makeCredential(request: MakeCredentialRequest, signal: AbortSignal): Promise<Uint8Array>;
  getAssertion(request: GetAssertionRequest, signal: AbortSignal): Promise<GetAssertionResult>;
}

/** What a VirtualAuthenticator needs from the agent. */
export interface AuthenticatorHost {
  readonly store: WebAuthnStore;
  now(): number;
  userPresence: UserPresencePolicy | undefined;
}

/** Chromium's virtual authenticator AAGUID (kDeviceAaguid). */
export const DEFAULT_AAGUID = '01020304050607080102030405060708';

// Authenticator data flags (§6.1).
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

const sha256 = (data: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

function u16(n: number): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, n);
  return out;
}

function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Parses a stored PKCS#8 key. The error never carries the key bytes. */
export function importPrivateKey(pkcs8: string): KeyObject {
  const der = base64urlDecode(pkcs8);
  if (!der) throw new AuthenticatorError('UnknownError', 'The stored private key is not base64url.');
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    throw new AuthenticatorError('UnknownError', 'The stored private key is not a valid PKCS#8 key.');
  }
}

export function exportPrivateKey(key: KeyObject): string {
  return base64urlEncode(new Uint8Array(key.export({ format: 'der', type: 'pkcs8' })));
}

/** Newest first by creation time; among equal times, the one stored last first (stores list in insertion order). */
function newestFirst(list: StoredCredential[]): StoredCredential[] {
  return list
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.createdAt - a.c.createdAt || b.i - a.i)
    .map(({ c }) => c);
}

/** A new plain object with the summary's members of `c`. */
function summary(c: StoredCredential): CredentialSummary {
  return Object.fromEntries(SUMMARY_MEMBERS.map((member) => [member, c[member]])) as CredentialSummary;
}

/** A software authenticator whose state lives in a WebAuthnStore. */
export class VirtualAuthenticator implements Authenticator {
  #config: StoredAuthenticator;
  readonly #host: AuthenticatorHost;

  constructor(config: StoredAuthenticator, host: AuthenticatorHost) {
    this.#config = { ...config, extensions: [...config.extensions], algorithms: [...config.algorithms] };
    this.#host = host;
  }

  get id(): string {
    return this.#config.id;
  }

  /** A copy of the configuration (WebDriver's authenticator properties). */
  get config(): StoredAuthenticator {
    return { ...this.#config, extensions: [...this.#config.extensions], algorithms: [...this.#config.algorithms] };
  }

  get attachment(): 'platform' | 'cross-platform' {
    // WebDriver §11.2: transport "internal" simulates platform attachment, anything else cross-platform.
    return this.#config.transport === 'internal' ? 'platform' : 'cross-platform';
  }

  get transports(): readonly string[] {
    return [this.#config.transport];
  }

  get hasResidentKey(): boolean {
    return this.#config.hasResidentKey;
  }

  get hasUserVerification(): boolean {
    return this.#config.hasUserVerification;
  }

  supportsAlgorithm(alg: number): boolean {
    return isSupportedAlgorithm(alg) && this.#config.algorithms.includes(alg);
  }

  /** WebDriver Set User Verified (§11.9). */
  setUserVerified(isUserVerified: boolean): void {
    this.#update({ isUserVerified });
  }

  /** Changes configuration and persists it. */
  #update(patch: Partial<StoredAuthenticator>): void {
    this.#config = { ...this.#config, ...patch };
    this.#host.store.putAuthenticator(this.config);
  }

  // -- Credential storage -------------------------------------------------------------------

  credentials(): StoredCredential[] {
    return this.#host.store.listCredentials(this.id);
  }

  /** §6.3.1 "Lookup Credential Source by Credential ID". */
  #lookup(id: Uint8Array): StoredCredential | undefined {
    return this.#host.store.getCredential(this.id, base64urlEncode(id));
  }

  boundCredentials(rpId: string, ids: readonly Uint8Array[]): CredentialSummary[] {
    const out: CredentialSummary[] = [];
    for (const id of ids) {
      const c = this.#lookup(id);
      if (c && c.rpId === rpId && !out.some((o) => o.credentialId === c.credentialId)) out.push(summary(c));
    }
    return out;
  }

  discoverableCredentials(rpId: string): CredentialSummary[] {
    // CTAP 2.1 §6.2.2 step 7 orders discoverable credentials by creation time, newest first.
    return newestFirst(this.credentials().filter((c) => c.isResidentCredential && c.rpId === rpId)).map(summary);
  }

  /** Stores a credential (WebDriver Add Credential, §11.5); validation is the caller's. */
  addCredential(credential: Omit<StoredCredential, 'authenticatorId' | 'createdAt'> & { createdAt?: number }): void {
    if (credential.isResidentCredential && !this.#config.hasResidentKey) {
      throw new AuthenticatorError('NotSupportedError', 'This authenticator does not support resident credentials.');
    }
    const key = importPrivateKey(credential.privateKey);
    const alg = algorithmOfKey(key);
    if (alg === null || alg !== credential.algorithm) throw new AuthenticatorError('NotSupportedError', 'The private key does not match the credential algorithm.');
    this.#host.store.putCredential({ ...credential, authenticatorId: this.id, createdAt: credential.createdAt ?? this.#host.now() });
  }

  removeCredential(credentialId: string): boolean {
    return this.#host.store.deleteCredential(this.id, credentialId);
  }

  removeAllCredentials(): void {
    for (const c of this.credentials()) this.#host.store.deleteCredential(this.id, c.credentialId);
  }

  /** WebDriver Set Credential Properties (§11.10). */
  setCredentialProperties(credentialId: string, props: { backupEligibility?: boolean; backupState?: boolean; signCount?: number | null }): boolean {
    const c = this.#host.store.getCredential(this.id, credentialId);
    if (!c) return false;
    const next = { ...c };
    if (props.backupEligibility !== undefined) next.backupEligibility = props.backupEligibility;
    if (props.backupState !== undefined) next.backupState = props.backupState;
    if (props.signCount !== undefined) next.signCount = props.signCount;
    this.#host.store.putCredential(next);
    return true;
  }

  // -- Gestures -----------------------------------------------------------------------------

  /** Collects an authorization gesture; resolves with the UV flag, rejects NotAllowedError. */
  async #gesture(request: UserPresenceRequest, signal: AbortSignal): Promise<boolean> {
    // WebDriver §11.2 isUserConsenting decides first (automation can always make the user say
    // no); otherwise the agent's userPresence policy, if any, answers for the user.
    const policy = this.#host.userPresence;
    const consenting = this.#config.isUserConsenting && (policy ? await policy(request, signal) : true);
    if (signal.aborted) throw signal.reason;
    if (consenting !== true) throw new AuthenticatorError('NotAllowedError', 'The user declined the request.');
    if (!request.userVerification) return false;
    // WebDriver §11.2 isUserVerified: the result of every user verification on this authenticator.
    if (!this.#config.hasUserVerification || !this.#config.isUserVerified) {
      throw new AuthenticatorError('NotAllowedError', 'User verification failed (isUserVerified is false).');
    }
    return true;
  }

  // -- authenticatorMakeCredential (§6.3.2) ------------------------------------------------

  async makeCredential(req: MakeCredentialRequest, signal: AbortSignal): Promise<Uint8Array> {
    // Step 1: well-formed parameters.
    if (req.hash.byteLength !== 32 || req.rp.id === '' || req.user.id.byteLength < 1 || req.user.id.byteLength > 64) {
      throw new AuthenticatorError('UnknownError', 'Malformed authenticatorMakeCredential parameters.');
    }
    // Step 2: the first supported (type, alg) pair, in the RP's order of preference.
    const chosen = req.credTypesAndPubKeyAlgs.find((p) => p.type === 'public-key' && this.supportsAlgorithm(p.alg));
    if (!chosen) throw new AuthenticatorError('NotSupportedError', `None of the requested algorithms (${req.credTypesAndPubKeyAlgs.map((p) => p.alg).join(', ')}) is supported.`);
    const alg = chosen.alg as CoseAlgorithm;

    // Step 3: an excluded credential on this authenticator, disclosed only with consent.
    for (const descriptor of req.excludeCredentialDescriptorList) {
      const found = this.#lookup(descriptor.id);
      if (found && found.rpId === req.rp.id && descriptor.type === 'public-key') {
        await this.#gesture(
          {
            operation: 'exclude',
            authenticatorId: this.id,
            origin: req.origin,
            rpId: req.rp.id,
            userName: found.userName,
            userDisplayName: found.userDisplayName,
            credentialId: found.credentialId,
            userVerification: false,
          },
          signal,
        );
        throw new AuthenticatorError('InvalidStateError', `Credential ${found.credentialId} is excluded and present on authenticator ${this.id}.`);
      }
    }
    // Steps 4–5.
    if (req.requireResidentKey && !this.#config.hasResidentKey) throw new AuthenticatorError('ConstraintError', 'This authenticator cannot store discoverable credentials.');
    if (req.requireUserVerification && !this.#config.hasUserVerification) throw new AuthenticatorError('ConstraintError', 'This authenticator cannot perform user verification.');

    // Step 6: the authorization gesture.
    const uv = await this.#gesture(
      {
        operation: 'create',
        authenticatorId: this.id,
        origin: req.origin,
        rpId: req.rp.id,
        userName: req.user.name,
        userDisplayName: req.user.displayName,
        userVerification: req.requireUserVerification,
      },
      signal,
    );

    // Step 7: the credential. Chromium's key handle is the hash of the COSE public key.
    const { privateKey, publicKey } = generateCredentialKeyPair(alg);
    const coseKey = encodeCoseKey(publicKey, alg);
    const credentialId = sha256(coseKey);
    const userHandle = base64urlEncode(req.user.id);
    if (req.requireResidentKey) {
      // The credentials map is keyed by (RP ID, user handle): a new discoverable credential
      // replaces the old one for the same account.
      for (const c of this.credentials()) {
        if (c.isResidentCredential && c.rpId === req.rp.id && c.userHandle === userHandle) this.#host.store.deleteCredential(this.id, c.credentialId);
      }
    }
    // Step 10: per-credential counter. Chromium starts it at 1 (the spec says 0).
    const signCount = 1;
    const record: StoredCredential = {
      authenticatorId: this.id,
      credentialId: base64urlEncode(credentialId),
      rpId: req.rp.id,
      userHandle,
      userName: req.user.name,
      userDisplayName: req.user.displayName,
      isResidentCredential: req.requireResidentKey,
      algorithm: alg,
      privateKey: exportPrivateKey(privateKey),
      signCount,
      backupEligibility: this.#config.defaultBackupEligibility,
      backupState: this.#config.defaultBackupState,
      createdAt: this.#host.now(),
    };

    // Steps 11–13: attested credential data (§6.5.1) inside authenticator data (§6.1).
    const attestedCredentialData = concatBytes(hexToBytes(this.#config.aaguid), u16(credentialId.byteLength), credentialId, coseKey);
    const authData = this.#authenticatorData(req.rp.id, {
      up: req.requireUserPresence,
      uv,
      be: record.backupEligibility,
      bs: record.backupState,
      signCount,
      attestedCredentialData,
    });

    // Step 12: the first supported format the RP listed, else this authenticator's preference.
    const fmt = req.attestationFormats.find((f) => f === 'packed' || f === 'none') ?? this.#config.attestation;
    // Step 14 / §6.5.4: the attestation object. Packed here is self attestation (§8.2): signed
    // with the credential key itself, alg set to its algorithm, no x5c.
    const attStmt = fmt === 'packed' ? { alg, sig: signWith(alg, privateKey, concatBytes(authData, req.hash)) } : {};
    const attestationObject = encodeCbor({ fmt, attStmt, authData });

    this.#host.store.putCredential(record);
    return attestationObject;
  }

  // -- authenticatorGetAssertion (§6.3.3) --------------------------------------------------

  async getAssertion(req: GetAssertionRequest, signal: AbortSignal): Promise<GetAssertionResult> {
    if (req.hash.byteLength !== 32 || req.rpId === '') throw new AuthenticatorError('UnknownError', 'Malformed authenticatorGetAssertion parameters.');
    // Steps 2–5: the candidate credential sources.
    let options: StoredCredential[];
    if (req.allowCredentialDescriptorList) {
      options = [];
      for (const d of req.allowCredentialDescriptorList) {
        const c = d.type === 'public-key' ? this.#lookup(d.id) : undefined;
        if (c && !options.some((o) => o.credentialId === c.credentialId)) options.push(c);
      }
    } else {
      options = newestFirst(this.credentials().filter((c) => c.isResidentCredential));
    }
    options = options.filter((c) => c.rpId === req.rpId);
    if (options.length === 0) throw new AuthenticatorError('NotAllowedError', `No credential for ${req.rpId} on authenticator ${this.id}.`);
    if (req.requireUserVerification && !this.#config.hasUserVerification) throw new AuthenticatorError('NotAllowedError', 'This authenticator cannot perform user verification.');

    // Step 7: the user's pick (made in the client's chooser when there was a choice).
    const selected = (req.selectedCredentialId === undefined ? undefined : options.find((c) => c.credentialId === req.selectedCredentialId)) ?? options[0];
    if (!selected) throw new AuthenticatorError('NotAllowedError', 'No credential was selected.');
    const uv = await this.#gesture(
      {
        operation: 'get',
        authenticatorId: this.id,
        origin: req.origin,
        rpId: req.rpId,
        userName: selected.userName,
        userDisplayName: selected.userDisplayName,
        credentialId: selected.credentialId,
        userVerification: req.requireUserVerification,
      },
      signal,
    );

    // Step 9: increment the counter (a credential added with signCount null has none).
    const current = this.#host.store.getCredential(this.id, selected.credentialId);
    if (!current) throw new AuthenticatorError('NotAllowedError', 'The credential was removed during the request.');
    let signCount = 0;
    if (current.signCount !== null) {
      signCount = (current.signCount + 1) >>> 0;
      this.#host.store.putCredential({ ...current, signCount });
    }
    const authData = this.#authenticatorData(req.rpId, {
      up: req.requireUserPresence,
      uv,
      be: current.backupEligibility,
      bs: current.backupState,
      signCount,
    });
    // Step 11: the assertion signature over authenticatorData || clientDataHash.
    const key = importPrivateKey(current.privateKey);
    const alg = algorithmOfKey(key);
    if (alg === null || alg !== current.algorithm) throw new AuthenticatorError('UnknownError', `The key of credential ${current.credentialId} does not match its algorithm.`);
    const signature = signWith(alg, key, concatBytes(authData, req.hash));
    const credentialId = base64urlDecode(current.credentialId);
    if (!credentialId) throw new AuthenticatorError('UnknownError', 'The stored credential ID is not base64url.');
    const userHandle = current.isResidentCredential && current.userHandle !== null ? base64urlDecode(current.userHandle) : null;
    return {
      credentialId: req.allowCredentialDescriptorList?.length === 1 && bytesEqual(req.allowCredentialDescriptorList[0]?.id ?? new Uint8Array(), credentialId) ? null : credentialId,
      authenticatorData: authData,
      signature,
      userHandle,
    };
  }

  /** §6.1 "perform the following steps to generate an authenticator data structure". */
  #authenticatorData(
    rpId: string,
    f: { up: boolean; uv: boolean; be: boolean; bs: boolean; signCount: number; attestedCredentialData?: Uint8Array },
  ): Uint8Array {
    let flags = 0;
    if (f.up) flags |= FLAG_UP;
    if (f.uv) flags |= FLAG_UV;
    if (f.be) flags |= FLAG_BE;
    // BS is set only for backup-eligible credentials (§6.1.3).
    if (f.be && f.bs) flags |= FLAG_BS;
    if (f.attestedCredentialData) flags |= FLAG_AT;
    return concatBytes(sha256(rpId), Uint8Array.of(flags), u32(f.signCount), f.attestedCredentialData ?? new Uint8Array());
  }
}

/** Default configuration values (WebDriver §11.3 "Authenticator Configuration" defaults). */
export function authenticatorDefaults(id: string, createdAt: number, transport: AuthenticatorTransport): StoredAuthenticator {
  return {
    id,
    protocol: 'ctap2',
    transport,
    hasResidentKey: false,
    hasUserVerification: false,
    isUserConsenting: true,
    isUserVerified: false,
    extensions: [],
    defaultBackupEligibility: false,
    defaultBackupState: false,
    aaguid: DEFAULT_AAGUID,
    algorithms: [-7, -8, -257],
    attestation: 'packed',
    createdAt,
  };
}

