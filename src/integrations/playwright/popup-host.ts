// The IdP's pages in real windows. When FedCM opens the login page, a continuation page
// (`continue_on`) or an error's "more details" page, the requesting page opens it with its own
// window.open (so the window has an opener, HTML §7.2.2.1), and the browser loads it: the
// agent's popup does not fetch the page again (PopupHost.loadsDocuments) and follows the
// window's navigations (documents.ts calls popup.navigated). IdentityProvider.close() and
// resolve() in the window reach the agent's IdentityProvider of that popup's document; the user
// closing the window is popup.close(); and when the agent's popup ends, the window closes.

import type { Diagnostic, Popup, PopupHost } from '../../agent/index.js';
import type { BrowserContext, Page, Request } from 'playwright-core';
import type { Dispatcher } from './dispatcher.js';
import type { DocumentMap } from './documents.js';
import type { PageControl } from './page-script.js';

/** The window features of a FedCM popup (Chromium opens a popup-type window of about this size). */
const FEATURES = 'popup,width=500,height=600';
const OPEN_TIMEOUT_MS = 10_000;
/** How long a window's committing navigation may delay closing it. */
const SETTLE_TIMEOUT_MS = 5_000;

/** A navigation of the window's own document (Playwright has no frame yet for a window's first one). */
function isWindowNavigation(page: Page, request: Request): boolean {
  try {
    return request.isNavigationRequest() && request.frame() === page.mainFrame();
  } catch {
    return false;
  }
}

/** What opens the windows, once fedkit/playwright is installed in the context. */
export interface PopupWindows {
  show(popup: Popup): Promise<void>;
}

/**
 * The agent's popup host for a browser context. It exists before installFedCM (the agent takes
 * it at construction, see agentOptionsFor) and is connected to the installation's windows.
 */
export class BrowserPopups implements PopupHost {
  readonly loadsDocuments = true;
  #windows: PopupWindows | undefined;

  connect(windows: PopupWindows | undefined): void {
    this.#windows = windows;
  }

  async show(popup: Popup): Promise<void> {
    if (!this.#windows) throw new Error('fedkit/playwright is not installed in this browser context (installFedCM).');
    await this.#windows.show(popup);
  }
}

/** Opens each popup from the page whose request opened it. */
export class RealPopupWindows implements PopupWindows {
  readonly #context: BrowserContext;
  readonly #documents: DocumentMap;
  readonly #dispatcher: Dispatcher;
  readonly #key: string;
  readonly #report: (diagnostic: Diagnostic) => void;
  #count = 0;

  constructor(context: BrowserContext, documents: DocumentMap, dispatcher: Dispatcher, key: string, report: (diagnostic: Diagnostic) => void) {
    this.#context = context;
    this.#documents = documents;
    this.#dispatcher = dispatcher;
    this.#key = key;
    this.#report = report;
  }

  /** FedCM §3.7 "show an IDP login dialog" and the continuation / details popups: a real window. */
  async show(popup: Popup): Promise<void> {
    const name = `fedkit-${popup.purpose}-${++this.#count}`;
    this.#documents.expectPopup(name, popup);
    const opener = this.#dispatcher.requester()?.page;
    let page = opener ? await this.#openFrom(opener, popup, name) : undefined;
    if (!page) {
      // No page to open it from, or its window.open refused: a window without an opener.
      this.#report({
        reason: 'InvalidRequest',
        level: 'warning',
        message: 'fedkit/playwright opened the popup in a new page without an opener.',
        detail: `${popup.url.href}: ${opener ? 'window.open() in the requesting page returned null (a popup blocker?)' : 'no requesting page is open'}.`,
        url: popup.url.href,
        issue: null,
      });
      page = await this.#context.newPage();
      this.#follow(page, popup);
      await page.goto(popup.url.href);
      return;
    }
    this.#follow(page, popup);
  }

  async #openFrom(opener: Page, popup: Popup, name: string): Promise<Page | undefined> {
    const event = opener.waitForEvent('popup', { timeout: OPEN_TIMEOUT_MS });
    const opened = await opener
      .evaluate(
        ([key, url, n, features]) => {
          const control = (window as unknown as Record<symbol, PageControl | undefined>)[Symbol.for(key)];
          return control ? control.open(url, n, features) : window.open(url, n, features) !== null;
        },
        [this.#key, popup.url.href, name, FEATURES] as const,
      )
      .catch(() => false);
    if (!opened) {
      event.catch(() => {});
      return undefined;
    }
    return event.catch(() => undefined);
  }

  /** The window is the popup's: its documents are the popup's, and each ending ends the other. */
  #follow(page: Page, popup: Popup): void {
    this.#documents.adoptPopup(page, popup);
    page.once('close', () => popup.close());
    // Chromium does not close a window whose navigation is committing (a login form's response
    // that ended the popup with Set-Login) until much later: wait for that document first.
    let navigating = false;
    page.on('request', (request) => {
      if (isWindowNavigation(page, request)) navigating = true;
    });
    page.on('domcontentloaded', () => (navigating = false));
    page.on('requestfailed', (request) => {
      if (isWindowNavigation(page, request)) navigating = false;
    });
    void popup.result.then(async () => {
      if (navigating && !page.isClosed()) await page.waitForEvent('domcontentloaded', { timeout: SETTLE_TIMEOUT_MS }).catch(() => undefined);
      if (!page.isClosed()) await page.close().catch(() => undefined);
    });
  }
}
