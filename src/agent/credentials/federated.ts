// Credential Management §4 "Federated Credentials": the FederatedCredential interface (a record
// that the user signs in to this origin with some identity provider), its construction, and its
// internal methods as a registry entry. It is not FedCM: the page runs the federated sign-in
// itself; the browser only remembers which provider the user chose.

import { inspect } from 'node:util';
import type { CredentialChooserEntry } from '../mediation/dialog.js';
import { Credential, internalConstruct, webIdlInterface } from './contract/credential.js';
import { dictionary, domString, sequence, usvString, where } from '../base/webidl.js';
import { attachUserData, credentialDataMembers, iconURLMember, includeCredentialUserData, originMember, type UserData } from './credential-user-data.js';
import type { CredentialContext, CredentialType } from './contract/credential-type.js';
import { askToStore, rejectCrossOriginFrame, rejectOpaqueOrigin, rejectUnstorable } from './store.js';
import { serializeOrigin } from '../../common/site.js';

/** CM §4.1 FederatedCredentialInit (`origin` optional as for PasswordCredentialData; see password.ts). */
export interface FederatedCredentialInit {
  id: string;
  provider: string;
  protocol?: string;
  name?: string;
  iconURL?: string;
  origin?: string;
}

interface FederatedFields extends UserData {
  id: string;
  provider: string;
  protocol: string | null;
}

/** CM §4.1 The FederatedCredential interface. Construct it with `new frame.FederatedCredential(init)`. */
export class FederatedCredential extends Credential {
  /** CredentialUserData (credential-user-data.ts). */
  declare readonly name: string;
  /** CredentialUserData (credential-user-data.ts). */
  declare readonly iconURL: string;
  readonly #provider: string;
  readonly #protocol: string | null;

  /** @internal Use `frame.FederatedCredential`. */
  constructor(key: typeof internalConstruct, fields: FederatedFields) {
    super(key, fields.id, 'federated');
    this.#provider = fields.provider;
    this.#protocol = fields.protocol;
    attachUserData(this, fields);
  }

  /** CM §4.1.1: the ASCII serialization of the provider's origin. */
  get provider(): string {
    return this.#provider;
  }

  /** The provider's protocol (e.g. "openidconnect"), or null when the provider implies it. */
  get protocol(): string | null {
    return this.#protocol;
  }

  [inspect.custom](): string {
    return `FederatedCredential { id: ${JSON.stringify(this.id)}, type: 'federated', provider: ${JSON.stringify(this.#provider)}, protocol: ${JSON.stringify(this.#protocol)}, name: ${JSON.stringify(this.name)}, iconURL: ${JSON.stringify(this.iconURL)} }`;
  }
}

includeCredentialUserData(FederatedCredential);
webIdlInterface(FederatedCredential, 'FederatedCredential', 1);

/**
 * CM §4.1.1 "Identifying Providers": a provider is the ASCII serialization of its origin, and a
 * trailing "/" SHOULD be accepted silently. fedkit parses the value as a URL and keeps its
 * origin (Chromium does the same), so "https://idp.example/" is "https://idp.example". Null
 * when it is not a URL with a real origin.
 */
export function providerOrigin(value: string): string | null {
  if (!URL.canParse(value)) return null;
  const origin = serializeOrigin(new URL(value));
  return origin === 'null' ? null : origin;
}

/** WebIDL conversion of FederatedCredentialInit: CredentialData's `id`, then the rest by name. */
export function convertFederatedCredentialInit(value: unknown): FederatedCredentialInit {
  const d = dictionary(value, 'FederatedCredentialInit');
  const at = (m: string): string => where(m, 'FederatedCredentialInit');
  const result: FederatedCredentialInit = { ...credentialDataMembers(d, 'FederatedCredentialInit'), provider: '' };
  const protocol = d['protocol'];
  if (protocol !== undefined) result.protocol = domString(protocol, at('protocol'));
  const provider = d['provider'];
  if (provider === undefined) throw new TypeError(`${at('provider')}: Required member is undefined.`);
  result.provider = usvString(provider, at('provider'));
  return result;
}

/**
 * CM §4.2.4 "Create a FederatedCredential from FederatedCredentialInit". The spec's steps do not
 * copy `protocol` although the attribute exists and [[Store]] and the request filter use it
 * (a gap in the spec text); fedkit copies it, null when absent. See docs/credentials.md.
 */
export function federatedCredentialFromInit(init: FederatedCredentialInit, callerOrigin: string): FederatedCredential {
  if (init.id === '') throw new TypeError("Failed to construct 'FederatedCredential': 'id' must not be empty.");
  if (init.provider === '') throw new TypeError("Failed to construct 'FederatedCredential': 'provider' must not be empty.");
  const provider = providerOrigin(init.provider);
  if (provider === null) throw new TypeError(`Failed to construct 'FederatedCredential': 'provider' must be the origin of the identity provider, like 'https://idp.example'.`);
  const origin = init.origin === undefined ? callerOrigin : originMember(init.origin, 'FederatedCredential');
  return new FederatedCredential(internalConstruct, {
    id: init.id,
    provider,
    protocol: init.protocol ?? null,
    name: init.name ?? '',
    iconURL: iconURLMember(init.iconURL ?? '', 'FederatedCredential'),
    origin,
  });
}

