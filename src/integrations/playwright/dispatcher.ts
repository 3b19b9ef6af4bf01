// The binding's Node side: every message a page sends (protocol.ts) is a call of the agent's API
// for the agent document of the calling frame (documents.ts), exactly as fedkit's own pages call
// it, so the FedCM requests are the agent's. The page's user activation comes with each call
// and is given to the agent document (HTML §6.4.3), an abort message aborts the agent's request
// with the page's signal, and clicks on the drawn dialog become automation commands. The calls
// in flight say which page a dialog or a popup belongs to.

import { Credential, type Agent, type CredentialCreationOptions, type CredentialRequestOptions, type Frame } from '../../agent/index.js';
import type { Frame as PlaywrightFrame, Page } from 'playwright-core';
import { errorWire, fromPage, toPage, type CredentialHandles } from './agent-values.js';
import type { DocumentMap } from './documents.js';
import type { ApiName, CallMessage, DialogMessage, PageMessage, Reply } from './protocol.js';

/** A call in flight: the page it came from (its top-level page), and for get() the mode. */
export interface Requester {
  page: Page;
  frame: PlaywrightFrame;
  api: ApiName;
  mode: 'active' | 'passive';
}

/** The calls that may show a dialog or open a popup. */
const REQUESTS: ReadonlySet<ApiName> = new Set<ApiName>(['credentials.get', 'credentials.create', 'credentials.store']);

/** Where a drawn dialog's click may come from (dialogs.ts knows where it drew it). */
export type DialogClickCheck = (page: Page, dialogId: string) => boolean;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new TypeError(`${what} is not available: the document is not a secure context.`);
  return value;
}

/** `options` with the agent-side signal of the page's one, as the agent's IDL conversion reads it. */
function withSignal(options: unknown, signal: AbortSignal | undefined): unknown {
  if (signal === undefined) return options;
  if (options === undefined || options === null) return { signal };
  return typeof options === 'object' ? { ...options, signal } : options;
}

/** The page's API, entry by entry, on the agent document (CM §2.3, FedCM §2.2–§2.4, Login Status, WebAuthn §5.1). */
function invoke(doc: Frame, api: ApiName, args: unknown[], signal: AbortSignal | undefined): Promise<unknown> {
  const credentials = (): NonNullable<Frame['navigator']['credentials']> => need(doc.navigator.credentials, 'navigator.credentials');
  const publicKey = (): NonNullable<Frame['PublicKeyCredential']> => need(doc.PublicKeyCredential, 'PublicKeyCredential');
  switch (api) {
    // What the page passed reaches get()/create() unchecked: WebIDL conversion sorts it out.
    case 'credentials.get':
      return credentials().get(withSignal(args[0], signal) as CredentialRequestOptions);
    case 'credentials.create':
      return credentials().create(withSignal(args[0], signal) as CredentialCreationOptions);
    case 'credentials.store':
      return credentials().store(args[0] as Credential);
    case 'credentials.preventSilentAccess':
      return credentials().preventSilentAccess();
    case 'IdentityCredential.disconnect':
      return need(doc.IdentityCredential, 'IdentityCredential').disconnect(args[0] as Parameters<NonNullable<Frame['IdentityCredential']>['disconnect']>[0]);
    case 'IdentityProvider.close':
      need(doc.IdentityProvider, 'IdentityProvider').close();
      return Promise.resolve(undefined);
    case 'IdentityProvider.resolve':
      return need(doc.IdentityProvider, 'IdentityProvider').resolve(args[0], args[1] as { accountId?: string } | undefined);
    case 'IdentityProvider.getUserInfo':
      return need(doc.IdentityProvider, 'IdentityProvider').getUserInfo(args[0] as { configURL: string; clientId: string });
    case 'login.setStatus':
      return need(doc.navigator.login, 'navigator.login').setStatus(args[0] as 'logged-in' | 'logged-out');
    case 'Credential.isConditionalMediationAvailable':
      return Credential.isConditionalMediationAvailable();
    case 'PublicKeyCredential.isConditionalMediationAvailable':
      return publicKey().isConditionalMediationAvailable();
    case 'PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable':
      return publicKey().isUserVerifyingPlatformAuthenticatorAvailable();
    case 'PublicKeyCredential.getClientCapabilities':
      return publicKey().getClientCapabilities();
  }
}

/** get()'s mode, for where its dialog is drawn (FedCM §2.5 IdentityCredentialRequestOptions.mode). */
function modeOf(api: ApiName, options: unknown): 'active' | 'passive' {
  if (api !== 'credentials.get' || typeof options !== 'object' || options === null) return 'passive';
  const identity = (options as { identity?: { mode?: unknown } }).identity;
  return identity?.mode === 'active' ? 'active' : 'passive';
}

