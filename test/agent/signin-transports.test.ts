// The core sign-in scenarios run twice, once over HTTPS (the fixture server on loopback, host
// rules, the test CA) and once through the agent's in-process transport (the same fixture routes
// as fetch handlers, createAgent({ handlers })), and must come out the same: what the page gets,
// the dialogs, the diagnostics, the fetch records, every request the IdP and RP received, the
// cookie jar and the login status (fedkit issue 15 §3: "the same scenario results through
// handlers as over HTTPS"). Each scenario also checks its own expected result, so that two
// equally broken runs do not pass.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdentityCredential, IdentityCredentialError, type AgentOptions, type FetchRecord } from '../../src/agent/index.js';
import { errorResponse, janeDoe, johnDoe, type IdpOptions } from '../fixtures/index.js';
import { startWorld, type World, type WorldTransport } from '../helpers/world.js';

/** Everything a scenario's run is judged by, transport-independent by construction. */
interface Outcome {
  result: unknown;
  dialogs: string[];
  diagnostics: { reason: string; message: string; detail: string; endpoint?: string; url?: string }[];
  fetches: Omit<FetchRecord, 'durationMs'>[];
  requests: { method: string; url: string; headers: Record<string, string>; body: string; status?: number }[];
  cookies: { name: string; value: string; domain: string; path: string; secure: boolean; httpOnly: boolean; sameSite: string }[];
  loginStatus: string | undefined;
  transports: string[];
}

interface Scenario {
  name: string;
  idp?: IdpOptions;
  agent?: AgentOptions;
  /** Runs the scenario; what it resolves with (or rejects with) is the page-visible result. */
  act(w: World): Promise<unknown>;
  /** The scenario's own expectation, on the HTTPS run and (by equality) on the in-process one. */
  expect(o: Outcome): void;
}

/** Rejects after `ms`, so a regression fails with a message instead of hanging the file. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

function summarize(value: unknown): unknown {
  if (value instanceof IdentityCredential) return { credential: { token: value.token, isAutoSelected: value.isAutoSelected, configURL: value.configURL } };
  if (Array.isArray(value)) return value.map(summarize);
  if (typeof value === 'object' && value !== null && 'url' in value && value.url instanceof URL) return { page: value.url.href };
  return value ?? null;
}

function summarizeError(e: unknown): unknown {
  if (e instanceof IdentityCredentialError) return { error: { name: e.name, message: e.message, error: e.error, url: e.url } };
  if (e instanceof Error || e instanceof DOMException) return { error: { name: e.name, message: e.message } };
  return { error: String(e) };
}

async function run(transport: WorldTransport, s: Scenario): Promise<Outcome> {
  const w = await startWorld({ transport, ...(s.idp === undefined ? {} : { idp: s.idp }), ...(s.agent === undefined ? {} : { agent: s.agent }) });
  try {
    const dialogs: string[] = [];
    const fetches: FetchRecord[] = [];
    w.agent.on('dialogShown', (d) => dialogs.push(d.dialogType));
    w.agent.on('fetch', (r) => fetches.push(r));
    let result: unknown;
    try {
      result = summarize(await within(s.act(w), 10_000, s.name));
    } catch (e) {
      result = summarizeError(e);
    }
    const cookies = (await w.agent.cookies.all())
      .map(({ name, value, domain, path, secure, httpOnly, sameSite }) => ({ name, value, domain, path, secure, httpOnly, sameSite }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return {
      result,
      dialogs,
      diagnostics: w.agent.diagnostics.map((d) => ({
        reason: d.reason,
        message: d.message,
        detail: d.detail,
        ...(d.endpoint === undefined ? {} : { endpoint: d.endpoint }),
        ...(d.url === undefined ? {} : { url: d.url }),
      })),
      fetches: fetches.map(({ durationMs: _d, ...rest }) => rest),
      requests: w.server.requests.map((r) => ({ method: r.method, url: r.url, headers: r.headers, body: r.body, ...(r.status === undefined ? {} : { status: r.status }) })),
      cookies,
      loginStatus: w.agent.profile.getLoginStatus(w.idp.origin),
      transports: [...new Set(w.server.requests.map((r) => r.transport))],
    };
  } finally {
    await w.close();
  }
}

/** Signs in at the IdP, calls get() and picks account `index` in the chooser. */
async function signIn(w: World, index = 0, mediation?: CredentialMediationRequirement): Promise<unknown> {
  await w.signInAtIdp();
  return chooseIn(w, index, mediation);
}

