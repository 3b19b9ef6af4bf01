// `fedkit signin <rp-url>`: the agent as a terminal browser. It loads the RP page and runs its
// scripts (the page's own navigator.credentials.get()), or with --config-url and --client-id
// calls get() itself, shows the dialogs in the terminal (or answers them from --account), and
// prints every step: each request, the dialog, the chosen account, the credential (and the
// token's claims when it is a JWT: decoded, not verified), and every diagnostic.
//
// Exit codes: 0 a credential was returned, 1 the sign-in failed or timed out, 2 usage.

import { readFileSync } from 'node:fs';
import {
  createAgent,
  formatDiagnostic,
  jsdomPopups,
  type Agent,
  type Credential,
  type Diagnostic,
  type DialogAccount,
  type DialogAction,
  type FetchRecord,
  type Frame,
  type Popup,
  runScripts,
  type ConsoleLevel,
  type PageScripts,
} from '../agent/index.js';
import { optionString, parseArgs, UsageError, type OptionSpecs, type Parsed } from './args.js';
import { help, type Io, type Leaf } from './command.js';
import { colourEnabled, createProgress, createStyle, describeDialog, promptLine, terminalMediator, type Progress, type Style, type TerminalInput, type TerminalOutput } from './terminal.js';

/** The terminal `signin` uses; tests pass fake streams through `Io`. */
export interface SigninTerminal {
  input?: TerminalInput;
  output?: TerminalOutput;
  /** Ask with the keyboard (default: when the input is a terminal). */
  interactive?: boolean;
  /** Colour in the log and the chooser (default: stdout is a terminal and NO_COLOR is unset). */
  colour?: boolean;
}

/** `Io` with an optional terminal (process.stdin/stdout by default). */
export interface SigninIo extends Io {
  terminal?: SigninTerminal;
}

const USAGE =
  'fedkit signin <rp-url> [--config-url <url> --client-id <id> [--context …] [--mode …] [--login-hint …] [--domain-hint …] [--fields a,b] [--nonce …]] [--account <id|email|index>] [--click <selector>] [--profile <file>] [--host-rules <rules>] [--host-rule <pattern=target>…] [--ca <pem>] [--insecure] [--json] [--timeout <ms>]';

const SUMMARY = 'Sign in to a relying party with the headless agent, in the terminal.';

const OPTIONS: OptionSpecs = {
  'config-url': { type: 'string', valueName: '<url>', description: "call get() directly with this IdP config URL (the page's scripts do not run)" },
  'client-id': { type: 'string', valueName: '<id>', description: 'the client id for --config-url' },
  context: { type: 'string', valueName: '<signin|signup|use|continue>', description: 'the dialog title context (with --config-url)' },
  mode: { type: 'string', valueName: '<passive|active>', description: 'FedCM mode (with --config-url; active clicks for you)' },
  mediation: { type: 'string', valueName: '<silent|optional|required>', description: 'credential mediation (with --config-url)' },
  'login-hint': { type: 'string', valueName: '<hint>', description: 'loginHint (with --config-url)' },
  'domain-hint': { type: 'string', valueName: '<hint>', description: 'domainHint (with --config-url)' },
  fields: { type: 'string', valueName: '<a,b>', description: 'fields to ask for, e.g. name,email,picture (with --config-url)' },
  nonce: { type: 'string', valueName: '<nonce>', description: 'params.nonce (with --config-url)' },
  account: { type: 'string', valueName: '<id|email|index>', description: 'choose this account without asking (index counts from 0)' },
  click: { type: 'string', valueName: '<css selector>', description: "click this element once the page has loaded and settled (a user click: active mode's activation)" },
  profile: { type: 'string', valueName: '<file>', description: 'SQLite profile: cookies, login status, connected accounts (default: in memory)' },
  'host-rules': { type: 'string', valueName: '<rules>', description: `Chromium-style host mapping, e.g. 'MAP *.example:443 127.0.0.1:8443'` },
  'host-rule': { type: 'string', multiple: true, valueName: '<pattern=target>', description: 'one host mapping, e.g. idp.example=127.0.0.1:8443' },
  ca: { type: 'string', valueName: '<pem file>', description: 'extra trusted root certificate(s)' },
  insecure: { type: 'boolean', description: 'accept any TLS certificate (prefer --ca)' },
  json: { type: 'boolean', description: 'print one JSON document instead of the step-by-step log' },
  timeout: { type: 'string', valueName: '<ms>', description: 'give up after this long (default 30000; time spent in the chooser does not count)' },
};

