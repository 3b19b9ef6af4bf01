// Credential Management §3 "Password Credentials": the PasswordCredential interface, its
// construction from PasswordCredentialData or an HTMLFormElement, and its internal methods
// [[CollectFromCredentialStore]], [[Create]] and [[Store]] as a registry entry.

import { inspect } from 'node:util';
import type { CredentialChooserEntry } from '../mediation/dialog.js';
import { Credential, internalConstruct, webIdlInterface } from './contract/credential.js';
import { credentialFieldsFromForm, isHTMLFormElement } from './forms.js';
import { booleanValue, dictionary, usvString, where } from '../base/webidl.js';
import { attachUserData, credentialDataMembers, iconURLMember, includeCredentialUserData, originMember, type UserData } from './credential-user-data.js';
import type { CredentialContext, CredentialType } from './contract/credential-type.js';
import { askToStore, rejectCrossOriginFrame, rejectOpaqueOrigin, rejectUnstorable } from './store.js';

/**
 * CM §3.3 PasswordCredentialData. `origin` is required in the spec's IDL, but WPT
 * (credentialscontainer-create-basics, origin-bound-opaque-origin) constructs without it and
 * browsers accept that: here it is optional and defaults to the caller's origin.
 */
export interface PasswordCredentialData {
  id: string;
  password: string;
  name?: string;
  iconURL?: string;
  origin?: string;
}

/** A converted PasswordCredentialData: members as read, in IDL order. */
export interface ConvertedPasswordCredentialData {
  id: string;
  password: string;
  name?: string;
  iconURL?: string;
  origin?: string;
}

/** The slots of a PasswordCredential. */
interface PasswordFields extends UserData {
  id: string;
  password: string;
}

/**
 * CM §3.2 The PasswordCredential interface. `password`, `name` and `iconURL` are prototype
 * accessors as in browsers, so JSON.stringify() and util.inspect() never show the password.
 * Pages construct it through their frame's interface object (`new frame.PasswordCredential(…)`),
 * which knows the realm's origin; `instanceof PasswordCredential` holds for either.
 */
export class PasswordCredential extends Credential {
  /** CredentialUserData (credential-user-data.ts). */
  declare readonly name: string;
  /** CredentialUserData (credential-user-data.ts). */
  declare readonly iconURL: string;
  readonly #password: string;

  /** @internal Use `frame.PasswordCredential`. */
  constructor(key: typeof internalConstruct, fields: PasswordFields) {
    super(key, fields.id, 'password');
    this.#password = fields.password;
    attachUserData(this, fields);
  }

  get password(): string {
    return this.#password;
  }

  /** Passwords are secrets: logging a credential shows everything but the password. */
  [inspect.custom](): string {
    return `PasswordCredential { id: ${JSON.stringify(this.id)}, type: 'password', name: ${JSON.stringify(this.name)}, iconURL: ${JSON.stringify(this.iconURL)}, password: '<redacted>' }`;
  }
}

includeCredentialUserData(PasswordCredential);
webIdlInterface(PasswordCredential, 'PasswordCredential', 1);

/** @internal Builds a PasswordCredential from slots the agent trusts (the credential store). */
export function restorePasswordCredential(fields: PasswordFields): PasswordCredential {
  return new PasswordCredential(internalConstruct, fields);
}

/** WebIDL conversion of PasswordCredentialData: CredentialData's `id`, then the rest by name. */
export function convertPasswordCredentialData(value: unknown): ConvertedPasswordCredentialData {
  const d = dictionary(value, 'PasswordCredentialData');
  const at = (m: string): string => where(m, 'PasswordCredentialData');
  const result: ConvertedPasswordCredentialData = { ...credentialDataMembers(d, 'PasswordCredentialData'), password: '' };
  const password = d['password'];
  if (password === undefined) throw new TypeError(`${at('password')}: Required member is undefined.`);
  result.password = usvString(password, at('password'));
  return result;
}

/**
 * CM §3.3.5 "Create a PasswordCredential from PasswordCredentialData": empty id, origin or password
 * is a TypeError; name and iconURL default to "" (WPT credentialscontainer-create-basics).
 * `callerOrigin` is the realm's origin, used when the data has none.
 */
export function passwordCredentialFromData(data: ConvertedPasswordCredentialData, callerOrigin: string): PasswordCredential {
  if (data.id === '') throw new TypeError("Failed to construct 'PasswordCredential': 'id' must not be empty.");
  const origin = data.origin === undefined ? callerOrigin : originMember(data.origin, 'PasswordCredential');
  if (data.password === '') throw new TypeError("Failed to construct 'PasswordCredential': 'password' must not be empty.");
  return new PasswordCredential(internalConstruct, {
    id: data.id,
    password: data.password,
    name: data.name ?? '',
    iconURL: iconURLMember(data.iconURL ?? '', 'PasswordCredential'),
    origin,
  });
}

/** CM §3.3.4 "Create a PasswordCredential from an HTMLFormElement", given the caller's origin. */
export function passwordCredentialFromForm(form: HTMLFormElement, callerOrigin: string): PasswordCredential {
  const fields = credentialFieldsFromForm(form);
  // Step 7 runs the data path, where a missing member is a TypeError; Chromium's messages say
  // which autocomplete token the form lacks.
  if (fields.id === undefined) throw new TypeError("'username' must be specified in the form's autocomplete attribute.");
  if (fields.password === undefined) {
    throw new TypeError("Either 'current-password' or 'new-password' must be specified in the form's autocomplete attribute.");
  }
  return passwordCredentialFromData({ id: fields.id, password: fields.password, ...pick(fields) }, callerOrigin);
}

