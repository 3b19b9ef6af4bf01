// fedkit/jsdom: FedCM and the Credential Management API in a jsdom window, for unit tests of
// front-end code (Vitest's and Jest's jsdom environments, or new JSDOM(…)). installFedCM gives the
// window what fedkit's agent gives its own pages — navigator.credentials, IdentityCredential,
// IdentityCredentialError, IdentityProvider, navigator.login, navigator.userActivation,
// PasswordCredential, FederatedCredential, OTPCredential — backed by an agent document for the
// page's URL, and returns the installation: the agent (to answer dialogs), helpers, uninstall().
//
// The agent always runs in Node's realm (node-realm.ts: under Jest, test code runs inside jsdom's
// vm context); what this module returns is made the caller's own (promises, TypeErrors).

import type * as Install from './install.js';
import { importInMainRealm, inMainRealm } from './node-realm.js';
import type { FedCM, InstallFedCMOptions, JsdomWindow } from './types.js';

export type { DialogWaitOptions, FedCM, InstallFedCMOptions, InstallOptionsBase, InstallWithAgent, InstallWithAgentOptions, JsdomWindow } from './types.js';

type Implementation = typeof Install;

let implementation: Promise<Implementation> | undefined;

/** install.ts, in Node's main realm. */
function load(): Promise<Implementation> {
  implementation ??= inMainRealm() ? import('./install.js') : importInMainRealm<Implementation>(new URL('./install.js', import.meta.url));
  return implementation;
}

/** The installations made through this module, as the caller sees them. */
const installed = new WeakMap<object, FedCM>();

/**
 * Installs FedCM on a jsdom window: `navigator.credentials.get/store/create/preventSilentAccess`,
 * `IdentityCredential` (with `disconnect()`), `IdentityCredentialError`, `IdentityProvider`,
 * `navigator.login`, `navigator.userActivation`, `PasswordCredential`, `FederatedCredential` and
 * `OTPCredential`, backed by the agent's document for `options.url` (default: the window's URL,
 * which must be a secure context). Clicks and key presses dispatched in the window give the
 * document transient user activation (active mode needs it).
 *
 * `options` is either `{ agent }` (yours: installFedCM does not close it) or the options of a new
 * agent (`hostRules`, `ca`, `mediator`, `profile`, `popupHost`, …), closed by `uninstall()`.
 *
 * Rejects with a TypeError for anything but a jsdom window, unknown or conflicting options, an
 * invalid or insecure URL, or a window that already has an installation.
 */
export async function installFedCM(window: JsdomWindow, options?: InstallFedCMOptions): Promise<FedCM> {
  const inner = await own(load().then((impl) => impl.install(window, options)));
  const fedcm = callerView(inner);
  installed.set(window, fedcm);
  return fedcm;
}

/**
 * The installation on `window` (what installFedCM resolved with), for tests whose setup file
 * installed it. Throws a TypeError when there is none.
 */
export function getFedCM(window: JsdomWindow): FedCM {
  const fedcm = installed.get(window);
  if (fedcm === undefined) throw new TypeError('getFedCM: FedCM is not installed on this window; call installFedCM(window, options) first (in a setup file, for instance).');
  return fedcm;
}

/** The installation with its promises and errors in the caller's realm. */
function callerView(inner: FedCM): FedCM {
  return Object.freeze({
    agent: inner.agent,
    frame: inner.frame,
    window: inner.window,
    waitForDialog: ((options) => own(inner.waitForDialog(options))) as FedCM['waitForDialog'],
    chooseAccount: (account, options) => own(inner.chooseAccount(account, options)),
    cancelDialog: (options) => own(inner.cancelDialog(options)),
    activate: () => inner.activate(),
    uninstall: () => {
      installed.delete(inner.window);
      return own(inner.uninstall());
    },
  } satisfies FedCM);
}

/** `p` as a promise of this module's realm, a TypeError from another realm made this realm's. */
function own<T>(p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    p.then(resolve, (e: unknown) => reject(ownError(e)));
  });
}

function ownError(e: unknown): unknown {
  if (e instanceof Error || typeof e !== 'object' || e === null) return e;
  const { name, message } = e as { name?: unknown; message?: unknown };
  if (name !== 'TypeError' || typeof message !== 'string') return e;
  const mine = new TypeError(message);
  if ('cause' in e) Object.defineProperty(mine, 'cause', { value: (e as { cause: unknown }).cause, configurable: true, writable: true });
  return mine;
}
