// Plays one hostile case: a fresh hostile server and a fresh agent (small timeouts, a mediator
// that picks the first account, no rejection delay), the page's call, then the four checks —
// what the page saw, the diagnostic, the time it took, and that the agent left no connection
// open once closed. Every wait is bounded.

import assert from 'node:assert/strict';
import { autoSelect, createAgent, programmablePopups, type Diagnostic, type Popup } from '../../src/agent/index.js';
import { settleBoundMs, TIMEOUTS, type CaseContext, type HostileCase } from './case.js';
import { DEFAULT_CONFIG_URL, startHostileServer } from './server.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Resolves with `p`'s outcome, or rejects once `ms` have passed without one. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` every 10 ms for at most `ms`; false if it never held. */
async function eventually(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

function describeError(e: unknown): string {
  if (e instanceof Error || e instanceof DOMException) {
    const cause = (e as { cause?: Diagnostic }).cause;
    return `${e.name}: ${e.message}${cause?.reason ? ` (cause ${cause.reason}: ${cause.detail})` : ''}`;
  }
  return String(e);
}

export async function runCase(c: HostileCase): Promise<void> {
  const configURL = c.configURL ?? DEFAULT_CONFIG_URL;
  const idpOrigin = new URL(configURL).origin;
  const server = await startHostileServer({ configURL, behaviours: { ...c.setup, [c.endpoint]: c.behaviour } });
  const popups: Popup[] = [];
  const agent = createAgent({
    hostRules: server.hostRules(c.targets),
    ca: server.ca,
    timeoutMs: c.requestTimeoutMs ?? TIMEOUTS.requestMs,
    mediator: autoSelect(0),
    rejectionDelay: false,
    popupHost: programmablePopups({
      // The default login page signs the user in by loading (Set-Login: logged-in), which ends the popup.
      login: c.popups?.login ?? (() => {}),
      continuation: c.popups?.continuation ?? ((popup) => popup.frame.IdentityProvider!.resolve('continued-token')),
    }),
  });
  agent.on('popup', (p) => popups.push(p));
  const fetches: CaseContext['fetches'][number][] = [];
  agent.on('fetch', (f) => fetches.push({ ...f, endedAt: performance.now() }));
  let failure: unknown;
  try {
    const page = await within(agent.open('https://rp.example/'), TIMEOUTS.slackMs, 'opening the RP page');
    const controller = new AbortController();
    const abortTimer = c.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), c.abortAfterMs);
    const provider = { configURL, clientId: 'rp-client' };
    let call: Promise<unknown>;
    const started = performance.now();
    switch (c.call ?? 'get') {
      case 'get':
        call = page.navigator.credentials!.get({ identity: { providers: [provider] }, signal: controller.signal });
        break;
      case 'get-active-logged-out':
        agent.profile.setLoginStatus(idpOrigin, 'logged-out');
        page.activate();
        call = page.navigator.credentials!.get({ identity: { providers: [provider], mode: 'active' }, signal: controller.signal });
        break;
      case 'disconnect':
        agent.profile.addConnection({ embedder: page.origin, rp: page.origin, idp: idpOrigin, accountId: '1234', lastUsed: Date.now() });
        call = page.IdentityCredential!.disconnect({ ...provider, accountHint: '1234' });
        break;
    }
    const bound = settleBoundMs(c);
    // Twice the bound before giving up waiting, so an overrun is measured, not just noticed.
    const outcome: Outcome = await within(
      call.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })),
      2 * bound,
      `the page's call (${c.name})`,
    );
    const elapsed = performance.now() - started;
    clearTimeout(abortTimer);

    // 1. What the page saw.
    const expect = c.expect;
    if ('rejects' in expect) {
      assert.equal(outcome.ok, false, `expected a rejection, got ${outcome.ok ? JSON.stringify(outcome.value) : ''}`);
      const error = (outcome as { error: unknown }).error as DOMException & { error?: string };
      assert.equal(error.name, expect.rejects.name, describeError(error));
      if (typeof expect.rejects.message === 'string') assert.equal(error.message, expect.rejects.message, describeError(error));
      else if (expect.rejects.message) assert.match(error.message, expect.rejects.message, describeError(error));
      if (expect.rejects.error !== undefined) assert.equal(error.error, expect.rejects.error, describeError(error));
    } else {
      assert.equal(outcome.ok, true, outcome.ok ? '' : `expected success, got ${describeError(outcome.error)}`);
      const value = (outcome as { value: unknown }).value;
      if ('token' in expect) assert.deepEqual((value as { token: unknown }).token, expect.token);
      else assert.equal(value, undefined);
    }

    // 2. The diagnostic.
    const reasons = agent.diagnostics.map((d) => d.reason);
    if (!outcome.ok) {
      const cause = (outcome.error as { cause?: Diagnostic }).cause;
      if (cause !== undefined) assert.equal(cause.reason, c.diagnostic, `the rejection's diagnostic: ${describeError(outcome.error)}`);
    }
    if (c.diagnostic === null) {
      const errors = agent.diagnostics.filter((d) => d.level === 'error');
      assert.deepEqual(errors, [], 'a clean case reports no error');
    } else {
      assert.ok(reasons.includes(c.diagnostic), `expected a ${c.diagnostic} diagnostic, got [${reasons.join(', ')}]`);
    }

    // 3. The time to settle, bounded by the configured timeouts.
    assert.ok(elapsed <= bound, `settled after ${Math.round(elapsed)} ms; the bound is ${bound} ms (${c.timeouts} timeout(s) + slack)`);

    c.check?.({ agent, server, popups, diagnostics: agent.diagnostics, fetches });
    // A request that has ended leaves none of the IdP's windows open.
    for (const p of popups) assert.equal(p.closed, true, `the ${p.purpose} popup ${p.url.href} is still open after the request ended`);
  } catch (e) {
    failure = e;
  }
  // 4. Nothing left open: the agent closes within a bounded time, and so do its connections.
  // The first failure is the one reported; the cleanup runs whatever happened.
  const closed = await within(agent.close(), TIMEOUTS.drainMs, 'agent.close()').then(() => null, (e: unknown) => e);
  const drained = await eventually(() => server.openConnections() === 0, TIMEOUTS.drainMs);
  const open = server.openConnections();
  await server.close();
  if (failure !== undefined) throw failure;
  if (closed !== null) throw closed;
  assert.ok(drained, `${open} connection(s) to the hostile server still open ${TIMEOUTS.drainMs} ms after agent.close()`);
}
