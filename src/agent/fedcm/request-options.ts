// FedCM §2.5 "IdentityCredentialRequestOptions": the `identity` member of
// navigator.credentials.get() as a page passes it, converted with WebIDL's rules, then checked
// the way Chromium's renderer checks it (CredentialsContainer::GetForIdentity) before any
// network activity. Everything here throws what the page sees.

import { dictionary, domString, enumValue, idlTypeError, sequence, usvString, where } from '../base/webidl.js';
import { memoized } from '../../common/memo.js';
import { serializeOrigin } from '../../common/site.js';
import type { CredentialMediationRequirement } from '../credentials/contract/credential-type.js';
import type { IdentityRequestOptions, IdentityProviderRequestOptions, Provider } from './types.js';

/** The chain of members Chromium names in a provider's conversion errors. */
const IDENTITY = where('identity', 'CredentialRequestOptions');
const PROVIDERS = `${IDENTITY}: ${where('providers', 'IdentityCredentialRequestOptions')}`;

// The context each member's conversion errors name, by member: made once (every get() converts
// these members, and building the text each time was most of converting them), only a few exist.
const configMember = memoized((m: string): string => `${PROVIDERS}: ${where(m, 'IdentityProviderConfig')}`, 32);
const providerMember = memoized((m: string): string => `${PROVIDERS}: ${where(m, 'IdentityProviderRequestOptions')}`, 32);
const identityMember = memoized((m: string): string => `${IDENTITY}: ${where(m, 'IdentityCredentialRequestOptions')}`, 32);

/**
 * Providers converted without a clientId. Chromium's IdentityProviderConfig has no required
 * clientId (its IDL: `USVString clientId`); GetForIdentity rejects its absence after conversion
 * ("Missing the provider's clientId."), so conversion lets it pass and validation says so.
 */
const withoutClientId = new WeakSet<IdentityProviderRequestOptions>();

/** FedCM §2.5 IdentityProviderRequestOptions (and its IdentityProviderConfig members). */
function provider(value: unknown): IdentityProviderRequestOptions {
  const d = dictionary(value, 'IdentityProviderRequestOptions', PROVIDERS);
  // Each member is named with the dictionary that declares it, as Chromium's bindings do.
  const config = configMember;
  const ctx = providerMember;
  // IdentityProviderConfig members first (inherited dictionary), each set sorted by name.
  const clientId = d['clientId'];
  const clientIdValue = clientId === undefined ? undefined : usvString(clientId, config('clientId'));
  const configURL = d['configURL'];
  if (configURL === undefined) throw idlTypeError(`${config('configURL')}: Required member is undefined.`);
  const result: IdentityProviderRequestOptions = {
    configURL: usvString(configURL, config('configURL')),
    clientId: clientIdValue ?? '',
  };
  if (clientIdValue === undefined) withoutClientId.add(result);
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
  return result;
}

/** FedCM §2.5: converts the `identity` member of CredentialRequestOptions. */
export function convertIdentityRequestOptions(value: unknown): IdentityRequestOptions {
  const d = dictionary(value, 'IdentityCredentialRequestOptions', IDENTITY);
  const ctx = identityMember;
  const contextValue = d['context'];
  const context =
    contextValue === undefined
      ? 'signin'
      : enumValue(contextValue, ['signin', 'signup', 'use', 'continue'] as const, 'IdentityCredentialRequestOptionsContext', ctx('context'));
  const modeValue = d['mode'];
  const mode = modeValue === undefined ? 'passive' : enumValue(modeValue, ['active', 'passive'] as const, 'IdentityCredentialRequestOptionsMode', ctx('mode'));
  const providers = d['providers'];
  if (providers === undefined) throw idlTypeError(`${ctx('providers')}: Required member is undefined.`);
  return { context, mode, providers: sequence(providers, ctx('providers'), provider) };
}

/**
 * A configURL parsed, kept by its text: a page names the same one on every get(), and parsing
 * it was 1.6 of the 14 µs from get() to the first request (timed step by step over TLS). Every
 * request naming the text shares the URL; no step changes it (one that adds a query copies it
 * first, client-metadata.ts). Chromium parses configURL as an absolute URL (KURL), not relative
 * to the document: WPT fedcm-reject-invalid-responses expects InvalidStateError for "test".
 * One parse: URL.canParse() and then new URL() parse twice, and canParse is slow on Node 20.
 */
const parsedConfigURL = memoized((text: string): URL | null => {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}, 64);

/** Chromium (credentials_container.cc): at most 10 providers in one request. */
export const MAX_PROVIDERS = 10;

/**
 * The synchronous part of `get({identity})` after Credential Management's generic checks:
 * Chromium's renderer checks (GetForIdentity), whose errors are page-visible exceptions.
 * Throws TypeError / InvalidStateError / NotSupportedError, or whatever a `params` getter throws.
 */
export function validateIdentityRequest(
  options: IdentityRequestOptions,
  mediation: CredentialMediationRequirement,
): Provider[] {
  // Chromium rejects these with the operation's prefix, as its bindings' TypeErrors (idlTypeError).
  if (options.providers.length === 0) throw idlTypeError('Need at least one identity provider.');
  if (options.providers.length > MAX_PROVIDERS) throw idlTypeError(`More than ${MAX_PROVIDERS} providers are not allowed.`);
  if (options.mode === 'active' && options.providers.length > 1) {
    throw new DOMException('Active mode is not currently supported with multiple identity providers.', 'InvalidStateError');
  }
  if (options.mode === 'active' && mediation === 'silent') {
    throw new DOMException('mediation:silent is not supported in active mode', 'NotSupportedError');
  }
  return options.providers.map((p, i) => {
    if (withoutClientId.has(p)) throw idlTypeError("Missing the provider's clientId.");
    const configURL = parsedConfigURL(p.configURL);
    if (configURL === null || p.clientId === '') {
      throw new DOMException(`Provider ${i + 1} information is incomplete.`, 'InvalidStateError');
    }
    const provider: Provider = { options: p, configURL, idpOrigin: serializeOrigin(configURL) };
    // FedCM §3.5: params is serialized to JSON; Chromium does it in the renderer, so an
    // exception from a getter or a BigInt reaches the page unchanged (WPT fedcm-params).
    if (p.params !== undefined) {
      const json = JSON.stringify(p.params);
      if (json !== undefined) provider.params = json;
    }
    return provider;
  });
}
