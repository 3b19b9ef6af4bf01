// Which agent document stands for each document the browser shows. Every Playwright frame has a
// slot holding the agent's Frame for its current document: a top-level page is
// `agent.open(url, { load: false })`, an iframe `parent.openFrame(url, { allow, sandbox, load:
// false })` with the attributes read from its <iframe> element, and a FedCM popup's page is the
// agent's Popup, which follows the window with `popup.navigated(url)`. The browser makes every
// request; what the agent needs of the responses it is told here: the main resource's headers
// (`frame.response`, for the CSP connect-src check) and every `Set-Login` header, with the Login
// Status rules for navigations and for subresources.
//
// A new document is known two ways: the browser's navigation response for the frame, and a
// message from a document whose id the slot has not seen (navigations without a response, a
// document that loaded before fedkit was installed). Work on one frame's slot runs in the order
// it arrived (a queue per frame), so a Set-Login answered to a page is applied before that
// page's next call, as in the browser.

import type { Agent, Frame, Popup } from '../../agent/index.js';
import type { Frame as PlaywrightFrame, Page, Response } from 'playwright-core';

/** The browser's response for a document (or a subresource of it). */
interface BrowserResponse {
  url: string;
  status: number;
  headers: Headers;
}

interface Slot {
  /** The agent document for the frame's current document. */
  doc: Frame | undefined;
  /** The page script's id of that document, once it has called (undefined: not yet). */
  docId: string | undefined;
  /** The navigation response no document has taken yet. */
  navigation: BrowserResponse | undefined;
  queue: Promise<unknown>;
}

/** Who a message comes from (protocol.ts FromDocument). */
export interface DocumentRef {
  doc: string;
  url: string;
  windowName: string;
}

/** How many navigation responses of windows Playwright did not report yet are kept. */
const ORPHANS_KEPT = 20;

/** Same document URL: equal but for the fragment (a fragment navigation keeps the document). */
function sameDocumentURL(a: string | URL, b: string | URL): boolean {
  const x = new URL(a);
  const y = new URL(b);
  x.hash = '';
  y.hash = '';
  return x.href === y.href;
}

/** HTML §7.1.5 sandboxing: a sandbox attribute without allow-same-origin gives an opaque origin. */
function sandboxesOrigin(sandbox: string | null): boolean {
  return sandbox !== null && !sandbox.toLowerCase().split(/[\t\n\f\r ]+/).includes('allow-same-origin');
}

/** Playwright's headers (duplicates joined with "\n") as Headers. */
function headersOf(response: Response): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers())) {
    for (const line of value.split('\n')) {
      try {
        headers.append(name, line);
      } catch {
        // A value Headers refuses (a stray control character): not one the agent reads.
      }
    }
  }
  return headers;
}

export class DocumentMap {
  readonly #agent: Agent;
  /** A top-level document whose only use is applying Set-Login of top-level navigations (no ancestors). */
  readonly #topLevel: Frame;
  readonly #slots = new Map<PlaywrightFrame, Slot>();
  /** FedCM popups by their window, and by window name until Playwright reports the window. */
  readonly #popups = new Map<Page, Popup>();
  readonly #expected = new Map<string, Popup>();
  /** Agent documents some slot stands for (a popup's first document is taken once). */
  readonly #claimed = new WeakSet<Frame>();
  /** Agent documents that are a popup's (the popup closes them as it navigates or ends). */
  readonly #popupDocuments = new WeakSet<Frame>();
  /** Navigation responses of new windows, before Playwright knows their frame. */
  readonly #orphans: BrowserResponse[] = [];
  readonly #watched = new WeakSet<Page>();

  private constructor(agent: Agent, topLevel: Frame) {
    this.#agent = agent;
    this.#topLevel = topLevel;
  }

  static async create(agent: Agent): Promise<DocumentMap> {
    return new DocumentMap(agent, await agent.open('about:blank', { load: false }));
  }

