// `fedkit signin`'s output: the step-by-step log (human lines, held while a dialog has the
// terminal) and the --json report, with how calls, errors and options are put into words.

import type { ConsoleLevel, DevToolsIssueReason, Diagnostic, Dialog, DialogAccount, DialogAction, FetchRecord, Popup } from '../../agent/index.js';
import type { Io } from '../command.js';
import { describeDialog } from '../terminal/dialogs.js';
import type { Progress } from '../terminal/progress.js';
import type { Style } from '../terminal/style.js';

export interface RequestEntry extends FetchRecord {
  /** Who made it: the agent itself (navigations, FedCM), the page's scripts, or a popup's. */
  by: 'agent' | 'page' | 'popup';
}

/** One JSON document for --json; the text log prints the same things as they happen. */
export interface SigninReport {
  ok: boolean;
  mode: 'page' | 'direct';
  url: string;
  requests: RequestEntry[];
  calls: { method: string; options: unknown; outcome?: string }[];
  dialogs: { dialogId: string; dialogType: string; title: string; subtitle?: string; accounts: Pick<DialogAccount, 'accountId' | 'email' | 'name' | 'loginState'>[] }[];
  answers: { dialogType: string; action: DialogAction; summary: string; reason?: string }[];
  account: Pick<DialogAccount, 'accountId' | 'email' | 'name' | 'loginState'> | null;
  credential: {
    type: string;
    id: string;
    token?: unknown;
    isAutoSelected?: boolean;
    configURL?: string;
    /** The token's JWT header and claims: decoded only, NOT verified. */
    jwt?: { header: Record<string, unknown>; claims: Record<string, unknown>; verified: false };
  } | null;
  error: { name: string; message: string; diagnostic?: Diagnostic } | null;
  /**
   * The DevTools issue Chrome would raise for this failed sign-in (Diagnostic.issue of the
   * failure, or of the last diagnostic that has one); null when it succeeded or Chrome raises none.
   */
  issue: DevToolsIssueReason | null;
  navigations: { url: string; method: string; status?: number; title?: string }[];
  diagnostics: Diagnostic[];
  console: { level: string; message: string }[];
}

/** The run's output: the step-by-step log (held while a dialog has the terminal) and the report. */
export class Log {
  readonly report: SigninReport;
  #held: string[] | undefined;
  constructor(
    private readonly io: Io,
    private readonly json: boolean,
    readonly style: Style,
    readonly progress: Progress,
    mode: SigninReport['mode'],
    url: string,
  ) {
    this.report = {
      ok: false,
      mode,
      url,
      requests: [],
      calls: [],
      dialogs: [],
      answers: [],
      account: null,
      credential: null,
      error: null,
      issue: null,
      navigations: [],
      diagnostics: [],
      console: [],
    };
  }

  line(text: string): void {
    if (this.json) return;
    if (this.#held) {
      this.#held.push(text);
      return;
    }
    this.progress.clear();
    this.io.stdout(`${text}\n`);
  }

  hold(): void {
    this.#held ??= [];
    this.progress.pause();
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    this.progress.resume();
    for (const l of held) this.line(l);
  }

  request(record: FetchRecord, by: RequestEntry['by']): void {
    this.report.requests.push({ ...record, durationMs: Math.round(record.durationMs), by });
    const s = this.style;
    const status =
      record.status === undefined
        ? s.red(`✖ ${record.error ?? 'failed'}`)
        : record.status >= 400
          ? s.red(String(record.status))
          : record.status >= 300
            ? s.cyan(String(record.status))
            : s.green(String(record.status));
    const what = by === 'agent' ? record.endpoint : by === 'page' ? 'page' : `popup ${record.endpoint === 'subresource' ? 'request' : record.endpoint}`;
    this.line(`${s.dim('→')} ${record.method} ${record.url} ${status} ${s.dim(`${Math.round(record.durationMs)} ms · ${what}`)}`);
  }

  diagnostic(d: Diagnostic): void {
    this.report.diagnostics.push(d);
    const mark = d.level === 'error' ? this.style.red('✖') : d.level === 'warning' ? this.style.yellow('!') : this.style.dim('i');
    this.line(`${mark} ${this.style.bold(d.reason)}: ${d.message}`);
    if (d.detail) this.line(`    ${this.style.dim(d.detail)}`);
  }

  /** A problem inside a page (runScripts reports them with a generic reason): the message says it. */
  pageProblem(d: Diagnostic): void {
    this.report.diagnostics.push(d);
    const mark = d.level === 'error' ? this.style.red('✖') : d.level === 'warning' ? this.style.yellow('!') : this.style.dim('i');
    this.line(`${mark} ${d.message}`);
    if (d.detail) this.line(`    ${this.style.dim(d.detail)}`);
  }

  step(text: string): void {
    this.line(`${this.style.bold('●')} ${text}`);
  }

  finish(): void {
    this.progress.stop();
    if (this.json) this.io.stdout(`${JSON.stringify(this.report, null, 2)}\n`);
  }

