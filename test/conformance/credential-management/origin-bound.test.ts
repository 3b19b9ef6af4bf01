// WPT credential-management/origin-bound-opaque-origin*.https.html and
// {password,federated}credential-framed-get.sub.https.html: PasswordCredential is bound to an
// origin (SecurityError from an opaque one), and password/federated get() is refused in any
// document that is not same-origin with all its ancestors (NotAllowedError).

import assert from 'node:assert/strict';
import { autoSelect, createAgent, type Agent, type Frame } from '../../../src/agent/index.js';
import { installRp, startFixtureServer, type FixtureServer, type RpController } from '../../fixtures/index.js';
import { subtest, wptFile } from '../wpt.js';

interface Served {
  server: FixtureServer;
  rp: RpController;
  agent: Agent;
  page: Frame;
}

/** The fixture server with the RP (https://rp.example), an agent that says yes to save prompts, and the test page. */
async function served(fn: (w: Served) => Promise<void>): Promise<void> {
  const server = await startFixtureServer();
  const rp = installRp(server);
  // store() resolves once the user has answered the save prompt: the user says yes.
  const agent = createAgent({ hostRules: server.hostRules, ca: server.ca, mediator: autoSelect() });
  try {
    const page = await agent.open(rp.url('/'));
    await fn({ server, rp, agent, page });
  } finally {
    await agent.close();
    await server.close();
  }
}

type Op = 'get' | 'create' | 'store';

/** origin-bound-report.js: runs one operation in `frame` and reports how it settled. */
async function report(frame: Frame, op: Op): Promise<{ origin: string; supported: boolean; result: string }> {
  const out = { origin: frame.origin, supported: false, result: 'unsupported' };
  const credentials = frame.navigator.credentials;
  if (!frame.PasswordCredential || !credentials) return out;
  out.supported = true;
  const data = { id: 'id', password: 'pencil' };
  let operation: () => Promise<unknown>;
  if (op === 'get') operation = () => credentials.get({ password: true });
  else if (op === 'create') operation = () => credentials.create({ password: data });
  else {
    let credential;
    try {
      credential = new frame.PasswordCredential(data);
    } catch (e) {
      out.result = `construction-failed:${(e as Error).name}`;
      return out;
    }
    operation = () => credentials.store(credential);
  }
  try {
    await operation();
    out.result = 'resolved';
  } catch (e) {
    out.result = (e as Error).name;
  }
  return out;
}

/** assertReported: the frame ran the operation (no harness failure). */
function assertReported(r: { supported: boolean; result: string }): void {
  assert.ok(r.supported, 'PasswordCredential is not supported, so nothing was exercised');
  assert.ok(!r.result.startsWith('construction-failed:') && !r.result.startsWith('harness-error:') && r.result !== 'unknown-op', `the support frame failed before the operation ran: ${r.result}`);
}

/** The message of the opaque-origin assertion, with what the agent is missing when it fails. */
const OPAQUE = 'expected an opaque origin';
const CSP_SANDBOX_GAP = `${OPAQUE}: a "Content-Security-Policy: sandbox" response header (without allow-same-origin) makes the document's origin opaque`;

wptFile('credential-management/origin-bound-opaque-origin.https.html', () => {
  const configurations: [string, (w: Served, query: string) => Promise<Frame>, string][] = [
    ['sandboxed iframe', (w, query) => w.page.openFrame(w.rp.url(`/support/origin-bound-report.html?${query}`), { sandbox: true }), OPAQUE],
    [
      'iframe whose document has a Content-Security-Policy: sandbox header',
      (w, query) => {
        w.rp.page('/support/origin-bound-report-csp-sandbox.html', { headers: { 'content-security-policy': 'sandbox allow-scripts' } });
        return w.page.openFrame(w.rp.url(`/support/origin-bound-report-csp-sandbox.html?${query}`));
      },
      CSP_SANDBOX_GAP,
    ],
  ];
  for (const [label, open, opaqueMessage] of configurations) {
    for (const op of ['get', 'create', 'store'] as const) {
      subtest(`${op}() with a PasswordCredential from an opaque origin (${label}) rejects with SecurityError`, () =>
        served(async (w) => {
          w.rp.page('/support/origin-bound-report.html', '<!doctype html><p>report</p>');
          const frame = await open(w, new URLSearchParams({ id: `opaque-${op}-${label}`, op }).toString());
          const r = await report(frame, op);
          assertReported(r);
          assert.equal(r.origin, 'null', opaqueMessage);
          assert.equal(r.result, 'SecurityError', `${op}() from an opaque origin must reject with SecurityError`);
        }),
      );
    }
  }

  // Sandboxed but keeping its origin (allow-same-origin): not caught by the opaque-origin check.
  for (const op of ['get', 'create', 'store'] as const) {
    subtest(`${op}() with a PasswordCredential from a non-opaque origin (sandboxed iframe with allow-same-origin) is not rejected as opaque`, () =>
      served(async (w) => {
        w.rp.page('/support/origin-bound-report.html', '<!doctype html><p>report</p>');
        // sandbox="allow-scripts allow-same-origin": the agent's sandbox option is the opaque
        // case only; a sandbox that keeps the origin is an ordinary same-origin frame here.
        const frame = await w.page.openFrame(w.rp.url(`/support/origin-bound-report.html?id=nonopaque-${op}&op=${op}`));
        const r = await report(frame, op);
        assertReported(r);
        assert.notEqual(r.origin, 'null', 'expected a normal (non-opaque) origin');
        assert.notEqual(r.result, 'SecurityError', `${op}() from a non-opaque origin must not be rejected as opaque`);
      }),
    );
  }
});

