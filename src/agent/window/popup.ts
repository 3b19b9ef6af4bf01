// The IdP's own windows: the login page (FedCM §3.7 "show an IDP login dialog"), the
// continuation page (`continue_on`, FedCM §3.5) and the error details page. The agent opens them
// as top-level documents; a PopupHost decides what happens inside (a test script, or the IdP's
// HTML actually running). What the algorithms see of a popup is mediation/popup-window.ts.

import type { NavigationInit } from '../document/document.js';
import type { PopupPurpose, PopupResult } from '../mediation/popup-window.js';
import type { Frame, FramePopup } from './frame.js';

/**
 * How a popup gets its next document (the agent provides it): fetched by the agent, or, with
 * `{ load: false }`, created at the URL a host's own window already loaded.
 */
export type PopupLoader = (url: URL, init: NavigationInit & { load?: boolean }) => Promise<Frame>;


export class Popup implements FramePopup {
  readonly purpose: PopupPurpose;
  /** Settles when the popup ends. */
  readonly result: Promise<PopupResult>;
  #frame: Frame;
  readonly #load: PopupLoader;
  #settle!: (result: PopupResult) => void;
  #closed = false;

  /** @internal */
  constructor(purpose: PopupPurpose, frame: Frame, load: PopupLoader) {
    this.purpose = purpose;
    this.#frame = frame;
    this.#load = load;
    this.result = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  /** The document the popup shows now (navigated, so its response and Set-Login were processed). */
  get frame(): Frame {
    return this.#frame;
  }

  /**
   * Navigates the popup (a form post on the login page, a link): the new document replaces the
   * old one, cookies and Set-Login of the response are applied. Resolves with the new document.
   */
  async navigate(url: string | URL, init: NavigationInit & { load?: boolean } = {}): Promise<Frame> {
    if (this.#closed) throw new DOMException('The popup is closed.', 'InvalidStateError');
    const target = new URL(url, this.#frame.url);
    const previous = this.#frame;
    const next = await this.#load(target, { initiator: previous.origin, ...init });
    if (this.#closed) {
      next.close();
      return next;
    }
    this.#frame = next;
    previous.close();
    return next;
  }

  /**
   * For hosts that load the popup's documents themselves (`PopupHost.loadsDocuments`, a real
   * browser window): the window is now at `url`, so the popup's document is one at that URL,
   * which the agent does not fetch again. Resolves with the new document.
   */
  async navigated(url: string | URL): Promise<Frame> {
    return this.navigate(url, { load: false });
  }

  get url(): URL {
    return this.frame.url;
  }

  get origin(): string {
    return this.frame.origin;
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
  /**
   * The host loads the popup's documents itself (a real browser window): the agent does not
   * fetch them, and `popup.frame` is a document at the URL without a response. The host reports
   * its window's navigations with `popup.navigated(url)`.
   */
  readonly loadsDocuments?: boolean;
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
