// Native mode: the browser's own FedCM, driven through the DevTools `FedCm` domain (Chromium's
// pdl/domains/FedCm.pdl) behind the same `fedcm` object, so that one test runs against fedkit's
// agent and against real Chrome. Every page of the context, now and later, gets a CDP session
// with `FedCm.enable` (dialogs wait for automation; the rejection delay is off unless
// setDelayEnabled(true)); `FedCm.dialogShown` / `dialogClosed` are the events, and the commands
// are FedCm.selectAccount, dismissDialog, clickDialogButton and resetCooldown on the session of
// the page the dialog is in. Chromium's FedCM issues (Audits.issueAdded) are the diagnostics.
// No init script: the pages keep the browser's interfaces.

import { AutomationError, consoleMessage, type DevToolsIssueReason, type Dialog, type DialogAccount, type DialogButton, type DialogType, type IssueReason } from '../../agent/index.js';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { FedCMEvents, type FedCM, type WaitForDialogOptions } from './fedcm.js';

/** FedCm.dialogShown. */
interface DialogShownEvent {
  dialogId: string;
  dialogType: 'AccountChooser' | 'AutoReauthn' | 'ConfirmIdpLogin' | 'Error';
  accounts: DialogAccount[];
  title: string;
  subtitle?: string;
}

/** Audits.issueAdded, the parts of a FederatedAuthRequestIssue / FederatedAuthUserInfoRequestIssue read here. */
interface IssueAddedEvent {
  issue: {
    code: string;
    details: {
      federatedAuthRequestIssueDetails?: { federatedAuthRequestIssueReason: string };
      federatedAuthUserInfoRequestIssueDetails?: { federatedAuthUserInfoRequestIssueReason: string };
    };
  };
}

/** The buttons the FedCm domain has (FedCm.DialogButton); fedkit's own prompts have the others. */
const CDP_BUTTONS: ReadonlySet<DialogButton> = new Set<DialogButton>(['ConfirmIdpLoginContinue', 'ErrorGotIt', 'ErrorMoreDetails']);

/**
 * FedCm.dialogShown as fedkit/agent's Dialog. What DevTools does not report is filled as
 * Chromium fills missing values: `useOtherAccount` false, an Error dialog's `error` and `url` "",
 * a ConfirmIdpLogin's IdP URLs from its account when there is one.
 */
export function dialogFromDevTools(e: DialogShownEvent): Dialog {
  const base = { dialogId: e.dialogId, title: e.title, ...(e.subtitle ? { subtitle: e.subtitle } : {}) };
  switch (e.dialogType) {
    case 'AccountChooser':
      return { ...base, dialogType: 'AccountChooser', accounts: e.accounts, useOtherAccount: false };
    case 'AutoReauthn':
      return { ...base, dialogType: 'AutoReauthn', accounts: [e.accounts[0] as DialogAccount] };
    case 'ConfirmIdpLogin':
      return { ...base, dialogType: 'ConfirmIdpLogin', accounts: [], idpConfigUrl: e.accounts[0]?.idpConfigUrl ?? '', idpLoginUrl: e.accounts[0]?.idpLoginUrl ?? '' };
    case 'Error':
      return { ...base, dialogType: 'Error', accounts: e.accounts, error: '', url: '' };
  }
}

/** A CDP error of a FedCm command as the WebDriver error ChromeDriver maps it to. */
function automationError(e: unknown): AutomationError {
  const message = e instanceof Error ? e.message : String(e);
  return new AutomationError(/no FedCm dialog|not shown|No dialog/i.test(message) ? 'no such alert' : 'invalid argument', message);
}

export class NativeFedCM extends FedCMEvents implements FedCM {
  readonly mode = 'native' as const;
  readonly agent = undefined;
  readonly #context: BrowserContext;
  readonly #sessions = new Map<Page, Promise<CDPSession | undefined>>();
  #current: { dialog: Dialog; session: CDPSession } | null = null;
  readonly #closedIds = new Set<string>();
  #delayEnabled = false;
  #closed = false;