function pick(fields: { name?: string; iconURL?: string }): { name?: string; iconURL?: string } {
  const out: { name?: string; iconURL?: string } = {};
  if (fields.name !== undefined) out.name = fields.name;
  if (fields.iconURL !== undefined) out.iconURL = fields.iconURL;
  return out;
}

/**
 * `new PasswordCredential(x)` in a realm whose origin is `callerOrigin`: WebIDL overload
 * resolution between constructor(HTMLFormElement) and constructor(PasswordCredentialData).
 */
export function constructPasswordCredential(args: readonly unknown[], callerOrigin: string): PasswordCredential {
  if (args.length === 0) throw new TypeError("Failed to construct 'PasswordCredential': 1 argument required, but only 0 present.");
  const init = args[0];
  if (isHTMLFormElement(init)) return passwordCredentialFromForm(init, callerOrigin);
  if (init !== undefined && init !== null && typeof init !== 'object' && typeof init !== 'function') {
    throw new TypeError("Failed to construct 'PasswordCredential': The provided value is not of type '(HTMLFormElement or PasswordCredentialData)'.");
  }
  return passwordCredentialFromData(convertPasswordCredentialData(init), callerOrigin);
}

/** The converted `password` member of CredentialCreationOptions: (PasswordCredentialData or HTMLFormElement). */
export type PasswordCredentialInit = { kind: 'form'; form: HTMLFormElement } | { kind: 'data'; data: ConvertedPasswordCredentialData };

/** WebIDL union conversion: a form is a form; any other object (or null) is the dictionary. */
function convertPasswordCredentialInit(value: unknown): PasswordCredentialInit {
  if (isHTMLFormElement(value)) return { kind: 'form', form: value };
  if (value === null || typeof value === 'object' || typeof value === 'function') return { kind: 'data', data: convertPasswordCredentialData(value) };
  throw new TypeError(
    `${where('password', 'CredentialCreationOptions')}: The provided value is not of type '(HTMLFormElement or PasswordCredentialData)'.`,
  );
}

export function passwordChooserEntry(c: PasswordCredential): CredentialChooserEntry {
  return { type: 'password', id: c.id, name: c.name, iconURL: c.iconURL };
}

/** The registry entry (CM §2.1.2): password, mixable with federated, from the credential store. */
export const passwordCredentialType: CredentialType<boolean, PasswordCredentialInit> = {
  type: 'password',
  optionsMember: 'password',
  interfaceName: 'PasswordCredential',
  discovery: 'credential store',
  mixableWith: ['federated'],
  conditionalMediation: false,

  // `boolean password = false`: present after conversion, relevant only when true (CM §3.3.6).
  convertRequestOptions: booleanValue,
  isRequested: (requested) => requested,
  convertCreationOptions: convertPasswordCredentialInit,

  /** CM §3.3.1 [[CollectFromCredentialStore]]. */
  collectFromCredentialStore(ctx: CredentialContext, requested: boolean) {
    rejectOpaqueOrigin(ctx, 'PasswordCredential', 'get');
    rejectCrossOriginFrame(ctx);
    if (!requested) return [];
    return ctx.core.profile
      .storedCredentials(ctx.origin)
      .flatMap((c) => (c.type === 'password' ? [restorePasswordCredential({ id: c.id, password: c.password, name: c.name, iconURL: c.iconURL, origin: c.origin })] : []));
  },

  /**
   * CM §3.3.2 [[Create]]. The data path keeps the spec's steps but, like FederatedCredential's
   * [[Create]] (CM §4.1.2 step 2), binds the credential to the caller's origin whatever `origin`
   * the data names: a page cannot mint credentials for another origin.
   */
  create(ctx: CredentialContext, init: PasswordCredentialInit) {
    rejectOpaqueOrigin(ctx, 'PasswordCredential', 'create');
    if (init.kind === 'form') return Promise.resolve(passwordCredentialFromForm(init.form, ctx.origin));
    return Promise.resolve(passwordCredentialFromData({ ...init.data, origin: ctx.origin }, ctx.origin));
  },

  /** CM §3.3.3 [[Store]]: update the stored credential with the same id and origin, or add one, if the user agrees. */
  async store(ctx: CredentialContext, credential) {
    if (!(credential instanceof PasswordCredential)) throw new TypeError('Not a PasswordCredential.');
    rejectUnstorable(ctx, credential, 'PasswordCredential');
    const stored = ctx.core.profile.storedCredentials(ctx.origin).find((c) => c.type === 'password' && c.id === credential.id);
    if (stored?.type === 'password' && stored.password === credential.password && stored.name === credential.name && stored.iconURL === credential.iconURL) {
      return; // Nothing would change: no "update password?" prompt (Chromium shows none either).
    }
    if (!(await askToStore(ctx, passwordChooserEntry(credential), stored ? 'update' : 'save'))) return;
    ctx.core.profile.putStoredCredential({
      type: 'password',
      origin: ctx.origin,
      id: credential.id,
      password: credential.password,
      name: credential.name,
      iconURL: credential.iconURL,
    });
  },

  isInstance: (credential) => credential instanceof PasswordCredential,
};
