// The agent's APIs on the page's window: navigator.credentials and the credential interfaces
// (IdentityCredential with its static disconnect(), IdentityCredentialError, PasswordCredential,
// FederatedCredential, OTPCredential), IdentityProvider, navigator.login,
// navigator.userActivation, isSecureContext, document.cookie and window.close(). Each is the
// frame's own, made reachable from the page's realm; where the frame has none (not a secure
// context), the page has none either.

import { IdentityCredential } from '../../fedcm/identity-credential.js';
import type { Frame } from '../frame.js';
import { pageCredentialsContainer, PageCredentialsContainer } from './credentials-facade.js';
import type { DOMWindow } from '../../base/jsdom.js';
import { agentOptions, illegalConstructor, pageIdentityCredentialError, pageInterface, pagePromise, structuredCloneOr } from './realm.js';
import type { Log, RunScriptsOptions } from './types.js';

export interface PageApiHooks {
  onCredentialRequest: RunScriptsOptions['onCredentialRequest'];
  onWindowClose: RunScriptsOptions['onWindowClose'];
  log: Log;
  /** Make `document.cookie` the agent's jar (default true). */
  documentCookie?: boolean;
  /** Replace `window.close()` (default true). */
  windowClose?: boolean;
}

/** Every property wireWindow may define, on which object, so that it can be undone. */
export const WIRED_PROPERTIES = {
  window: ['CredentialsContainer', 'Credential', 'IdentityCredential', 'IdentityCredentialError', 'PasswordCredential', 'FederatedCredential', 'OTPCredential', 'IdentityProvider', 'isSecureContext', 'close'],
  navigator: ['credentials', 'login', 'userActivation'],
  document: ['cookie'],
} as const;

/**
 * Defines the frame's APIs on `window`.
 * Credential Management §2.3 "navigator.credentials", FedCM §2.2–§2.4, Login Status §"navigator.login", HTML §6.4 userActivation.
 */
export function wireWindow(window: DOMWindow, frame: Frame, hooks: PageApiHooks): void {
  const define = (target: object, name: PropertyKey, value: unknown): void => {
    Object.defineProperty(target, name, { value, configurable: true, writable: true, enumerable: false });
  };
  const getter = (target: object, name: PropertyKey, get: () => unknown, set?: (v: unknown) => void): void => {
    Object.defineProperty(target, name, { get, ...(set ? { set } : {}), configurable: true, enumerable: true });
  };
  const navigator = window.navigator as Navigator;
  const document = window.document as Document;

  // navigator.credentials and the credential interfaces ([SecureContext]: absent elsewhere).
  const container = frame.navigator.credentials;
  if (container !== undefined) {
    const credentials = pageCredentialsContainer(window, container, hooks.onCredentialRequest);
    getter(navigator, 'credentials', () => credentials);
    define(window, 'CredentialsContainer', illegalConstructor(window, 'CredentialsContainer', PageCredentialsContainer.prototype));
    define(window, 'Credential', illegalConstructor(window, 'Credential', Object.getPrototypeOf(IdentityCredential.prototype) as object));
  }
  const disconnect = frame.IdentityCredential;
  if (disconnect !== undefined) {
    define(
      window,
      'IdentityCredential',
      illegalConstructor(window, 'IdentityCredential', IdentityCredential.prototype, {
        disconnect: (options: { configURL: string; clientId: string; accountHint: string }) =>
          pagePromise(window, Promise.resolve().then(() => disconnect.disconnect(agentOptions(options) as typeof options))),
      }),
    );
    define(window, 'IdentityCredentialError', pageIdentityCredentialError(window));
  }
  if (frame.PasswordCredential) define(window, 'PasswordCredential', pageInterface(window, frame.PasswordCredential));
  if (frame.FederatedCredential) define(window, 'FederatedCredential', pageInterface(window, frame.FederatedCredential));
  if (frame.OTPCredential) define(window, 'OTPCredential', pageInterface(window, frame.OTPCredential));

  const idp = frame.IdentityProvider;
  if (idp !== undefined) {
    define(
      window,
      'IdentityProvider',
      Object.freeze({
        close: () => idp.close(),
        resolve: (token: unknown, options?: { accountId?: string }) => pagePromise(window, Promise.resolve().then(() => idp.resolve(structuredCloneOr(token), agentOptions(options) as { accountId?: string }))),
        getUserInfo: (config: { configURL: string; clientId: string }) => pagePromise(window, Promise.resolve().then(() => idp.getUserInfo(agentOptions(config) as typeof config))),
      }),
    );
  }
  const login = frame.navigator.login;
  if (login !== undefined) {
    getter(
      navigator,
      'login',
      (() => {
        const value = Object.freeze({ setStatus: (status: 'logged-in' | 'logged-out') => pagePromise(window, Promise.resolve().then(() => login.setStatus(status))) });
        return () => value;
      })(),
    );
  }
  const activation = frame.navigator.userActivation;
  getter(navigator, 'userActivation', () => activation);
  getter(window, 'isSecureContext', () => frame.isSecureContext);

  // document.cookie is the agent's jar (non-HttpOnly cookies of this document's URL).
  if (hooks.documentCookie !== false) getter(
    document,
    'cookie',
    () => frame.cookie,
    (value) => {
      frame.cookie = String(value);
    },
  );

  // window.close(): popups close; a page the user opened ignores it (HTML "script-closable").
  if (hooks.windowClose !== false) define(window, 'close', () => {
    if (hooks.onWindowClose) hooks.onWindowClose();
    else hooks.log('warn', 'Scripts may close only the windows that were opened by them.');
  });
}
