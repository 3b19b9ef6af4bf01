// `fedkit demo`: the whole system on this machine. Starts the reference IdP and RP on loopback
// under https://idp.example and https://rp.example, signs in with the headless agent while
// printing the FedCM flow step by step (with each request), has the RP verify the token, then
// keeps running and prints how to try the same in Chrome.

import { SUMMARIES } from './summaries.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createAgent, IdentityCredential, type Diagnostic, type Dialog, type FetchRecord } from '../agent/index.js';
import { optionString, UsageError, type OptionSpecs } from './args.js';
import { leaf, type Io, type Leaf } from './command.js';
import { CLIENT_ID, DEMO_USER, IDP_ORIGIN, RP_ORIGIN, startSystem, type System } from './system.js';

/** The FedCM flow as MDN's "Relying party federated sign-in" guide walks through it. */
export const STEPS = [
  'The RP page calls navigator.credentials.get()',
  'The browser fetches the well-known file and the IdP config file',
  'The browser checks that the config is the one the well-known file lists',
  "The browser fetches the user's accounts, with the IdP's cookies",
  'The browser fetches the client metadata and account pictures',
  'The browser shows the account chooser',
  'The user chooses an account',
  'The browser asks the IdP for an ID assertion',
  'The IdP returns the token',
  'The RP page receives the IdentityCredential',
] as const;

export interface DemoStep {
  step: number;
  title: string;
  requests: { method: string; url: string; status?: number; ms: number; error?: string }[];
  detail?: string;
}

export interface DemoResult {
  ok: boolean;
  steps: DemoStep[];
  dialog?: { type: string; title: string; accounts: { accountId: string; name: string; email: string; loginState: string }[] };
  account?: string;
  token?: string;
  verified?: { created: boolean; user: Record<string, unknown> };
  error?: string;
  diagnostics: Diagnostic[];
}

/** Which step a request belongs to. */
function stepOf(r: FetchRecord): number | undefined {
  switch (r.endpoint) {
    case 'well-known file':
    case 'config file':
      return 2;
    case 'accounts endpoint':
      return 4;
    case 'client metadata endpoint':
    case 'account picture':
      return 5;
    case 'id assertion endpoint':
      return 8;
    default:
      return undefined;
  }
}

/**
 * Signs the demo user in with the agent, step by step: at the IdP first (its login form), then
 * FedCM from the RP page, then the RP server verifies the token. `onStep` sees each step as it
 * completes.
 */
