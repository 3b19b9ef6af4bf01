// The terminal Mediator: answers the agent's dialogs by showing them in the terminal (the
// interactive chooser), or without asking from `--account` and what a user who ran `signin`
// would click.

import type { Dialog, DialogAction, Mediator } from '../../agent/index.js';
import { ask, type Menu } from './chooser.js';
import { menuFor, typeOf } from './dialogs.js';
import type { TerminalInput, TerminalOutput } from './streams.js';
import { colourEnabled, createStyle } from './style.js';

/**
 * Non-interactive choice (`--account`): an account by id, then by email (case-insensitive),
 * then by 0-based index, as WebDriver's selectaccount counts.
 */
export function matchAccount(accounts: readonly { id: string; email?: string; name?: string }[], wanted: string): number {
  const byId = accounts.findIndex((a) => a.id === wanted);
  if (byId !== -1) return byId;
  const lower = wanted.toLowerCase();
  const byEmail = accounts.findIndex((a) => a.email !== undefined && a.email !== '' && a.email.toLowerCase() === lower);
  if (byEmail !== -1) return byEmail;
  if (/^\d+$/.test(wanted) && Number(wanted) < accounts.length) return Number(wanted);
  return -1;
}

export interface TerminalMediatorOptions {
  input?: TerminalInput;
  output?: TerminalOutput;
  /** Ask with the keyboard (default: when the input is a terminal). */
  interactive?: boolean;
  /** `--account`: choose without asking (id, email or 0-based index). */
  account?: string;
  colour?: boolean;
  /** The chooser takes the terminal (the CLI holds its own output meanwhile)… */
  onOpen?: () => void;
  /** …and gives it back. */
  onClose?: () => void;
  /** What was answered, in words (interactive or not). `reason` says why a dialog was cancelled without asking. */
  onAnswer?: (dialog: Dialog, action: DialogAction, summary: string, reason?: string) => void;
}

/** A Mediator that shows each dialog in the terminal (arrow keys, Enter, Esc/q), or answers it from `--account`. */
export function terminalMediator(options: TerminalMediatorOptions = {}): Mediator {
  const input = options.input ?? (process.stdin as TerminalInput);
  const output = options.output ?? process.stdout;
  const interactive = options.interactive ?? input.isTTY === true;
  const style = createStyle(options.colour ?? colourEnabled(output));
  const answer = (dialog: Dialog, action: DialogAction, summary: string, reason?: string): DialogAction => {
    options.onAnswer?.(dialog, action, summary, reason);
    return action;
  };

  return {
    async choose(dialog, signal) {
      if (dialog.dialogType === 'AutoReauthn') return answer(dialog, { action: 'proceed' }, 'signing in automatically');
      const menu = menuFor(dialog, style);
      if (!menu) {
        return answer(dialog, { action: 'cancel' }, 'cancelled', `fedkit signin cannot show a ${typeOf(dialog)} dialog in the terminal.`);
      }
      if (options.account !== undefined || !interactive) return decide(dialog, menu, options.account, answer);
      const item = await ask(menu, signal, { input, output, style, ...(options.onOpen ? { onOpen: options.onOpen } : {}), ...(options.onClose ? { onClose: options.onClose } : {}) });
      return answer(dialog, item?.action ?? menu.cancel, item?.summary ?? 'cancelled');
    },
  };
}

/** The answer without asking: `--account`, or what a user who ran `signin` would click. */
function decide(dialog: Dialog, menu: Menu, account: string | undefined, answer: (d: Dialog, a: DialogAction, s: string, reason?: string) => DialogAction): DialogAction {
  const first = menu.items[0]!;
  switch (dialog.dialogType) {
    case 'AccountChooser': {
      if (account === undefined) {
        return answer(dialog, menu.cancel, 'cancelled', 'The input is not a terminal: pass --account <id|email|index> to choose an account.');
      }
      const i = matchAccount(
        dialog.accounts.map((a) => ({ id: a.accountId, email: a.email })),
        account,
      );
      const item = menu.items[i];
      if (i === -1 || item === undefined) {
        const list = dialog.accounts.map((a, k) => `[${k}] ${a.accountId}${a.email ? ` <${a.email}>` : ''}`).join(', ');
        return answer(dialog, menu.cancel, 'cancelled', `No account matches --account ${account}; the accounts are ${list || 'none'}.`);
      }
      return answer(dialog, item.action, item.summary);
    }
    case 'CredentialChooser': {
      const i =
        account === undefined
          ? -1
          : matchAccount(
              dialog.credentials.map((c) => ({ id: c.id, email: c.name })),
              account,
            );
      const item = menu.items[i];
      if (item === undefined) {
        return answer(dialog, menu.cancel, 'cancelled', account === undefined ? 'Pass --account <id|index> to choose a stored credential.' : `No stored credential matches --account ${account}.`);
      }
      return answer(dialog, item.action, item.summary);
    }
    case 'SaveCredential':
      // Saving needs the user's yes; without a terminal nobody said it.
      return answer(dialog, menu.cancel, 'not now', 'Credentials are saved only when a user answers the prompt.');
    default:
      // Continue to the IdP, "Got it", allow the code: what a user trying to sign in does.
      return answer(dialog, first.action, first.summary);
  }
}
