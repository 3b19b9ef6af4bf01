// fedkit/rp/browser: FedCM sign-in for RP pages. No Node APIs and no dependencies: the reference
// RP serves this file to real browsers as is, and in fedkit's agent the same functions run with
// the agent page's `navigator` passed as `env`.

/** The parts of a window the helper uses; a real `window` and a fedkit agent page both fit. */
export interface BrowserEnv {
  navigator?: {
    credentials?: {
      get(options: unknown): Promise<unknown>;
      preventSilentAccess(): Promise<unknown>;
    };
  };
  IdentityCredential?: {
    disconnect(options: { configURL: string; clientId: string; accountHint: string }): Promise<void>;
  };
  crypto?: { getRandomValues<T extends ArrayBufferView | null>(array: T): T };
}

export interface SignInOptions {
  configURL: string;
  clientId: string;
  context?: 'signin' | 'signup' | 'use' | 'continue';
  mode?: 'active' | 'passive';
  mediation?: 'silent' | 'optional' | 'required';
  loginHint?: string;
  domainHint?: string;
  fields?: string[];
  /** Extra params for the IdP; the helper adds the `nonce`. */
  params?: Record<string, unknown>;
  /** The nonce to send (the RP server's, so it can check the token carries it); default: a fresh random one. */
  nonce?: string;
  signal?: AbortSignal;
  /** Where to send the user when the browser has no FedCM (a classic redirect sign-in). */
  fallbackURL?: string;
}

export type SignInResult =
  | { status: 'signed-in'; token: string; configURL: string; isAutoSelected: boolean; nonce: string }
  /** No FedCM here: send the user to `fallbackURL` (if you gave one). */
  | { status: 'unsupported'; fallbackURL?: string }
  | { status: 'failed'; error: SignInError };

export interface SignInError {
  /** The DOMException name: NetworkError, AbortError, NotAllowedError, IdentityCredentialError… */
  name: string;
  /** IdentityCredentialError.error (an RFC 6749 code) when the IdP gave one. */
  code?: string;
  /** IdentityCredentialError.url: the IdP's page explaining the error. */
  url?: string;
  /** A sentence for the user. */
  message: string;
  /** Whether trying again may help. */
  retry: boolean;
}

/** FedCM is usable when `navigator.credentials` and `IdentityCredential` exist (secure context). */
export function isFedCmSupported(env: BrowserEnv = globalThis as BrowserEnv): boolean {
  return typeof env.navigator?.credentials?.get === 'function' && env.IdentityCredential !== undefined;
}

