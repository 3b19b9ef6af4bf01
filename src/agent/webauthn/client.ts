// The WebAuthn client: PublicKeyCredential's [[Create]] (WebAuthn §5.1.3) and
// [[DiscoverFromExternalSource]] (§5.1.4.1) internal methods, the RP ID rules, and
// CollectedClientData (§5.8.1). Credential Management (the container) has already converted the
// options, checked the document is fully active, the abort signal and the Permissions Policy
// before calling in here (§5.9 "Permissions Policy integration").
//
// Where the spec leaves the client a choice, fedkit does what Chromium does with virtual
// authenticators (content/browser/webauth/authenticator_common_impl.cc, Blink's
// authentication_credentials_container.cc), including its error messages:
//   - a request ends at once with NotAllowedError when no authenticator holds a usable
//     credential or the user declines, instead of waiting for the timeout;
//   - timeouts are taken as given (Chromium does not clamp them when virtual authenticators are
//     enabled); an absent timeout means 10 minutes. `clampTimeouts` applies Chromium's normal
//     10 s – 10 min range instead.

import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { registrableDomain } from '../../common/site.js';
import type { Clock, Random } from '../base/clock.js';
import { internalConstruct } from '../credentials/contract/credential.js';
import type { Diagnostic, DiagnosticReason } from '../base/diagnostics.js';
import type { AgentDocument } from '../document/document.js';
import { AuthenticatorError, type Authenticator, type CredentialDescriptor, type CredentialSummary } from './authenticator.js';
import { base64urlDecode, base64urlEncode, bytesEqual } from './base64url.js';
import { CborError, decodeCbor, decodeCborPrefix, encodeCbor, expectBytes, expectMap, expectText, type CborMap } from './cbor.js';
import { decodeCoseKey, spki } from './cose.js';
import {
  AuthenticatorAssertionResponse,
  AuthenticatorAttestationResponse,
  type AuthenticationExtensionsClientOutputs,
  type PublicKeyCredential,
  type PublicKeyCredentialInit,
} from './credential.js';
import type { CreationOptions, RequestOptions } from './options.js';

/** What the client uses of the agent core (a subset of AgentCore, so tests can build one). */
export interface WebAuthnCore {
  readonly clock: Clock;
  readonly random: Random;
  report(diagnostic: Diagnostic): void;
}

/**
 * The registry's CredentialContext with the core narrowed to what WebAuthn needs. Any
 * CredentialContext (src/agent/credentials/registry.ts) is one of these.
 */
export interface WebAuthnContext {
  core: WebAuthnCore;
  frame: AgentDocument;
  /** The document's serialized origin. */
  origin: string;
  /** Credential Management §2.3.2 "same-origin with its ancestors". */
  sameOriginWithAncestors: boolean;
  mediation: 'silent' | 'optional' | 'required' | 'conditional';
  signal: AbortSignal;
}

/** The account chooser's question: which of these credentials (§6.3.3 step 7). */
export interface CredentialChoiceRequest {
  origin: string;
  rpId: string;
  credentials: CredentialSummary[];
}

/** A conditional (autofill) request waiting for the user to pick a passkey (§5.1.4.1). */
export interface ConditionalRequestInfo {
  origin: string;
  rpId: string;
  /** The discoverable credentials it would offer now (silentCredentialDiscovery, filtered). */
  candidates(): CredentialSummary[];
}

/** What the client needs from the agent's WebAuthn state. */
export interface ClientEnvironment {
  authenticators(): readonly Authenticator[];
  /** Resolves when an authenticator is added or removed ("becomes available", §5.1.3 step 22). */
  authenticatorsChanged(signal: AbortSignal): Promise<void>;
  /** Resolves with the chosen credential ID (base64url), or null when the user cancels. */
  chooseCredential(request: CredentialChoiceRequest, signal: AbortSignal): Promise<string | null>;
  /** Resolves with the credential ID the user picks from the autofill list. */
  conditionalSelection(request: ConditionalRequestInfo, signal: AbortSignal): Promise<string>;
  /** Builds the agent's PublicKeyCredential (its own interface object). */
  credential(init: PublicKeyCredentialInit): PublicKeyCredential;
  readonly settings: { readonly clientDataGrease: boolean; readonly clampTimeouts: boolean };
}

// --- Errors (Blink's AuthenticatorStatusToDOMException wording) -------------------------------