  private constructor(context: BrowserContext) {
    super();
    this.#context = context;
  }

  static async install(context: BrowserContext): Promise<NativeFedCM> {
    const fedcm = new NativeFedCM(context);
    context.on('page', fedcm.#onPage);
    await Promise.all(context.pages().map((page) => fedcm.#attach(page)));
    return fedcm;
  }

  readonly #onPage = (page: Page): void => {
    this.#attach(page).catch((e: unknown) =>
      this.emit('diagnostic', {
        reason: 'InvalidRequest',
        level: 'error',
        message: 'fedkit/playwright could not enable the FedCm domain in a new page.',
        detail: `${page.url()}: ${e instanceof Error ? e.message : String(e)}`,
        issue: null,
      }),
    );
  };

  /** A CDP session for `page` with FedCm (and Audits, for the issues) enabled. */
  #attach(page: Page): Promise<CDPSession | undefined> {
    const known = this.#sessions.get(page);
    if (known) return known;
    const attaching = (async () => {
      let session: CDPSession;
      try {
        session = await this.#context.newCDPSession(page);
      } catch (e) {
        if (page.isClosed()) return undefined;
        throw new TypeError(`installFedCM(context, { native: true }) needs a Chromium browser (DevTools FedCm domain): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      session.on('FedCm.dialogShown', (e: DialogShownEvent) => this.#shown(dialogFromDevTools(e), session));
      session.on('FedCm.dialogClosed', (e: { dialogId: string }) => this.#dialogClosed(e.dialogId));
      session.on('Audits.issueAdded', (e: IssueAddedEvent) => this.#issue(e, page));
      page.once('close', () => {
        this.#sessions.delete(page);
        if (this.#current?.session === session) this.#dialogClosed(this.#current.dialog.dialogId);
      });
      try {
        await session.send('FedCm.enable', { disableRejectionDelay: !this.#delayEnabled });
        await session.send('Audits.enable');
      } catch (e) {
        if (page.isClosed()) return undefined;
        throw e;
      }
      return session;
    })();
    this.#sessions.set(page, attaching);
    return attaching;
  }

  #shown(dialog: Dialog, session: CDPSession): void {
    this.#current = { dialog, session };
    this.emit('dialogShown', dialog);
  }

  #dialogClosed(dialogId: string): void {
    if (this.#closedIds.has(dialogId)) return;
    this.#closedIds.add(dialogId);
    if (this.#current?.dialog.dialogId === dialogId) this.#current = null;
    this.emit('dialogClosed', { dialogId });
  }

  /**
   * Audits.issueAdded: Chromium's one issue per failed request, reported as `issue` exactly as
   * received (getUserInfo() ones prefixed `UserInfo:`, as the agent reports them).
   */
  #issue(e: IssueAddedEvent, page: Page): void {
    const userInfo = e.issue.details.federatedAuthUserInfoRequestIssueDetails?.federatedAuthUserInfoRequestIssueReason;
    const reason = e.issue.details.federatedAuthRequestIssueDetails?.federatedAuthRequestIssueReason;
    if (reason === undefined && userInfo === undefined) return;
    const known = reason !== undefined && Object.prototype.hasOwnProperty.call(consoleMessage, reason);
    const issue = (reason ?? `UserInfo:${userInfo}`) as DevToolsIssueReason;
    this.emit('diagnostic', {
      reason: known ? (reason as IssueReason) : 'InvalidRequest',
      level: 'error',
      message: known ? consoleMessage[reason as IssueReason] : `Chromium reported the FedCM issue ${issue}.`,
      detail: `Chromium's FedCM reported ${issue} (Audits.issueAdded) on ${page.url()}.`,
      url: page.url(),
      issue,
    });
  }

  #dialog(): { dialog: Dialog; session: CDPSession } {
    if (!this.#current) throw new AutomationError('no such alert', 'No FedCM dialog is shown.');
    return this.#current;
  }

  /** Sends a command about the current dialog; the dialog is gone once it was answered. */
  async #command(method: string, params: Record<string, unknown>): Promise<void> {
    const { dialog, session } = this.#dialog();
    try {
      await session.send(method as 'FedCm.selectAccount', { dialogId: dialog.dialogId, ...params } as never);
    } catch (e) {
      throw automationError(e);
    }
    this.#dialogClosed(dialog.dialogId);
  }

  get currentDialog(): Dialog | null {
    return this.#current?.dialog ?? null;
  }

  waitForDialog<T extends DialogType = DialogType>(options: WaitForDialogOptions<T> = {}): Promise<Extract<Dialog, { dialogType: T }>> {
    const matches = (d: Dialog | null | undefined): d is Extract<Dialog, { dialogType: T }> => d != null && (options.type === undefined || d.dialogType === options.type);
    if (matches(this.#current?.dialog)) return Promise.resolve(this.#current.dialog);
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const onShown = (d: Dialog): void => {
        if (!matches(d)) return;
        clearTimeout(timer);
        this.off('dialogShown', onShown);
        resolve(d);
      };
      const timer = setTimeout(() => {
        this.off('dialogShown', onShown);
        reject(new AutomationError('no such alert', `No ${options.type ?? 'FedCM'} dialog was shown within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.on('dialogShown', onShown);
    });
  }

  async getAccountList(): Promise<DialogAccount[]> {
    return this.#dialog().dialog.accounts.map((a) => ({ ...a }));
  }

  async getTitle(): Promise<{ title: string; subtitle?: string }> {
    const d = this.#dialog().dialog;
    return d.subtitle === undefined ? { title: d.title } : { title: d.title, subtitle: d.subtitle };
  }

  async getDialogType(): Promise<DialogType> {
    return this.#dialog().dialog.dialogType;
  }

  /** FedCm.selectAccount (`staySignedIn` is fedkit's own; Chromium's dialogs have no such box). */
  async selectAccount(accountIndex: number, _options: { staySignedIn?: boolean } = {}): Promise<void> {
    const { dialog } = this.#dialog();
    if (!Number.isInteger(accountIndex) || accountIndex < 0 || accountIndex >= dialog.accounts.length) {
      throw new AutomationError('invalid argument', `Invalid account index ${accountIndex}: the dialog has ${dialog.accounts.length} account(s).`);
    }
    await this.#command('FedCm.selectAccount', { accountIndex });
  }

  /** FedCm.dismissDialog. */
  async cancelDialog(options: { triggerCooldown?: boolean } = {}): Promise<void> {
    await this.#command('FedCm.dismissDialog', { triggerCooldown: options.triggerCooldown ?? false });
  }

  /** FedCm.clickDialogButton. */
  async clickDialogButton(button: DialogButton): Promise<void> {
    if (!CDP_BUTTONS.has(button)) throw new AutomationError('invalid argument', `Chromium's FedCM dialogs have no ${button} button.`);
    await this.#command('FedCm.clickDialogButton', { dialogButton: button });
  }

  /** FedCm.resetCooldown, for every page's site. */
  async resetCooldown(): Promise<void> {
    await this.#everySession((s) => s.send('FedCm.resetCooldown'));
  }

  /** FedCm.enable { disableRejectionDelay } on every page, now and later. */
  async setDelayEnabled(enabled: boolean): Promise<void> {
    if (typeof enabled !== 'boolean') throw new AutomationError('invalid argument', '`enabled` must be a boolean.');
    this.#delayEnabled = enabled;
    await this.#everySession((s) => s.send('FedCm.enable', { disableRejectionDelay: !enabled }));
  }

  async #everySession(command: (session: CDPSession) => Promise<unknown>): Promise<void> {
    const sessions = await Promise.all([...this.#sessions.values()].map((s) => s.catch(() => undefined)));
    await Promise.all(sessions.filter((s): s is CDPSession => s !== undefined).map((s) => command(s).catch(() => undefined)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#context.off('page', this.#onPage);
    await this.#everySession(async (s) => {
      await s.send('FedCm.disable');
      await s.detach();
    });
    this.#sessions.clear();
    this.#current = null;
    this.removeAllListeners();
  }
}
