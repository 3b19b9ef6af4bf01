// The types of fedkit/jsdom: what installFedCM takes (a jsdom window; an agent or the options to
// create one, the page URL, how the window is wired) and what it returns (the installation: the
// agent and its document, dialog helpers, uninstall()).

import type { AccountChooserDialog, Agent, AgentOptions, Dialog, DialogType, ExposeOptions, Frame } from '../../agent/index.js';

/**
 * What installFedCM needs of a window: a jsdom window, as Vitest's and Jest's jsdom environments
 * provide it (`window`, `globalThis`) or `new JSDOM(…).window`.
 */
export interface JsdomWindow {
  readonly document: object;
  readonly navigator: object;
  readonly location: { readonly href: string };
}

/** The options every installation takes, besides its agent. */
export interface InstallOptionsBase extends ExposeOptions {
  /**
   * The URL of the document FedCM acts for: its origin is the RP's (the `Origin` of every IdP
   * request, the site of connected accounts). Default: the window's `location.href`. Resolved
   * against it, so `'/'` works. It must be a secure context (https:, or http: on localhost or a
   * loopback address), as `navigator.credentials` exists only there: installFedCM throws a
   * TypeError otherwise. Set the environment's URL to the same (Vitest
   * `environmentOptions.jsdom.url`, Jest `testEnvironmentOptions.url`) so that the window's
   * `location` agrees.
   */
  url?: string | URL;
}

/** Every AgentOptions member, absent: an installation with an agent takes none of them. */
type NoAgentOptions = { readonly [K in keyof AgentOptions]?: never };

/** Install with an agent of your own (installFedCM neither configures nor closes it). */
export interface InstallWithAgent extends InstallOptionsBase, NoAgentOptions {
  agent: Agent;
}

/** Install with a new agent made from these options (`hostRules`, `ca`, `mediator`, `profile`, `popupHost`, …), closed by uninstall(). */
export interface InstallWithAgentOptions extends InstallOptionsBase, AgentOptions {
  agent?: never;
}

/** installFedCM's options: `agent`, or agent options, never both. */
export type InstallFedCMOptions = InstallWithAgent | InstallWithAgentOptions;

/** How long a helper waits for a dialog. */
export interface DialogWaitOptions {
  /** Default 10 000 ms (agent.automation.waitForDialog's); then the promise rejects with an AutomationError. */
  timeoutMs?: number;
}

/** FedCM installed on a window: its agent, its document, dialog helpers and uninstall(). */
export interface FedCM {
  /** The agent behind the window: `agent.automation` (every WebDriver FedCM command), `agent.on(…)`, `agent.open(url)`. */
  readonly agent: Agent;
  /** The agent's document for `url`, whose APIs the window shows (`frame.activate()`, `frame.url`, …). */
  readonly frame: Frame;
  /** The window it is installed on. */
  readonly window: JsdomWindow;
  /** The dialog that is up, or the next one shown (of `type`, when given). */
  waitForDialog<T extends DialogType = DialogType>(options?: DialogWaitOptions & { type?: T }): Promise<Extract<Dialog, { dialogType: T }>>;
  /**
   * Waits for the account chooser and picks an account, as the user would: by index (default 0)
   * or by account id or email. Resolves with the chooser as it was shown.
   */
  chooseAccount(account?: number | string, options?: DialogWaitOptions): Promise<AccountChooserDialog>;
  /** Waits for a dialog and dismisses it (the page's request fails with NetworkError). Resolves with the dialog. */
  cancelDialog(options?: DialogWaitOptions): Promise<Dialog>;
  /** A user click without an event: transient activation for 5 s (dispatched click and keydown events do the same). */
  activate(): void;
  /**
   * Ends the document (its pending requests reject with AbortError), puts every property of the
   * window back as it was, and closes the agent if installFedCM created it. Safe to call twice.
   */
  uninstall(): Promise<void>;
}