const NOT_ALLOWED = 'The operation either timed out or was not allowed. See: https://www.w3.org/TR/webauthn-2/#sctn-privacy-considerations-client.';
const notAllowed = (): DOMException => new DOMException(NOT_ALLOWED, 'NotAllowedError');
const BAD_RP_ID = 'The relying party ID is not a registrable domain suffix of, nor equal to the current domain.';
const INVALID_DOMAIN = 'This is an invalid domain.';
const OPAQUE = "The current origin is an opaque origin and hence not allowed to access 'PublicKeyCredential' objects.";
const INVALID_PROTOCOL = "Public-key credentials are only available to HTTPS origins with valid certificates, HTTP origins that fall under 'localhost', or pages served from an extension.";
const EXCLUDED = 'The user attempted to register an authenticator that contains one of the credentials already registered with the relying party.';
const ALGORITHM_UNSUPPORTED = 'None of the algorithms specified in `pubKeyCredParams` are supported by this device.';
const RESIDENT_UNSUPPORTED = "Resident credentials or empty 'allowCredentials' lists are not supported at this time.";
const UV_UNSUPPORTED = 'The specified `userVerification` requirement cannot be fulfilled by this device unless the device is secured with a screen lock.';

/**
 * WebAuthn failures reported through the agent's diagnostics. DiagnosticReason has no WebAuthn
 * names yet, so each maps to the nearest existing reason; the message says what happened.
 */
type WebAuthnIssue = 'options' | 'rp-id' | 'origin' | 'activation' | 'no-credentials' | 'declined' | 'excluded' | 'timeout' | 'authenticator' | 'unsupported';
const ISSUE_REASON: Record<WebAuthnIssue, DiagnosticReason> = {
  options: 'InvalidRequest',
  'rp-id': 'InvalidRequest',
  origin: 'InvalidRequest',
  activation: 'MissingTransientUserActivation',
  'no-credentials': 'InvalidRequest',
  declined: 'Canceled',
  excluded: 'InvalidRequest',
  timeout: 'Canceled',
  authenticator: 'InvalidRequest',
  unsupported: 'InvalidRequest',
};

function report(ctx: WebAuthnContext, issue: WebAuthnIssue, message: string, detail: string, level: Diagnostic['level'] = 'error'): void {
  ctx.core.report({ reason: ISSUE_REASON[issue], level, message: `WebAuthn: ${message}`, detail, url: ctx.frame.url.href });
}

// --- Client data (§5.8.1) --------------------------------------------------------------------

/** CCDToString (§5.8.1.1): JSON string escaping with lower-case \u escapes. */
function ccdToString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x22) out += '\\"';
    else if (cp === 0x5c) out += '\\\\';
    else if (cp === 0x20 || cp === 0x21 || (cp >= 0x23 && cp <= 0x5b) || cp >= 0x5d) out += ch;
    else out += `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

export interface CollectedClientData {
  type: 'webauthn.create' | 'webauthn.get';
  /** base64url of the challenge. */
  challenge: string;
  origin: string;
  crossOrigin: boolean;
  topOrigin?: string;
}

/** Chromium's GREASE member, added to 20% of clientDataJSON values (client_data_json.cc). */
const GREASE = ',"other_keys_can_be_added_here":"do not compare clientDataJSON against a template. See https://goo.gl/yabPex"';

/**
 * The JSON-compatible serialization of client data (§5.8.1.1), byte for byte:
 * {"type":…,"challenge":…,"origin":…,"crossOrigin":false} with ,"topOrigin":… after crossOrigin
 * for a cross-origin caller. `grease` appends Chromium's extra member.
 */
export function serializeClientData(data: CollectedClientData, grease = false): Uint8Array {
  let json = `{"type":${ccdToString(data.type)},"challenge":${ccdToString(data.challenge)},"origin":${ccdToString(data.origin)},"crossOrigin":${data.crossOrigin ? 'true' : 'false'}`;
  if (data.topOrigin !== undefined) json += `,"topOrigin":${ccdToString(data.topOrigin)}`;
  if (grease) json += GREASE;
  json += '}';
  return new TextEncoder().encode(json);
}

const sha256 = (data: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

// --- RP ID (§5.1.3 step 8, §5.1.4.1 step 7) --------------------------------------------------

/**
 * HTML "is a registrable domain suffix of or is equal to", with the public suffix list via
 * tldts (src/common/site.ts, private registries included, unknown TLDs as one-label suffixes).
 * `rpId` must be a host in canonical form: Chromium compares the string it is given, so
 * "RP.example" or "rp.example:443" do not match rp.example (and would hash differently).
 */
export function isRegistrableDomainSuffixOrEqual(rpId: string, host: string): boolean {
  if (rpId === '') return false;
  let parsed: string;
  try {
    parsed = new URL(`https://${rpId}/`).hostname;
  } catch {
    return false;
  }
  if (parsed !== rpId) return false;
  if (rpId === host) return true;
  // Beyond equality only domains qualify, never IP addresses.
  const bare = (h: string): string => (h.startsWith('[') ? h.slice(1, -1) : h);
  if (isIP(bare(rpId)) !== 0 || isIP(bare(host)) !== 0) return false;
  if (!host.endsWith(`.${rpId}`)) return false;
  // The suffix may not be a public suffix: it must be the registrable domain or below it.
  const site = registrableDomain(host);
  return rpId === site || rpId.endsWith(`.${site}`);
}

