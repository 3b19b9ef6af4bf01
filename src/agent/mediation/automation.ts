// The automation API: the WebDriver FedCM extension commands (FedCM §"User Agent Automation"),
// with their names and errors, plus a way to wait for a dialog without polling.

import type { Emitter } from '../base/events.js';
import { AutomationError } from './automation-error.js';
import type { DialogHost } from './dialog-host.js';
import type { Dialog, DialogAccount, DialogButton, DialogEventMap, DialogType } from './dialog.js';

export interface AutomationSettings {
  /** Whether failures wait the random rejection delay (WebDriver `setdelayenabled`). */
  delayEnabled: boolean;
  /** Clears dismissal cooldowns (WebDriver `resetcooldown`). */
  resetCooldown(): void;
  /** Aborts when the agent closes: a pending `waitForDialog()` then rejects with its reason. */
  readonly closed?: AbortSignal;
}

export class Automation {
  constructor(
    private readonly host: DialogHost,
    private readonly events: Emitter<DialogEventMap>,
    private readonly settings: AutomationSettings,
  ) {}

  /** GET /fedcm/getdialogtype. */
  getDialogType(): DialogType {
    return this.#dialog().dialogType;
  }

  /** GET /fedcm/accountlist. */
  getAccountList(): DialogAccount[] {
    return this.#dialog().accounts.map((a) => ({ ...a }));
  }

  /** GET /fedcm/gettitle. */
  getTitle(): { title: string; subtitle?: string } {
    const d = this.#dialog();
    return d.subtitle === undefined ? { title: d.title } : { title: d.title, subtitle: d.subtitle };
  }

  /**
   * POST /fedcm/selectaccount. Also picks a credential in a CredentialChooser (where
   * `staySignedIn` ticks its "stay signed in" box), and says yes to a SaveCredential or OtpConsent
   * prompt (index 0).
   */
  selectAccount(accountIndex: number, options: { staySignedIn?: boolean } = {}): void {
    this.host.act(
      options.staySignedIn === undefined
        ? { action: 'selectAccount', accountIndex }
        : { action: 'selectAccount', accountIndex, staySignedIn: options.staySignedIn },
    );
  }

  /** POST /fedcm/canceldialog. `triggerCooldown` models the close button (DevTools dismissDialog). */
  cancelDialog(options: { triggerCooldown?: boolean } = {}): void {
    this.host.act({ action: 'cancel', triggerCooldown: options.triggerCooldown ?? false });
  }

  /** POST /fedcm/clickdialogbutton. */
  clickDialogButton(button: DialogButton): void {
    this.host.act({ action: 'clickButton', button });
  }

  /** POST /fedcm/setdelayenabled. */
  setDelayEnabled(enabled: boolean): void {
    if (typeof enabled !== 'boolean') throw new AutomationError('invalid argument', '`enabled` must be a boolean.');
    this.settings.delayEnabled = enabled;
  }

  /** POST /fedcm/resetcooldown. */
  resetCooldown(): void {
    this.settings.resetCooldown();
  }

  /** The dialog that is up, or null. */
  get currentDialog(): Dialog | null {
    return this.host.current;
  }

  /**
   * Resolves with the dialog that is up, or the next one shown. Rejects after `timeoutMs`
   * (default 10 s) so a test that expects a dialog never hangs.
   */
  waitForDialog<T extends DialogType = DialogType>(options: { type?: T; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Extract<Dialog, { dialogType: T }>> {
    const matches = (d: Dialog | null): d is Extract<Dialog, { dialogType: T }> => d !== null && (options.type === undefined || d.dialogType === options.type);
    const current = this.host.current;
    if (matches(current)) return Promise.resolve(current);
    return new Promise<Extract<Dialog, { dialogType: T }>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 10_000;
      const closed = this.settings.closed;
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('dialogShown', onShown);
        options.signal?.removeEventListener('abort', onAbort);
        closed?.removeEventListener('abort', onClosed);
      };
      const onShown = (d: Dialog): void => {
        if (!matches(d)) return;
        cleanup();
        resolve(d);
      };
      const onAbort = (): void => {
        cleanup();
        reject(options.signal?.reason);
      };
      // No dialog can show once the agent is closed: end the wait (and its timer) now.
      const onClosed = (): void => {
        cleanup();
        reject(closed?.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new AutomationError('no such alert', `No ${options.type ?? 'FedCM'} dialog was shown within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.events.on('dialogShown', onShown);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      closed?.addEventListener('abort', onClosed, { once: true });
      if (closed?.aborted) onClosed();
    });
  }

  #dialog(): Dialog {
    const d = this.host.current;
    if (!d) throw new AutomationError('no such alert', 'No FedCM dialog is shown.');
    return d;
  }
}
