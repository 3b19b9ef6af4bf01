// Terminal rendering for the CLI: colour, a progress line for long steps, and a Mediator that
// shows the agent's dialogs (FedCM's account chooser, its login and error dialogs, the
// credential chooser and prompts) in the terminal and answers them with the keyboard.
//
// The streams are injectable: tests drive the chooser with a fake input that "types" escape
// sequences, and read what was drawn from a fake output.

import type { Dialog, DialogAccount, DialogAction, Mediator } from '../agent/index.js';

/** The keyboard side: process.stdin, or a test's stream. */
export interface TerminalInput {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
  on(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  off(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Where the chooser draws: process.stdout (or stderr under --json), or a test's stream. */
export interface TerminalOutput {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

// ---------------------------------------------------------------------------------------------
// Colour

export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  inverse(s: string): string;
}

/** Colour only on a terminal, and never when NO_COLOR is set to something (no-color.org). */
export function colourEnabled(stream: { isTTY?: boolean } | undefined, env: Record<string, string | undefined> = process.env): boolean {
  return stream?.isTTY === true && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '');
}

export function createStyle(enabled: boolean): Style {
  const sgr =
    (open: number, close: number) =>
    (s: string): string =>
      enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    inverse: sgr(7, 27),
  };
}

/** The text as it shows on screen (escape sequences removed). */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Keys

export type Key = 'up' | 'down' | 'home' | 'end' | 'enter' | 'escape' | 'interrupt' | { char: string };

/**
 * Splits terminal input into keys: arrow keys in both cursor modes (CSI `ESC [ A`, SS3 `ESC O A`),
 * Home/End, Enter (CR or LF), a lone ESC, Ctrl-C, and printable characters.
 */
export function decodeKeys(chunk: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < chunk.length) {
    const c = chunk[i]!;
    if (c === '\x1b') {
      const next = chunk[i + 1];
      if (next === '[' || next === 'O') {
        // CSI/SS3: parameters, then one final byte in @–~.
        let j = i + 2;
        while (j < chunk.length && /[0-9;]/.test(chunk[j]!)) j++;
        const final = chunk[j];
        const params = chunk.slice(i + 2, j);
        i = j + 1;
        if (final === 'A') keys.push('up');
        else if (final === 'B') keys.push('down');
        else if (final === 'H' || (final === '~' && (params === '1' || params === '7'))) keys.push('home');
        else if (final === 'F' || (final === '~' && (params === '4' || params === '8'))) keys.push('end');
        continue;
      }
      keys.push('escape');
      i += next === '\x1b' ? 2 : 1;
      continue;
    }
    if (c === '\r' || c === '\n') {
      keys.push('enter');
      i += c === '\r' && chunk[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    if (c === '\x03' || c === '\x04') {
      keys.push('interrupt');
      i++;
      continue;
    }
    keys.push({ char: c });
    i++;
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Dialogs as text

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** One account as the chooser lists it: name, email, returning or new, the IdP when several. */
export function accountLine(account: DialogAccount, style: Style, showIdp = false): string {
  const name = account.name || account.email || account.accountId;
  const email = account.email && account.email !== name ? `  ${style.dim(account.email)}` : '';
  const state = account.loginState === 'SignIn' ? style.green('returning') : style.yellow('new account');
  const idp = showIdp ? style.dim(` · ${hostOf(account.idpConfigUrl)}`) : '';
  return `${name}${email}  ${state}${idp}`;
}

/** The disclosure links a SignUp account carries (FedCM: the RP's terms and privacy policy). */
export function disclosureLine(account: DialogAccount, style: Style): string | undefined {
  if (account.loginState !== 'SignUp') return undefined;
  const links: string[] = [];
  if (account.termsOfServiceUrl) links.push(`Terms of service: ${account.termsOfServiceUrl}`);
  if (account.privacyPolicyUrl) links.push(`Privacy policy: ${account.privacyPolicyUrl}`);
  return links.length > 0 ? style.dim(links.join(' · ')) : undefined;
}

interface MenuItem {
  /** First line, then any detail lines. */
  lines: string[];
  action: DialogAction;
  /** What the log says when this is chosen. */
  summary: string;
}

interface Menu {
  header: string[];
  items: MenuItem[];
  /** Esc / q. */
  cancel: DialogAction;
}

/** The type of a dialog, also for dialog types this CLI does not know yet. */
const typeOf = (dialog: Dialog): string => (dialog as { dialogType: string }).dialogType;

function menuFor(dialog: Dialog, style: Style): Menu | undefined {
  const header = [style.bold(dialog.title), ...(dialog.subtitle ? [style.dim(dialog.subtitle)] : [])];
  const cancel: DialogAction = { action: 'cancel' };
  switch (dialog.dialogType) {
    case 'AccountChooser': {
      const idps = new Set(dialog.accounts.map((a) => a.idpConfigUrl));
      const items: MenuItem[] = dialog.accounts.map((a, i) => {
        const disclosure = disclosureLine(a, style);
        return {
          lines: [accountLine(a, style, idps.size > 1), ...(disclosure ? [disclosure] : [])],
          action: { action: 'selectAccount', accountIndex: i },
          summary: `${a.name || a.email || a.accountId}${a.email ? ` <${a.email}>` : ''} (${a.accountId}, ${a.loginState === 'SignIn' ? 'returning' : 'new account'})`,
        };
      });
      if (dialog.useOtherAccount) {
        items.push({ lines: ['Use another account'], action: { action: 'clickButton', button: 'ConfirmIdpLoginContinue' }, summary: 'use another account' });
      }
      // Esc is "not now", not the close button: no cooldown is triggered (a developer retries).
      return { header, items, cancel };
    }
    case 'ConfirmIdpLogin':
      return {
        header: [...header, style.dim(`Sign in at ${hostOf(dialog.idpLoginUrl)} to continue: ${dialog.idpLoginUrl}`)],
        items: [
          { lines: ['Continue'], action: { action: 'clickButton', button: 'ConfirmIdpLoginContinue' }, summary: 'continue to the identity provider' },
          { lines: ['Cancel'], action: cancel, summary: 'cancel' },
        ],
        cancel,
      };
    case 'Error':
      return {
        header: [...header, ...(dialog.error ? [style.red(`error: ${dialog.error}`)] : []), ...(dialog.url ? [style.dim(dialog.url)] : [])],
        items: [
          { lines: ['Got it'], action: { action: 'clickButton', button: 'ErrorGotIt' }, summary: 'got it' },
          ...(dialog.url ? [{ lines: ['More details'], action: { action: 'clickButton', button: 'ErrorMoreDetails' } as DialogAction, summary: 'more details' }] : []),
        ],
        cancel,
      };
    case 'CredentialChooser':
      return {
        header: [...header, style.dim(dialog.origin)],
        items: dialog.credentials.map((c, i) => ({
          lines: [`${c.name || c.id}${c.name ? `  ${style.dim(c.id)}` : ''}  ${c.type === 'password' ? style.dim('password') : style.dim(`via ${hostOf(c.provider)}`)}`],
          action: { action: 'selectAccount', accountIndex: i },
          summary: `${c.type} credential ${c.id}`,
        })),
        cancel,
      };
    case 'SaveCredential':
      return {
        header: [...header, style.dim(`${dialog.credential.id} for ${dialog.origin}`)],
        items: [
          { lines: [dialog.action === 'update' ? 'Update' : 'Save'], action: { action: 'clickButton', button: 'SaveCredentialConfirm' }, summary: dialog.action === 'update' ? 'update' : 'save' },
          { lines: ['Not now'], action: cancel, summary: 'not now' },
        ],
        cancel,
      };
    case 'OtpConsent':
      return {
        header: [...header, `Code ${style.bold(dialog.code)} for ${dialog.origin}`],
        items: [
          { lines: ['Allow'], action: { action: 'clickButton', button: 'OtpConsentAllow' }, summary: 'allow' },
          { lines: ['Deny'], action: cancel, summary: 'deny' },
        ],
        cancel,
      };
    case 'AutoReauthn':
      return undefined;
    default:
      return undefined;
  }
}

/** A dialog as lines for a log: title, then what it offers (accounts, buttons). */
export function describeDialog(dialog: Dialog, style: Style): string[] {
  if (dialog.dialogType === 'AutoReauthn') {
    const a = dialog.accounts[0];
    return [`${style.bold(dialog.title)}`, `Signing you in…${a ? ` as ${a.name || a.email}${a.email ? ` <${a.email}>` : ''}` : ''}`];
  }
  const menu = menuFor(dialog, style);
  if (!menu) return [`A ${typeOf(dialog)} dialog: ${dialog.title}`];
  const numbered = dialog.dialogType === 'AccountChooser' || dialog.dialogType === 'CredentialChooser';
  return [
    ...menu.header,
    ...menu.items.flatMap((item, i) => [`${numbered && item.action.action === 'selectAccount' ? `[${i}] ` : '• '}${item.lines[0] ?? ''}`, ...item.lines.slice(1).map((l) => `    ${l}`)]),
  ];
}

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

// ---------------------------------------------------------------------------------------------
// The mediator

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

interface AskContext {
  input: TerminalInput;
  output: TerminalOutput;
  style: Style;
  onOpen?: () => void;
  onClose?: () => void;
}

/** Draws the menu and waits for Enter (the item) or Esc/q/Ctrl-C (undefined). */
function ask(menu: Menu, signal: AbortSignal, ctx: AskContext): Promise<MenuItem | undefined> {
  const { input, output, style } = ctx;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let index = 0;
    let rows = 0;
    // A terminal that reports no width (0, or none) is taken to be 80 columns wide.
    const columns = (): number => (output.columns !== undefined && output.columns > 0 ? output.columns : 80);
    const render = (): string[] => [
      ...menu.header,
      '',
      ...menu.items.flatMap((item, i) => {
        const selected = i === index;
        const first = selected ? `${style.cyan('›')} ${style.inverse(` ${item.lines[0] ?? ''} `)}` : `   ${item.lines[0] ?? ''}`;
        return [first, ...item.lines.slice(1).map((l) => `    ${l}`)];
      }),
      '',
      style.dim('↑/↓ move · enter choose · esc or q cancel'),
    ];
    const clear = (): void => {
      // Back to the first row drawn, then erase to the end of the screen.
      if (rows > 0) output.write(`\x1b[${rows}A\r\x1b[J`);
      rows = 0;
    };
    const draw = (): void => {
      clear();
      const lines = render();
      output.write(`${lines.join('\n')}\n`);
      rows = lines.reduce((n, l) => n + Math.max(1, Math.ceil(visible(l).length / columns())), 0);
    };
    const raw = input.isTTY === true && typeof input.setRawMode === 'function';
    const onData = (chunk: string | Buffer): void => {
      for (const key of decodeKeys(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))) {
        const n = menu.items.length;
        if (key === 'up') index = (index - 1 + n) % n;
        else if (key === 'down') index = (index + 1) % n;
        else if (key === 'home') index = 0;
        else if (key === 'end') index = n - 1;
        else if (key === 'enter') return finish(menu.items[index]);
        else if (key === 'escape' || key === 'interrupt') return finish(undefined);
        else if (typeof key === 'object') {
          if (key.char === 'q') return finish(undefined);
          if (key.char === 'k') index = (index - 1 + n) % n;
          else if (key.char === 'j') index = (index + 1) % n;
          else if (/^[1-9]$/.test(key.char) && Number(key.char) <= n) {
            index = Number(key.char) - 1;
          } else continue;
        }
        draw();
      }
    };
    let done = false;
    const cleanup = (): void => {
      done = true;
      input.off('data', onData);
      if (raw) input.setRawMode!(false);
      input.pause();
      signal.removeEventListener('abort', onAbort);
      clear();
      output.write('\x1b[?25h');
      ctx.onClose?.();
    };
    const finish = (item: MenuItem | undefined): void => {
      if (done) return;
      cleanup();
      output.write(`${menu.header[0] ?? ''}\n${item ? `${style.green('✔')} ${item.summary}` : style.yellow('✖ cancelled')}\n`);
      resolve(item);
    };
    const onAbort = (): void => {
      if (done) return;
      cleanup();
      output.write(`${style.dim('(the dialog was closed)')}\n`);
      reject(signal.reason);
    };
    ctx.onOpen?.();
    signal.addEventListener('abort', onAbort, { once: true });
    if (raw) input.setRawMode!(true);
    output.write('\x1b[?25l');
    input.on('data', onData);
    input.resume();
    draw();
  });
}

// ---------------------------------------------------------------------------------------------
// Progress

export interface Progress {
  /** Shows `label` with a spinner and the time spent (terminal), or a line every few seconds (not). */
  start(label: string): void;
  stop(): void;
  /** Clears the spinner line so that other output can be written; it comes back on the next tick. */
  clear(): void;
  /** Stops drawing until resume() (a dialog has the terminal). */
  pause(): void;
  resume(): void;
}

export function createProgress(output: TerminalOutput, style: Style, options: { interactive?: boolean; log?: (line: string) => void } = {}): Progress {
  const tty = options.interactive ?? output.isTTY === true;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let label: string | undefined;
  let started = 0;
  let timer: NodeJS.Timeout | undefined;
  let shown = false;
  let paused = false;
  let tick = 0;
  let lastReport = 0;
  const seconds = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const clear = (): void => {
    if (shown) output.write('\r\x1b[K');
    shown = false;
  };
  const draw = (): void => {
    if (label === undefined || paused) return;
    if (tty) {
      output.write(`\r\x1b[K${style.cyan(frames[tick++ % frames.length]!)} ${label} ${style.dim(seconds())}`);
      shown = true;
    } else if (performance.now() - lastReport >= 5000 && performance.now() - started >= 5000) {
      // Without a terminal, a line now and then says the command is still working.
      lastReport = performance.now();
      (options.log ?? ((l: string) => output.write(`${l}\n`)))(`… ${label} (${seconds()})`);
    }
  };
  return {
    start(next) {
      label = next;
      started = performance.now();
      lastReport = started;
      if (timer === undefined) {
        timer = setInterval(draw, tty ? 100 : 1000);
        timer.unref();
      }
    },
    stop() {
      label = undefined;
      clear();
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    clear,
    pause() {
      paused = true;
      clear();
    },
    resume() {
      paused = false;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Line input (the IdP's login form, typed in the terminal)

export interface PromptOptions {
  input: TerminalInput;
  output: TerminalOutput;
  style: Style;
  /** Echo • for each character (a password). */
  secret?: boolean;
  /** The field's current value, editable. */
  initial?: string;
}

/** Reads one line with simple editing (Backspace); Esc or Ctrl-C gives undefined. */
export function promptLine(label: string, options: PromptOptions): Promise<string | undefined> {
  const { input, output, style } = options;
  return new Promise((resolve) => {
    let value = options.initial ?? '';
    const raw = input.isTTY === true && typeof input.setRawMode === 'function';
    const echo = (s: string): string => (options.secret ? '•'.repeat([...s].length) : s);
    const onData = (chunk: string | Buffer): void => {
      for (const key of decodeKeys(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))) {
        if (key === 'enter') return finish(value);
        if (key === 'escape' || key === 'interrupt') return finish(undefined);
        if (typeof key !== 'object') continue;
        if (key.char === '\x7f' || key.char === '\b') {
          if (value === '') continue;
          value = [...value].slice(0, -1).join('');
          output.write('\b \b');
        } else if (key.char >= ' ') {
          value += key.char;
          output.write(echo(key.char));
        }
      }
    };
    const finish = (result: string | undefined): void => {
      input.off('data', onData);
      if (raw) input.setRawMode!(false);
      input.pause();
      output.write(result === undefined ? ` ${style.yellow('(cancelled)')}\n` : '\n');
      resolve(result);
    };
    output.write(`${style.bold(label)}: ${echo(value)}`);
    if (raw) input.setRawMode!(true);
    input.on('data', onData);
    input.resume();
  });
}