type CredentialMediationRequirement = 'silent' | 'optional' | 'required' | 'conditional';

/**
 * Calls get() and answers its dialogs as a user would: picks account `index` in the chooser and
 * dismisses any other dialog (the error dialog, the login-status mismatch prompt). The dialogs
 * shown are in the outcome. Resolves or rejects with what the page gets.
 */
async function chooseIn(w: World, index = 0, mediation?: CredentialMediationRequirement): Promise<unknown> {
  const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, ...(mediation === undefined ? {} : { mediation }) });
  const settled = new AbortController();
  const answer = async (): Promise<void> => {
    while (!settled.signal.aborted) {
      const dialog = await w.agent.automation.waitForDialog({ timeoutMs: 5000, signal: settled.signal });
      if (dialog.dialogType === 'AccountChooser') w.agent.automation.selectAccount(index);
      else w.agent.automation.cancelDialog();
      // The next dialog, if any, comes after this one is gone.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const answering = answer().catch(() => {});
  try {
    return await pending;
  } finally {
    settled.abort();
    await answering;
  }
}

function requestsTo(o: Outcome, path: string): Outcome['requests'] {
  return o.requests.filter((r) => new URL(r.url).pathname === path);
}

function failedWith(o: Outcome, name: string): void {
  assert.deepEqual((o.result as { error?: { name: string } }).error?.name, name, JSON.stringify(o.result));
}

const MIB = 1024 * 1024;

const scenarios: Scenario[] = [
  {
    name: 'the account chooser, then the token (WPT fedcm-basic)',
    act: (w) => signIn(w),
    expect(o) {
      assert.deepEqual(o.result, { credential: { token: 'token', isAutoSelected: false, configURL: 'https://idp.example/fedcm/config.json' } });
      assert.deepEqual(o.dialogs, ['AccountChooser']);
      const token = requestsTo(o, '/fedcm/token')[0];
      assert.equal(token?.headers['origin'], 'https://rp.example');
      assert.equal(token?.headers['sec-fetch-mode'], 'cors');
      assert.equal(token?.headers['cookie'], 'sid=1');
      // John Doe has approved client 123 already (approved_clients): no disclosure text.
      assert.match(token?.body ?? '', /^client_id=123&account_id=1234&disclosure_text_shown=false&is_auto_selected=false/);
    },
  },
  {
    name: 'every request passes the WPT request checks (Accept, Sec-Fetch-*, Origin, cookies)',
    idp: { requestChecks: true },
    act: (w) => signIn(w),
    expect(o) {
      assert.equal((o.result as { credential?: { token: string } }).credential?.token, 'token', JSON.stringify(o.result));
      for (const r of o.requests) assert.ok((r.status ?? 0) < 500, `${r.url} answered ${r.status}`);
      assert.equal(requestsTo(o, '/fedcm/accounts')[0]?.headers['origin'], undefined);
    },
  },
  {
    name: 'a returning user is signed in automatically (AutoReauthn)',
    idp: { accounts: [janeDoe(), johnDoe()] },
    async act(w) {
      const first = await signIn(w, 0);
      const second = await w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
      return [first, second];
    },
    expect(o) {
      const [, second] = o.result as [unknown, { credential: { isAutoSelected: boolean } }];
      assert.equal(second.credential?.isAutoSelected, true, JSON.stringify(o.result));
      assert.deepEqual(o.dialogs, ['AccountChooser', 'AutoReauthn']);
      assert.match(requestsTo(o, '/fedcm/token')[1]?.body ?? '', /account_id=jane_doe&disclosure_text_shown=false&is_auto_selected=true/);
    },
  },
  {
    name: 'the user dismisses the chooser: NetworkError',
    async act(w) {
      await w.signInAtIdp();
      const pending = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
      await w.agent.automation.waitForDialog({ timeoutMs: 5000 });
      w.agent.automation.cancelDialog();
      return pending;
    },
    expect(o) {
      failedWith(o, 'NetworkError');
      assert.equal(requestsTo(o, '/fedcm/token').length, 0);
    },
  },
  {
    name: 'an ID assertion error response: IdentityCredentialError with its code and URL',
    idp: { token: errorResponse({ cors: true, error: 'invalid_request', url: 'https://idp.example/error' }) },
    act: (w) => signIn(w),
    expect(o) {
      const error = (o.result as { error: { name: string; error: string; url: string } }).error;
      assert.equal(error.name, 'IdentityCredentialError', JSON.stringify(o.result));
      assert.equal(error.error, 'invalid_request');
      assert.equal(error.url, 'https://idp.example/error');
    },
  },
  {
    name: 'a token response without CORS headers fails the CORS check',
    idp: { token: () => ({ json: { token: 'no-cors' } }) },
    act: (w) => signIn(w),
    expect(o) {
      failedWith(o, 'IdentityCredentialError');
      assert.equal(requestsTo(o, '/fedcm/token').length, 1, 'the token request was sent, its answer refused');
      assert.ok(o.diagnostics.some((d) => d.reason === 'CorsError'), JSON.stringify(o.diagnostics.map((d) => d.reason)));
    },
  },
  {
    name: 'cookies: two Set-Cookie lines on the login page are both stored and both sent',
    async act(w) {
      w.idp.override('login', () => ({
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'set-cookie': ['sid=1; Secure; SameSite=None; Path=/; HttpOnly', 'theme=dark; Secure; SameSite=None; Path=/'],
          'set-login': 'logged-in',
        },
        body: '<!doctype html><p>Signed in</p>',
      }));
      return signIn(w);
    },
    expect(o) {
      assert.equal((o.result as { credential?: { token: string } }).credential?.token, 'token', JSON.stringify(o.result));
      assert.deepEqual(o.cookies.map((c) => `${c.name}=${c.value}`), ['sid=1', 'theme=dark']);
      assert.equal(requestsTo(o, '/fedcm/accounts')[0]?.headers['cookie'], 'sid=1; theme=dark');
      assert.equal(o.loginStatus, 'logged-in');
    },
  },
  {
    name: 'Set-Login: logged-out makes get() fail without asking for accounts',
    async act(w) {
      await w.signInAtIdp();
      (await w.agent.open(w.idp.url('/logout'))).close();
      return w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    },
    expect(o) {
      failedWith(o, 'NetworkError');
      assert.equal(o.loginStatus, 'logged-out');
      assert.equal(requestsTo(o, '/fedcm/accounts').length, 0);
      assert.deepEqual(o.cookies.map((c) => c.name), []);
    },
  },
  {
    name: 'a redirected accounts endpoint is refused (FedCM fetches use redirect "error")',
    async act(w) {
      w.idp.override('accounts', () => ({ redirect: 'https://idp.example/fedcm/accounts2' }));
      return signIn(w);
    },
    expect(o) {
      failedWith(o, 'NetworkError');
      assert.equal(requestsTo(o, '/fedcm/accounts2').length, 0);
      assert.ok(o.diagnostics.some((d) => d.endpoint === 'accounts endpoint'), JSON.stringify(o.diagnostics));
    },
  },
  {
    name: 'a navigation follows redirects across origins, storing each hop’s cookies',
    async act(w) {
      w.server.route('https://rp.example', 'GET', '/go', () => ({ redirect: 'https://idp.example/hop', headers: { 'set-cookie': 'rp_visit=1; Secure; SameSite=Lax; Path=/' } }));
      w.server.route('https://idp.example', 'GET', '/hop', () => ({ status: 303, redirect: '/login' }));
      const page = await w.agent.open(w.rp.url('/go'));
      const url = page.url.href;
      page.close();
      return { landed: url };
    },
    expect(o) {
      assert.deepEqual(o.result, { landed: 'https://idp.example/login' });
      assert.deepEqual(o.cookies.map((c) => `${c.domain}:${c.name}`).sort(), ['idp.example:sid', 'rp.example:rp_visit']);
      assert.equal(o.loginStatus, 'logged-in');
      assert.equal(requestsTo(o, '/hop').length, 1);
      assert.equal(requestsTo(o, '/login')[0]?.headers['cookie'], undefined);
    },
  },
  {
    name: 'an accounts response over 1 MiB (Content-Length) is refused',
    async act(w) {
      w.idp.override('accounts', () => ({ json: { accounts: [johnDoe()], padding: 'x'.repeat(MIB) } }));
      return signIn(w);
    },
    expect(o) {
      failedWith(o, 'NetworkError');
      assert.ok(o.fetches.some((f) => f.endpoint === 'accounts endpoint' && f.error !== undefined && /limit/.test(f.error)), JSON.stringify(o.fetches.filter((f) => f.endpoint === 'accounts endpoint')));
    },
  },
  {
    name: 'a chunked accounts response that never ends is cut at 1 MiB',
    async act(w) {
      w.idp.override('accounts', () => ({ hang: true, headers: { 'content-type': 'application/json' }, body: `{"accounts":[],"padding":"${'x'.repeat(MIB + 10)}` }));
      return signIn(w);
    },
    expect(o) {
      failedWith(o, 'NetworkError');
      assert.ok(o.fetches.some((f) => f.endpoint === 'accounts endpoint' && /larger than the limit/.test(f.error ?? '')), JSON.stringify(o.fetches.filter((f) => f.endpoint === 'accounts endpoint')));
    },
  },
  {
    name: 'a slow accounts endpoint times out',
    agent: { timeoutMs: 300 },
    async act(w) {
      w.idp.setDelay('accounts', 2000);
      return signIn(w);
    },
    expect(o) {
      failedWith(o, 'NetworkError');
      assert.ok(o.fetches.some((f) => f.endpoint === 'accounts endpoint' && /300 ms/.test(f.error ?? '')), JSON.stringify(o.fetches.filter((f) => f.endpoint === 'accounts endpoint')));
    },
  },
  {
    name: 'a missing well-known file fails the request',
    async act(w) {
      w.idp.setWellKnown('missing');
      return signIn(w);
    },
    expect(o) {
      failedWith(o, 'NetworkError');
      assert.ok(o.diagnostics.some((d) => d.reason === 'WellKnownHttpNotFound'), JSON.stringify(o.diagnostics.map((d) => d.reason)));
    },
  },
  {
    name: 'mediation "silent" without a returning user fails; with one it signs in silently',
    idp: { accounts: [janeDoe()] },
    async act(w) {
      await w.signInAtIdp();
      const silent = await w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'silent' }).then(summarize, summarizeError);
      const chosen = await chooseIn(w);
      const again = await w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'silent' });
      return [silent, summarize(chosen), summarize(again)];
    },
    expect(o) {
      const [silent, , again] = o.result as [{ error?: { name: string } }, unknown, { credential?: { isAutoSelected: boolean } }];
      assert.equal(silent.error?.name, 'NetworkError', JSON.stringify(o.result));
      assert.equal(again.credential?.isAutoSelected, true, JSON.stringify(o.result));
    },
  },
];

describe('sign-in scenarios: the same results over HTTPS and through in-process handlers', { timeout: 55_000 }, () => {
  for (const s of scenarios) {
    it(s.name, async () => {
      const overTls = await run('tls', s);
      assert.deepEqual(overTls.transports, ['tls']);
      s.expect(overTls);
      const inProcess = await run('handlers', s);
      assert.deepEqual(inProcess.transports, ['in-process'], 'every request of the handlers run went through the handlers');
      assert.deepEqual(inProcess, { ...overTls, transports: ['in-process'] });
    });
  }
  it('has at least ten scenarios', () => {
    assert.ok(scenarios.length >= 10);
  });
});