export class Dispatcher {
  readonly #agent: Agent;
  readonly #documents: DocumentMap;
  readonly #handles: CredentialHandles;
  /** Abort controllers of the calls that passed a signal, by document and call id. */
  readonly #signals = new Map<string, { controller: AbortController; reason: DOMException }>();
  readonly #inflight: Requester[] = [];
  #clickCheck: DialogClickCheck = () => false;
  #closed = false;

  constructor(agent: Agent, documents: DocumentMap, handles: CredentialHandles) {
    this.#agent = agent;
    this.#documents = documents;
    this.#handles = handles;
  }

  /** Lets clicks on dialogs through when `check` says the dialog is drawn in the clicking page. */
  acceptDialogClicks(check: DialogClickCheck): void {
    this.#clickCheck = check;
  }

  /** The page of the most recent request still in flight: where its dialog and popups go. */
  requester(): Requester | undefined {
    for (let i = this.#inflight.length - 1; i >= 0; i--) {
      const r = this.#inflight[i] as Requester;
      if (!r.page.isClosed()) return r;
    }
    return undefined;
  }

  /** From now on every message is refused (fedkit/playwright was uninstalled). */
  close(): void {
    this.#closed = true;
    for (const { controller, reason } of this.#signals.values()) controller.abort(reason);
    this.#signals.clear();
  }

  /** The binding: one message in, one reply out, both JSON text. */
  async handle(frame: PlaywrightFrame, text: string): Promise<string> {
    return JSON.stringify(await this.#reply(frame, text));
  }

  async #reply(frame: PlaywrightFrame, text: string): Promise<Reply> {
    let message: PageMessage;
    try {
      message = JSON.parse(text) as PageMessage;
    } catch {
      return { ok: false, error: errorWire(new TypeError('fedkit/playwright: a malformed message.')) };
    }
    if (this.#closed) return { ok: false, error: errorWire(new DOMException('fedkit/playwright has been uninstalled from this browser context.', 'InvalidStateError')) };
    switch (message.op) {
      case 'abort': {
        const call = this.#signals.get(`${message.doc}:${message.id}`);
        call?.controller.abort(call.reason);
        return { ok: true, value: null };
      }
      case 'dialog':
        return this.#dialog(frame, message);
      case 'call':
        return this.#call(frame, message);
    }
  }

  async #call(frame: PlaywrightFrame, message: CallMessage): Promise<Reply> {
    const key = `${message.doc}:${message.id}`;
    let signal: { controller: AbortController; reason: DOMException } | undefined;
    if (message.signal) {
      signal = { controller: new AbortController(), reason: new DOMException('signal is aborted without reason', 'AbortError') };
      this.#signals.set(key, signal);
      if (message.signal.aborted) signal.controller.abort(signal.reason);
    }
    let requester: Requester | undefined;
    try {
      const { result } = await this.#documents.run(frame, message, (doc) => {
        // HTML §6.4.3: the document has transient activation exactly when the page says it has.
        if (message.active) doc.activate();
        else doc.consumeActivation();
        const args = message.args.map((a) => fromPage(a, doc, this.#handles));
        if (REQUESTS.has(message.api)) {
          requester = { page: frame.page(), frame, api: message.api, mode: modeOf(message.api, args[0]) };
          this.#inflight.push(requester);
        }
        let result: Promise<unknown>;
        try {
          result = invoke(doc, message.api, args, signal?.controller.signal);
        } catch (e) {
          result = Promise.reject(e);
        }
        return { result };
      });
      return { ok: true, value: toPage(await result, this.#handles) };
    } catch (e) {
      if (signal !== undefined && e === signal.reason) return { ok: false, aborted: true };
      return { ok: false, error: errorWire(e) };
    } finally {
      this.#signals.delete(key);
      if (requester) this.#inflight.splice(this.#inflight.indexOf(requester), 1);
    }
  }

  /** A trusted click on the drawn dialog: the WebDriver command the button stands for. */
  #dialog(frame: PlaywrightFrame, message: DialogMessage): Reply {
    const automation = this.#agent.automation;
    if (automation.currentDialog?.dialogId !== message.dialogId || !this.#clickCheck(frame.page(), message.dialogId)) return { ok: true, value: false };
    try {
      const command = message.command;
      switch (command.action) {
        case 'selectAccount':
          automation.selectAccount(command.index);
          break;
        case 'cancel':
          automation.cancelDialog({ triggerCooldown: command.triggerCooldown });
          break;
        case 'clickButton':
          automation.clickDialogButton(command.button);
          break;
      }
      return { ok: true, value: true };
    } catch (e) {
      return { ok: false, error: errorWire(e) };
    }
  }
}
