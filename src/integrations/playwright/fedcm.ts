// The `fedcm` object installFedCM resolves to: the WebDriver FedCM automation commands (FedCM
// §"User Agent Automation"), asynchronous so that the same object can drive fedkit's agent or a
// real browser's FedCM over DevTools, with the dialogs in the shapes of the DevTools `FedCm`
// domain (fedkit/agent's Dialog) and the same events.

import { EventEmitter } from 'node:events';
import type { Agent, Diagnostic, Dialog, DialogAccount, DialogButton, DialogType } from '../../agent/index.js';

/** The events of the `fedcm` object (DevTools FedCm.dialogShown / dialogClosed, and the issues). */
export interface FedCMEventMap {
  dialogShown: [dialog: Dialog];
  dialogClosed: [event: { dialogId: string }];
  /** fedkit's agent's diagnostics; in native mode, Chromium's FedCM issues (Audits.issueAdded). */
  diagnostic: [diagnostic: Diagnostic];
}

export interface WaitForDialogOptions<T extends DialogType = DialogType> {
  /** Wait for a dialog of this type (the one up now counts). */
  type?: T;
  /** Give up after this long with AutomationError "no such alert" (default 10 s). */
  timeoutMs?: number;
}

export interface FedCM {
  /** `fedkit`: fedkit's agent is the browser's FedCM; `native`: the browser's own, over DevTools. */
  readonly mode: 'fedkit' | 'native';
  /** The agent (fedkit mode), or undefined in native mode. */
  readonly agent: Agent | undefined;
  /** The dialog that is up, or null. */
  readonly currentDialog: Dialog | null;
  /**
   * Resolves with the dialog that is up, or the next one shown. In fedkit mode it resolves once
   * the dialog is drawn in the page too. Rejects after `timeoutMs` (default 10 s).
   */
  waitForDialog<T extends DialogType = DialogType>(options?: WaitForDialogOptions<T>): Promise<Extract<Dialog, { dialogType: T }>>;
  /** WebDriver `accountlist`. */
  getAccountList(): Promise<DialogAccount[]>;
  /** WebDriver `gettitle`. */
  getTitle(): Promise<{ title: string; subtitle?: string }>;
  /** WebDriver `getdialogtype`. */
  getDialogType(): Promise<DialogType>;
  /** WebDriver `selectaccount`; `staySignedIn` is fedkit's credential chooser's checkbox. */
  selectAccount(accountIndex: number, options?: { staySignedIn?: boolean }): Promise<void>;
  /** WebDriver `canceldialog`; `triggerCooldown` is the close button (DevTools dismissDialog). */
  cancelDialog(options?: { triggerCooldown?: boolean }): Promise<void>;
  /** WebDriver `clickdialogbutton`. */
  clickDialogButton(button: DialogButton): Promise<void>;
  /** WebDriver `resetcooldown`. */
  resetCooldown(): Promise<void>;
  /** WebDriver `setdelayenabled`: the random rejection delay on failures. */
  setDelayEnabled(enabled: boolean): Promise<void>;
  on<K extends keyof FedCMEventMap>(event: K, listener: (...args: FedCMEventMap[K]) => void): this;
  off<K extends keyof FedCMEventMap>(event: K, listener: (...args: FedCMEventMap[K]) => void): this;
  once<K extends keyof FedCMEventMap>(event: K, listener: (...args: FedCMEventMap[K]) => void): this;
  /**
   * Uninstalls: the context's pages get their own interfaces back (fedkit mode) or the FedCm
   * domain is disabled (native mode); the agent is closed if installFedCM created it.
   */
  close(): Promise<void>;
}

/** The typed events both modes share. */
export class FedCMEvents {
  readonly #emitter = new EventEmitter();

  on<K extends keyof FedCMEventMap>(event: K, listener: (...args: FedCMEventMap[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof FedCMEventMap>(event: K, listener: (...args: FedCMEventMap[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof FedCMEventMap>(event: K, listener: (...args: FedCMEventMap[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  protected emit<K extends keyof FedCMEventMap>(event: K, ...args: FedCMEventMap[K]): void {
    this.#emitter.emit(event, ...args);
  }

  protected removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }
}