/** `new FederatedCredential(init)` in a realm whose origin is `callerOrigin`. */
export function constructFederatedCredential(args: readonly unknown[], callerOrigin: string): FederatedCredential {
  if (args.length === 0) throw new TypeError("Failed to construct 'FederatedCredential': 1 argument required, but only 0 present.");
  return federatedCredentialFromInit(convertFederatedCredentialInit(args[0]), callerOrigin);
}

/** Credential Management §4.1 FederatedCredentialRequestOptions. */
export interface FederatedCredentialRequestOptions {
  providers?: string[];
  protocols?: string[];
}

/** WebIDL conversion of FederatedCredentialRequestOptions: `protocols`, then `providers`. */
function convertFederatedRequestOptions(value: unknown): FederatedCredentialRequestOptions {
  const d = dictionary(value, 'FederatedCredentialRequestOptions', where('federated', 'CredentialRequestOptions'));
  const at = (m: string): string => `${where('federated', 'CredentialRequestOptions')}: ${where(m, 'FederatedCredentialRequestOptions')}`;
  const result: FederatedCredentialRequestOptions = {};
  const protocols = d['protocols'];
  if (protocols !== undefined) result.protocols = sequence(protocols, at('protocols'), (v) => domString(v, at('protocols')));
  const providers = d['providers'];
  if (providers !== undefined) result.providers = sequence(providers, at('providers'), (v) => usvString(v, at('providers')));
  return result;
}

export function federatedChooserEntry(c: FederatedCredential): CredentialChooserEntry {
  return { type: 'federated', id: c.id, name: c.name, iconURL: c.iconURL, provider: c.provider, protocol: c.protocol };
}

/** The registry entry (CM §2.1.2): federated, mixable with password, from the credential store. */
export const federatedCredentialType: CredentialType<FederatedCredentialRequestOptions, FederatedCredentialInit> = {
  type: 'federated',
  optionsMember: 'federated',
  interfaceName: 'FederatedCredential',
  discovery: 'credential store',
  mixableWith: ['password'],
  conditionalMediation: false,

  convertRequestOptions: convertFederatedRequestOptions,
  convertCreationOptions: convertFederatedCredentialInit,

  /**
   * CM §4.2.1 [[CollectFromCredentialStore]]. Step 3 says "return empty if options.federated is not
   * true", but `federated` is a dictionary: fedkit reads it as "not present", which cannot happen
   * here (the type is only relevant when the member is present). Providers are compared as
   * origins; ones that are not URLs match nothing (Chromium drops them).
   */
  collectFromCredentialStore(ctx: CredentialContext, options: FederatedCredentialRequestOptions) {
    rejectOpaqueOrigin(ctx, 'FederatedCredential', 'get');
    rejectCrossOriginFrame(ctx);
    const providers = options.providers?.map(providerOrigin);
    return ctx.core.profile.storedCredentials(ctx.origin).flatMap((c) => {
      if (c.type !== 'federated') return [];
      if (providers && !providers.includes(c.provider)) return [];
      if (options.protocols && (c.protocol === null || !options.protocols.includes(c.protocol))) return [];
      return [new FederatedCredential(internalConstruct, { id: c.id, provider: c.provider, protocol: c.protocol, name: c.name, iconURL: c.iconURL, origin: c.origin })];
    });
  },

  /** CM §4.2.2 [[Create]]: the caller's origin replaces `init.origin`. */
  create(ctx: CredentialContext, init: FederatedCredentialInit) {
    rejectOpaqueOrigin(ctx, 'FederatedCredential', 'create');
    return Promise.resolve(federatedCredentialFromInit({ ...init, origin: ctx.origin }, ctx.origin));
  },

  /** CM §4.2.3 [[Store]]: nothing to do when (id, origin, provider) is stored; otherwise ask. */
  async store(ctx: CredentialContext, credential) {
    if (!(credential instanceof FederatedCredential)) throw new TypeError('Not a FederatedCredential.');
    rejectUnstorable(ctx, credential, 'FederatedCredential');
    const stored = ctx.core.profile
      .storedCredentials(ctx.origin)
      .some((c) => c.type === 'federated' && c.id === credential.id && c.provider === credential.provider);
    if (stored) return;
    if (!(await askToStore(ctx, federatedChooserEntry(credential), 'save'))) return;
    ctx.core.profile.putStoredCredential({
      type: 'federated',
      origin: ctx.origin,
      id: credential.id,
      provider: credential.provider,
      protocol: credential.protocol,
      name: credential.name,
      iconURL: credential.iconURL,
    });
  },

  isInstance: (credential) => credential instanceof FederatedCredential,
};
