// `fedkit doctor <configURL>`: checks a live IdP the way Chrome will and says what to fix
// (fedkit/doctor); `fedkit doctor --rp <url>` checks an RP page. Findings grouped by endpoint,
// with colour and a progress line on a terminal, `--json` for scripts. Exit codes: 0 no error,
// 1 an error (or a warning with --strict), 2 usage.

import { SUMMARIES } from '../summaries.js';
import { doctor, doctorRp, type DoctorOptions, type DoctorReport, type DoctorRpOptions, type DoctorSession, type RpDoctorReport } from '../../doctor/index.js';
import { optionString, UsageError, type OptionSpecs, type Parsed } from '../args.js';
import { leaf, type Io, type Leaf } from '../command.js';
import { CONNECTION_OPTIONS, connection } from '../connection.js';
import { createProgress, type Progress } from '../terminal/progress.js';
import { colourEnabled, createStyle, type Style } from '../terminal/style.js';
import { formatReport } from './report.js';

const USAGE =
  'fedkit doctor <config-url> [--client-id <id> --rp-origin <origin>] [--user <email> [--password <pw>] | --cookie <name=value>… | --profile <file>] [--logout-url <url>] [--strict] [--json]\n       fedkit doctor --rp <page-url> [--click <selector>] [--settle <ms>] [--strict] [--json]';
const SUMMARY = SUMMARIES.doctor;

const OPTIONS: OptionSpecs = {
  'client-id': { type: 'string', valueName: '<id>', description: 'an RP client id: enables the client metadata, ID assertion, token and protection probes' },
  'rp-origin': { type: 'string', valueName: '<origin>', description: 'the RP origin the requests come from (registered for --client-id; default https://rp.doctor.invalid)' },
  user: { type: 'string', valueName: '<email>', description: "sign in through the IdP's login form as this user" },
  password: { type: 'string', valueName: '<password>', description: 'the password for --user (asked for when left out)' },
  'login-url': { type: 'string', valueName: '<url>', description: "the login form's URL (default: the config's login_url)" },
  cookie: { type: 'string', multiple: true, valueName: '<name=value>', description: "a session cookie of the IdP's origin, instead of signing in" },
  profile: { type: 'string', valueName: '<file>', description: 'a fedkit profile (from fedkit signin --profile): its cookies and login status' },
  'logout-url': { type: 'string', valueName: '<url>', description: 'the IdP sign-out page: checks its Set-Login: logged-out (runs last)' },
  'no-assertion': { type: 'boolean', description: 'skip the ID assertion probes (they use nonces and may record a grant for the user)' },
  rp: { type: 'string', valueName: '<page-url>', description: "check an RP page instead: what will break FedCM there (its CSP, iframes, its get() calls)" },
  click: { type: 'string', valueName: '<css selector>', description: 'with --rp: click this element once the page has settled (a button-driven sign-in)' },
  settle: { type: 'string', valueName: '<ms>', description: "with --rp: how long to watch the page for its FedCM calls (default 2000)" },
  ...CONNECTION_OPTIONS,
  strict: { type: 'boolean', description: 'fail on warnings too (for CI)' },
  json: { type: 'boolean', description: 'print { ok, configURL, findings, requests } as JSON' },
  timeout: { type: 'string', valueName: '<ms>', description: 'per-request timeout (default 10000)' },
};

const MORE_HELP = `
Each finding has a stable id (Chromium's DevTools issue name where Chrome reports the problem,
fedkit's own otherwise), a level (error: Chrome will fail; warning: works today but fragile,
deprecated or unsafe; info), what was seen and the fix; docs/doctor.md lists every id.

The ID assertion probes send real assertion requests as the signed-in user (and a few a browser
would not send, to see that the IdP refuses them): use a test account.

Exit codes: 0 no error, 1 an error (or a warning, with --strict), 2 usage error.

Examples:
  fedkit doctor https://idp.example/fedcm/config.json
  fedkit doctor https://idp.example/fedcm/config.json --client-id my-rp --rp-origin https://rp.example --user jane@idp.example
  fedkit doctor --rp https://rp.example/login --click '#signin'
`;

export const doctorCommand: Leaf = leaf(SUMMARY, USAGE, OPTIONS, runDoctor, { positionals: true, moreHelp: MORE_HELP });

/** One run: the options checked, the probes with a progress line, the report; returns the exit code. */
async function runDoctor(p: Parsed, io: Io): Promise<number> {
  const json = p.booleans.has('json');
  const style = createStyle(!json && colourEnabled({ isTTY: io.isTTY === true }));
  const progress = createProgress({ isTTY: io.isTTY === true, write: (s: string) => io.stderr(s) }, style);
  if (optionString(p, 'rp') !== undefined) return runRpDoctor(p, io, { json, style, progress });
  for (const name of ['click', 'settle']) if (optionString(p, name) !== undefined) throw new UsageError(`--${name} goes with --rp`);
  const options = await doctorOptions(p, io);
  const configURL = p.positionals[0]!;
  let report: DoctorReport;
  try {
    report = await doctor(configURL, { ...options, onProgress: (step) => (json ? undefined : progress.start(`checking the ${step}`)) });
  } finally {
    progress.stop();
  }
  io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report.configURL, report.findings, style, { strict: options.strict === true }));
  return report.ok ? 0 : 1;
}

