// The IdP's own windows: the login page (FedCM §"show an IDP login dialog"), the continuation
// page (`continue_on`) and the error details page. The agent opens them as top-level documents;
// a PopupHost decides what happens inside (a test script, or the IdP's HTML actually running).

import type { Frame } from '../page/frame.js';

/** Why the popup was opened. */
export type PopupPurpose = 'login' | 'continuation' | 'details';

/** How a popup ended, as the waiting FedCM request sees it. */
export type PopupResult =
  /** The user closed the window. */
  | { kind: 'closed-by-user' }
  /** The page called IdentityProvider.close(). */
  | { kind: 'identity-provider-close' }
  /** The continuation page called IdentityProvider.resolve(token, {accountId}). */
  | { kind: 'resolved'; token: unknown; accountId?: string }
  /** Login popups: the IdP's login status became logged-in (Chromium watches for this too). */
  | { kind: 'logged-in' };

export class Popup {
  readonly purpose: PopupPurpose;
  /** The document the popup shows (navigated, so its response and Set-Login were processed). */
  readonly frame: Frame;
  /** Settles when the popup ends. */
  readonly result: Promise<PopupResult>;
  #settle!: (result: PopupResult) => void;
  #closed = false;

  /** @internal */
  constructor(purpose: PopupPurpose, frame: Frame) {
    this.purpose = purpose;
    this.frame = frame;
    this.result = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  get url(): URL {
    return this.frame.url;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The user closes the window. */
  close(): void {
    this.end({ kind: 'closed-by-user' });
  }

  /** @internal Ends the popup with `result` (first call wins) and closes its document. */
  end(result: PopupResult): void {
    if (this.#closed) return;
    this.#closed = true;
    this.frame.close();
    this.#settle(result);
  }
}

/**
 * Runs what happens inside popups. `show` is called once the popup's document has loaded; the
 * host acts on `popup.frame` (its `IdentityProvider`, `navigator.login`, `fetch`…) and the popup
 * ends when the page calls IdentityProvider.close()/resolve() or someone calls `popup.close()`.
 */
export interface PopupHost {
  show(popup: Popup): void | Promise<void>;
}

/**
 * The programmable host, for tests: one function per purpose. A purpose without a handler leaves
 * the popup open for code listening to the agent's `popup` event.
 */
export function programmablePopups(handlers: Partial<Record<PopupPurpose, (popup: Popup) => void | Promise<void>>>): PopupHost {
  return {
    async show(popup) {
      await handlers[popup.purpose]?.(popup);
    },
  };
}