const MORE_HELP = `
Without --config-url the RP page is loaded and its scripts run: module scripts, fetch() and XHR
go through the agent, a navigation (location.reload(), a form post) loads the next page. The
command waits until the page received a credential and its follow-up requests settled (or it
navigated), or until the page's requests failed.

The account chooser is interactive on a terminal (arrow keys, Enter; Esc or q cancels);
elsewhere pass --account. FedCM's random rejection delay is off, so failures show at once.
Popups (the IdP's login and continuation pages) run with their scripts.

Exit codes: 0 a credential was returned, 1 the sign-in failed or timed out, 2 usage error.

Examples:
  fedkit signin https://rp.example/ --host-rules 'MAP *.example:443 127.0.0.1:8443' --ca ca.pem
  fedkit signin https://rp.example/ --config-url https://idp.example/fedcm.json --client-id rp1 --account 0 --json
`;

const DEFAULT_TIMEOUT_MS = 30_000;
/** How long a page must be quiet (no requests, no pending get()) before its outcome is final. */
const SETTLE_MS = 500;
/** How long a page that never called get() is given after it loaded. */
const NO_CALL_MS = 2_000;
/** Navigations followed before a credential arrives (script redirects). */
const MAX_NAVIGATIONS = 5;

interface RequestEntry extends FetchRecord {
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
  navigations: { url: string; method: string; status?: number; title?: string }[];
  diagnostics: Diagnostic[];
  console: { level: string; message: string }[];
}

export const signinCommand: Leaf = {
  summary: SUMMARY,
  usage: USAGE,
  options: OPTIONS,
  async run(args, io) {
    const p = parseArgs(args, { ...OPTIONS, help: { type: 'boolean', description: 'show this help' } });
    if (p.booleans.has('help')) {
      io.stdout(help(USAGE, SUMMARY, OPTIONS) + MORE_HELP);
      return 0;
    }
    return signin(p, io as SigninIo);
  },
};