export async function runDemoSignIn(system: System, options: { account?: string; onStep?: (s: DemoStep) => void } = {}): Promise<DemoResult> {
  const agent = createAgent({ hostRules: system.hostRules, ca: system.ca, rejectionDelay: false });
  const steps: DemoStep[] = STEPS.map((title, i) => ({ step: i + 1, title, requests: [] }));
  const result: DemoResult = { ok: false, steps, diagnostics: [] };
  const done = new Set<number>();
  const finish = (upTo: number): void => {
    for (let i = 1; i <= upTo; i++) {
      const s = steps[i - 1];
      if (s && !done.has(i)) {
        done.add(i);
        options.onStep?.(s);
      }
    }
  };
  agent.on('fetch', (r) => {
    const n = stepOf(r);
    if (n === undefined) return;
    steps[n - 1]?.requests.push({ method: r.method, url: r.url, ...(r.status === undefined ? {} : { status: r.status }), ms: Math.round(r.durationMs * 10) / 10, ...(r.error ? { error: r.error } : {}) });
  });
  agent.on('diagnostic', (d) => result.diagnostics.push(d));
  agent.on('dialogShown', (d: Dialog) => {
    finish(5);
    result.dialog = { type: d.dialogType, title: d.title, accounts: d.accounts.map((a) => ({ accountId: a.accountId, name: a.name, email: a.email, loginState: a.loginState })) };
    const s6 = steps[5];
    if (s6) s6.detail = `${d.dialogType}: "${d.title}" — ${d.accounts.map((a) => `${a.name} <${a.email}> (${a.loginState})`).join(', ')}`;
    finish(6);
    if (d.dialogType !== 'AccountChooser') return;
    const wanted = options.account;
    const index = wanted === undefined ? 0 : d.accounts.findIndex((a, i) => a.accountId === wanted || a.email === wanted || String(i) === wanted);
    const chosen = d.accounts[index];
    const s7 = steps[6];
    if (!chosen || !s7) {
      agent.automation.cancelDialog();
      return;
    }
    result.account = chosen.accountId;
    s7.detail = `${chosen.name} <${chosen.email}>`;
    finish(7);
    setImmediate(() => agent.automation.selectAccount(index));
  });

  try {
    // Before FedCM: the user signs in at the IdP (its login form sets the session and Set-Login).
    const login = await agent.open(system.idp.urls.login);
    const csrf = /name="csrf" value="([^"]+)"/.exec(login.response?.body ?? '')?.[1];
    if (csrf === undefined) throw new Error(`the IdP login page ${system.idp.urls.login} has no CSRF field`);
    const signedIn = await login.fetch(system.idp.urls.login, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, email: DEMO_USER.email, password: DEMO_USER.password }).toString(),
    });
    if (signedIn.status >= 400) throw new Error(`signing in at the IdP failed with ${signedIn.status}: ${signedIn.body.slice(0, 200)}`);
    login.close();

    const page = await agent.open(`${RP_ORIGIN}/`);
    const config = JSON.parse(/<script type="application\/json" id="fedkit-config">([^<]*)<\/script>/.exec(page.response?.body ?? '')?.[1] ?? '{}') as { nonce?: string };
    const s1 = steps[0];
    if (s1) s1.detail = `get({ identity: { providers: [{ configURL: "${system.configURL}", clientId: "${CLIENT_ID}", params: { nonce } }] } }) on ${RP_ORIGIN}/`;
    finish(1);
    const credential = await page.navigator.credentials!.get({
      identity: { providers: [{ configURL: system.configURL, clientId: CLIENT_ID, params: { nonce: config.nonce } }], context: 'signin' },
    });
    if (!(credential instanceof IdentityCredential) || typeof credential.token !== 'string') throw new Error('no token was returned');
    result.token = credential.token;
    const s3 = steps[2];
    if (s3) s3.detail = 'the config URL is listed in the well-known file, every endpoint is on the IdP origin';
    const s9 = steps[8];
    if (s9) s9.detail = `${credential.token.slice(0, 24)}… (a signed JWT, ${credential.token.length} characters)`;
    const s10 = steps[9];
    if (s10) s10.detail = `IdentityCredential { configURL: "${credential.configURL}", isAutoSelected: ${credential.isAutoSelected} }`;
    finish(10);

    const verified = await page.fetch('/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: credential.token }) });
    const body = JSON.parse(verified.body) as { created?: boolean; user?: Record<string, unknown>; error?: { code: string; message: string } };
    if (verified.status !== 200 || !body.user) throw new Error(`the RP refused the token: ${body.error?.code ?? verified.status} ${body.error?.message ?? ''}`);
    result.verified = { created: body.created === true, user: body.user };
    result.ok = true;
  } catch (e) {
    const cause = (e as { cause?: Diagnostic }).cause;
    result.error = cause?.reason ? `${(e as Error).name}: ${cause.reason}: ${cause.detail}` : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } finally {
    await agent.close();
  }
  return result;
}

const OPTIONS: OptionSpecs = {
  once: { type: 'boolean', description: 'exit after the sign-in (exit status 0 only if the RP verified the token)' },
  json: { type: 'boolean', description: 'print the flow as JSON (implies --once)' },
  port: { type: 'string', valueName: '<port>', description: 'loopback port for both parties (default: a free one)' },
  dir: { type: 'string', valueName: '<dir>', description: 'where the CA, certificates and databases are kept (default ~/.fedkit/demo)' },
  account: { type: 'string', valueName: '<id|email|index>', description: 'the account to choose (default: the first)' },
  fresh: { type: 'boolean', description: 'start from new state: the demo user signs up again (the CA is kept)' },
};

