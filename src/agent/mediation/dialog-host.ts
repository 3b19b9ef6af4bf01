// The dialog controller: the one surface dialogs are drawn on (Chromium's
// IdentityRequestDialogController). A request shows a dialog and waits for the user's action;
// the mediator (the user) or automation (the WebDriver commands) answers, whichever comes first.

import type { AbortLike } from '../base/abort-state.js';
import type { Emitter } from '../base/events.js';
import { AutomationError } from './automation-error.js';
import type { Dialog, DialogAction, DialogButton, DialogEventMap, DialogInit } from './dialog.js';
import { ignoresSignal, type Mediator } from './mediator.js';

interface OpenDialog {
  dialog: Dialog;
  /** Settles the dialog with an action (first answer wins). */
  answer(action: DialogAction): void;
}

/**
 * Holds the one dialog that is up. FedCM shows at most one dialog per agent at a time (Chromium
 * ties dialogs to the tab; fedkit has one chooser surface per agent, which is also what the
 * WebDriver commands assume: they have no dialog id).
 */
/**
 * The reason the mediator's signal carries once its dialog is answered or gone. Made once: an
 * abort() without a reason builds a DOMException with a stack trace for every dialog (~1 % of
 * an in-process sign-in), and a mediator only needs to know that it may stop waiting.
 */
const DIALOG_CLOSED = new DOMException('The dialog was answered or closed.', 'AbortError');

/** The signal a mediator that never reads it (ignoresSignal) is handed: it never aborts. */
const UNREAD_SIGNAL = new AbortController().signal;

export class DialogHost {
  #open: OpenDialog | null = null;
  #nextId = 0;

  constructor(
    private readonly events: Emitter<DialogEventMap>,
    private readonly mediator: Mediator | undefined,
  ) {}

  get current(): Dialog | null {
    return this.#open?.dialog ?? null;
  }

