// WebIDL conversion of CredentialRequestOptions / CredentialCreationOptions (Credential
// Management §2.3.1, §2.3.3) and of the FedCM dictionaries (FedCM §2.5). Conversion errors are
// the TypeErrors pages see before any algorithm step runs; members are read in WebIDL order
// (sorted by name, partial dictionaries included), so getters with side effects run in the same
// order as in a browser. Each credential type converts its own member (registry.ts).

import { dictionary, domString, enumValue, sequence, usvString, where } from '../base/webidl.js';
import type { CredentialType } from './registry.js';

export type CredentialMediationRequirement = 'silent' | 'optional' | 'required' | 'conditional';
export type IdentityCredentialRequestOptionsContext = 'signin' | 'signup' | 'use' | 'continue';
export type IdentityCredentialRequestOptionsMode = 'active' | 'passive';

/** FedCM IdentityProviderRequestOptions (plus the deprecated `nonce` Chromium still forwards). */
export interface IdentityProviderRequestOptions {
  configURL: string;
  clientId: string;
  loginHint?: string;
  domainHint?: string;
  fields?: string[];
  params?: unknown;
  /** Removed from the spec; Chromium still sends it as a top-level POST field. */
  nonce?: string;
}

export interface IdentityCredentialRequestOptions {
  providers: IdentityProviderRequestOptions[];
  context: IdentityCredentialRequestOptionsContext;
  mode: IdentityCredentialRequestOptionsMode;
}

/** Credential Management §2.3.1 FederatedCredentialRequestOptions (§4.1). */
export interface FederatedCredentialRequestOptions {
  providers?: string[];
  protocols?: string[];
}

/** WebOTP §2.3 OTPCredentialRequestOptions. */
export interface OTPCredentialRequestOptions {
  transport?: 'sms'[];
}

/** What a page passes to `navigator.credentials.get()`. */
export interface CredentialRequestOptions {
  mediation?: CredentialMediationRequirement;
  /** Credential Management §2.3.2 CredentialUiMode ("immediate"); a DOMString in the IDL. */
  uiMode?: string;
  signal?: AbortSignal;
  identity?: IdentityCredentialRequestOptions;
  password?: boolean;
  federated?: FederatedCredentialRequestOptions;
  otp?: OTPCredentialRequestOptions;
  /** WebAuthn's PublicKeyCredentialRequestOptions, when the agent has WebAuthn. */
  publicKey?: object;
}

/** What a page passes to `navigator.credentials.create()`. */
export interface CredentialCreationOptions {
  mediation?: CredentialMediationRequirement;
  signal?: AbortSignal;
  /** PasswordCredentialData, or an HTMLFormElement (from `frame.document` / `frame.forms()`). */
  password?: object;
  federated?: object;
  /** WebAuthn's PublicKeyCredentialCreationOptions, when the agent has WebAuthn. */
  publicKey?: object;
}

/** A relevant credential interface object (§2.3.1) with its converted options member. */
export interface RequestedType {
  type: CredentialType;
  options: unknown;
}

/** The converted argument of `get()`. */
export interface ConvertedRequestOptions {
  mediation: CredentialMediationRequirement;
  uiMode?: string;
  signal?: AbortSignal;
  /** The relevant credential interface objects, in member order. */
  types: RequestedType[];
  /**
   * Credential types named in the options that this agent does not implement. A browser without
   * an interface drops the member during conversion; fedkit keeps the names to say so.
   */
  unsupported: string[];
}

/** The converted argument of `create()`. */
export interface ConvertedCreationOptions {
  mediation: CredentialMediationRequirement;
  signal?: AbortSignal;
  types: RequestedType[];
  unsupported: string[];
}

/** Members of the options dictionaries for the registry's types (§2.1.2), implemented or not. */
const KNOWN_TYPE_MEMBERS = ['digital', 'federated', 'identity', 'otp', 'password', 'publicKey'] as const;

function provider(value: unknown, index: number): IdentityProviderRequestOptions {
  const d = dictionary(value, 'IdentityProviderRequestOptions');
  const ctx = (m: string): string => `${where('providers', 'IdentityCredentialRequestOptions')}: ${where(m, 'IdentityProviderRequestOptions')}`;
  // IdentityProviderConfig members first (inherited dictionary), each set sorted by name.
  const clientId = d['clientId'];
  if (clientId === undefined) throw new TypeError(`${ctx('clientId')}: Required member is undefined.`);
  const clientIdValue = usvString(clientId, ctx('clientId'));
  const configURL = d['configURL'];
  if (configURL === undefined) throw new TypeError(`${ctx('configURL')}: Required member is undefined.`);
  const result: IdentityProviderRequestOptions = {
    configURL: usvString(configURL, ctx('configURL')),
    clientId: clientIdValue,
  };
  const domainHint = d['domainHint'];
  if (domainHint !== undefined) result.domainHint = domString(domainHint, ctx('domainHint'));
  const fields = d['fields'];
  if (fields !== undefined) result.fields = sequence(fields, ctx('fields'), (v) => usvString(v, ctx('fields')));
  const loginHint = d['loginHint'];
  if (loginHint !== undefined) result.loginHint = domString(loginHint, ctx('loginHint'));
  const nonce = d['nonce'];
  if (nonce !== undefined) result.nonce = domString(nonce, ctx('nonce'));
  // `params` is `any`: read now (a throwing getter throws from get()), serialized later.
  if ('params' in d || d['params'] !== undefined) {
    const params = d['params'];
    if (params !== undefined) result.params = params;
  }
  void index;
  return result;
}

