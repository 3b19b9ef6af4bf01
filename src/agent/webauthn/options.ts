// WebIDL conversion of PublicKeyCredentialCreationOptions (WebAuthn §5.4) and
// PublicKeyCredentialRequestOptions (§5.5), and of their JSON forms for
// parseCreationOptionsFromJSON() / parseRequestOptionsFromJSON() (§5.1.8, §5.1.9).
//
// Conversion errors are the TypeErrors a page sees before any algorithm step runs. Members are
// read in WebIDL order (inherited dictionary first, then lexicographic), so getters with side
// effects run as in a browser, and every BufferSource is copied when read (§5.1.3: "All
// BufferSource objects used in this algorithm MUST be snapshotted when the algorithm begins").
// Enumerated values typed as DOMString (§2.1.1) are kept verbatim; the algorithms treat unknown
// values as absent.

import { bufferSource, dictionary, domString, long, optional, requiredMember, sequence, unsignedLong, where as read } from '../base/webidl.js';
import { base64urlDecode, toArrayBuffer } from './base64url.js';
import type { CredentialDescriptor } from './authenticator.js';

// --- Page-facing shapes (what a script passes) ----------------------------------------------

export type BufferSourceInit = ArrayBuffer | ArrayBufferView;

export interface PublicKeyCredentialDescriptorInit {
  type: string;
  id: BufferSourceInit;
  transports?: string[];
}

export interface AuthenticatorSelectionCriteriaInit {
  authenticatorAttachment?: string;
  residentKey?: string;
  requireResidentKey?: boolean;
  userVerification?: string;
}

/** The client extension inputs fedkit implements; others are ignored (§5.1.3 step 12, §5.1.4.1 step 9). */
export interface AuthenticationExtensionsClientInputs {
  /** Credential Properties (§10.1.3), registration only. */
  credProps?: boolean;
}

export interface PublicKeyCredentialCreationOptionsInit {
  rp: { name: string; id?: string };
  user: { id: BufferSourceInit; name: string; displayName: string };
  challenge: BufferSourceInit;
  pubKeyCredParams: { type: string; alg: number }[];
  timeout?: number;
  excludeCredentials?: PublicKeyCredentialDescriptorInit[];
  authenticatorSelection?: AuthenticatorSelectionCriteriaInit;
  hints?: string[];
  attestation?: string;
  attestationFormats?: string[];
  extensions?: AuthenticationExtensionsClientInputs;
}

export interface PublicKeyCredentialRequestOptionsInit {
  challenge: BufferSourceInit;
  timeout?: number;
  rpId?: string;
  allowCredentials?: PublicKeyCredentialDescriptorInit[];
  userVerification?: string;
  hints?: string[];
  extensions?: AuthenticationExtensionsClientInputs;
}

// --- Converted forms (what the algorithms use) ---------------------------------------------

export interface AuthenticatorSelectionCriteria {
  authenticatorAttachment?: string;
  residentKey?: string;
  requireResidentKey: boolean;
  userVerification: string;
}

export interface CreationOptions {
  rp: { name: string; id?: string };
  user: { name: string; displayName: string; id: Uint8Array };
  challenge: Uint8Array;
  pubKeyCredParams: { type: string; alg: number }[];
  timeout?: number;
  excludeCredentials: CredentialDescriptor[];
  authenticatorSelection?: AuthenticatorSelectionCriteria;
  hints: string[];
  attestation: string;
  attestationFormats: string[];
  extensions?: AuthenticationExtensionsClientInputs;
}

export interface RequestOptions {
  challenge: Uint8Array;
  timeout?: number;
  rpId?: string;
  allowCredentials: CredentialDescriptor[];
  userVerification: string;
  hints: string[];
  extensions?: AuthenticationExtensionsClientInputs;
}

// --- Dictionaries ----------------------------------------------------------------------------

function descriptor(value: unknown, context: string, json: boolean): CredentialDescriptor & { idText?: string } {
  const name = json ? 'PublicKeyCredentialDescriptorJSON' : 'PublicKeyCredentialDescriptor';
  const d = dictionary(value, name, context);
  const at = (m: string): string => `${context}: ${read(m, name)}`;
  const idValue = requiredMember(d, 'id', name, context);
  const out: CredentialDescriptor & { idText?: string } = json
    ? { type: '', id: new Uint8Array(), idText: domString(idValue, at('id')) }
    : { type: '', id: bufferSource(idValue, at('id')) };
  const transports = optional(d, 'transports', (t) => sequence(t, at('transports'), (v) => domString(v, at('transports'))));
  if (transports !== undefined) out.transports = transports;
  out.type = domString(requiredMember(d, 'type', name, context), at('type'));
  return out;
}