  /**
   * Shows a dialog and resolves with the user's action. AutoReauthn dialogs resolve at once with
   * `proceed` and stay up until `close()` (Chromium's "Signing you in…" sheet). Aborting `signal`
   * closes the dialog and rejects with the signal's reason.
   */
  show(dialog: DialogInit, signal: AbortLike): { action: Promise<DialogAction>; close: () => void } {
    if (signal.aborted) return { action: Promise.reject(signal.reason), close: () => {} };
    // One chooser surface: a dialog that is still waiting when another request needs the
    // surface is dismissed (as if the user closed it), so its request ends instead of hanging.
    this.#open?.answer({ action: 'cancel' });
    this.#close();
    // Object.assign, not a spread: dialogs come in many shapes, which V8 spreads on a slow path.
    const full = Object.assign({}, dialog, { dialogId: String(this.#nextId++) }) as Dialog;
    // The mediator's signal, when there is a mediator that reads it and a dialog it is asked about.
    const mediator = this.mediator;
    const controller = mediator === undefined || full.dialogType === 'AutoReauthn' || ignoresSignal(mediator) ? undefined : new AbortController();
    let settle!: (a: DialogAction) => void;
    let fail!: (e: unknown) => void;
    const action = new Promise<DialogAction>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    let settled = false;
    /** Set while the mediator's own answer is applied: its signal then stays as it is. */
    let byMediator = false;
    const open: OpenDialog = {
      dialog: full,
      answer: (a) => {
        if (settled) return;
        settled = true;
        // The mediator's signal says the dialog went away *before* it answered (Mediator.choose);
        // when the answer is its own there is nothing to tell it, and an abort (an event
        // dispatched) is a few per cent of an in-process sign-in.
        if (!byMediator) controller?.abort(DIALOG_CLOSED);
        // An answered dialog is gone at once (ChromeDriver's tracker does the same), so the next
        // waitForDialog() sees the dialog that follows; only the AutoReauthn sheet stays up
        // until the request finishes.
        if (a.action !== 'proceed' && this.#open === open) this.#close();
        settle(a);
      },
    };
    this.#open = open;
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      controller?.abort(DIALOG_CLOSED);
      fail(signal.reason);
      close();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const close = (): void => {
      signal.removeEventListener('abort', onAbort);
      if (!settled) {
        settled = true;
        controller?.abort(DIALOG_CLOSED);
      }
      if (this.#open === open) this.#close();
    };
    this.events.emit('dialogShown', full);
    if (full.dialogType === 'AutoReauthn') {
      open.answer({ action: 'proceed' });
    } else if (mediator) {
      mediator.choose(full, controller?.signal ?? UNREAD_SIGNAL).then(
        (a) => {
          try {
            this.#validate(full, a);
            byMediator = true;
            open.answer(a);
          } catch (e) {
            if (!settled) {
              settled = true;
              fail(e);
            }
          }
        },
        (e: unknown) => {
          if (controller?.signal.aborted !== true && !settled) {
            settled = true;
            fail(e);
          }
        },
      );
    }
    return { action, close };
  }

  /**
   * Shows a dialog, waits for the user's answer and takes the dialog down: the shape of every
   * dialog but the AutoReauthn sheet (which stays up while the sign-in finishes).
   */
  async ask(dialog: DialogInit, signal: AbortLike): Promise<DialogAction> {
    const shown = this.show(dialog, signal);
    try {
      return await shown.action;
    } finally {
      shown.close();
    }
  }

  /**
   * A yes/no prompt (save a credential, share a one-time code): resolves true when the user
   * clicks `confirm` or selects the prompt's one entry; any other answer is no.
   */
  async confirm(dialog: DialogInit, confirm: DialogButton, signal: AbortLike): Promise<boolean> {
    const answer = await this.ask(dialog, signal);
    return answer.action === 'selectAccount' || (answer.action === 'clickButton' && answer.button === confirm);
  }

  /** An automation command: answers the current dialog, after WebDriver's checks. */
  act(action: DialogAction): void {
    const open = this.#open;
    if (!open) throw new AutomationError('no such alert', 'No FedCM dialog is shown.');
    this.#validate(open.dialog, action);
    open.answer(action);
  }

  #validate(dialog: Dialog, action: DialogAction): void {
    switch (action.action) {
      case 'selectAccount': {
        // The credential chooser selects among its credentials; the save and OTP prompts have one
        // entry (the credential / the code), so selecting it is saying yes.
        const count =
          dialog.dialogType === 'AccountChooser'
            ? dialog.accounts.length
            : dialog.dialogType === 'CredentialChooser'
              ? dialog.credentials.length
              : dialog.dialogType === 'SaveCredential' || dialog.dialogType === 'OtpConsent'
                ? 1
                : undefined;
        if (count === undefined) {
          throw new AutomationError('invalid argument', `Cannot select an account in a ${dialog.dialogType} dialog.`);
        }
        if (!Number.isInteger(action.accountIndex) || action.accountIndex < 0 || action.accountIndex >= count) {
          throw new AutomationError('invalid argument', `Invalid account index ${action.accountIndex}: the dialog has ${count} account(s).`);
        }
        if (action.staySignedIn !== undefined && typeof action.staySignedIn !== 'boolean') {
          throw new AutomationError('invalid argument', '`staySignedIn` must be a boolean.');
        }
        return;
      }
      case 'clickButton':
        validateButton(dialog, action.button);
        return;
      case 'proceed':
        if (dialog.dialogType !== 'AutoReauthn') throw new AutomationError('invalid argument', 'Only AutoReauthn dialogs proceed on their own.');
        return;
      case 'cancel':
        return;
    }
  }

  #close(): void {
    const open = this.#open;
    if (!open) return;
    this.#open = null;
    this.events.emit('dialogClosed', { dialogId: open.dialog.dialogId });
  }
}

/** Chromium FedCm.clickDialogButton: which button exists in which dialog. */
function validateButton(dialog: Dialog, button: DialogButton): void {
  switch (button) {
    case 'ConfirmIdpLoginContinue':
      if (dialog.dialogType === 'ConfirmIdpLogin') return;
      if (dialog.dialogType === 'AccountChooser') {
        if (dialog.useOtherAccount) return;
        throw new AutomationError('invalid argument', "'Use another account' not supported for this IDP");
      }
      break;
    case 'ErrorGotIt':
      if (dialog.dialogType === 'Error') return;
      break;
    case 'ErrorMoreDetails':
      if (dialog.dialogType === 'Error') {
        if (dialog.url !== '') return;
        throw new AutomationError('invalid argument', 'This error dialog has no "More details" button: the IdP gave no error url.');
      }
      break;
    case 'SaveCredentialConfirm':
      if (dialog.dialogType === 'SaveCredential') return;
      break;
    case 'OtpConsentAllow':
      if (dialog.dialogType === 'OtpConsent') return;
      break;
  }
  throw new AutomationError('invalid argument', `A ${dialog.dialogType} dialog has no ${button} button.`);
}