  /** Follows `page`: detached frames and a closed page close their agent documents. */
  watch(page: Page): void {
    if (this.#watched.has(page)) return;
    this.#watched.add(page);
    page.on('framedetached', (frame) => this.#detach(frame));
    page.on('close', () => {
      for (const frame of [...this.#slots.keys()]) if (frame.page() === page) this.#detach(frame);
      this.#popups.delete(page);
    });
  }

  /**
   * Runs `task` with the agent document of the document `from` in `frame`, after the work queued
   * before it on that frame. `task` returns a box so that a long call (a get() waiting for the
   * user) does not hold the queue.
   */
  run<T>(frame: PlaywrightFrame, from: DocumentRef, task: (doc: Frame) => T): Promise<T> {
    return this.#enqueue(frame, async (slot) => task(await this.#documentFor(frame, slot, from)));
  }

  /** A FedCM popup is about to open in a window named `name`. */
  expectPopup(name: string, popup: Popup): void {
    this.#expected.set(name, popup);
    void popup.result.then(() => this.#expected.delete(name));
  }

  /** `page` is the window of `popup`: its top-level documents are the popup's. */
  adoptPopup(page: Page, popup: Popup): void {
    this.#popups.set(page, popup);
    this.watch(page);
    void popup.result.then(() => this.#popups.delete(page));
  }

  /**
   * A response the browser received (context `response` event). A navigation response is the
   * next document of its frame; a `Set-Login` header is applied as Login Status §"process the
   * Set-Login header" says for a navigation (the new document's ancestors) or a subresource
   * (same-site with the document that fetched and its ancestors).
   */
  onResponse(response: Response): void {
    const request = response.request();
    let frame: PlaywrightFrame | undefined;
    try {
      frame = request.frame();
    } catch {
      // The first navigation of a new window: Playwright has no frame for it yet.
      frame = undefined;
    }
    const record: BrowserResponse = { url: response.url(), status: response.status(), headers: headersOf(response) };
    const setLogin = record.headers.has('set-login');
    if (!request.isNavigationRequest()) {
      if (frame && setLogin) void this.#enqueue(frame, async (slot) => (await this.#current(frame, slot)).applySetLogin(record, { navigation: false })).catch(() => {});
      return;
    }
    const redirect = record.status >= 300 && record.status < 400 && record.headers.has('location');
    const topLevel = frame === undefined || frame.parentFrame() === null;
    // A top-level document has no ancestors: its Set-Login applies as for any top-level one, now.
    if (topLevel && setLogin) this.#topLevel.applySetLogin(record, { navigation: true });
    if (frame === undefined) {
      if (!redirect) {
        this.#orphans.push(record);
        if (this.#orphans.length > ORPHANS_KEPT) this.#orphans.shift();
      }
      return;
    }
    const slotFrame = frame;
    void this.#enqueue(slotFrame, async (slot) => {
      if (redirect) {
        // A redirect of an iframe's navigation: the document to come has the frame's ancestors.
        if (!topLevel && setLogin) (await this.#current(slotFrame, slot)).applySetLogin(record, { navigation: true });
        return;
      }
      slot.navigation = record;
      const doc = await this.#navigated(slotFrame, slot, record);
      if (!topLevel && setLogin) doc.applySetLogin(record, { navigation: true });
    }).catch(() => {});
  }

  /** Closes every agent document of the pages (not the popups: their requests end them). */
  close(): void {
    for (const slot of this.#slots.values()) if (slot.doc && !this.#popupDocuments.has(slot.doc)) slot.doc.close();
    this.#slots.clear();
    this.#topLevel.close();
  }

  #slot(frame: PlaywrightFrame): Slot {
    let slot = this.#slots.get(frame);
    if (!slot) {
      slot = { doc: undefined, docId: undefined, navigation: undefined, queue: Promise.resolve() };
      this.#slots.set(frame, slot);
    }
    return slot;
  }

  #enqueue<T>(frame: PlaywrightFrame, work: (slot: Slot) => Promise<T>): Promise<T> {
    const slot = this.#slot(frame);
    const result = slot.queue.then(() => work(slot));
    slot.queue = result.catch(() => {});
    return result;
  }

  #detach(frame: PlaywrightFrame): void {
    const slot = this.#slots.get(frame);
    this.#slots.delete(frame);
    if (slot?.doc && !this.#popupDocuments.has(slot.doc)) slot.doc.close();
  }

  /** The agent document of `from`: the slot's, or a new one when `from` is a document the slot has not seen. */
  async #documentFor(frame: PlaywrightFrame, slot: Slot, from: DocumentRef): Promise<Frame> {
    if (slot.doc?.fullyActive && (slot.docId === from.doc || slot.docId === undefined)) {
      slot.docId = from.doc;
      return slot.doc;
    }
    const doc = await this.#replace(frame, slot, from.url, from.windowName);
    slot.docId = from.doc;
    return doc;
  }

  /** The frame's current agent document, made from the frame's URL when there is none. */
  async #current(frame: PlaywrightFrame, slot: Slot): Promise<Frame> {
    if (slot.doc?.fullyActive) return slot.doc;
    const doc = await this.#replace(frame, slot, frame.url(), '');
    slot.docId = undefined;
    return doc;
  }

  /**
   * The frame navigated to a new document (its response arrived). A document of the slot that
   * has no response yet and the same URL is that document (its first call came before the
   * response event); otherwise a new one replaces it.
   */
  async #navigated(frame: PlaywrightFrame, slot: Slot, response: BrowserResponse): Promise<Frame> {
    if (slot.doc?.fullyActive && slot.doc.response === undefined && sameDocumentURL(slot.doc.url, response.url)) {
      this.#take(slot, slot.doc);
      return slot.doc;
    }
    const doc = await this.#replace(frame, slot, response.url, '');
    slot.docId = undefined;
    return doc;
  }

  /** A new agent document for the frame's new document at `url`, replacing the slot's. */
  async #replace(frame: PlaywrightFrame, slot: Slot, url: string, windowName: string): Promise<Frame> {
    const previous = slot.doc;
    const target = url === '' ? 'about:blank' : url;
    let doc: Frame;
    const parent = frame.parentFrame();
    if (parent === null) {
      const popup = this.#popups.get(frame.page()) ?? (windowName === '' ? undefined : this.#expected.get(windowName));
      if (popup && !popup.closed) {
        this.#popups.set(frame.page(), popup);
        if (previous && !this.#popupDocuments.has(previous)) previous.close();
        // The popup's first document is the agent's (made at its URL, not fetched); later ones follow the window.
        doc = !this.#claimed.has(popup.frame) && sameDocumentURL(popup.frame.url, target) ? popup.frame : await popup.navigated(target);
        this.#popupDocuments.add(doc);
      } else {
        if (previous && !this.#popupDocuments.has(previous)) previous.close();
        doc = await this.#agent.open(target, { load: false });
      }
    } else {
      previous?.close();
      const parentDoc = await this.#enqueueParent(parent);
      const element = await frame.frameElement();
      const [allow, sandbox] = await Promise.all([element.getAttribute('allow'), element.getAttribute('sandbox')]);
      await element.dispose();
      doc = await parentDoc.openFrame(target, { allow: allow ?? '', sandbox: sandboxesOrigin(sandbox), load: false });
    }
    slot.doc = doc;
    this.#claimed.add(doc);
    if (slot.navigation && sameDocumentURL(slot.navigation.url, target)) {
      this.#take(slot, doc);
    } else if (parent === null && doc.response === undefined) {
      const i = this.#orphans.findIndex((r) => sameDocumentURL(r.url, target));
      if (i !== -1) doc.response = { ...(this.#orphans.splice(i, 1)[0] as BrowserResponse), body: '' };
    }
    return doc;
  }

  /** The slot's pending navigation response becomes `doc`'s (its headers: CSP). */
  #take(slot: Slot, doc: Frame): void {
    if (slot.navigation === undefined) return;
    doc.response = { status: slot.navigation.status, headers: slot.navigation.headers, body: '' };
    slot.navigation = undefined;
  }

  /** The parent frame's current document, in the parent's own queue. */
  #enqueueParent(parent: PlaywrightFrame): Promise<Frame> {
    return this.#enqueue(parent, (slot) => this.#current(parent, slot));
  }
}