/** The caller's effective domain, or a thrown SecurityError / NotAllowedError (§5.1.3 steps 6–7). */
function effectiveDomain(ctx: WebAuthnContext): string {
  if (ctx.origin === 'null') {
    report(ctx, 'origin', 'the calling document has an opaque origin.', `${ctx.frame.url.href} is sandboxed or not a tuple origin; WebAuthn needs a real origin.`);
    throw new DOMException(OPAQUE, 'NotAllowedError');
  }
  const url = new URL(ctx.origin);
  const host = url.hostname;
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0 || host === '') {
    report(ctx, 'origin', 'the effective domain is not a valid domain.', `${ctx.origin} has an IP address as its host; WebAuthn needs a domain.`);
    throw new DOMException(INVALID_DOMAIN, 'SecurityError');
  }
  const localhost = host === 'localhost' || host.endsWith('.localhost');
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && localhost))) {
    report(ctx, 'origin', 'WebAuthn needs https (or http on localhost).', `${ctx.origin} is not allowed to use public-key credentials.`);
    throw new DOMException(INVALID_PROTOCOL, 'SecurityError');
  }
  return host;
}

function determineRpId(ctx: WebAuthnContext, requested: string | undefined, member: string): string {
  const domain = effectiveDomain(ctx);
  if (requested === undefined) return domain;
  if (!isRegistrableDomainSuffixOrEqual(requested, domain)) {
    // fedkit does not implement related origin requests (§5.11), so this is final.
    report(ctx, 'rp-id', `${member} "${requested}" is not allowed for ${ctx.origin}.`, `The RP ID must equal "${domain}" or be a registrable domain suffix of it (not a public suffix such as "${domain.split('.').slice(-1)[0] ?? ''}").`);
    throw new DOMException(BAD_RP_ID, 'SecurityError');
  }
  return requested;
}

// --- Timeouts and abort ----------------------------------------------------------------------

/** Chromium AdjustTimeout (authenticator_common_impl.cc). */
const TIMEOUT_LOWER_MS = 10_000;
const TIMEOUT_UPPER_MS = 600_000;

function adjustTimeout(env: ClientEnvironment, timeout: number | undefined): number {
  if (timeout === undefined) return TIMEOUT_UPPER_MS;
  if (!env.settings.clampTimeouts) return timeout;
  return Math.max(TIMEOUT_LOWER_MS, Math.min(TIMEOUT_UPPER_MS, timeout));
}

/**
 * Runs the "while lifetimeTimer has not expired" loop body with one signal that aborts on the
 * page's signal (its reason), on the timer (NotAllowedError) and when the ceremony ends (so
 * pending prompts are cancelled, authenticatorCancel §6.3.4). `lifetimeMs` null is infinity.
 */
async function ceremony<T>(ctx: WebAuthnContext, lifetimeMs: number | null, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = new AbortController();
  const onAbort = (): void => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) controller.abort(ctx.signal.reason);
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (lifetimeMs !== null) {
    ctx.core.clock.sleep(lifetimeMs, timer.signal).then(
      () => {
        if (controller.signal.aborted) return;
        report(ctx, 'timeout', `the request timed out after ${lifetimeMs} ms.`, 'No authenticator completed the ceremony before the timeout (options.publicKey.timeout).', 'warning');
        controller.abort(notAllowed());
      },
      () => {},
    );
  }
  const aborted = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(controller.signal.reason);
    else controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  try {
    return await Promise.race([body(controller.signal), aborted]);
  } finally {
    timer.abort();
    ctx.signal.removeEventListener('abort', onAbort);
    if (!controller.signal.aborted) controller.abort(new DOMException('The ceremony is over.', 'AbortError'));
  }
}