function selection(value: unknown, context: string): AuthenticatorSelectionCriteria {
  const name = 'AuthenticatorSelectionCriteria';
  const d = dictionary(value, name, context);
  const at = (m: string): string => `${context}: ${read(m, name)}`;
  const out: AuthenticatorSelectionCriteria = { requireResidentKey: false, userVerification: 'preferred' };
  const attachment = optional(d, 'authenticatorAttachment', (v) => domString(v, at('authenticatorAttachment')));
  if (attachment !== undefined) out.authenticatorAttachment = attachment;
  out.requireResidentKey = optional(d, 'requireResidentKey', Boolean) ?? false;
  const residentKey = optional(d, 'residentKey', (v) => domString(v, at('residentKey')));
  if (residentKey !== undefined) out.residentKey = residentKey;
  out.userVerification = optional(d, 'userVerification', (v) => domString(v, at('userVerification'))) ?? 'preferred';
  return out;
}

/** AuthenticationExtensionsClientInputs: only the members fedkit implements are read. */
function extensionInputs(value: unknown, context: string): AuthenticationExtensionsClientInputs {
  const d = dictionary(value, 'AuthenticationExtensionsClientInputs', context);
  const out: AuthenticationExtensionsClientInputs = {};
  const credProps = optional(d, 'credProps', Boolean);
  if (credProps !== undefined) out.credProps = credProps;
  return out;
}

function credentialParameters(value: unknown, context: string): { type: string; alg: number } {
  const name = 'PublicKeyCredentialParameters';
  const d = dictionary(value, name, context);
  const at = (m: string): string => `${context}: ${read(m, name)}`;
  const alg = long(requiredMember(d, 'alg', name, context), at('alg'));
  const type = domString(requiredMember(d, 'type', name, context), at('type'));
  return { type, alg };
}

function rpEntity(value: unknown, context: string): { name: string; id?: string } {
  const name = 'PublicKeyCredentialRpEntity';
  const d = dictionary(value, name, context);
  const at = (m: string): string => `${context}: ${read(m, name)}`;
  // PublicKeyCredentialEntity (inherited) first: name; then id.
  const entityName = domString(requiredMember(d, 'name', name, context), at('name'));
  const out: { name: string; id?: string } = { name: entityName };
  const id = optional(d, 'id', (v) => domString(v, at('id')));
  if (id !== undefined) out.id = id;
  return out;
}

const creationDictionary = (json: boolean): string => (json ? 'PublicKeyCredentialCreationOptionsJSON' : 'PublicKeyCredentialCreationOptions');
const requestDictionary = (json: boolean): string => (json ? 'PublicKeyCredentialRequestOptionsJSON' : 'PublicKeyCredentialRequestOptions');

/** Intermediate form shared by the IDL and JSON conversions: buffers are bytes or base64url text. */
interface Converted<Buf> {
  attestation: string;
  attestationFormats: string[];
  authenticatorSelection?: AuthenticatorSelectionCriteria;
  challenge: Buf;
  excludeCredentials: (CredentialDescriptor & { idText?: string })[];
  extensions?: AuthenticationExtensionsClientInputs;
  hints: string[];
  pubKeyCredParams: { type: string; alg: number }[];
  rp: { name: string; id?: string };
  timeout?: number;
  user: { name: string; displayName: string; id: Buf };
}