/** FedCM §2.5: converts the `identity` member of CredentialRequestOptions. */
export function convertIdentityRequestOptions(value: unknown): IdentityCredentialRequestOptions {
  const d = dictionary(value, 'IdentityCredentialRequestOptions');
  const ctx = (m: string): string => `${where('identity', 'CredentialRequestOptions')}: ${where(m, 'IdentityCredentialRequestOptions')}`;
  const contextValue = d['context'];
  const context =
    contextValue === undefined
      ? 'signin'
      : enumValue(contextValue, ['signin', 'signup', 'use', 'continue'] as const, 'IdentityCredentialRequestOptionsContext', ctx('context'));
  const modeValue = d['mode'];
  const mode = modeValue === undefined ? 'passive' : enumValue(modeValue, ['active', 'passive'] as const, 'IdentityCredentialRequestOptionsMode', ctx('mode'));
  const providers = d['providers'];
  if (providers === undefined) throw new TypeError(`${ctx('providers')}: Required member is undefined.`);
  return { context, mode, providers: sequence(providers, ctx('providers'), provider) };
}

function mediationValue(value: unknown, dictionaryName: string): CredentialMediationRequirement {
  return enumValue(value, ['silent', 'optional', 'required', 'conditional'] as const, 'CredentialMediationRequirement', where('mediation', dictionaryName));
}

function signalValue(value: unknown, dictionaryName: string): AbortSignal {
  if (!(value instanceof AbortSignal)) {
    throw new TypeError(`${where('signal', dictionaryName)}: Failed to convert value to 'AbortSignal'.`);
  }
  return value;
}

/**
 * Converts the argument of `navigator.credentials.get()` with the registry's types. Members are
 * visited in lexicographic order, generic and per-type alike (WebIDL §3.2.10: a dictionary's
 * members, partial dictionaries included, are ordered by name).
 */
export function convertCredentialRequestOptions(value: unknown, registry: readonly CredentialType[]): ConvertedRequestOptions {
  const d = dictionary(value, 'CredentialRequestOptions');
  const result: ConvertedRequestOptions = { mediation: 'optional', types: [], unsupported: [] };
  const byMember = new Map<string, CredentialType>();
  for (const t of registry) if (t.convertRequestOptions) byMember.set(t.optionsMember, t);
  const members = new Set<string>(['mediation', 'signal', 'uiMode', ...KNOWN_TYPE_MEMBERS, ...byMember.keys()]);
  for (const member of [...members].sort()) {
    const v = d[member];
    if (v === undefined) continue;
    const type = byMember.get(member);
    if (type?.convertRequestOptions) {
      const options = type.convertRequestOptions(v);
      if (type.isRequested?.(options) ?? true) result.types.push({ type, options });
    } else if (member === 'mediation') {
      result.mediation = mediationValue(v, 'CredentialRequestOptions');
    } else if (member === 'signal') {
      result.signal = signalValue(v, 'CredentialRequestOptions');
    } else if (member === 'uiMode') {
      result.uiMode = domString(v, where('uiMode', 'CredentialRequestOptions'));
    } else if (v !== false) {
      result.unsupported.push(member);
    }
  }
  return result;
}

/** Converts the argument of `navigator.credentials.create()` with the registry's types. */
export function convertCredentialCreationOptions(value: unknown, registry: readonly CredentialType[]): ConvertedCreationOptions {
  const d = dictionary(value, 'CredentialCreationOptions');
  const result: ConvertedCreationOptions = { mediation: 'optional', types: [], unsupported: [] };
  const byMember = new Map<string, CredentialType>();
  for (const t of registry) if (t.convertCreationOptions) byMember.set(t.optionsMember, t);
  // Only these types extend CredentialCreationOptions (FedCM and WebOTP do not).
  const members = new Set<string>(['mediation', 'signal', 'digital', 'federated', 'password', 'publicKey', ...byMember.keys()]);
  for (const member of [...members].sort()) {
    const v = d[member];
    if (v === undefined) continue;
    const type = byMember.get(member);
    if (type?.convertCreationOptions) {
      result.types.push({ type, options: type.convertCreationOptions(v) });
    } else if (member === 'mediation') {
      result.mediation = mediationValue(v, 'CredentialCreationOptions');
    } else if (member === 'signal') {
      result.signal = signalValue(v, 'CredentialCreationOptions');
    } else {
      result.unsupported.push(member);
    }
  }
  return result;
}

/** CredentialData's `id` and the members PasswordCredentialData and FederatedCredentialInit share. */
export interface CredentialDataMembers {
  id: string;
  iconURL?: string;
  name?: string;
  origin?: string;
}

/**
 * WebIDL conversion of the shared part of a CredentialData dictionary: the inherited `id`
 * (required), then `iconURL`, `name`, `origin` (the derived dictionary's members come in name
 * order; both derived dictionaries' own members sort after these three).
 */
export function credentialDataMembers(d: Record<string, unknown>, dictionaryName: string): CredentialDataMembers {
  const at = (m: string): string => where(m, dictionaryName);
  const id = d['id'];
  if (id === undefined) throw new TypeError(`${at('id')}: Required member is undefined.`);
  const result: CredentialDataMembers = { id: usvString(id, at('id')) };
  const iconURL = d['iconURL'];
  if (iconURL !== undefined) result.iconURL = usvString(iconURL, at('iconURL'));
  const name = d['name'];
  if (name !== undefined) result.name = usvString(name, at('name'));
  const origin = d['origin'];
  if (origin !== undefined) result.origin = usvString(origin, at('origin'));
  return result;
}