/** Maps an authenticator failure to what the page sees; rethrows aborts unchanged. */
function pageError(ctx: WebAuthnContext, signal: AbortSignal, error: unknown, authenticator: Authenticator): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof AuthenticatorError) {
    switch (error.code) {
      case 'InvalidStateError':
        report(ctx, 'excluded', 'an excluded credential is on the authenticator.', error.message);
        return new DOMException(EXCLUDED, 'InvalidStateError');
      case 'NotAllowedError':
        report(ctx, 'declined', 'the user declined or could not be verified.', `Authenticator ${authenticator.id}: ${error.message}`, 'warning');
        return notAllowed();
      case 'NotSupportedError':
        report(ctx, 'unsupported', 'the authenticator supports none of the requested algorithms.', `Authenticator ${authenticator.id}: ${error.message}`);
        return new DOMException(ALGORITHM_UNSUPPORTED, 'NotSupportedError');
      default:
        report(ctx, 'authenticator', 'the authenticator failed.', `Authenticator ${authenticator.id}: ${error.message}`);
        return notAllowed();
    }
  }
  if (error instanceof DOMException && error.name === 'NotAllowedError') return error;
  const why = error instanceof Error ? `${error.name}: ${error.message}` : 'a non-Error value was thrown';
  report(ctx, 'authenticator', 'the authenticator failed.', `Authenticator ${authenticator.id}: ${why}`);
  return notAllowed();
}

// --- Parsing what an authenticator returned ---------------------------------------------------

const FLAG_AT = 0x40;
const FLAG_ED = 0x80;

export interface ParsedAuthenticatorData {
  rpIdHash: Uint8Array;
  flags: number;
  signCount: number;
  attested?: { aaguid: Uint8Array; credentialId: Uint8Array; credentialPublicKey: CborMap };
  extensions?: CborMap;
}

/** Parses authenticator data (§6.1, §6.5.1), rejecting trailing or missing bytes. */
export function parseAuthenticatorData(data: Uint8Array): ParsedAuthenticatorData {
  if (data.byteLength < 37) throw new CborError(`Authenticator data is ${data.byteLength} bytes; at least 37 are needed`, 0);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const flags = data[32] ?? 0;
  const out: ParsedAuthenticatorData = { rpIdHash: data.slice(0, 32), flags, signCount: view.getUint32(33) };
  let offset = 37;
  if (flags & FLAG_AT) {
    if (data.byteLength < offset + 18) throw new CborError('Attested credential data is truncated', offset);
    const aaguid = data.slice(offset, offset + 16);
    const length = view.getUint16(offset + 16);
    offset += 18;
    // §6.5.1: credentialIdLength MUST be ≤ 1023.
    if (length > 1023) throw new CborError(`Credential ID length ${length} exceeds 1023`, offset - 2);
    if (data.byteLength < offset + length) throw new CborError('Credential ID is truncated', offset);
    const credentialId = data.slice(offset, offset + length);
    offset += length;
    const key = decodeCborPrefix(data, offset);
    out.attested = { aaguid, credentialId, credentialPublicKey: expectMap(key.value, 'credentialPublicKey') };
    offset = key.end;
  }
  if (flags & FLAG_ED) {
    const ext = decodeCborPrefix(data, offset);
    out.extensions = expectMap(ext.value, 'Authenticator extensions');
    offset = ext.end;
  }
  if (offset !== data.byteLength) throw new CborError(`${data.byteLength - offset} unexpected byte(s) after the authenticator data`, offset);
  return out;
}

interface ParsedAttestation {
  fmt: string;
  attStmt: CborMap;
  authData: Uint8Array;
  parsed: ParsedAuthenticatorData & { attested: NonNullable<ParsedAuthenticatorData['attested']> };
}

/** Decodes an attestation object (§6.5.4) strictly and checks it is for `rpId`. */
export function parseAttestationObject(bytes: Uint8Array, rpId: string): ParsedAttestation {
  const map = expectMap(decodeCbor(bytes), 'The attestation object');
  const fmt = expectText(map.get('fmt'), 'fmt');
  const attStmt = expectMap(map.get('attStmt'), 'attStmt');
  const authData = expectBytes(map.get('authData'), 'authData');
  const parsed = parseAuthenticatorData(authData);
  if (!parsed.attested) throw new CborError('The authenticator data of an attestation has no attested credential data (AT flag)', 0);
  if (!bytesEqual(parsed.rpIdHash, sha256(rpId))) throw new CborError(`rpIdHash is not the SHA-256 of "${rpId}"`, 0);
  return { fmt, attStmt, authData, parsed: { ...parsed, attested: parsed.attested } };
}

// --- [[Create]] (§5.1.3) ---------------------------------------------------------------------