/** A fresh random nonce (128 bits, base64url) for one sign-in. */
export function createNonce(env: BrowserEnv = globalThis as BrowserEnv): string {
  const crypto = env.crypto ?? (globalThis as BrowserEnv).crypto;
  if (!crypto) throw new Error('No crypto.getRandomValues to make a nonce.');
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Signs in with FedCM: calls `navigator.credentials.get({identity})` with a fresh nonce in
 * `params`, and returns the token (check the nonce on the server), a clean "unsupported" when
 * the browser has no FedCM, or the failure in words for the user.
 */
export async function signIn(options: SignInOptions, env: BrowserEnv = globalThis as BrowserEnv): Promise<SignInResult> {
  if (!isFedCmSupported(env)) {
    return options.fallbackURL === undefined ? { status: 'unsupported' } : { status: 'unsupported', fallbackURL: options.fallbackURL };
  }
  const nonce = options.nonce ?? createNonce(env);
  const provider: Record<string, unknown> = {
    configURL: options.configURL,
    clientId: options.clientId,
    params: { ...options.params, nonce },
  };
  if (options.loginHint !== undefined) provider['loginHint'] = options.loginHint;
  if (options.domainHint !== undefined) provider['domainHint'] = options.domainHint;
  if (options.fields !== undefined) provider['fields'] = options.fields;
  const request: Record<string, unknown> = {
    identity: { providers: [provider], context: options.context ?? 'signin', mode: options.mode ?? 'passive' },
  };
  if (options.mediation !== undefined) request['mediation'] = options.mediation;
  if (options.signal !== undefined) request['signal'] = options.signal;
  try {
    const credential = (await env.navigator?.credentials?.get(request)) as { token?: unknown; configURL?: string; isAutoSelected?: boolean } | null | undefined;
    if (!credential) return { status: 'failed', error: describeError(new DOMException('No credential was returned.', 'NetworkError')) };
    // FedCM tokens may be any JSON value: this helper expects the string an ID token is.
    if (typeof credential.token !== 'string') {
      return {
        status: 'failed',
        error: { name: 'TypeError', message: 'The identity provider answered with a token this site does not understand.', retry: false },
      };
    }
    return { status: 'signed-in', token: credential.token, configURL: credential.configURL ?? options.configURL, isAutoSelected: credential.isAutoSelected === true, nonce };
  } catch (e) {
    return { status: 'failed', error: describeError(e) };
  }
}

/** RFC 6749 §4.1.2.1 / §5.2 error codes, in words for the user. */
const CODE_MESSAGES: Record<string, { message: string; retry: boolean }> = {
  invalid_request: { message: 'The sign-in request was not valid. Please try again later.', retry: false },
  unauthorized_client: { message: 'This site is not allowed to use this identity provider.', retry: false },
  access_denied: { message: 'Sign-in was refused by your identity provider.', retry: false },
  server_error: { message: 'Your identity provider had a problem. Please try again in a moment.', retry: true },
  temporarily_unavailable: { message: 'Your identity provider is busy. Please try again in a moment.', retry: true },
  invalid_client: { message: 'This site is not registered with the identity provider.', retry: false },
  invalid_scope: { message: 'This site asked for information the identity provider will not share.', retry: false },
};

/** Maps whatever get() rejected with to a user-facing explanation. */
export function describeError(e: unknown): SignInError {
  const name = e instanceof Error || (typeof e === 'object' && e !== null && 'name' in e) ? String((e as { name: unknown }).name) : 'Error';
  if (name === 'IdentityCredentialError') {
    const ice = e as { error?: string; url?: string };
    const known = ice.error ? CODE_MESSAGES[ice.error] : undefined;
    const result: SignInError = {
      name,
      message: known?.message ?? 'Your identity provider could not sign you in.',
      retry: known?.retry ?? true,
    };
    if (ice.error) result.code = ice.error;
    if (ice.url) result.url = ice.url;
    return result;
  }
  switch (name) {
    case 'AbortError':
      return { name, message: 'Sign-in was cancelled.', retry: true };
    case 'NotAllowedError':
      return { name, message: 'A sign-in is already in progress, or sign-in is not allowed on this page.', retry: false };
    case 'NetworkError':
      // Browsers use NetworkError for "no account", "dismissed" and real failures alike, on purpose.
      return { name, message: 'Sign-in did not complete. You can try again or use another way to sign in.', retry: true };
    default:
      return { name, message: 'Sign-in is not available right now.', retry: false };
  }
}

/** Disconnects the account from this site at the IdP (FedCM IdentityCredential.disconnect()). */
export async function disconnect(
  options: { configURL: string; clientId: string; accountHint: string },
  env: BrowserEnv = globalThis as BrowserEnv,
): Promise<{ ok: true } | { ok: false; error: SignInError }> {
  if (!env.IdentityCredential) return { ok: false, error: { name: 'NotSupportedError', message: 'This browser cannot disconnect accounts.', retry: false } };
  try {
    await env.IdentityCredential.disconnect(options);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: { ...describeError(e), message: 'The account could not be disconnected.' } };
  }
}

/** Sign-out: tells the browser not to sign the user back in silently (preventSilentAccess()). */
export async function signOut(env: BrowserEnv = globalThis as BrowserEnv): Promise<void> {
  await env.navigator?.credentials?.preventSilentAccess();
}
