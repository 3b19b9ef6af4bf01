// WebIDL conversion of CredentialRequestOptions / CredentialCreationOptions (Credential
// Management §2.3.1, §2.3.3). Conversion errors are the TypeErrors pages see before any
// algorithm step runs; members are read in WebIDL order (sorted by name, partial dictionaries
// included), so getters with side effects run in the same order as in a browser. Each
// credential type converts its own member (contract/credential-type.ts), FedCM's in
// fedcm/request-options.ts.

import { memoized } from '../../common/memo.js';
import { domString, dictionary, enumValue, idlTypeError, where } from '../base/webidl.js';
import type { CredentialMediationRequirement, CredentialType } from './contract/credential-type.js';
import type { IdentityCredentialRequestOptions } from '../fedcm/types.js';
import type { OTPCredentialRequestOptions } from '../otp/otp-credential.js';
import type { PublicKeyCredentialCreationOptionsInit, PublicKeyCredentialRequestOptionsInit } from '../webauthn/options.js';
import type { FederatedCredentialInit, FederatedCredentialRequestOptions } from './federated.js';
import type { PasswordCredentialData } from './password.js';

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
  /** WebAuthn §5.5 PublicKeyCredentialRequestOptions. */
  publicKey?: PublicKeyCredentialRequestOptionsInit;
}

/** What a page passes to `navigator.credentials.create()`. */
export interface CredentialCreationOptions {
  mediation?: CredentialMediationRequirement;
  signal?: AbortSignal;
  /** PasswordCredentialData, or an HTMLFormElement (from `frame.document` / `frame.forms()`). */
  password?: PasswordCredentialData | HTMLFormElement;
  federated?: FederatedCredentialInit;
  /** WebAuthn §5.4 PublicKeyCredentialCreationOptions. */
  publicKey?: PublicKeyCredentialCreationOptionsInit;
}

/** A relevant credential interface object (CM §2.3.1) with its converted options member. */
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

/** Members of the options dictionaries for the registry's types (CM §2.1.2), implemented or not. */
const KNOWN_TYPE_MEMBERS = ['digital', 'federated', 'identity', 'otp', 'password', 'publicKey'] as const;

const MEDIATIONS = ['silent', 'optional', 'required', 'conditional'] as const;
/** The context of a mediation conversion error, per dictionary (two exist): made once. */
const mediationContext = memoized((dictionaryName: string): string => where('mediation', dictionaryName), 8);

function mediationValue(value: unknown, dictionaryName: string): CredentialMediationRequirement {
  return enumValue(value, MEDIATIONS, 'CredentialMediationRequirement', mediationContext(dictionaryName));
}

function signalValue(value: unknown, dictionaryName: string): AbortSignal {
  if (!(value instanceof AbortSignal)) {
    throw idlTypeError(`${where('signal', dictionaryName)}: Failed to convert value to 'AbortSignal'.`);
  }
  return value;
}

/**
 * The members of CredentialRequestOptions with a registry's types, in the order conversion visits
 * them (by name), and the type of each type's member. Worked out once per registry (an agent's
 * registry does not change), not on every get().
 */
const requestMembersOf = new WeakMap<readonly CredentialType[], { byMember: ReadonlyMap<string, CredentialType>; members: readonly string[] }>();
function requestMembers(registry: readonly CredentialType[]): { byMember: ReadonlyMap<string, CredentialType>; members: readonly string[] } {
  let known = requestMembersOf.get(registry);
  if (known === undefined) {
    const byMember = new Map<string, CredentialType>();
    for (const t of registry) if (t.convertRequestOptions) byMember.set(t.optionsMember, t);
    const members = [...new Set<string>(['mediation', 'signal', 'uiMode', ...KNOWN_TYPE_MEMBERS, ...byMember.keys()])].sort();
    known = { byMember, members };
    requestMembersOf.set(registry, known);
  }
  return known;
}

/**
 * Converts the argument of `navigator.credentials.get()` with the registry's types. Members are
 * visited in lexicographic order, generic and per-type alike (WebIDL §3.2.10: a dictionary's
 * members, partial dictionaries included, are ordered by name).
 */
export function convertCredentialRequestOptions(value: unknown, registry: readonly CredentialType[]): ConvertedRequestOptions {
  const d = dictionary(value, 'CredentialRequestOptions');
  const result: ConvertedRequestOptions = { mediation: 'optional', types: [], unsupported: [] };
  const { byMember, members } = requestMembers(registry);
  for (const member of members) {
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
