// fedkit/playwright: FedCM for real pages, in any browser Playwright drives. `installFedCM`
// makes fedkit's agent the FedCM and Credential Management of a browser context (pages call
// navigator.credentials.get() themselves; the agent makes the FedCM requests, shares the
// context's cookies, opens the IdP's popups as real windows and draws its dialogs in the page),
// or, with `{ native: true }`, drives Chromium's own FedCM over DevTools behind the same object.
// Playwright is an optional peer dependency: only its types are imported.

import type { BrowserContext } from 'playwright-core';
import type { FedCM } from './fedcm.js';
import { FedkitFedCM, type ExistingAgentOptions, type FedkitModeOptions } from './fedkit-mode.js';
import { NativeFedCM } from './native.js';

export type { FedCM, FedCMEventMap, WaitForDialogOptions } from './fedcm.js';
export { agentOptionsFor, type ContextAgentOptions, type ExistingAgentOptions, type FedkitModeOptions } from './fedkit-mode.js';
export { BrowserContextCookieStore } from './cookie-store.js';
export { dialogFromDevTools } from './native.js';

/** Native mode: the browser's own FedCM over the DevTools FedCm domain (Chromium only). */
export interface NativeModeOptions {
  native: true;
}

/** installFedCM's options: fedkit's agent (made here, or your own), or the browser's own FedCM. */
export type InstallFedCMOptions = FedkitModeOptions | ExistingAgentOptions | NativeModeOptions;

/**
 * Installs FedCM in `context`: fedkit's agent (default), configured with the agent's options, or
 * an agent of yours (`{ agent }`, made with `agentOptionsFor(context)`), or Chromium's own FedCM
 * (`{ native: true }`). Resolves with the `fedcm` object: the WebDriver FedCM commands, the
 * dialogs, the events, and `close()` to uninstall.
 */
export async function installFedCM(context: BrowserContext, options: InstallFedCMOptions = {}): Promise<FedCM> {
  if (options.native === true) return NativeFedCM.install(context);
  return FedkitFedCM.install(context, options);
}
