// `fedkit signin`, run in-process through run(argv, io) against the fixture world: get() called
// directly (--config-url) with a non-interactive choice and --json, an RP page whose own scripts
// sign in and post the token, the interactive chooser driven by key presses, failures with
// their diagnostics, usage errors; and one spawned `fedkit signin --help`.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createAgent, type Dialog } from '../../src/agent/index.js';
import { run } from '../../src/cli/run.js';
import type { SigninIo, SigninTerminal } from '../../src/cli/signin/command.js';
import type { SigninReport } from '../../src/cli/signin/reporter.js';
import { decodeKeys } from '../../src/cli/terminal/keys.js';
import { terminalMediator } from '../../src/cli/terminal/mediator.js';
import { corsHeaders, twoAccounts } from '../fixtures/index.js';
import { startWorld, type World } from '../helpers/world.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

let w: World;
let dir: string;
let caFile: string;
let rules: string;

/** Runs `fedkit <args>` in this process with captured output. */
async function cli(args: string[], terminal: SigninTerminal = { interactive: false, colour: false }): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: SigninIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    readSecret: () => Promise.resolve(undefined),
    stopped: new Promise(() => {}),
    terminal,
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

/** The options that reach the fixture world: host rules, its CA, a profile. */
const world = (profile: string): string[] => ['--host-rules', rules, '--ca', caFile, '--profile', profile];

/** A profile file in which the user is signed in at the IdP (its /login set the session cookie). */
async function signedInProfile(name: string): Promise<string> {
  const path = join(dir, `${name}.db`);
  const agent = createAgent({ profile: path, hostRules: w.server.hostRules, ca: w.server.ca });
  (await agent.open(w.idp.url('/login'))).close();
  await agent.close();
  return path;
}