/** `--rp <url>`: the RP page's checks (fedkit/doctor's doctorRp). */
async function runRpDoctor(p: Parsed, io: Io, out: { json: boolean; style: Style; progress: Progress }): Promise<number> {
  const url = optionString(p, 'rp')!;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`--rp ${url} is not an http(s) URL`);
  if (p.positionals.length > 0) throw new UsageError('--rp checks an RP page; give the IdP\'s config URL in a run of its own');
  const idpOnly = ['client-id', 'rp-origin', 'user', 'password', 'login-url', 'cookie', 'profile', 'logout-url'].filter((n) => optionString(p, n) !== undefined);
  if (idpOnly.length > 0 || p.booleans.has('no-assertion')) throw new UsageError(`--${idpOnly[0] ?? 'no-assertion'} checks an IdP; it does not go with --rp`);
  const { profile: _profile, ...net } = connection(p);
  const options: DoctorRpOptions = { ...net, ...(p.booleans.has('strict') ? { strict: true } : {}) };
  const click = optionString(p, 'click');
  if (click !== undefined) options.click = click;
  const settle = optionString(p, 'settle');
  if (settle !== undefined) {
    const ms = Number(settle);
    if (!Number.isFinite(ms) || ms < 0) throw new UsageError(`--settle must be a number of milliseconds, got ${settle}`);
    options.settleMs = ms;
  }
  const timeout = optionString(p, 'timeout');
  if (timeout !== undefined) {
    const ms = Number(timeout);
    if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, got ${timeout}`);
    options.timeoutMs = ms;
  }
  let report: RpDoctorReport;
  try {
    report = await doctorRp(url, { ...options, onProgress: (step) => (out.json ? undefined : out.progress.start(step)) });
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  } finally {
    out.progress.stop();
  }
  io.stdout(out.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(`--rp ${report.url}`, report.findings, out.style, { strict: options.strict === true }));
  return report.ok ? 0 : 1;
}

/** The command line as DoctorOptions; a mistake is a UsageError. */
async function doctorOptions(p: Parsed, io: Io): Promise<DoctorOptions> {
  if (p.positionals.length === 0) throw new UsageError("the IdP's config URL is required (e.g. https://idp.example/fedcm/config.json)");
  if (p.positionals.length > 1) throw new UsageError(`unexpected argument ${p.positionals[1]}`);
  const target = p.positionals[0]!;
  if (!URL.canParse(target) || !/^https?:$/.test(new URL(target).protocol)) throw new UsageError(`${target} is not an http(s) URL`);
  const s = (name: string): string | undefined => optionString(p, name);
  const { profile, ...net } = connection(p);
  const options: DoctorOptions = { ...net };
  const clientId = s('client-id');
  if (clientId !== undefined) {
    if (clientId === '') throw new UsageError('--client-id must not be empty');
    options.clientId = clientId;
  }
  const rpOrigin = s('rp-origin');
  if (rpOrigin !== undefined) {
    if (!URL.canParse(rpOrigin) || new URL(rpOrigin).origin === 'null') throw new UsageError(`--rp-origin ${rpOrigin} is not an origin (e.g. https://rp.example)`);
    options.rpOrigin = new URL(rpOrigin).origin;
  }
  const user = s('user');
  const cookies = p.strings.get('cookie') ?? [];
  const ways = [user !== undefined ? '--user' : '', cookies.length > 0 ? '--cookie' : '', profile !== undefined ? '--profile' : ''].filter(Boolean);
  if (ways.length > 1) throw new UsageError(`${ways.join(' and ')} are two ways to give a session; pass one`);
  if (s('password') !== undefined && user === undefined) throw new UsageError('--password goes with --user');
  if (s('login-url') !== undefined && user === undefined) throw new UsageError('--login-url goes with --user');
  let session: DoctorSession | undefined;
  if (user !== undefined) {
    const password = s('password') ?? (await io.readSecret(`Password for ${user}: `));
    if (password === undefined || password === '') throw new UsageError(`a password for ${user} is required (--password, or type it at the prompt)`);
    const loginUrl = s('login-url');
    if (loginUrl !== undefined && !URL.canParse(loginUrl)) throw new UsageError(`--login-url ${loginUrl} is not a URL`);
    session = { login: { user, password, ...(loginUrl === undefined ? {} : { loginUrl }) } };
  } else if (cookies.length > 0) {
    for (const c of cookies) if (!/^[^=;\s]+=[^;]*$/.test(c)) throw new UsageError(`--cookie ${c}: expected name=value`);
    session = { cookies };
  } else if (profile !== undefined) {
    session = { profile };
  }
  if (session !== undefined) options.session = session;
  const logoutUrl = s('logout-url');
  if (logoutUrl !== undefined) {
    if (!URL.canParse(logoutUrl)) throw new UsageError(`--logout-url ${logoutUrl} is not a URL`);
    options.logoutUrl = logoutUrl;
  }
  if (p.booleans.has('no-assertion')) options.assertion = false;
  if (p.booleans.has('strict')) options.strict = true;
  const timeout = s('timeout');
  if (timeout !== undefined) {
    const ms = Number(timeout);
    if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, got ${timeout}`);
    options.timeoutMs = ms;
  }
  return options;
}
