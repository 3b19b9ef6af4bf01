// fedkit mode: fedkit's agent is the FedCM and Credential Management of a Playwright browser
// context. This file puts the pieces together: the init script in every document
// (page-script.ts), the one binding to the agent (dispatcher.ts), the agent documents of the
// browser's frames (documents.ts), the context's cookie jar as the agent's (cookie-store.ts),
// the IdP's popups as real windows (popup-host.ts) and the dialogs drawn in the page
// (dialogs.ts); and it answers the `fedcm` object's commands with the agent's automation.

import { createAgent, type Agent, type AgentOptions, type Diagnostic, type Dialog, type DialogAccount, type DialogButton, type DialogType } from '../../agent/index.js';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { CredentialHandles } from './agent-values.js';
import { BrowserContextCookieStore } from './cookie-store.js';
import { DrawnDialogs } from './dialogs.js';
import { Dispatcher } from './dispatcher.js';
import { DocumentMap } from './documents.js';
import { FedCMEvents, type FedCM, type WaitForDialogOptions } from './fedcm.js';
import { initScriptSource, type PageControl } from './page-script.js';
import { BrowserPopups, RealPopupWindows } from './popup-host.js';

/** fedkit mode with an agent made by installFedCM: the agent's options (the context provides its cookies and windows). */
export interface FedkitModeOptions extends Omit<AgentOptions, 'cookieStore' | 'popupHost'> {
  native?: false;
  agent?: undefined;
  /** Draw the agent's dialogs in the requesting page (default true). */
  drawDialog?: boolean;
}

/** fedkit mode with an agent of your own, made with `createAgent({ ...agentOptionsFor(context), … })`. */
export interface ExistingAgentOptions {
  native?: false;
  agent: Agent;
  drawDialog?: boolean;
}

/** What an agent needs to be a browser context's FedCM: the context's jar and its windows. */
export interface ContextAgentOptions {
  cookieStore: BrowserContextCookieStore;
  popupHost: BrowserPopups;
}

const BINDING = '__fedkitPlaywright';
const KEY = 'fedkit.playwright';
const hooksByContext = new WeakMap<BrowserContext, ContextAgentOptions>();

/**
 * The AgentOptions that make an agent use `context`'s cookie jar and open the IdP's popups as
 * the context's windows: `createAgent({ hostRules, ca, ...agentOptionsFor(context) })`, then
 * `installFedCM(context, { agent })`. The same objects for the same context.
 */
export function agentOptionsFor(context: BrowserContext): ContextAgentOptions {
  let hooks = hooksByContext.get(context);
  if (!hooks) {
    hooks = { cookieStore: new BrowserContextCookieStore(context), popupHost: new BrowserPopups() };
    hooksByContext.set(context, hooks);
  }
  return hooks;
}

/** Rejects never; resolves when `p` settles or `ms` have passed. */
function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

export class FedkitFedCM extends FedCMEvents implements FedCM {
  readonly mode = 'fedkit' as const;
  readonly agent: Agent;
  readonly #context: BrowserContext;
  readonly #ownsAgent: boolean;
  readonly #hooks: ContextAgentOptions;
  readonly #documents: DocumentMap;
  readonly #dispatcher: Dispatcher;
  readonly #handles = new CredentialHandles();
  readonly #drawer: DrawnDialogs | undefined;
  readonly #disposables: { dispose(): Promise<void> }[] = [];
  #closed = false;

  private constructor(context: BrowserContext, agent: Agent, ownsAgent: boolean, documents: DocumentMap, drawDialog: boolean) {
    super();
    this.#context = context;
    this.agent = agent;
    this.#ownsAgent = ownsAgent;
    this.#hooks = agentOptionsFor(context);
    this.#documents = documents;
    this.#dispatcher = new Dispatcher(agent, documents, this.#handles);
    this.#drawer = drawDialog ? new DrawnDialogs(agent, this.#dispatcher, KEY, this.#report) : undefined;
    this.#hooks.popupHost.connect(new RealPopupWindows(context, documents, this.#dispatcher, KEY, this.#report));
  }

  /** Installs fedkit's agent as the context's FedCM (the `fedcm` object of installFedCM). */
  static async install(context: BrowserContext, options: FedkitModeOptions | ExistingAgentOptions): Promise<FedkitFedCM> {
    const hooks = agentOptionsFor(context);
    let agent: Agent;
    let owns: boolean;
    if (options.agent !== undefined) {
      agent = options.agent;
      owns = false;
      if (agent.cookies.jar.store !== hooks.cookieStore) {
        throw new TypeError('installFedCM(context, { agent }): make the agent with createAgent({ ...agentOptionsFor(context), … }) so that it uses this context’s cookies and windows.');
      }
    } else {
      const { native: _native, agent: _agent, drawDialog: _draw, ...agentOptions } = options;
      agent = createAgent({ ...agentOptions, cookieStore: hooks.cookieStore, popupHost: hooks.popupHost });
      owns = true;
    }
    const documents = await DocumentMap.create(agent);
    const fedcm = new FedkitFedCM(context, agent, owns, documents, options.drawDialog !== false);
    try {
      await fedcm.#start(options.drawDialog !== false);
    } catch (e) {
      await fedcm.close();
      throw e;
    }
    return fedcm;
  }

