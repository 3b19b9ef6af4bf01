// agent.close() ends everything the agent has in flight and leaves nothing behind: pending
// get() calls reject, loading requests are aborted, popups close, waits end, and no timer or
// socket of the agent is left. A second close() resolves too.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createAgent, type Agent, type Popup } from '../../src/agent/index.js';
import { installIdp, installRp, startFixtureServer, type FixtureServer, type IdpController } from '../fixtures/index.js';

/** How long anything here may take before the test fails with a message instead of hanging. */
const BOUND_MS = 5000;
/** Promptly: well under any timeout the agent has (timeoutMs is 30 s by default). */
const PROMPT_MS = 1000;
const WATCHED = ['Timeout', 'TCPSocketWrap', 'TLSWrap'] as const;

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setUp(): Promise<{ server: FixtureServer; idp: IdpController }> {
  server = await startFixtureServer();
  const idp = installIdp(server);
  installRp(server, { origin: 'https://rp.example' });
  // A page that never finishes loading, for a navigation in flight.
  server.route('https://rp.example', 'GET', '/slow', () => ({ hang: true }));
  return { server, idp };
}

function newAgent(s: FixtureServer, extra: Parameters<typeof createAgent>[0] = {}): Agent {
  return createAgent({ hostRules: s.hostRules, ca: s.ca, ...extra });
}

/** The watched resources of this process, by type. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) if ((WATCHED as readonly string[]).includes(type)) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Resolves with `p`'s outcome and how long it took to settle, or fails after BOUND_MS. */
async function settle(p: Promise<unknown>, what: string): Promise<{ outcome: unknown; rejected: boolean; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    return await Promise.race([
      p.then(
        (outcome) => ({ outcome, rejected: false, ms: performance.now() - started }),
        (outcome: unknown) => ({ outcome, rejected: true, ms: performance.now() - started }),
      ),
      bound,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls (bounded) until no watched resource type has more instances than in `before`. */
async function backTo(before: Record<string, number>): Promise<void> {
  const until = performance.now() + BOUND_MS;
  let now = resources();
  const over = (): string[] => WATCHED.filter((t) => (now[t] ?? 0) > (before[t] ?? 0));
  while (over().length > 0 && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    now = resources();
  }
  assert.deepEqual(over(), [], `left behind after close(): before ${JSON.stringify(before)}, now ${JSON.stringify(now)}`);
}

describe('agent.close()', () => {
  it('can be called twice', async () => {
    const s = (await setUp()).server;
    const agent = newAgent(s);
    await agent.open('https://rp.example/');
    await settle(agent.close(), 'the first close()');
    const second = await settle(agent.close(), 'the second close()');
    assert.equal(second.rejected, false, `the second close() rejected: ${String(second.outcome)}`);
  });

  it('rejects a pending get() against an IdP that never answers, promptly', async () => {
    const { server: s, idp } = await setUp();
    idp.override('wellKnown', () => ({ hang: true }));
    const agent = newAgent(s);
    const page = await agent.open('https://rp.example/');
    const fetching = new Promise<void>((resolve) => s.route('https://idp.example', 'GET', '/fedcm/config.json', () => (resolve(), { hang: true })));
    const pending = settle(page.navigator.credentials!.get({ identity: { providers: [{ configURL: idp.configURL, clientId: '123' }] } }), 'the pending get()');
    await settle(fetching, 'the config request');
    const closing = agent.close();
    const got = await pending;
    assert.equal(got.rejected, true, `get() resolved: ${String(got.outcome)}`);
    assert.equal((got.outcome as DOMException).name, 'AbortError');
    assert.ok(got.ms < PROMPT_MS, `get() rejected ${Math.round(got.ms)} ms after close()`);
    const closed = await settle(closing, 'close()');
    assert.ok(closed.ms < PROMPT_MS, `close() took ${Math.round(closed.ms)} ms`);
  });

  it('ends loading pages, popups and waits, and leaves no timer or socket behind', async () => {
    const { server: s, idp } = await setUp();
    const before = resources();
    const agent = newAgent(s);
    const page = await agent.open('https://rp.example/');
    // A sign-in waiting in the IdP's login popup (active mode, logged out; no popup host).
    const signIn = await agent.open(idp.url('/mark_signedout'));
    signIn.close();
    // A login page where the user has not signed in yet (the default one signs in on load).
    idp.override('login', () => ({ headers: { 'content-type': 'text/html' }, body: '<p>sign in</p>' }));
    const popupShown = new Promise<Popup>((resolve) => agent.once('popup', resolve));
    page.activate();
    const pendingGet = settle(page.navigator.credentials!.get({ identity: { providers: [{ configURL: idp.configURL, clientId: '123' }], mode: 'active' } }), 'get()');
    const popup = (await settle(popupShown, 'the login popup')).outcome as Popup;
    // A navigation that never finishes, a wait for a dialog that will not come.
    const loading = settle(agent.open('https://rp.example/slow'), 'open()');
    const waiting = settle(agent.automation.waitForDialog({ timeoutMs: 30_000 }), 'waitForDialog()');
    await new Promise((resolve) => setTimeout(resolve, 100));

    await settle(agent.close(), 'close()');
    const [got, opened, waited] = await Promise.all([pendingGet, loading, waiting]);
    assert.equal(got.rejected, true, 'get() rejects');
    assert.equal((got.outcome as DOMException).name, 'AbortError');
    assert.equal(opened.rejected, true, 'the loading open() rejects');
    assert.equal(waited.rejected, true, `waitForDialog() rejects (it gave ${JSON.stringify(waited.outcome)})`);
    assert.equal((waited.outcome as DOMException).name, 'AbortError');
    assert.equal(popup.closed, true, 'the popup is closed');
    assert.equal(page.fullyActive, false, 'the page is closed');
    await backTo(before);
    await assert.rejects(agent.open('https://rp.example/'), { name: 'InvalidStateError' });
  });
});