function convertCreation<Buf>(value: unknown, context: string, json: boolean, buffer: (v: unknown, c: string) => Buf): Converted<Buf> {
  const name = creationDictionary(json);
  const d = dictionary(value, name, context);
  const at = (m: string): string => `${context}${context ? ': ' : ''}${read(m, name)}`;
  const attestation = optional(d, 'attestation', (v) => domString(v, at('attestation'))) ?? 'none';
  const attestationFormats = optional(d, 'attestationFormats', (v) => sequence(v, at('attestationFormats'), (item) => domString(item, at('attestationFormats')))) ?? [];
  const authenticatorSelection = optional(d, 'authenticatorSelection', (v) => selection(v, at('authenticatorSelection')));
  const challenge = buffer(requiredMember(d, 'challenge', name, context), at('challenge'));
  const excludeCredentials =
    optional(d, 'excludeCredentials', (v) => sequence(v, at('excludeCredentials'), (item) => descriptor(item, at('excludeCredentials'), json))) ?? [];
  const extensions = optional(d, 'extensions', (v) => extensionInputs(v, at('extensions')));
  const hints = optional(d, 'hints', (v) => sequence(v, at('hints'), (item) => domString(item, at('hints')))) ?? [];
  const pubKeyCredParams = sequence(requiredMember(d, 'pubKeyCredParams', name, context), at('pubKeyCredParams'), (v) => credentialParameters(v, at('pubKeyCredParams')));
  const rp = rpEntity(requiredMember(d, 'rp', name, context), at('rp'));
  const timeout = optional(d, 'timeout', (v) => unsignedLong(v, at('timeout')));
  const userValue = requiredMember(d, 'user', name, context);
  const userName = json ? 'PublicKeyCredentialUserEntityJSON' : 'PublicKeyCredentialUserEntity';
  const ud = dictionary(userValue, userName, at('user'));
  const uat = (m: string): string => `${at('user')}: ${read(m, userName)}`;
  let user: { name: string; displayName: string; id: Buf };
  if (json) {
    // PublicKeyCredentialUserEntityJSON has no parent: displayName, id, name.
    const displayName = domString(requiredMember(ud, 'displayName', userName, at('user')), uat('displayName'));
    const id = buffer(requiredMember(ud, 'id', userName, at('user')), uat('id'));
    const entityName = domString(requiredMember(ud, 'name', userName, at('user')), uat('name'));
    user = { name: entityName, displayName, id };
  } else {
    // PublicKeyCredentialEntity (name) first, then displayName, id.
    const entityName = domString(requiredMember(ud, 'name', userName, at('user')), uat('name'));
    const displayName = domString(requiredMember(ud, 'displayName', userName, at('user')), uat('displayName'));
    const id = buffer(requiredMember(ud, 'id', userName, at('user')), uat('id'));
    user = { name: entityName, displayName, id };
  }
  const out: Converted<Buf> = { attestation, attestationFormats, challenge, excludeCredentials, hints, pubKeyCredParams, rp, user };
  if (authenticatorSelection) out.authenticatorSelection = authenticatorSelection;
  if (extensions) out.extensions = extensions;
  if (timeout !== undefined) out.timeout = timeout;
  return out;
}

interface ConvertedRequest<Buf> {
  allowCredentials: (CredentialDescriptor & { idText?: string })[];
  challenge: Buf;
  extensions?: AuthenticationExtensionsClientInputs;
  hints: string[];
  rpId?: string;
  timeout?: number;
  userVerification: string;
}

function convertRequest<Buf>(value: unknown, context: string, json: boolean, buffer: (v: unknown, c: string) => Buf): ConvertedRequest<Buf> {
  const name = requestDictionary(json);
  const d = dictionary(value, name, context);
  const at = (m: string): string => `${context}${context ? ': ' : ''}${read(m, name)}`;
  const allowCredentials =
    optional(d, 'allowCredentials', (v) => sequence(v, at('allowCredentials'), (item) => descriptor(item, at('allowCredentials'), json))) ?? [];
  const challenge = buffer(requiredMember(d, 'challenge', name, context), at('challenge'));
  const extensions = optional(d, 'extensions', (v) => extensionInputs(v, at('extensions')));
  const hints = optional(d, 'hints', (v) => sequence(v, at('hints'), (item) => domString(item, at('hints')))) ?? [];
  const rpId = optional(d, 'rpId', (v) => domString(v, at('rpId')));
  const timeout = optional(d, 'timeout', (v) => unsignedLong(v, at('timeout')));
  const userVerification = optional(d, 'userVerification', (v) => domString(v, at('userVerification'))) ?? 'preferred';
  const out: ConvertedRequest<Buf> = { allowCredentials, challenge, hints, userVerification };
  if (extensions) out.extensions = extensions;
  if (rpId !== undefined) out.rpId = rpId;
  if (timeout !== undefined) out.timeout = timeout;
  return out;
}

const stripText = (d: CredentialDescriptor & { idText?: string }): CredentialDescriptor => {
  const out: CredentialDescriptor = { type: d.type, id: d.id };
  if (d.transports) out.transports = d.transports;
  return out;
};

/** Converts the `publicKey` member of CredentialCreationOptions. Throws TypeError. */
export function convertCreationOptions(value: unknown): CreationOptions {
  const c = convertCreation(value, read('publicKey', 'CredentialCreationOptions'), false, bufferSource);
  return { ...c, excludeCredentials: c.excludeCredentials.map(stripText) };
}

