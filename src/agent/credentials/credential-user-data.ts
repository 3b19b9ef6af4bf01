// What PasswordCredential and FederatedCredential share (Credential Management §2.2.2,
// CM §2.1.1): the CredentialUserData mixin (`name`, `iconURL`), the [[origin]] slot of
// origin-bound credentials, and the CredentialData members their init dictionaries inherit.
//
// WebIDL mixins are not superclasses: each interface that includes CredentialUserData has the
// mixin's accessors on its own prototype, and its prototype's parent stays Credential.prototype
// (WPT idlharness checks both). So the slots live here and `includeCredentialUserData` puts the
// accessors on each prototype, rather than in a class between Credential and the two.

import { serializeOrigin } from '../../common/site.js';
import { usvString, where } from '../base/webidl.js';
import type { Credential } from './contract/credential.js';

/** The slots an origin-bound credential with user data has. */
export interface UserData {
  name: string;
  iconURL: string;
  /** [[origin]], serialized ("null" for an opaque origin). */
  origin: string;
}

const slots = new WeakMap<object, UserData>();

function slotsOf(credential: object): UserData {
  const data = slots.get(credential);
  if (data === undefined) throw new TypeError('Illegal invocation');
  return data;
}

/** Gives a credential being constructed its user data and [[origin]]. */
export function attachUserData(credential: Credential, data: UserData): void {
  slots.set(credential, { ...data });
}

/** @internal CM §2.1.1 [[origin]] of a PasswordCredential or FederatedCredential. */
export function credentialOrigin(credential: Credential): string {
  return slotsOf(credential).origin;
}

/** WebIDL §3.7.6 for the mixin's attributes: `name` and `iconURL` accessors on the interface prototype. */
export function includeCredentialUserData(ctor: abstract new (...args: never[]) => Credential): void {
  for (const member of ['name', 'iconURL'] as const) {
    Object.defineProperty(ctor.prototype, member, {
      get(this: object) {
        return slotsOf(this)[member];
      },
      enumerable: true,
      configurable: true,
    });
  }
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

/**
 * An `origin` member as a serialized origin. The spec copies the string into [[origin]]; fedkit
 * parses it so that "https://rp.example/" and "https://rp.example" are the same origin.
 */
export function originMember(value: string, interfaceName: string): string {
  if (value === '') throw new TypeError(`Failed to construct '${interfaceName}': 'origin' must not be empty.`);
  const url = URL.canParse(value) ? new URL(value) : null;
  const origin = url ? serializeOrigin(url) : 'null';
  if (origin === 'null') throw new TypeError(`Failed to construct '${interfaceName}': 'origin' must be the origin of a web page, not '${value}'.`);
  return origin;
}

/** CredentialUserData `iconURL`: an absolute URL or "". Chromium throws TypeError for anything else. */
export function iconURLMember(value: string, interfaceName: string): string {
  if (value !== '' && !URL.canParse(value)) throw new TypeError(`Failed to construct '${interfaceName}': 'iconURL' must be a valid URL.`);
  return value;
}