/** A top-level document served with `headers`. */
async function topLevel(w: Served, headers: Record<string, string>): Promise<Frame> {
  w.rp.page('/origin-bound-top-level.html', { headers });
  return w.agent.open(w.rp.url('/origin-bound-top-level.html'));
}

wptFile('credential-management/origin-bound-opaque-origin-top-level.https.html', () => {
  const data = { id: 'id', password: 'pencil' };
  const ops: [Op, (f: Frame) => Promise<unknown>][] = [
    ['get', (f) => f.navigator.credentials!.get({ password: true })],
    ['create', (f) => f.navigator.credentials!.create({ password: data })],
    ['store', (f) => f.navigator.credentials!.store(new f.PasswordCredential!(data))],
  ];
  for (const [op, run] of ops) {
    subtest(`${op}() with a PasswordCredential from a top-level opaque origin rejects with SecurityError`, () =>
      served(async (w) => {
        // Served with Content-Security-Policy: sandbox allow-scripts: opaque, still secure.
        const page = await topLevel(w, { 'content-security-policy': 'sandbox allow-scripts' });
        assert.ok(page.navigator.credentials, 'navigator.credentials is not supported');
        assert.ok(page.PasswordCredential, 'PasswordCredential is not supported');
        assert.equal(page.origin, 'null', CSP_SANDBOX_GAP);
        let name = 'resolved';
        try {
          await run(page);
        } catch (e) {
          name = (e as Error).name;
        }
        assert.equal(name, 'SecurityError');
      }),
    );
  }
});

wptFile('credential-management/origin-bound-opaque-origin-top-level-allow-same-origin.https.html', () => {
  const data = { id: 'id', password: 'pencil' };
  const ops: [Op, (f: Frame) => Promise<unknown>][] = [
    ['get', (f) => f.navigator.credentials!.get({ password: true })],
    ['create', (f) => f.navigator.credentials!.create({ password: data })],
    ['store', (f) => f.navigator.credentials!.store(new f.PasswordCredential!(data))],
  ];
  for (const [op, run] of ops) {
    subtest(`${op}() from a top-level sandboxed page with allow-same-origin is not rejected as opaque`, () =>
      served(async (w) => {
        const page = await topLevel(w, { 'content-security-policy': 'sandbox allow-scripts allow-same-origin' });
        assert.ok(page.navigator.credentials, 'navigator.credentials is not supported');
        assert.ok(page.PasswordCredential, 'PasswordCredential is not supported');
        let settled = 'resolved';
        try {
          await run(page);
        } catch (e) {
          settled = (e as Error).name;
        }
        assert.notEqual(settled, 'SecurityError', 'a sandboxed top-level page that keeps its origin must not be rejected as opaque');
      }),
    );
  }
});

// ---------------------------------------------------------------------------------------------
// {password,federated}credential-framed-get.sub.https.html

/**
 * The support page (support/{password,federated}credential-get.html) calls get() and posts
 * `{exception: null | e.name}`; echoing-nester.html embeds it one level deeper and echoes.
 */
async function framedGet(frame: Frame, kind: 'password' | 'federated'): Promise<{ exception: string | null }> {
  const options = kind === 'password' ? { password: true } : { federated: { providers: ['https://idp.example'] } };
  try {
    await frame.navigator.credentials!.get(options);
    return { exception: null };
  } catch (e) {
    return { exception: (e as Error).name };
  }
}

function framedGetFile(kind: 'password' | 'federated'): void {
  const file = `credential-management/${kind}credential-framed-get.sub.https.html`;
  const SAME_ORIGIN = 'https://rp.example';
  // {{domains[élève]}}: a cross-origin host of the test server.
  const CROSS_ORIGIN = 'https://xn--lve-6lad.rp.example';
  wptFile(file, () => {
    const single: [string, string, 'allowed' | 'blocked'][] = [
      ['Same-origin IFrame does not throw.', SAME_ORIGIN, 'allowed'],
      ["Cross-origin IFrame throws 'NotAllowedError'.", CROSS_ORIGIN, 'blocked'],
    ];
    for (const [name, origin, expectation] of single) {
      subtest(name, () =>
        served(async (w) => {
          const iframe = await w.page.openFrame(`${origin}/credential-management/support/${kind}credential-get.html`, { load: false });
          const data = await framedGet(iframe, kind);
          if (expectation === 'blocked') assert.equal(data.exception, 'NotAllowedError');
          else if (data.exception) assert.notEqual(data.exception, 'NotAllowedError');
        }),
      );
    }
    const nested: [string, string, string, 'allowed' | 'blocked'][] = [
      ['Same-origin IFrame in same-origin IFrame does not throw.', SAME_ORIGIN, SAME_ORIGIN, 'allowed'],
      ["Same-origin IFrame in same-origin IFrame throws 'NotAllowedError'.", SAME_ORIGIN, CROSS_ORIGIN, 'blocked'],
      ["Cross-origin IFrame in same-origin IFrame throws 'NotAllowedError'.", CROSS_ORIGIN, SAME_ORIGIN, 'blocked'],
      ["Cross-origin IFrame in same-cross-origin throws 'NotAllowedError'.", CROSS_ORIGIN, CROSS_ORIGIN, 'blocked'],
    ];
    for (const [name, outer, inner, expectation] of nested) {
      subtest(name, () =>
        served(async (w) => {
          const nester = await w.page.openFrame(`${outer}/credential-management/support/echoing-nester.html?origin=${inner}&file=${kind}credential-get.html`, {
            load: false,
          });
          const iframe = await nester.openFrame(`${inner}/credential-management/support/${kind}credential-get.html`, { load: false });
          const data = await framedGet(iframe, kind);
          if (expectation === 'blocked') assert.equal(data.exception, 'NotAllowedError');
          else assert.equal(data.exception, null);
        }),
      );
    }
  });
}

framedGetFile('password');
framedGetFile('federated');
