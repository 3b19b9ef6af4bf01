// FedCM §2.4 "The IdentityProvider Interface": what the IdP's own pages call. `close()` and
// `resolve()` end the login and continuation popups; `getUserInfo()` lets an IdP iframe greet a
// returning user.

import type { AgentCore } from '../core.js';
import type { AgentDocument } from '../document/document.js';
import { getUserInfo, type IdentityUserInfo } from './user-info.js';

export interface IdentityResolveOptions {
  accountId?: string;
}

export class IdentityProvider {
  readonly #core: AgentCore;
  readonly #frame: AgentDocument;

  /** @internal */
  constructor(core: AgentCore, frame: AgentDocument) {
    this.#core = core;
    this.#frame = frame;
  }

  /**
   * FedCM §2.4 close(): the IdP's page is done. In a login popup the request goes on if the IdP
   * is now logged in; in a continuation popup it fails. Elsewhere it does nothing (Chromium
   * prints a console message).
   */
  close(): void {
    const popup = this.#frame.top.popup;
    if (!popup || !this.#fromPopupOrigin()) {
      this.#core.report({
        reason: 'InvalidRequest',
        level: 'info',
        message: 'IdentityProvider.close() was ignored.',
        detail: `${this.#frame.origin} is not an IdP login or continuation popup opened by a FedCM request.`,
        url: this.#frame.url.href,
      });
      return;
    }
    // Chromium sends close() to the browser after the calls the page made before it, so WPT's
    // login.html (`navigator.login.setStatus('logged-in'); IdentityProvider.close();`, no await)
    // sets the status first. Page scripts reach the agent's API a microtask late (window/scripting/realm.ts);
    // ending the popup a microtask late too keeps the page's order.
    queueMicrotask(() => popup.end({ kind: 'identity-provider-close' }));
  }

  /**
   * FedCM §2.4 resolve(token, {accountId}): the continuation page hands over the token. Only a
   * continuation popup's own origin may call it (Chromium: NotAllowedError otherwise). The token
   * is copied as JSON, as Chromium serializes it; a value JSON cannot carry is a DataError.
   */
  resolve(token: unknown, options: IdentityResolveOptions = {}): Promise<void> {
    const popup = this.#frame.top.popup;
    if (!popup || popup.purpose !== 'continuation' || popup.closed || !this.#fromPopupOrigin()) {
      return Promise.reject(new DOMException('Not allowed to provide a token.', 'NotAllowedError'));
    }
    let copy: unknown;
    try {
      const json = JSON.stringify(token);
      copy = json === undefined ? undefined : JSON.parse(json);
    } catch (e) {
      return Promise.reject(new DOMException(`The token cannot be serialized: ${e instanceof Error ? e.message : String(e)}`, 'DataError'));
    }
    const accountId = options.accountId === undefined ? undefined : String(options.accountId);
    popup.end(accountId === undefined ? { kind: 'resolved', token: copy } : { kind: 'resolved', token: copy, accountId });
    return Promise.resolve();
  }

  /** FedCM §2.4 getUserInfo(config). */
  getUserInfo(config: { configURL: string; clientId: string }): Promise<IdentityUserInfo[]> {
    return getUserInfo(this.#core, this.#frame, config);
  }

  #fromPopupOrigin(): boolean {
    const popup = this.#frame.top.popup;
    return popup !== undefined && this.#frame.origin === popup.origin;
  }
}