  /** The mediator's answer to a dialog (the chosen account goes into the report). */
  answer(dialog: Dialog, action: DialogAction, summary: string, reason?: string): void {
    const { style, report } = this;
    report.answers.push({ dialogType: dialog.dialogType, action, summary, ...(reason ? { reason } : {}) });
    if (dialog.dialogType === 'AccountChooser' && action.action === 'selectAccount') {
      const a = dialog.accounts[action.accountIndex];
      if (a) report.account = { accountId: a.accountId, email: a.email, name: a.name, loginState: a.loginState };
    }
    if (reason) this.line(`${style.yellow('!')} ${reason}`);
    this.step(`${action.action === 'cancel' ? style.yellow('✖') : style.green('✔')} ${dialog.dialogType}: ${summary}`);
  }

  /** A dialog the agent shows; `asked` when the interactive chooser will draw it itself. */
  dialogShown(dialog: Dialog, asked: boolean): void {
    const { style, report } = this;
    report.dialogs.push({
      dialogId: dialog.dialogId,
      dialogType: dialog.dialogType,
      title: dialog.title,
      ...(dialog.subtitle ? { subtitle: dialog.subtitle } : {}),
      // Dialog types added later may carry no accounts.
      accounts: (Array.isArray(dialog.accounts) ? (dialog.accounts as DialogAccount[]) : []).map((a) => ({ accountId: a.accountId, email: a.email, name: a.name, loginState: a.loginState })),
    });
    if (dialog.dialogType === 'AutoReauthn') {
      const a = dialog.accounts[0];
      if (a) report.account = { accountId: a.accountId, email: a.email, name: a.name, loginState: a.loginState };
    }
    // The interactive chooser draws the dialog itself; the log lists it otherwise.
    const lines = describeDialog(dialog, style);
    if (asked && dialog.dialogType !== 'AutoReauthn') {
      this.step(`The agent shows ${article(dialog.dialogType)} ${dialog.dialogType} dialog`);
      return;
    }
    this.step(`The agent shows ${article(dialog.dialogType)} ${dialog.dialogType} dialog: ${lines[0] ?? ''}`);
    for (const l of lines.slice(1)) this.line(`    ${l}`);
  }

  /** A popup the agent opens; `interactive` when the user types its login form in. */
  popup(popup: Popup, interactive: boolean): void {
    this.step(`The IdP's ${popup.purpose} page opens in a popup: ${popup.url.href}`);
    if (popup.purpose === 'login' && !interactive) {
      this.line(`    ${this.style.dim("Not a terminal: fedkit runs the page's scripts but types nothing into its forms; the popup ends when the IdP says the user is signed in or the page closes it.")}`);
    }
  }

  /** A console message from the page or a popup. */
  pageConsole(level: ConsoleLevel, message: string): void {
    if (level === 'jsdomError') return; // reported as a diagnostic too
    this.report.console.push({ level, message });
    this.line(`  ${this.style.dim(`console.${level}:`)} ${level === 'error' ? this.style.red(message) : message}`);
  }
}

/** A short form of get()'s options for the log: the providers, mode and context. */
export function describeCall(method: string, options: unknown): string {
  if (method !== 'get' || options === null || typeof options !== 'object') return `navigator.credentials.${method}()`;
  const o = options as Record<string, unknown>;
  const parts: string[] = [];
  const identity = o['identity'] as { providers?: { configURL?: unknown; clientId?: unknown }[]; mode?: unknown; context?: unknown } | undefined;
  if (identity) {
    const providers = (identity.providers ?? []).map((pr) => `${String(pr.configURL)} (client ${String(pr.clientId)})`).join(', ');
    parts.push(`identity: ${providers}${identity.mode ? `, mode ${String(identity.mode)}` : ''}${identity.context ? `, context ${String(identity.context)}` : ''}`);
  }
  for (const key of Object.keys(o)) if (key !== 'identity' && key !== 'signal') parts.push(`${key}: ${typeof o[key] === 'string' ? String(o[key]) : '…'}`);
  return `navigator.credentials.get({ ${parts.join('; ')} })`;
}

export const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');
export const errorName = (e: unknown): string => (typeof e === 'object' && e !== null && 'name' in e ? String((e as Error).name) : 'Error');
export const errorMessage = (e: unknown): string => (typeof e === 'object' && e !== null && 'message' in e ? String((e as Error).message) : String(e));
/** The agent puts the Diagnostic behind a failure in the rejection's `cause` (`issue` null when unset). */
export function causeOf(e: unknown): Diagnostic | undefined {
  const cause = typeof e === 'object' && e !== null ? (e as { cause?: unknown }).cause : undefined;
  if (cause === null || typeof cause !== 'object' || !('reason' in cause) || !('message' in cause)) return undefined;
  const d = cause as Omit<Diagnostic, 'issue'> & { issue?: Diagnostic['issue'] };
  return { ...d, issue: d.issue ?? null };
}

/** Options as JSON can show them (the signal left out, passwords hidden). */
export function jsonable(value: unknown): unknown {
  try {
    return JSON.parse(
      JSON.stringify(value, (key, v: unknown) => {
        if (key === 'signal') return undefined;
        if (key === 'password' && typeof v === 'string') return '(hidden)';
        if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return `[${v.byteLength} bytes]`;
        return v;
      }),
    ) as unknown;
  } catch {
    return String(value);
  }
}