  async #start(drawDialog: boolean): Promise<void> {
    this.agent.on('dialogShown', this.#onShown);
    this.agent.on('dialogClosed', this.#onClosed);
    this.agent.on('diagnostic', this.#report);
    this.#context.on('response', this.#onResponse);
    this.#context.on('page', this.#onPage);
    for (const page of this.#context.pages()) this.#documents.watch(page);
    // Playwright before 1.55 returned nothing here; later versions a Disposable.
    const binding: unknown = await this.#context.exposeBinding(BINDING, (source, text: string) => this.#dispatcher.handle(source.frame, text));
    this.#keep(binding);
    const content = initScriptSource({ binding: BINDING, key: KEY }, drawDialog);
    const script: unknown = await this.#context.addInitScript({ content });
    this.#keep(script);
    // Documents loaded before the installation get the interfaces now.
    await Promise.all(this.#context.pages().flatMap((page) => page.frames().map((frame) => frame.evaluate(content).catch(() => undefined))));
  }

  #keep(disposable: unknown): void {
    if (typeof disposable === 'object' && disposable !== null && typeof (disposable as { dispose?: unknown }).dispose === 'function') {
      this.#disposables.push(disposable as { dispose(): Promise<void> });
    }
  }

  readonly #onResponse = (response: Response): void => {
    try {
      this.#documents.onResponse(response);
    } catch (e) {
      // A response of a frame that went away meanwhile: nothing to apply it to.
      this.#report({
        reason: 'InvalidRequest',
        level: 'warning',
        message: 'fedkit/playwright could not follow a response of the browser.',
        detail: `${response.url()}: ${e instanceof Error ? e.message : String(e)}`,
        url: response.url(),
        issue: null,
      });
    }
  };
  readonly #onPage = (page: Page): void => this.#documents.watch(page);
  readonly #onShown = (dialog: Dialog): void => this.emit('dialogShown', dialog);
  readonly #onClosed = (event: { dialogId: string }): void => this.emit('dialogClosed', event);
  readonly #report = (diagnostic: Diagnostic): void => this.emit('diagnostic', diagnostic);

  get currentDialog(): Dialog | null {
    return this.agent.automation.currentDialog;
  }

  async waitForDialog<T extends DialogType = DialogType>(options: WaitForDialogOptions<T> = {}): Promise<Extract<Dialog, { dialogType: T }>> {
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? 10_000;
    const dialog = await this.agent.automation.waitForDialog({ ...options, timeoutMs });
    const drawing = this.#drawer?.drawn(dialog.dialogId);
    if (drawing) await bounded(drawing, Math.max(0, timeoutMs - (Date.now() - started)));
    return dialog;
  }

  async getAccountList(): Promise<DialogAccount[]> {
    return this.agent.automation.getAccountList();
  }

  async getTitle(): Promise<{ title: string; subtitle?: string }> {
    return this.agent.automation.getTitle();
  }

  async getDialogType(): Promise<DialogType> {
    return this.agent.automation.getDialogType();
  }

  async selectAccount(accountIndex: number, options: { staySignedIn?: boolean } = {}): Promise<void> {
    this.agent.automation.selectAccount(accountIndex, options);
  }

  async cancelDialog(options: { triggerCooldown?: boolean } = {}): Promise<void> {
    this.agent.automation.cancelDialog(options);
  }

  async clickDialogButton(button: DialogButton): Promise<void> {
    this.agent.automation.clickDialogButton(button);
  }

  async resetCooldown(): Promise<void> {
    this.agent.automation.resetCooldown();
  }

  async setDelayEnabled(enabled: boolean): Promise<void> {
    this.agent.automation.setDelayEnabled(enabled);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#dispatcher.close();
    this.#drawer?.stop();
    this.#hooks.popupHost.connect(undefined);
    this.#context.off('response', this.#onResponse);
    this.#context.off('page', this.#onPage);
    this.agent.off('dialogShown', this.#onShown);
    this.agent.off('dialogClosed', this.#onClosed);
    this.agent.off('diagnostic', this.#report);
    for (const d of this.#disposables.splice(0)) await d.dispose().catch(() => undefined);
    await Promise.all(
      this.#context.pages().flatMap((page) =>
        page.frames().map((frame) =>
          frame.evaluate((key) => (window as unknown as Record<symbol, PageControl | undefined>)[Symbol.for(key)]?.uninstall(), KEY).catch(() => undefined),
        ),
      ),
    );
    this.#documents.close();
    this.#handles.clear();
    if (this.#ownsAgent) await this.agent.close();
    this.removeAllListeners();
  }
}