/** Converts the `publicKey` member of CredentialRequestOptions. Throws TypeError. */
export function convertRequestOptions(value: unknown): RequestOptions {
  const c = convertRequest(value, read('publicKey', 'CredentialRequestOptions'), false, bufferSource);
  return { ...c, allowCredentials: c.allowCredentials.map(stripText) };
}

// --- JSON helpers (§5.1.8, §5.1.9) ---------------------------------------------------------

const jsonText = (v: unknown, c: string): string => domString(v, c);

function decodeField(text: string, field: string): ArrayBuffer {
  const bytes = base64urlDecode(text);
  if (!bytes) throw new DOMException(`The '${field}' value is not valid base64url.`, 'EncodingError');
  return toArrayBuffer(bytes);
}

/** The page-visible PublicKeyCredentialCreationOptions parseCreationOptionsFromJSON() returns. */
export interface ParsedCreationOptions {
  attestation: string;
  attestationFormats: string[];
  authenticatorSelection?: AuthenticatorSelectionCriteria;
  challenge: ArrayBuffer;
  excludeCredentials: { id: ArrayBuffer; transports?: string[]; type: string }[];
  extensions?: AuthenticationExtensionsClientInputs;
  hints: string[];
  pubKeyCredParams: { alg: number; type: string }[];
  rp: { id?: string; name: string };
  timeout?: number;
  user: { displayName: string; id: ArrayBuffer; name: string };
}

export interface ParsedRequestOptions {
  allowCredentials: { id: ArrayBuffer; transports?: string[]; type: string }[];
  challenge: ArrayBuffer;
  extensions?: AuthenticationExtensionsClientInputs;
  hints: string[];
  rpId?: string;
  timeout?: number;
  userVerification: string;
}

function parsedDescriptor(d: CredentialDescriptor & { idText?: string }, field: string): { id: ArrayBuffer; transports?: string[]; type: string } {
  const out: { id: ArrayBuffer; transports?: string[]; type: string } = { id: decodeField(d.idText ?? '', field), type: d.type };
  if (d.transports) out.transports = d.transports;
  return out;
}

/**
 * PublicKeyCredential.parseCreationOptionsFromJSON() (§5.1.8): WebIDL conversion of the JSON
 * dictionary (TypeError), then base64url decoding of the buffer members (EncodingError).
 */
export function parseCreationOptionsFromJSON(options: unknown): ParsedCreationOptions {
  const context = "Failed to execute 'parseCreationOptionsFromJSON' on 'PublicKeyCredential'";
  const c = convertCreation(options, context, true, jsonText);
  const out: ParsedCreationOptions = {
    attestation: c.attestation,
    attestationFormats: c.attestationFormats,
    challenge: decodeField(c.challenge, 'challenge'),
    excludeCredentials: c.excludeCredentials.map((d, i) => parsedDescriptor(d, `excludeCredentials[${i}].id`)),
    hints: c.hints,
    pubKeyCredParams: c.pubKeyCredParams.map((p) => ({ alg: p.alg, type: p.type })),
    rp: c.rp.id === undefined ? { name: c.rp.name } : { id: c.rp.id, name: c.rp.name },
    user: { displayName: c.user.displayName, id: decodeField(c.user.id, 'user.id'), name: c.user.name },
  };
  if (c.authenticatorSelection) out.authenticatorSelection = c.authenticatorSelection;
  if (c.extensions) out.extensions = c.extensions;
  if (c.timeout !== undefined) out.timeout = c.timeout;
  return out;
}

/** PublicKeyCredential.parseRequestOptionsFromJSON() (§5.1.9). */
export function parseRequestOptionsFromJSON(options: unknown): ParsedRequestOptions {
  const context = "Failed to execute 'parseRequestOptionsFromJSON' on 'PublicKeyCredential'";
  const c = convertRequest(options, context, true, jsonText);
  const out: ParsedRequestOptions = {
    allowCredentials: c.allowCredentials.map((d, i) => parsedDescriptor(d, `allowCredentials[${i}].id`)),
    challenge: decodeField(c.challenge, 'challenge'),
    hints: c.hints,
    userVerification: c.userVerification,
  };
  if (c.extensions) out.extensions = c.extensions;
  if (c.rpId !== undefined) out.rpId = c.rpId;
  if (c.timeout !== undefined) out.timeout = c.timeout;
  return out;
}