/** base64url JSON, for an unsigned test JWT. */
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('fedkit signin', { timeout: 60_000 }, () => {
  before(async () => {
    w = await startWorld();
    dir = mkdtempSync(join(tmpdir(), 'fedkit-signin-'));
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, w.server.ca);
    rules = Object.entries(w.server.hostRules)
      .map(([pattern, target]) => `MAP ${pattern} ${target}`)
      .join(', ');
  });
  after(async () => {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    w.idp.setAccounts([{ id: '1234', name: 'John Doe', given_name: 'John', email: 'john_doe@idp.example', approved_clients: ['123'] }]);
    w.idp.override('token');
    w.server.clearRequests();
  });

  it('calls get() directly, chooses --account non-interactively, prints JSON with the token, its claims and the requests', { timeout: 20_000 }, async () => {
    const jwt = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64({ iss: w.idp.origin, sub: '1234', aud: '123', nonce: 'n-1', iat: 1_700_000_000 })}.c2ln`;
    w.idp.setToken((req) => ({ headers: corsHeaders(req), json: { token: jwt } }));
    const profile = await signedInProfile('direct');
    const r = await cli(['signin', w.rp.url('/'), '--config-url', w.idp.configURL, '--client-id', '123', '--nonce', 'n-1', '--account', '1234', '--json', ...world(profile)]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as SigninReport;
    assert.equal(report.ok, true);
    assert.equal(report.mode, 'direct');
    assert.equal(report.issue, null, 'a sign-in raises no DevTools issue');
    assert.equal(report.credential?.token, jwt);
    assert.equal(report.credential?.type, 'identity');
    assert.deepEqual(report.credential?.jwt?.claims, { iss: w.idp.origin, sub: '1234', aud: '123', nonce: 'n-1', iat: 1_700_000_000 });
    assert.equal(report.credential?.jwt?.verified, false);
    assert.equal(report.account?.accountId, '1234');
    assert.equal(report.dialogs[0]?.dialogType, 'AccountChooser');
    const endpoints = report.requests.map((q) => `${q.method} ${q.endpoint} ${q.status}`);
    for (const e of ['GET navigation 200', 'GET config file 200', 'GET accounts endpoint 200', 'POST id assertion endpoint 200']) assert.ok(endpoints.includes(e), `${e} in ${endpoints.join(', ')}`);
    assert.ok(report.requests.every((q) => typeof q.durationMs === 'number' && q.url.startsWith('https://')));
    // The nonce went to the IdP in the assertion request's params.
    const token = w.server.requestsTo('https://idp.example', '/fedcm/token')[0];
    assert.deepEqual(JSON.parse(new URLSearchParams(token?.body ?? '').get('params') ?? '{}'), { nonce: 'n-1' });
  });

  it('prints the flow step by step as text, and decodes a JWT saying it is not verified', { timeout: 20_000 }, async () => {
    const jwt = `${b64({ alg: 'ES256' })}.${b64({ sub: '1234', exp: 2_000_000_000 })}.c2ln`;
    w.idp.setToken((req) => ({ headers: corsHeaders(req), json: { token: jwt } }));
    const profile = await signedInProfile('text');
    const r = await cli(['signin', w.rp.url('/'), '--config-url', w.idp.configURL, '--client-id', '123', '--account', 'john_doe@idp.example', ...world(profile)]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /→ GET https:\/\/idp\.example\/fedcm\/accounts 200 \d+ ms · accounts endpoint/);
    assert.match(r.stdout, /AccountChooser dialog: Sign in to rp\.example with idp\.example/);
    assert.match(r.stdout, /\[0\] John Doe {2}john_doe@idp\.example {2}returning/);
    assert.match(r.stdout, /✔ AccountChooser: John Doe <john_doe@idp\.example> \(1234, returning\)/);
    assert.match(r.stdout, /✔ Signed in: IdentityCredential/);
    assert.match(r.stdout, /NOT verified/);
    assert.match(r.stdout, /exp: 2000000000 {2}\(2033-05-18T03:33:20\.000Z\)/);
    assert.ok(!r.stdout.includes('\x1b['), 'no colour when not on a terminal');
  });

  it("runs the RP page's own scripts: a module calls get(), posts the token to the RP and reloads", { timeout: 20_000 }, async () => {
    const profile = await signedInProfile('page');
    let sessions = 0;
    w.server.route('https://rp.example', 'POST', '/session', (req) => {
      sessions++;
      return { headers: { 'set-cookie': 'rp_session=s1; Path=/; Secure; HttpOnly; SameSite=Lax' }, json: { ok: true, got: JSON.parse(req.body) as unknown } };
    });
    w.server.route('https://rp.example', 'GET', '/sign-in.js', () => ({
      headers: { 'content-type': 'text/javascript' },
      body: `export async function signIn(configURL, clientId) {
        const credential = await navigator.credentials.get({ identity: { providers: [{ configURL, clientId, params: { nonce: 'n-2' } }] } });
        return credential.token;
      }`,
    }));
    w.rp.page('/app', {
      html: (req) =>
        req.cookies['rp_session'] === 's1'
          ? '<!doctype html><title>Welcome back</title><p>Signed in</p>'
          : `<!doctype html><title>Acme</title><p id="status">signed out</p>
            <script type="module">
              import { signIn } from './sign-in.js';
              const token = await signIn(${JSON.stringify(w.idp.configURL)}, '123');
              const res = await fetch('/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
              if (res.ok) location.reload();
            </script>`,
    });
    const r = await cli(['signin', w.rp.url('/app'), '--account', '0', '--json', ...world(profile)]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as SigninReport;
    assert.equal(report.mode, 'page');
    assert.equal(report.credential?.token, 'token');
    assert.equal(sessions, 1);
    const posted = w.server.requestsTo('https://rp.example', '/session')[0];
    assert.deepEqual(JSON.parse(posted?.body ?? '{}'), { token: 'token' });
    assert.equal(posted?.headers['origin'], 'https://rp.example');
    assert.equal(posted?.headers['content-type'], 'application/json');
    // The module came through the agent; the reload too, with the RP's new session cookie.
    assert.ok(report.requests.some((q) => q.by === 'page' && q.url === w.rp.url('/sign-in.js') && q.status === 200));
    assert.deepEqual(
      report.navigations.map((n) => n.title),
      ['Acme', 'Welcome back'],
    );
    assert.equal(report.calls[0]?.method, 'get');
  });

  it('clicks a sign-in button (--click): active mode gets its user activation', { timeout: 20_000 }, async () => {
    const profile = await signedInProfile('click');
    w.rp.page('/button', `<!doctype html><title>Button</title><button id="go">Sign in</button><script>
      document.getElementById('go').addEventListener('click', () => {
        navigator.credentials.get({ identity: { mode: 'active', providers: [{ configURL: ${JSON.stringify(w.idp.configURL)}, clientId: '123' }] } })
          .then((c) => console.log('token ' + c.token), (e) => console.log('failed ' + e.name));
      });
    </script>`);
    const r = await cli(['signin', w.rp.url('/button'), '--click', '#go', '--account', '1234', ...world(profile)]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Clicking #go/);
    assert.match(r.stdout, /mode active/);
    assert.match(r.stdout, /console\.log: token token/);
  });

  it("continues to the IdP's login page, which runs in a popup, then signs in", { timeout: 20_000 }, async () => {
    // Logged in by the IdP's own word (Set-Login) but without its session cookie: FedCM offers
    // the IdP's login page (ConfirmIdpLogin); the fixture login page sets the session as it loads.
    const profile = join(dir, 'mismatch.db');
    const agent = createAgent({ profile, hostRules: w.server.hostRules, ca: w.server.ca });
    (await agent.open(w.idp.url('/mark_signedin'))).close();
    await agent.close();
    const r = await cli(['signin', w.rp.url('/'), '--config-url', w.idp.configURL, '--client-id', '123', '--account', '1234', ...world(profile)]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /ConfirmIdpLogin: continue to the identity provider/);
    assert.match(r.stdout, /The IdP's login page opens in a popup: https:\/\/idp\.example\/login/);
    assert.match(r.stdout, /✔ AccountChooser: John Doe/);
    assert.match(r.stdout, /✔ Signed in/);
  });

  it("on a terminal, the user types the IdP's login form in the popup", { timeout: 20_000 }, async () => {
    const profile = join(dir, 'typed-login.db');
    const agent = createAgent({ profile, hostRules: w.server.hostRules, ca: w.server.ca });
    (await agent.open(w.idp.url('/mark_signedin'))).close();
    await agent.close();
    const posted: string[] = [];
    w.idp.override('login', () => ({
      headers: { 'content-type': 'text/html' },
      body: `<!doctype html><form method="post" action="/login/submit"><input type="hidden" name="csrf" value="c-1">
        <label for="email">Email</label><input id="email" name="email" type="email">
        <label for="pw">Password</label><input id="pw" name="password" type="password"><button>Sign in</button></form>`,
    }));
    w.server.route('https://idp.example', 'POST', '/login/submit', (req) => {
      posted.push(req.body);
      return {
        headers: { 'content-type': 'text/html', 'set-cookie': 'sid=1; SameSite=None; Secure; HttpOnly; Path=/', 'set-login': 'logged-in' },
        body: '<!doctype html><script>IdentityProvider.close()</script>',
      };
    });
    const input = Object.assign(new PassThrough(), { isTTY: false });
    let drawn = '';
    const typed = new Set<string>();
    const output = {
      write: (t: string) => {
        drawn += t;
        for (const [prompt, keys] of [
          ['Email: ', 'john@x.example\r'],
          ['Password: ', 'hunter2x\x7f\r'],
        ] as const) {
          if (t.includes(prompt) && !typed.has(prompt)) {
            typed.add(prompt);
            setImmediate(() => input.write(keys));
          }
        }
        return true;
      },
    };
    try {
      const r = await cli(['signin', w.rp.url('/'), '--config-url', w.idp.configURL, '--client-id', '123', '--account', '1234', ...world(profile)], { input, output, interactive: true, colour: false });
      assert.equal(r.code, 0, r.stdout + drawn);
      assert.deepEqual(posted, ['csrf=c-1&email=john%40x.example&password=hunter2']);
      assert.match(drawn, /Sign in at idp\.example/);
      assert.ok(drawn.includes('Password: ••••••••\b \b\n'), 'the password is masked; Backspace erases');
      assert.match(r.stdout, /Submitting the IdP's login form/);
      assert.match(r.stdout, /✔ Signed in/);
    } finally {
      w.idp.override('login');
    }
  });

  it('shows the chooser in the terminal: ↓ then Enter picks the second account', { timeout: 20_000 }, async () => {
    w.idp.setAccounts(twoAccounts());
    const profile = await signedInProfile('interactive');
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (mode: boolean) => raw.push(mode) });
    const raw: boolean[] = [];
    let drawn = '';
    const output = {
      isTTY: true,
      columns: 100,
      write: (t: string) => {
        drawn += t;
        // Once the chooser is drawn, the "user" presses ↓ and Enter.
        if (t.includes('enter choose') && !pressed) {
          pressed = true;
          setImmediate(() => {
            input.write('\x1b[B');
            setImmediate(() => input.write('\r'));
          });
        }
        return true;
      },
    };
    let pressed = false;
    const r = await cli(['signin', w.rp.url('/'), '--config-url', w.idp.configURL, '--client-id', '123', '--json', ...world(profile)], { input, output, interactive: true, colour: false });
    assert.equal(r.code, 0, r.stdout + r.stderr + drawn);
    const report = JSON.parse(r.stdout) as SigninReport;
    assert.equal(report.account?.accountId, 'john_doe');
    assert.equal(report.account?.name, 'John Doe');
    assert.deepEqual(raw, [true, false], 'raw mode on while choosing, off after');
    assert.match(drawn, /Sign in to rp\.example with idp\.example/);
    assert.match(drawn, /Jane Doe {2}jane_doe@idp\.example/);
    assert.match(drawn, /› {2}John Doe/, 'the second account was highlighted');
    assert.match(drawn, /✔ John Doe <john_doe@idp\.example>/);
    const token = w.server.requestsTo('https://idp.example', '/fedcm/token')[0];
    assert.match(token?.body ?? '', /account_id=john_doe/);
  });

  it('Esc in the chooser cancels: exit 1', { timeout: 20_000 }, async () => {
    const profile = await signedInProfile('escape');
    const input = Object.assign(new PassThrough(), { isTTY: false });
    const output = {
      write: (t: string) => {
        if (t.includes('enter choose')) setImmediate(() => input.write('\x1b'));
        return true;
      },
    };
    const r = await cli(['signin', w.rp.url('/'), '--config-url', w.idp.configURL, '--client-id', '123', ...world(profile)], { input, output, interactive: true, colour: false });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /AccountChooser: cancelled/);
    assert.match(r.stdout, /Sign-in failed: NetworkError/);
  });

  it('fails with exit 1 and the diagnostic when the config cannot be fetched', { timeout: 20_000 }, async () => {
    const profile = await signedInProfile('missing');
    w.idp.override('config', () => ({ status: 404, body: 'no such config' }));
    try {
      const r = await cli(['signin', w.rp.url('/'), '--config-url', w.idp.configURL, '--client-id', '123', '--account', '0', ...world(profile)]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /→ GET https:\/\/idp\.example\/fedcm\/config\.json 404/);
      assert.match(r.stdout, /✖ Sign-in failed: NetworkError: Error retrieving a token\./);
      assert.match(r.stdout, /ConfigHttpNotFound: The provider's FedCM config file cannot be found\./);
      const json = await cli(['signin', w.rp.url('/'), '--config-url', w.idp.configURL, '--client-id', '123', '--json', ...world(profile)]);
      const report = JSON.parse(json.stdout) as SigninReport;
      assert.equal(json.code, 1);
      assert.equal(report.ok, false);
      assert.equal(report.error?.diagnostic?.reason, 'ConfigHttpNotFound');
      // The one DevTools issue Chrome raises for it, top-level and on the failure's diagnostic.
      assert.equal(report.issue, 'ConfigHttpNotFound');
      assert.equal(report.error?.diagnostic?.issue, 'ConfigHttpNotFound');
    } finally {
      w.idp.override('config');
    }
  });

  it('fails with exit 1 when the IdP host cannot be reached', { timeout: 20_000 }, async () => {
    const r = await cli(['signin', w.rp.url('/'), '--config-url', 'https://unreachable.test/fedcm.json', '--client-id', '123', '--account', '0', ...world(join(dir, 'unreachable.db'))]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✖ Sign-in failed/);
    assert.match(r.stdout, /WellKnownNoResponse: .*could not resolve unreachable\.test/);
  });

  it('without a terminal and without --account, says how to choose and fails', { timeout: 20_000 }, async () => {
    const profile = await signedInProfile('no-tty');
    const r = await cli(['signin', w.rp.url('/'), '--config-url', w.idp.configURL, '--client-id', '123', ...world(profile)]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /pass --account <id\|email\|index>/);
  });

  it('says so when the page never calls get()', { timeout: 20_000 }, async () => {
    w.rp.page('/quiet', '<!doctype html><title>Quiet</title><p>Nothing here</p>');
    const r = await cli(['signin', w.rp.url('/quiet'), '--account', '0', ...world(join(dir, 'quiet.db'))]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /did not call navigator\.credentials\.get\(\)/);
  });

  it('exits 2 on usage errors', async () => {
    for (const args of [
      ['signin'],
      ['signin', 'not a url'],
      ['signin', 'https://rp.example/', '--config-url', 'https://idp.example/c.json'],
      ['signin', 'https://rp.example/', '--client-id', '123'],
      ['signin', 'https://rp.example/', '--config-url', 'https://idp.example/c.json', '--client-id', '1', '--mode', 'loud'],
      ['signin', 'https://rp.example/', '--config-url', 'https://idp.example/c.json', '--client-id', '1', '--click', '#go'],
      ['signin', 'https://rp.example/', '--timeout', 'soon'],
      ['signin', 'https://rp.example/', '--host-rule', 'nonsense'],
      ['signin', 'https://rp.example/', '--nope'],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /fedkit signin --help/);
    }
  });

  it('the terminal mediator answers every dialog type, and cancels one it does not know', async () => {
    const answers: string[] = [];
    const mediator = terminalMediator({ interactive: false, account: 'b@x', colour: false, onAnswer: (d, a, summary, reason) => answers.push(`${d.dialogType} ${a.action} ${summary}${reason ? ` (${reason})` : ''}`) });
    const signal = new AbortController().signal;
    const base = { dialogId: '0', title: 'T' };
    const credential = { type: 'password', id: 'a@x', name: 'A', iconURL: '' } as const;
    const dialogs = [
      { ...base, dialogType: 'ConfirmIdpLogin', accounts: [], idpConfigUrl: 'https://idp.example/c.json', idpLoginUrl: 'https://idp.example/login' },
      { ...base, dialogType: 'Error', accounts: [], error: 'access_denied', url: 'https://idp.example/why' },
      { ...base, dialogType: 'CredentialChooser', accounts: [], origin: 'https://rp.example', credentials: [credential, { ...credential, id: 'b@x', name: 'B' }] },
      { ...base, dialogType: 'SaveCredential', accounts: [], origin: 'https://rp.example', action: 'save', credential },
      { ...base, dialogType: 'OtpConsent', accounts: [], origin: 'https://rp.example', code: '123456' },
      { ...base, dialogType: 'SomethingNew', accounts: [] },
    ] as unknown as Dialog[];
    const actions = [];
    for (const d of dialogs) actions.push(await mediator.choose(d, signal));
    assert.deepEqual(actions, [
      { action: 'clickButton', button: 'ConfirmIdpLoginContinue' },
      { action: 'clickButton', button: 'ErrorGotIt' },
      { action: 'selectAccount', accountIndex: 1 },
      { action: 'cancel' },
      { action: 'clickButton', button: 'OtpConsentAllow' },
      { action: 'cancel' },
    ]);
    assert.match(answers[5] ?? '', /^SomethingNew cancel cancelled \(fedkit signin cannot show a SomethingNew dialog/);
  });

  it('the interactive Error dialog offers "More details" when the IdP gave a URL', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: false });
    let drawn = '';
    const output = {
      write: (t: string) => {
        drawn += t;
        if (t.includes('enter choose') && !drawn.includes('✔')) setImmediate(() => input.write('\x1b[B\r'));
        return true;
      },
    };
    const mediator = terminalMediator({ input, output, interactive: true, colour: false });
    const dialog = { dialogId: '1', title: 'Sign-in failed', dialogType: 'Error', accounts: [], error: 'access_denied', url: 'https://idp.example/why' } as Dialog;
    assert.deepEqual(await mediator.choose(dialog, new AbortController().signal), { action: 'clickButton', button: 'ErrorMoreDetails' });
    assert.match(drawn, /error: access_denied/);
    assert.match(drawn, /Got it/);
  });

  it('decodes key presses: arrows in both cursor modes, Enter, Esc', () => {
    assert.deepEqual(decodeKeys('\x1b[A\x1bOB\r\x1b'), ['up', 'down', 'enter', 'escape']);
    assert.deepEqual(decodeKeys('jq\x03'), [{ char: 'j' }, { char: 'q' }, 'interrupt']);
  });

  it('the executable prints its help (spawned)', { timeout: 20_000 }, async () => {
    const main = join(process.cwd(), 'dist/src/cli/main.js');
    const child = spawn(process.execPath, [main, 'signin', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.match(stdout, /Usage: fedkit signin <rp-url>/);
    assert.match(stdout, /--account <id\|email\|index>/);
    assert.match(stdout, /Exit codes: 0/);
  });
});