/** PublicKeyCredential's [[Create]](origin, options, sameOriginWithAncestors). */
export async function createCredential(env: ClientEnvironment, ctx: WebAuthnContext, pk: CreationOptions): Promise<PublicKeyCredential> {
  const { frame } = ctx;
  // Step 2: a cross-origin iframe needs (and consumes) transient activation, and may not use
  // conditional creation.
  if (!ctx.sameOriginWithAncestors) {
    if (ctx.mediation === 'conditional') throw notAllowed();
    if (!frame.hasTransientActivation) {
      report(ctx, 'activation', 'create() in a cross-origin iframe needs a user activation.', `${ctx.origin} is embedded by ${frame.top.origin}; call frame.activate() (a click) before create().`);
      throw new DOMException('A user activation is required to create a credential in a cross-origin iframe.', 'NotAllowedError');
    }
    frame.consumeActivation();
  }
  // Step 4.
  const lifetime = adjustTimeout(env, pk.timeout);
  // Step 5: a user handle is 1 to 64 bytes (§5.4.3).
  if (pk.user.id.byteLength > 64) {
    report(ctx, 'options', 'user.id is longer than 64 bytes.', `user.id has ${pk.user.id.byteLength} bytes; a user handle is at most 64 (§5.4.3).`);
    throw new TypeError('User handle exceeds 64 bytes.');
  }
  if (pk.user.id.byteLength === 0) {
    report(ctx, 'options', 'user.id is empty.', 'A user handle must not be empty (§5.4.3).');
    throw new TypeError('User handle must not be empty.');
  }
  // Steps 6–8.
  const rpId = determineRpId(ctx, pk.rp.id, 'rp.id');
  // Steps 9–10: an empty list means ES256 and RS256; unknown types are skipped.
  const credTypesAndPubKeyAlgs =
    pk.pubKeyCredParams.length === 0
      ? [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -257 },
        ]
      : pk.pubKeyCredParams.filter((p) => p.type === 'public-key');
  if (credTypesAndPubKeyAlgs.length === 0) {
    report(ctx, 'unsupported', 'pubKeyCredParams names no "public-key" entry.', JSON.stringify(pk.pubKeyCredParams));
    throw new DOMException(ALGORITHM_UNSUPPORTED, 'NotSupportedError');
  }
  // Steps 11–12: credProps is a client-only extension; there are no authenticator extensions.
  const clientExtensions = pk.extensions ?? {};
  // Steps 13–15.
  const clientDataJSON = serializeClientData(
    {
      type: 'webauthn.create',
      challenge: base64urlEncode(pk.challenge),
      origin: ctx.origin,
      crossOrigin: !ctx.sameOriginWithAncestors,
      ...(ctx.sameOriginWithAncestors ? {} : { topOrigin: frame.top.origin }),
    },
    env.settings.clientDataGrease && ctx.core.random() < 0.2,
  );
  const hash = sha256(clientDataJSON);
  // Step 16.
  if (ctx.signal.aborted) throw ctx.signal.reason;
  // Step 19: conditional creation needs a recent mediated sign-in at this origin, which fedkit
  // does not track; getClientCapabilities() reports conditionalCreate: false.
  if (ctx.mediation === 'conditional') {
    report(ctx, 'unsupported', 'conditional create() is not supported.', 'fedkit never has a recently mediated authentication to upgrade; use mediation "optional".', 'warning');
    throw notAllowed();
  }

  const selection = pk.authenticatorSelection;
  const attachment = selection?.authenticatorAttachment === 'platform' || selection?.authenticatorAttachment === 'cross-platform' ? selection.authenticatorAttachment : undefined;
  const residentKey = ['required', 'preferred', 'discouraged'].includes(selection?.residentKey ?? '') ? selection?.residentKey : undefined;
  const rkRequired = residentKey === 'required' || (residentKey === undefined && selection?.requireResidentKey === true);
  const userVerification = ['required', 'preferred', 'discouraged'].includes(selection?.userVerification ?? '') ? (selection?.userVerification ?? 'preferred') : 'preferred';

  // Steps 21–22: start lifetimeTimer; the "while lifetimeTimer has not expired" loop.
  return ceremony(ctx, lifetime, async (signal) => {
    for (;;) {
      const available = env.authenticators();
      let missingResidentKey = false;
      let missingUserVerification = false;
      const eligible = available.filter((a) => {
        if (attachment !== undefined && a.attachment !== attachment) return false;
        if (rkRequired && !a.hasResidentKey) {
          missingResidentKey = true;
          return false;
        }
        if (userVerification === 'required' && !a.hasUserVerification) {
          missingUserVerification = true;
          return false;
        }
        return true;
      });
      if (eligible.length === 0) {
        // Chromium fails these at once (RESIDENT_CREDENTIALS_UNSUPPORTED, USER_VERIFICATION_UNSUPPORTED).
        if (missingResidentKey) {
          report(ctx, 'unsupported', 'no authenticator can store a discoverable credential.', 'authenticatorSelection.residentKey is "required"; add an authenticator with hasResidentKey: true.');
          throw new DOMException(RESIDENT_UNSUPPORTED, 'NotSupportedError');
        }
        if (missingUserVerification) {
          report(ctx, 'unsupported', 'no authenticator can verify the user.', 'authenticatorSelection.userVerification is "required"; add an authenticator with hasUserVerification: true.');
          throw new DOMException(UV_UNSUPPORTED, 'NotSupportedError');
        }
        report(
          ctx,
          'no-credentials',
          'waiting for an authenticator.',
          available.length === 0 ? 'The agent has no authenticator; add one with webauthn.automation.addVirtualAuthenticator().' : `No authenticator has attachment "${attachment ?? ''}".`,
          'info',
        );
        await env.authenticatorsChanged(signal);
        continue;
      }
      const authenticator = eligible.find((a) => credTypesAndPubKeyAlgs.some((p) => a.supportsAlgorithm(p.alg)));
      if (!authenticator) {
        report(ctx, 'unsupported', 'no authenticator supports the requested algorithms.', `pubKeyCredParams: ${credTypesAndPubKeyAlgs.map((p) => p.alg).join(', ')}`);
        throw new DOMException(ALGORITHM_UNSUPPORTED, 'NotSupportedError');
      }
      // The effective resident key and user verification requirements for this authenticator.
      const requireResidentKey = residentKey === 'preferred' ? authenticator.hasResidentKey : rkRequired;
      const requireUserVerification = userVerification === 'required' || (userVerification === 'preferred' && authenticator.hasUserVerification);
      // attestation "none" (or an unknown value, §5.4.7) asks for the none format.
      const conveyance = ['none', 'indirect', 'direct', 'enterprise'].includes(pk.attestation) ? pk.attestation : 'none';
      const attestationFormats = conveyance === 'none' ? ['none'] : pk.attestationFormats;

      let attestationObject: Uint8Array;
      try {
        attestationObject = await authenticator.makeCredential(
          {
            hash,
            rp: { id: rpId, name: pk.rp.name },
            user: pk.user,
            requireResidentKey,
            requireUserPresence: true,
            requireUserVerification,
            credTypesAndPubKeyAlgs,
            excludeCredentialDescriptorList: pk.excludeCredentials,
            enterpriseAttestationPossible: false,
            attestationFormats,
            extensions: new Map(),
            origin: ctx.origin,
          },
          signal,
        );
      } catch (e) {
        throw pageError(ctx, signal, e, authenticator);
      }

      let parsed: ParsedAttestation;
      try {
        parsed = parseAttestationObject(attestationObject, rpId);
      } catch (e) {
        report(ctx, 'authenticator', 'the authenticator returned a malformed attestation object.', `Authenticator ${authenticator.id}: ${e instanceof Error ? e.message : String(e)}`);
        throw notAllowed();
      }
      // constructCredentialAlg step 1: with conveyance "none", anything but self attestation
      // with a zero AAGUID becomes the "none" format (the AAGUID itself is kept, as the spec says).
      if (conveyance === 'none') {
        const zeroAaguid = parsed.parsed.attested.aaguid.every((b) => b === 0);
        const selfAttestation = zeroAaguid && parsed.fmt === 'packed' && !parsed.attStmt.has('x5c');
        if (!selfAttestation && !(parsed.fmt === 'none' && parsed.attStmt.size === 0)) {
          attestationObject = encodeCbor({ fmt: 'none', attStmt: {}, authData: parsed.authData });
        }
      }
      let publicKey: Uint8Array | null;
      let publicKeyAlgorithm: number;
      try {
        const cose = decodeCoseKey(parsed.parsed.attested.credentialPublicKey);
        publicKeyAlgorithm = cose.alg;
        publicKey = cose.publicKey && spki(cose.publicKey);
      } catch (e) {
        report(ctx, 'authenticator', 'the authenticator returned a malformed credential public key.', `Authenticator ${authenticator.id}: ${e instanceof Error ? e.message : String(e)}`);
        throw notAllowed();
      }
      const extensionResults: AuthenticationExtensionsClientOutputs = {};
      if (clientExtensions.credProps === true) extensionResults.credProps = { rk: requireResidentKey };
      return env.credential({
        rawId: parsed.parsed.attested.credentialId,
        authenticatorAttachment: authenticator.attachment,
        clientExtensionResults: extensionResults,
        response: new AuthenticatorAttestationResponse(internalConstruct, {
          clientDataJSON,
          attestationObject,
          transports: authenticator.transports,
          authenticatorData: parsed.authData,
          publicKey,
          publicKeyAlgorithm,
        }),
      });
    }
  });
}