const USAGE = 'fedkit demo [--once] [--json] [--fresh] [--port <port>] [--dir <dir>] [--account <id|email|index>]';
const SUMMARY = SUMMARIES.demo;

export const demoCommand: Leaf = leaf(SUMMARY, USAGE, OPTIONS, async (p, io) => {
    const portText = optionString(p, 'port');
    const port = portText === undefined ? 0 : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${portText}`);
    const json = p.booleans.has('json');
    const once = json || p.booleans.has('once');
    const dir = optionString(p, 'dir') ?? join(homedir(), '.fedkit', 'demo');
    const c = colours(io);
    const say = (line: string): void => {
      if (!json) io.stdout(`${line}\n`);
    };

    say(c.bold('fedkit demo') + c.dim(` — state in ${dir}`));
    const system = await startSystem({ dir, port, fresh: p.booleans.has('fresh') });
    try {
      say(`${c.green('✓')} IdP ${IDP_ORIGIN} and RP ${RP_ORIGIN} listening on 127.0.0.1:${system.port}${system.firstRun ? c.dim(' (first run: CA, certificates and databases created)') : ''}`);
      say(`${c.green('✓')} The user signs in at the IdP (${system.idp.urls.login}), which sets its session cookie and Set-Login: logged-in`);
      say('');
      const account = optionString(p, 'account');
      const result = await runDemoSignIn(system, {
        ...(account === undefined ? {} : { account }),
        onStep: (s) => {
          say(`${c.bold(String(s.step).padStart(2))}  ${s.title}`);
          for (const r of s.requests) {
            const status = r.status === undefined ? c.red(r.error ?? 'failed') : r.status < 400 ? c.green(String(r.status)) : c.red(String(r.status));
            say(`      ${r.method.padEnd(4)} ${r.url}  ${status}  ${c.dim(`${r.ms} ms`)}`);
          }
          if (s.detail) say(`      ${c.dim(s.detail)}`);
        },
      });
      if (json) {
        io.stdout(`${JSON.stringify({ ...result, urls: { idp: IDP_ORIGIN, rp: RP_ORIGIN, configURL: system.configURL, port: system.port }, chrome: chromeCommand(system) }, null, 2)}\n`);
      } else if (result.ok && result.verified) {
        say(`${c.bold(' →')}  The RP server verifies the token (signature via the IdP's JWKS, iss, aud, nonce, exp): ${c.green('valid')}`);
        const u = result.verified.user;
        say(`      ${result.verified.created ? 'New user signed up' : 'Returning user signed in'}: ${String(u['name'] ?? '')} <${String(u['email'] ?? '')}> (sub ${String(u['subject'] ?? '')})`);
      } else {
        say(`${c.red('✗')} ${result.error ?? 'the sign-in failed'}`);
        for (const d of result.diagnostics.filter((x) => x.level === 'error')) say(`   ${c.red(d.reason)}: ${d.detail}`);
      }
      if (once) return result.ok ? 0 : 1;

      say('');
      say(c.bold('Running. Try it in a browser:'));
      say(`  RP   ${RP_ORIGIN}/`);
      say(`  IdP  ${IDP_ORIGIN}  (user ${DEMO_USER.email}, password ${DEMO_USER.password})`);
      say(`  ${chromeCommand(system)}`);
      say(c.dim('  Press Ctrl+C to stop.'));
      await io.stopped;
      return result.ok ? 0 : 1;
    } finally {
      await system.close();
    }
});

/** The Chrome command line that reaches the same RP and IdP (Chromium's host rules, this CA not installed). */
export function chromeCommand(system: System): string {
  return `chromium --user-data-dir=$(mktemp -d) --host-resolver-rules="MAP *.example:443 127.0.0.1:${system.port}" --ignore-certificate-errors ${RP_ORIGIN}/`;
}

function colours(io: Io): { bold: (s: string) => string; dim: (s: string) => string; green: (s: string) => string; red: (s: string) => string } {
  const on = io.isTTY === true && process.env['NO_COLOR'] === undefined;
  const wrap = (code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap('1'), dim: wrap('2'), green: wrap('32'), red: wrap('31') };
}