/** A JWT's header and claims, decoded (base64url JSON), without any verification. */
export function decodeJwt(token: unknown): { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined {
  if (typeof token !== 'string') return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const decode = (s: string): unknown => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    const header = decode(parts[0]!);
    const claims = decode(parts[1]!);
    if (header === null || typeof header !== 'object' || claims === null || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
    return { header: header as Record<string, unknown>, claims: claims as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

interface Settings {
  url: URL;
  direct?: { provider: Record<string, unknown>; context?: string; mode?: string; mediation?: string };
  account?: string;
  click?: string;
  timeoutMs: number;
  json: boolean;
}

function settings(p: Parsed): Settings {
  if (p.positionals.length === 0) throw new UsageError('the RP page URL is required');
  if (p.positionals.length > 1) throw new UsageError(`unexpected argument ${p.positionals[1]}`);
  let url: URL;
  try {
    url = new URL(p.positionals[0]!);
  } catch {
    throw new UsageError(`${p.positionals[0]} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${url.href} is not an http(s) URL`);
  const s = (name: string): string | undefined => optionString(p, name);
  const oneOf = <T extends string>(name: string, values: readonly T[]): T | undefined => {
    const v = s(name);
    if (v !== undefined && !values.includes(v as T)) throw new UsageError(`--${name} must be one of ${values.join(', ')}`);
    return v as T | undefined;
  };
  const configURL = s('config-url');
  const clientId = s('client-id');
  const directOnly = ['client-id', 'context', 'mode', 'mediation', 'login-hint', 'domain-hint', 'fields', 'nonce'].filter((n) => s(n) !== undefined);
  if (configURL === undefined && directOnly.length > 0) throw new UsageError(`--${directOnly[0]} goes with --config-url`);
  if (configURL !== undefined && (clientId === undefined || clientId === '')) throw new UsageError('--config-url needs --client-id');
  if (configURL !== undefined && s('click') !== undefined) throw new UsageError("--click runs the page's scripts; it cannot be combined with --config-url");
  const timeout = s('timeout');
  const timeoutMs = timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, got ${timeout}`);
  const out: Settings = { url, timeoutMs, json: p.booleans.has('json') };
  const account = s('account');
  if (account !== undefined) out.account = account;
  const click = s('click');
  if (click !== undefined) out.click = click;
  if (configURL !== undefined) {
    try {
      new URL(configURL);
    } catch {
      throw new UsageError(`--config-url ${configURL} is not a URL`);
    }
    const provider: Record<string, unknown> = { configURL, clientId };
    const loginHint = s('login-hint');
    const domainHint = s('domain-hint');
    const fields = s('fields');
    const nonce = s('nonce');
    if (loginHint !== undefined) provider['loginHint'] = loginHint;
    if (domainHint !== undefined) provider['domainHint'] = domainHint;
    if (fields !== undefined) provider['fields'] = fields.split(',').map((f) => f.trim()).filter((f) => f !== '');
    if (nonce !== undefined) provider['params'] = { nonce };
    const direct: NonNullable<Settings['direct']> = { provider };
    const context = oneOf('context', ['signin', 'signup', 'use', 'continue'] as const);
    const mode = oneOf('mode', ['passive', 'active'] as const);
    const mediation = oneOf('mediation', ['silent', 'optional', 'required'] as const);
    if (context !== undefined) direct.context = context;
    if (mode !== undefined) direct.mode = mode;
    if (mediation !== undefined) direct.mediation = mediation;
    out.direct = direct;
  }
  return out;
}

function hostRules(p: Parsed): string | undefined {
  const rules: string[] = [];
  const text = optionString(p, 'host-rules');
  if (text !== undefined && text.trim() !== '') rules.push(text);
  for (const rule of p.strings.get('host-rule') ?? []) {
    const eq = rule.indexOf('=');
    if (eq <= 0 || eq === rule.length - 1) throw new UsageError(`--host-rule ${rule}: expected <pattern>=<target>, e.g. idp.example=127.0.0.1:8443`);
    rules.push(`MAP ${rule.slice(0, eq).trim()} ${rule.slice(eq + 1).trim()}`);
  }
  return rules.length > 0 ? rules.join(', ') : undefined;
}

/** The run's output: the step-by-step log (held while a dialog has the terminal) and the report. */
class Log {
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
}

/** A short form of get()'s options for the log: the providers, mode and context. */
function describeCall(method: string, options: unknown): string {
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

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');
const errorName = (e: unknown): string => (typeof e === 'object' && e !== null && 'name' in e ? String((e as Error).name) : 'Error');
const errorMessage = (e: unknown): string => (typeof e === 'object' && e !== null && 'message' in e ? String((e as Error).message) : String(e));
/** The agent puts the Diagnostic behind a failure in the rejection's `cause`. */
function causeOf(e: unknown): Diagnostic | undefined {
  const cause = typeof e === 'object' && e !== null ? (e as { cause?: unknown }).cause : undefined;
  return cause !== null && typeof cause === 'object' && 'reason' in cause && 'message' in cause ? (cause as Diagnostic) : undefined;
}

/** Seconds-since-epoch claims, with their date. */
const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time']);

async function signin(p: Parsed, io: SigninIo): Promise<number> {
  const s = settings(p);
  const rules = hostRules(p);
  const caFile = optionString(p, 'ca');
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new UsageError(`--ca ${caFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const terminal = io.terminal ?? {};
  const input = terminal.input ?? (process.stdin as TerminalInput);
  const output: TerminalOutput = terminal.output ?? (s.json ? process.stderr : process.stdout);
  const interactive = terminal.interactive ?? input.isTTY === true;
  const style = createStyle(terminal.colour ?? colourEnabled(s.json ? process.stderr : process.stdout));
  const progress = s.json ? createProgress(output, style, { interactive: false, log: () => {} }) : createProgress(output, style, { log: (l) => log.line(style.dim(l)) });
  const log: Log = new Log(io, s.json, style, progress, s.direct ? 'direct' : 'page', s.url.href);
  const report = log.report;

  // The deadline: paused while a dialog waits for the user at the keyboard.
  const run = new AbortController();
  let remaining = s.timeoutMs;
  let deadlineAt = performance.now() + remaining;
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const arm = (): void => {
    // Closing the agent at the end closes an open chooser, which would re-arm the deadline.
    if (finished) return;
    deadlineAt = performance.now() + remaining;
    timer = setTimeout(() => run.abort(new Error(`timed out after ${s.timeoutMs} ms`)), remaining);
  };
  const disarm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    remaining = Math.max(0, deadlineAt - performance.now());
  };
  arm();
  void io.stopped.then(() => run.abort(new Error('interrupted')));

  const mediator = terminalMediator({
    input,
    output,
    interactive,
    colour: style.enabled,
    ...(s.account === undefined ? {} : { account: s.account }),
    onOpen: () => {
      disarm();
      log.hold();
    },
    onClose: () => {
      log.release();
      arm();
    },
    onAnswer: (dialog, action, summary, reason) => {
      report.answers.push({ dialogType: dialog.dialogType, action, summary, ...(reason ? { reason } : {}) });
      if (dialog.dialogType === 'AccountChooser' && action.action === 'selectAccount') {
        const a = dialog.accounts[action.accountIndex];
        if (a) report.account = { accountId: a.accountId, email: a.email, name: a.name, loginState: a.loginState };
      }
      if (reason) log.line(`${style.yellow('!')} ${reason}`);
      log.step(`${action.action === 'cancel' ? style.yellow('✖') : style.green('✔')} ${dialog.dialogType}: ${summary}`);
    },
  });

  let agent: Agent;
  try {
    agent = createAgent({
      ...(rules === undefined ? {} : { hostRules: rules }),
      ...(ca === undefined ? {} : { ca }),
      ...(p.booleans.has('insecure') ? { insecureTLS: true } : {}),
      ...(optionString(p, 'profile') === undefined ? {} : { profile: optionString(p, 'profile')! }),
      mediator,
      // A developer tool reports failures at once; browsers delay them to hide account state.
      rejectionDelay: false,
      popupHost: jsdomPopups({
        console: (level, message, popup) => pageConsole(level, `${popup.purpose} page: ${message}`),
        report: (d) => log.pageProblem(d),
        onFetch: (record) => log.request(record, 'popup'),
        // On a terminal the user types the IdP's login form in; elsewhere it runs untouched.
        ...(interactive ? { onPage: (page: PageScripts, popup: Popup) => void fillLoginForm(page, popup) } : {}),
      }),
    });
  } catch (e) {
    if (e instanceof TypeError) throw new UsageError(e.message);
    throw e;
  }

  /** The login popup's form (one with a password field), typed in the terminal, then submitted. */
  async function fillLoginForm(page: PageScripts, popup: Popup): Promise<void> {
    await Promise.race([page.loaded, popup.result]);
    if (popup.closed || page.closed) return;
    const form = [...page.document.forms].find((f) => f.querySelector('input[type=password]') !== null);
    if (form === undefined) return;
    disarm();
    log.hold();
    let cancelled = false;
    try {
      output.write(`${style.bold(`Sign in at ${popup.url.host}`)} ${style.dim(`(the IdP's login page, ${popup.url.href}; Esc cancels)`)}\n`);
      for (const field of form.querySelectorAll('input')) {
        const type = (field.getAttribute('type') ?? 'text').toLowerCase();
        if (!['text', 'email', 'password', 'tel', 'number', 'search', ''].includes(type) || field.disabled) continue;
        const label = field.labels?.[0]?.textContent?.trim() || field.getAttribute('placeholder') || field.name || type;
        const value = await promptLine(label, { input, output, style, secret: type === 'password', initial: type === 'password' ? '' : field.value });
        if (value === undefined) {
          cancelled = true;
          break;
        }
        field.value = value;
      }
    } finally {
      log.release();
      arm();
    }
    if (cancelled) {
      log.step(`${style.yellow('✖')} The login popup was closed`);
      popup.close();
      return;
    }
    if (page.closed) return;
    log.step(`Submitting the IdP's login form`);
    form.requestSubmit();
  }

  function pageConsole(level: ConsoleLevel, message: string): void {
    if (level === 'jsdomError') return; // reported as a diagnostic too
    report.console.push({ level, message });
    log.line(`  ${style.dim(`console.${level}:`)} ${level === 'error' ? style.red(message) : message}`);
  }

  agent.on('fetch', (record) => log.request(record, 'agent'));
  agent.on('diagnostic', (d) => log.diagnostic(d));
  agent.on('popup', (popup) => {
    log.step(`The IdP's ${popup.purpose} page opens in a popup: ${popup.url.href}`);
    if (popup.purpose === 'login' && !interactive) {
      log.line(`    ${style.dim("Not a terminal: fedkit runs the page's scripts but types nothing into its forms; the popup ends when the IdP says the user is signed in or the page closes it.")}`);
    }
  });
  agent.on('dialogShown', (dialog) => {
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
    if (interactive && s.account === undefined && dialog.dialogType !== 'AutoReauthn') {
      log.step(`The agent shows ${article(dialog.dialogType)} ${dialog.dialogType} dialog`);
      return;
    }
    log.step(`The agent shows ${article(dialog.dialogType)} ${dialog.dialogType} dialog: ${lines[0] ?? ''}`);
    for (const l of lines.slice(1)) log.line(`    ${l}`);
  });

  let code: number;
  try {
    const outcome = s.direct ? await direct(agent, s, log, run.signal) : await pageMode(agent, s, log, run.signal, pageConsole);
    code = finish(outcome, log);
  } catch (e) {
    report.error = { name: errorName(e), message: errorMessage(e) };
    log.line(`${style.red('✖')} ${errorMessage(e)}`);
    code = 1;
  } finally {
    disarm();
    finished = true;
    await agent.close();
    log.finish();
  }
  return code;
}

type Outcome = { credential: Credential } | { error: unknown };

/** Prints the result; 0 when a credential was returned. */
function finish(outcome: Outcome, log: Log): number {
  const { style, report } = log;
  if ('error' in outcome) {
    const e = outcome.error;
    const diagnostic = causeOf(e);
    report.error = { name: errorName(e), message: errorMessage(e), ...(diagnostic ? { diagnostic } : {}) };
    log.line('');
    log.line(`${style.red('✖ Sign-in failed:')} ${errorName(e)}: ${errorMessage(e)}`);
    // The cause says why (Chrome shows it in the console); otherwise the last error diagnostic.
    const why = diagnostic ?? [...report.diagnostics].reverse().find((d) => d.level === 'error');
    if (why) log.line(`  ${formatDiagnostic(why)}`);
    if (why && (why.reason === 'NotSignedInWithIdp' || why.reason === 'AccountsListEmpty')) {
      log.line(
        `  ${style.dim(`Hint: the user is not signed in at the IdP in this profile. Sign in there first and keep the session with --profile <file>${report.mode === 'page' ? ", or click the page's sign-in button (--click <selector>): active mode opens the IdP's login page" : ', or try --mode active, which opens the IdP\'s login page'}.`)}`,
      );
    }
    return 1;
  }
  const c = outcome.credential as Credential & { token?: unknown; isAutoSelected?: boolean; configURL?: string; name?: string };
  const credential: NonNullable<SigninReport['credential']> = { type: c.type, id: c.id };
  if ('token' in c) credential.token = c.token;
  if (typeof c.isAutoSelected === 'boolean') credential.isAutoSelected = c.isAutoSelected;
  if (typeof c.configURL === 'string') credential.configURL = c.configURL;
  const jwt = decodeJwt(c.token);
  if (jwt) credential.jwt = { ...jwt, verified: false };
  report.credential = credential;
  report.ok = true;
  log.line('');
  log.line(`${style.green('✔ Signed in:')} ${c.constructor.name} (type ${c.type}${c.id ? `, id ${c.id}` : ''}${credential.configURL ? `, configURL ${credential.configURL}` : ''}${credential.isAutoSelected ? ', auto-selected' : ''})`);
  if (report.account) log.line(`  account: ${report.account.name || report.account.email} ${report.account.email ? `<${report.account.email}> ` : ''}(${report.account.accountId})`);
  if ('token' in credential) log.line(`  token: ${typeof credential.token === 'string' ? credential.token : JSON.stringify(credential.token)}`);
  if (jwt) {
    log.line(`  JWT header: ${JSON.stringify(jwt.header)}`);
    log.line(`  JWT claims ${style.yellow('(decoded only: the signature was NOT verified)')}:`);
    for (const [k, v] of Object.entries(jwt.claims)) {
      const date = TIME_CLAIMS.has(k) && typeof v === 'number' ? style.dim(`  (${new Date(v * 1000).toISOString()})`) : '';
      log.line(`    ${k}: ${JSON.stringify(v)}${date}`);
    }
  }
  return 0;
}

/** Resolves after `ms`, or rejects when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `p`, or the signal's reason when it aborts first. */
function race<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

async function open(agent: Agent, url: URL, log: Log, signal: AbortSignal): Promise<Frame> {
  log.step(`Opening ${url.href}`);
  log.progress.start(`loading ${url.href}`);
  const frame = await race(agent.open(url), signal);
  log.progress.stop();
  const status = frame.response?.status;
  log.report.navigations.push({ url: frame.url.href, method: 'GET', ...(status === undefined ? {} : { status }), title: titleOf(frame) });
  if (status !== undefined && status >= 400) log.line(`${log.style.yellow('!')} The page answered ${status}.`);
  return frame;
}

function titleOf(frame: Frame): string {
  try {
    return frame.document.title;
  } catch {
    return '';
  }
}

/** --config-url: get() called directly on the page, no scripts. */
async function direct(agent: Agent, s: Settings, log: Log, signal: AbortSignal): Promise<Outcome> {
  const d = s.direct!;
  const frame = await open(agent, s.url, log, signal);
  const credentials = frame.navigator.credentials;
  if (credentials === undefined) {
    return { error: new DOMException(`${frame.url.href} is not a secure context: navigator.credentials is undefined there.`, 'NotSupportedError') };
  }
  const identity: Record<string, unknown> = { providers: [d.provider] };
  if (d.context !== undefined) identity['context'] = d.context;
  if (d.mode !== undefined) identity['mode'] = d.mode;
  const options: Record<string, unknown> = { identity, signal };
  if (d.mediation !== undefined) options['mediation'] = d.mediation;
  if (d.mode === 'active') {
    // Active mode needs transient activation: the command stands for the user's click.
    frame.activate();
  }
  const call = describeCall('get', options);
  log.report.calls.push({ method: 'get', options: { ...options, signal: undefined } });
  log.step(`The page calls ${call}`);
  log.progress.start('waiting for navigator.credentials.get()');
  try {
    const credential = await credentials.get(options);
    log.report.calls[0]!.outcome = credential ? 'credential' : 'null';
    if (!credential) return { error: new DOMException('get() resolved with null.', 'NotAllowedError') };
    return { credential };
  } catch (e) {
    log.report.calls[0]!.outcome = `${errorName(e)}: ${errorMessage(e)}`;
    if (signal.aborted) throw signal.reason;
    return { error: e };
  } finally {
    log.progress.stop();
  }
}

/** Without --config-url: the page's own scripts sign in. */
async function pageMode(agent: Agent, s: Settings, log: Log, signal: AbortSignal, pageConsole: (level: ConsoleLevel, message: string) => void): Promise<Outcome> {
  const { style, report } = log;
  let lastActivity = performance.now();
  const touch = (): void => {
    lastActivity = performance.now();
  };
  agent.on('fetch', touch);
  agent.on('dialogShown', touch);
  agent.on('dialogClosed', touch);

  let pending = 0;
  let calls = 0;
  let credential: Credential | undefined;
  let lastError: unknown;

  const start = (frame: Frame): PageScripts => {
    log.step(`Running the page's scripts (${frame.url.href})`);
    return runScripts(frame, {
      agent,
      console: pageConsole,
      report: (d) => log.pageProblem(d),
      onFetch: (record) => {
        touch();
        log.request(record, 'page');
      },
      onNavigate: ({ url, method, cause }) => {
        touch();
        log.step(`The page navigates (${cause}): ${method} ${url.href}`);
      },
      onCredentialRequest: ({ method, options, result }) => {
        touch();
        calls++;
        // store()'s argument is a credential: its type and id only (never a password).
        const shown = method === 'store' && options !== null && typeof options === 'object' ? { type: (options as Credential).type, id: (options as Credential).id } : jsonable(options);
        const entry: SigninReport['calls'][number] = { method, options: shown };
        report.calls.push(entry);
        log.step(`The page calls ${describeCall(method, options)}`);
        if (method !== 'get') {
          void result.then(
            () => (entry.outcome = 'ok'),
            (e: unknown) => (entry.outcome = `${errorName(e)}: ${errorMessage(e)}`),
          );
          return;
        }
        pending++;
        result.then(
          (value) => {
            pending--;
            touch();
            entry.outcome = value ? 'credential' : 'null';
            if (value) {
              credential ??= value as Credential;
              const type = (value as Credential).type;
              log.step(`${style.green('✔')} get() resolved with ${article(type)} ${type} credential; waiting for the page to use it`);
            } else {
              lastError = new DOMException('get() resolved with null.', 'NotAllowedError');
              log.step(`${style.yellow('✖')} get() resolved with null`);
            }
          },
          (e: unknown) => {
            pending--;
            touch();
            entry.outcome = `${errorName(e)}: ${errorMessage(e)}`;
            lastError = e;
            const d = causeOf(e);
            log.step(`${style.yellow('✖')} get() rejected: ${errorName(e)}: ${errorMessage(e)}${d ? ` (${d.reason})` : ''}`);
          },
        );
      },
    });
  };

  let page = start(await open(agent, s.url, log, signal));
  let loadedAt: number | undefined;
  void page.loaded.then(() => (loadedAt = performance.now()));
  let navigations = 0;
  let clicked = s.click === undefined;
  log.progress.start('running the page');
  try {
    for (;;) {
      await sleep(50, signal);
      const now = performance.now();
      const quiet = pending === 0 && page.inflight === 0 && now - lastActivity >= SETTLE_MS && agent.automation.currentDialog === null;

      // The click comes once the page has settled, as a person clicks after it loaded: a passive
      // request started on load has shown its chooser or failed (which records the IdP's login
      // status, so that active mode can then open the IdP's login page).
      if (!clicked && credential) {
        clicked = true;
        log.step(`Not clicking ${s.click}: the page already received a credential`);
      }
      if (!clicked && loadedAt !== undefined) {
        if (!quiet) continue;
        const selector = s.click!;
        let found: Element | null = null;
        try {
          found = page.document.querySelector(selector);
        } catch (e) {
          throw new UsageError(`--click ${selector}: ${errorMessage(e)}`);
        }
        if (found !== null) {
          clicked = true;
          touch();
          log.step(`Clicking ${selector} (a user click: the page gets transient activation)`);
          page.click(selector);
          continue;
        }
        if (now - loadedAt >= NO_CALL_MS) return { error: new Error(`No element matches --click ${selector} on ${page.frame.url.href}.`) };
        continue;
      }

      const navigation = page.navigated;
      if (navigation !== undefined) {
        log.progress.start('loading the next page');
        const next = await race(navigation, signal).catch((e: unknown) => {
          throw new Error(`The page's navigation failed: ${errorMessage(e)}`);
        });
        touch();
        const status = next.response?.status;
        const title = titleOf(next);
        report.navigations.push({ url: next.url.href, method: 'GET', ...(status === undefined ? {} : { status }), title });
        log.step(`The page is now ${next.url.href}${status === undefined ? '' : ` (${status})`}${title ? `: "${title}"` : ''}`);
        if (credential) return { credential };
        if (++navigations > MAX_NAVIGATIONS) return { error: new Error(`The page navigated ${navigations} times without signing in.`) };
        page = start(next);
        loadedAt = undefined;
        void page.loaded.then(() => (loadedAt = performance.now()));
        log.progress.start('running the page');
        continue;
      }

      if (credential && quiet) return { credential };
      if (!credential && calls > 0 && quiet) {
        return { error: lastError ?? new Error('The page made no sign-in request that succeeded.') };
      }
      if (calls === 0 && loadedAt !== undefined && quiet && now - loadedAt >= NO_CALL_MS && now - lastActivity >= NO_CALL_MS) {
        return {
          error: new Error(
            `The page did not call navigator.credentials.get() after it loaded${s.click ? ` and ${s.click} was clicked` : ''}. Try --click <selector> for a sign-in button, or --config-url and --client-id to call get() directly.`,
          ),
        };
      }
    }
  } finally {
    log.progress.stop();
    page.close();
  }
}

/** Options as JSON can show them (the signal left out, passwords hidden). */
function jsonable(value: unknown): unknown {
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
