// The agent's dialogs, drawn in the page that asked (overlay.ts draws them there): on the agent's
// `dialogShown` the dialog goes to the requesting page's top-level document — the passive-mode
// account chooser in the top-right corner as Chromium's bubble, active mode and fedkit's own
// prompts as a modal dialog — and on `dialogClosed` it is taken down. Drawing is serialized per
// page, so a quick AutoReauthn sheet is drawn and removed in order.

import type { Agent, Dialog, Diagnostic } from '../../agent/index.js';
import type { Page } from 'playwright-core';
import type { Dispatcher } from './dispatcher.js';
import type { DrawnDialog } from './overlay.js';
import type { PageControl } from './page-script.js';

/** The dialogs whose placement follows the request's mode (the FedCM ones). */
const FEDCM_DIALOGS: ReadonlySet<Dialog['dialogType']> = new Set(['AccountChooser', 'AutoReauthn', 'ConfirmIdpLogin', 'Error']);

export class DrawnDialogs {
  readonly #agent: Agent;
  readonly #dispatcher: Dispatcher;
  readonly #key: string;
  readonly #report: (diagnostic: Diagnostic) => void;
  /** dialogId → the page it is drawn in, and the drawing. */
  readonly #drawn = new Map<string, { page: Page; drawing: Promise<void> }>();
  readonly #queues = new WeakMap<Page, Promise<void>>();

  constructor(agent: Agent, dispatcher: Dispatcher, key: string, report: (diagnostic: Diagnostic) => void) {
    this.#agent = agent;
    this.#dispatcher = dispatcher;
    this.#key = key;
    this.#report = report;
    agent.on('dialogShown', this.#onShown);
    agent.on('dialogClosed', this.#onClosed);
    dispatcher.acceptDialogClicks((page, dialogId) => this.#drawn.get(dialogId)?.page === page);
  }

  /** Settles once dialog `dialogId` is drawn (or could not be); undefined when it is not being drawn. */
  drawn(dialogId: string): Promise<void> | undefined {
    return this.#drawn.get(dialogId)?.drawing;
  }

  stop(): void {
    this.#agent.off('dialogShown', this.#onShown);
    this.#agent.off('dialogClosed', this.#onClosed);
    this.#dispatcher.acceptDialogClicks(() => false);
  }

  readonly #onShown = (dialog: Dialog): void => {
    const requester = this.#dispatcher.requester();
    if (!requester) return;
    const placement = FEDCM_DIALOGS.has(dialog.dialogType) && requester.mode === 'passive' ? 'corner' : 'center';
    const model: DrawnDialog = { dialog, placement };
    const page = requester.page;
    const drawing = this.#inPage(page, true, () =>
      page.evaluate(([key, m]) => (window as unknown as Record<symbol, PageControl | undefined>)[Symbol.for(key)]?.overlay?.show(m), [this.#key, model] as const),
    );
    this.#drawn.set(dialog.dialogId, { page, drawing });
  };

  readonly #onClosed = ({ dialogId }: { dialogId: string }): void => {
    const drawn = this.#drawn.get(dialogId);
    if (!drawn) return;
    this.#drawn.delete(dialogId);
    const { page } = drawn;
    void this.#inPage(page, false, () =>
      page.evaluate(([key, id]) => (window as unknown as Record<symbol, PageControl | undefined>)[Symbol.for(key)]?.overlay?.hide(id), [this.#key, dialogId] as const),
    );
  };

  /**
   * Runs `work` after the page's earlier drawing. A failure is never thrown; one to draw is
   * reported (taking a dialog down fails only when the page left, which took it down).
   */
  #inPage(page: Page, report: boolean, work: () => Promise<unknown>): Promise<void> {
    const previous = this.#queues.get(page) ?? Promise.resolve();
    const next = previous.then(work).then(
      () => undefined,
      (e: unknown) => {
        if (!report || page.isClosed()) return;
        this.#report({
          reason: 'InvalidRequest',
          level: 'warning',
          message: 'fedkit/playwright could not draw the dialog in the page.',
          detail: `${page.url()}: ${e instanceof Error ? e.message : String(e)}`,
          url: page.url(),
          issue: null,
        });
      },
    );
    this.#queues.set(page, next);
    return next;
  }
}
