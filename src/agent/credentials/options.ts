// WebIDL conversion of CredentialRequestOptions and the FedCM dictionaries (Credential
// Management §2.3.1, FedCM §2.5). Conversion errors are the TypeErrors pages see before any
// algorithm step runs; members are read in WebIDL order (sorted by name), so getters with side
// effects run in the same order as in a browser.

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

export interface CredentialRequestOptions {
  mediation: CredentialMediationRequirement;
  signal?: AbortSignal;
  identity?: IdentityCredentialRequestOptions;
  /**
   * Credential types named in the options that this agent does not implement yet. A browser
   * without an interface drops the member during conversion; fedkit keeps the names to say so.
   */
  unsupported: string[];
}

/** The members of CredentialRequestOptions for other credential types (Credential Management §2.3.1 registry). */
const OTHER_TYPE_MEMBERS = ['password', 'federated', 'publicKey', 'otp', 'digital'] as const;

const where = (member: string, dictionary: string): string =>
  `Failed to read the '${member}' property from '${dictionary}'`;

/** WebIDL §3.2.10 dictionary: undefined/null → empty; otherwise an object. */
function dictionary(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`The provided value is not of type '${name}'.`);
  }
  return value as Record<string, unknown>;
}

/** WebIDL DOMString: ToString (symbols throw). */
function domString(value: unknown, context: string): string {
  if (typeof value === 'symbol') throw new TypeError(`${context}: Cannot convert a Symbol value to a string.`);
  return String(value);
}

/** WebIDL USVString: DOMString with lone surrogates replaced by U+FFFD. */
function usvString(value: unknown, context: string): string {
  return domString(value, context).toWellFormed();
}

function enumValue<T extends string>(value: unknown, allowed: readonly T[], type: string, context: string): T {
  const s = domString(value, context);
  if (!(allowed as readonly string[]).includes(s)) {
    throw new TypeError(`${context}: The provided value '${s}' is not a valid enum value of type ${type}.`);
  }
  return s as T;
}

/** WebIDL sequence<T>: an iterable object. */
function sequence<T>(value: unknown, context: string, convert: (v: unknown, i: number) => T): T[] {
  if (typeof value !== 'object' || value === null || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${context}: The provided value cannot be converted to a sequence.`);
  }
  return Array.from(value as Iterable<unknown>, convert);
}

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

function identityOptions(value: unknown): IdentityCredentialRequestOptions {
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

/** Converts the argument of `navigator.credentials.get()`. */
export function convertCredentialRequestOptions(value: unknown): CredentialRequestOptions {
  const d = dictionary(value, 'CredentialRequestOptions');
  const result: CredentialRequestOptions = { mediation: 'optional', unsupported: [] };
  for (const member of OTHER_TYPE_MEMBERS) {
    if (d[member] !== undefined && d[member] !== false) result.unsupported.push(member);
  }
  if (d['identity'] !== undefined) result.identity = identityOptions(d['identity']);
  const mediation = d['mediation'];
  if (mediation !== undefined) {
    result.mediation = enumValue(
      mediation,
      ['silent', 'optional', 'required', 'conditional'] as const,
      'CredentialMediationRequirement',
      where('mediation', 'CredentialRequestOptions'),
    );
  }
  const signal = d['signal'];
  if (signal !== undefined) {
    if (!(signal instanceof AbortSignal)) {
      throw new TypeError(`${where('signal', 'CredentialRequestOptions')}: Failed to convert value to 'AbortSignal'.`);
    }
    result.signal = signal;
  }
  return result;
}