// --- [[DiscoverFromExternalSource]] (§5.1.4.1) ----------------------------------------------

interface Candidate {
  authenticator: Authenticator;
  credentials: CredentialSummary[];
  /** The allowCredentials entries bound to this authenticator (§5.1.4.2 step 3), if a list was given. */
  descriptors?: CredentialDescriptor[];
}

/** PublicKeyCredential's [[DiscoverFromExternalSource]](origin, options, sameOriginWithAncestors). */
export async function discoverCredential(env: ClientEnvironment, ctx: WebAuthnContext, pk: RequestOptions): Promise<PublicKeyCredential> {
  const conditional = ctx.mediation === 'conditional';
  // Step 3: conditional requests only use discoverable credentials; the allow list becomes a
  // filter, and the request lives as long as the document.
  const credentialIdFilter = conditional ? pk.allowCredentials : [];
  const allowCredentials = conditional ? [] : pk.allowCredentials;
  const lifetime = conditional ? null : adjustTimeout(env, pk.timeout);
  // Chromium rejects credProps outside registration (Blink, AuthenticationCredentialsContainer::get).
  if (pk.extensions?.credProps === true) {
    report(ctx, 'options', 'credProps is a registration extension.', 'Remove extensions.credProps from get() options.');
    throw new DOMException("The 'credProps' extension is only valid when creating a credential", 'NotSupportedError');
  }
  // Steps 5–7.
  const rpId = determineRpId(ctx, pk.rpId, 'rpId');
  // Steps 10–12.
  const clientDataJSON = serializeClientData(
    {
      type: 'webauthn.get',
      challenge: base64urlEncode(pk.challenge),
      origin: ctx.origin,
      crossOrigin: !ctx.sameOriginWithAncestors,
      ...(ctx.sameOriginWithAncestors ? {} : { topOrigin: ctx.frame.top.origin }),
    },
    env.settings.clientDataGrease && ctx.core.random() < 0.2,
  );
  const hash = sha256(clientDataJSON);
  // Step 13.
  if (ctx.signal.aborted) throw ctx.signal.reason;

  const uvRequirement = ['required', 'preferred', 'discouraged'].includes(pk.userVerification) ? pk.userVerification : 'preferred';
  const wantedIds = allowCredentials.filter((d) => d.type === 'public-key').map((d) => d.id);

  // §5.1.4.2 steps 1–3 for every authenticator: can it take the request, and with what.
  const candidates = (): Candidate[] => {
    const out: Candidate[] = [];
    for (const authenticator of env.authenticators()) {
      if (uvRequirement === 'required' && !authenticator.hasUserVerification) continue;
      if (allowCredentials.length > 0) {
        const credentials = authenticator.boundCredentials(rpId, wantedIds);
        if (credentials.length === 0) continue;
        const descriptors = allowCredentials.filter((d) => d.type === 'public-key' && credentials.some((c) => c.credentialId === base64urlEncode(d.id)));
        out.push({ authenticator, credentials, descriptors });
      } else {
        const credentials = authenticator.discoverableCredentials(rpId);
        if (credentials.length > 0) out.push({ authenticator, credentials });
      }
    }
    return out;
  };

  const assert = async (candidate: Candidate, credentialId: string, descriptors: CredentialDescriptor[] | undefined, signal: AbortSignal): Promise<PublicKeyCredential> => {
    const { authenticator } = candidate;
    const requireUserVerification = uvRequirement === 'required' || (uvRequirement === 'preferred' && authenticator.hasUserVerification);
    // savedCredentialIds (§5.1.4.2 step 3.4): with a single allowed credential the
    // authenticator does not repeat its ID.
    const saved = descriptors?.length === 1 ? descriptors[0]?.id : undefined;
    let result;
    try {
      result = await authenticator.getAssertion(
        {
          rpId,
          hash,
          ...(descriptors ? { allowCredentialDescriptorList: descriptors } : {}),
          requireUserPresence: true,
          requireUserVerification,
          extensions: new Map(),
          origin: ctx.origin,
          selectedCredentialId: credentialId,
        },
        signal,
      );
    } catch (e) {
      throw pageError(ctx, signal, e, authenticator);
    }
    const rawId = saved ?? result.credentialId;
    try {
      if (!rawId) throw new CborError('The authenticator returned no credential ID', 0);
      const parsed = parseAuthenticatorData(result.authenticatorData);
      if (!bytesEqual(parsed.rpIdHash, sha256(rpId))) throw new CborError(`rpIdHash is not the SHA-256 of "${rpId}"`, 0);
      if (parsed.attested) throw new CborError('An assertion must not carry attested credential data (AT flag)', 0);
      if (result.userHandle && (result.userHandle.byteLength === 0 || result.userHandle.byteLength > 64)) throw new CborError('The user handle is not 1–64 bytes', 0);
    } catch (e) {
      report(ctx, 'authenticator', 'the authenticator returned a malformed assertion.', `Authenticator ${authenticator.id}: ${e instanceof Error ? e.message : String(e)}`);
      throw notAllowed();
    }
    return env.credential({
      rawId,
      authenticatorAttachment: authenticator.attachment,
      clientExtensionResults: {},
      response: new AuthenticatorAssertionResponse(internalConstruct, {
        clientDataJSON,
        authenticatorData: result.authenticatorData,
        signature: result.signature,
        userHandle: result.userHandle,
      }),
    });
  };

  return ceremony(ctx, lifetime, async (signal) => {
    if (conditional) {
      // silentCredentialDiscovery (§6.3.5) on each authenticator, filtered by credentialIdFilter;
      // the request then waits for the user to pick one from the autofill list.
      const filter = credentialIdFilter.map((d) => base64urlEncode(d.id));
      const offered = (): { candidate: Candidate; credential: CredentialSummary }[] =>
        candidates().flatMap((candidate) =>
          candidate.credentials.filter((c) => filter.length === 0 || filter.includes(c.credentialId)).map((credential) => ({ candidate, credential })),
        );
      for (;;) {
        const picked = await env.conditionalSelection({ origin: ctx.origin, rpId, candidates: () => offered().map((o) => o.credential) }, signal);
        const match = offered().find((o) => o.credential.credentialId === picked);
        const id = base64urlDecode(picked);
        if (!match || !id) {
          // Only a conditionalUi callback can pick outside the list (automation checks).
          report(ctx, 'options', 'the conditional UI picked a credential it was not offered.', `"${picked}" is not among the ${offered().length} credential(s) offered for ${rpId}.`);
          throw notAllowed();
        }
        const credential = await assert(match.candidate, picked, [{ type: 'public-key', id }], signal);
        // After success: the credentialIdFilter and user handle checks. The second check only
        // makes sense for conditional requests (credentialIdFilter is always empty otherwise).
        const response = credential.response as AuthenticatorAssertionResponse;
        if (filter.length > 0 && !filter.includes(credential.id)) continue;
        if (filter.length === 0 && response.userHandle === null) continue;
        return credential;
      }
    }
    for (;;) {
      if (env.authenticators().length === 0) {
        report(ctx, 'no-credentials', 'waiting for an authenticator.', 'The agent has no authenticator; add one with webauthn.automation.addVirtualAuthenticator().', 'info');
        await env.authenticatorsChanged(signal);
        continue;
      }
      const found = candidates();
      if (found.length === 0) {
        // "Indicate to the user that no eligible credential could be found" — Chromium with
        // virtual authenticators fails right away.
        const detail =
          allowCredentials.length > 0
            ? `None of the ${allowCredentials.length} allowCredentials entries is on an authenticator for RP ID "${rpId}"${uvRequirement === 'required' ? ' that can verify the user' : ''}.`
            : `No authenticator holds a discoverable credential for RP ID "${rpId}"${uvRequirement === 'required' ? ' and can verify the user' : ''}.`;
        report(ctx, 'no-credentials', 'no credential is available.', detail);
        throw notAllowed();
      }
      const all = found.flatMap((candidate) => candidate.credentials.map((credential) => ({ candidate, credential })));
      let chosen = all[0];
      if (all.length > 1) {
        const pick = await env.chooseCredential({ origin: ctx.origin, rpId, credentials: all.map((a) => a.credential) }, signal);
        if (pick === null) {
          report(ctx, 'declined', 'the user closed the account chooser.', `${all.length} credentials were offered for ${rpId}.`, 'warning');
          throw notAllowed();
        }
        chosen = all.find((a) => a.credential.credentialId === pick);
      }
      if (!chosen) throw notAllowed();
      return assert(chosen.candidate, chosen.credential.credentialId, chosen.candidate.descriptors, signal);
    }
  });
}
