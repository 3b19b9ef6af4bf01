// `fedkit signin`'s command line: its usage and options, and what they ask for, checked (a
// mistake is a UsageError, exit 2): the run's Settings and the agent's connection options.

import { SUMMARIES } from '../summaries.js';
import { optionString, UsageError, type OptionSpecs, type Parsed } from '../args.js';
import { CONNECTION_OPTIONS } from '../connection.js';

export const USAGE =
  'fedkit signin <rp-url> [--config-url <url> --client-id <id> [--context …] [--mode …] [--login-hint …] [--domain-hint …] [--fields a,b] [--nonce …]] [--account <id|email|index>] [--click <selector>] [--profile <file>] [--host-rules <rules>] [--host-rule <pattern=target>…] [--ca <pem>] [--insecure] [--json] [--timeout <ms>]';

export const SUMMARY = SUMMARIES.signin;

export const OPTIONS: OptionSpecs = {
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
  ...CONNECTION_OPTIONS,
  json: { type: 'boolean', description: 'print one JSON document instead of the step-by-step log' },
  timeout: { type: 'string', valueName: '<ms>', description: 'give up after this long (default 30000; time spent in the chooser does not count)' },
};

export const MORE_HELP = `
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

export interface Settings {
  url: URL;
  direct?: { provider: Record<string, unknown>; context?: string; mode?: string; mediation?: string };
  account?: string;
  click?: string;
  timeoutMs: number;
  json: boolean;
}

export function settings(p: Parsed): Settings {
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
