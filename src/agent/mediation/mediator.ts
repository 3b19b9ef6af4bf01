// The user's side of the dialogs. The agent asks a Mediator what the user does; automation
// (WebDriver-style commands) can answer too, whichever comes first, as in a real browser where
// the user or the test driver may click.

import type { Dialog, DialogAction } from './dialog.js';

/**
 * fedkit's own mediators that answer at once and never read `signal` (autoSelect): the dialog
 * host makes no AbortController for their dialogs (one per dialog was a few per cent of an
 * in-process sign-in). Not part of the Mediator contract: any other mediator gets a signal of
 * its own.
 */
const signalIgnoring = new WeakSet<Mediator>();

/** Whether `mediator` is one of fedkit's own that never reads its signal. */
export function ignoresSignal(mediator: Mediator): boolean {
  return signalIgnoring.has(mediator);
}

/** Answers dialogs on the user's behalf. */
export interface Mediator {
  /**
   * Called when a dialog that waits for the user is shown. Resolve with what the user did.
   * `signal` aborts when the dialog goes away first (the page aborted, automation answered).
   */
  choose(dialog: Dialog, signal: AbortSignal): Promise<DialogAction>;
}

/**
 * A mediator that picks an account automatically, like Chromium's `--use-fake-ui-for-fedcm=<id>`.
 * For the other credential types it is the user who says yes: it picks the same index (or the
 * credential whose id is `account`) in the credential chooser, saves credentials and shares
 * one-time codes.
 */
export function autoSelect(account: string | number = 0): Mediator {
  const mediator: Mediator = {
    choose(dialog) {
      switch (dialog.dialogType) {
        case 'AccountChooser': {
          const index = typeof account === 'number' ? account : dialog.accounts.findIndex((a) => a.accountId === account);
          if (index < 0 || index >= dialog.accounts.length) return Promise.resolve({ action: 'cancel' });
          return Promise.resolve({ action: 'selectAccount', accountIndex: index });
        }
        case 'CredentialChooser': {
          const index = typeof account === 'number' ? account : dialog.credentials.findIndex((c) => c.id === account);
          if (index < 0 || index >= dialog.credentials.length) return Promise.resolve({ action: 'cancel' });
          return Promise.resolve({ action: 'selectAccount', accountIndex: index });
        }
        case 'SaveCredential':
          return Promise.resolve({ action: 'clickButton', button: 'SaveCredentialConfirm' });
        case 'OtpConsent':
          return Promise.resolve({ action: 'clickButton', button: 'OtpConsentAllow' });
        case 'Error':
          return Promise.resolve({ action: 'clickButton', button: 'ErrorGotIt' });
        default:
          return Promise.resolve({ action: 'cancel' });
      }
    },
  };
  signalIgnoring.add(mediator);
  return mediator;
}
