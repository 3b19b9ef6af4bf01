// Diagnostic.issue: the ONE DevTools issue (Audits.FederatedAuthRequestIssueReason) Chromium
// raises for a failed FedCM request, reported on the `diagnostic` event apart from fedkit's
// richer `reason`s. Each case is one Chromium records in test/differential/goldens: only the
// diagnostic of the request's final result carries an issue, every other one has null.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DevToolsIssueReason, Diagnostic, Dialog } from '../../src/agent/index.js';
import type { FixtureResponse } from '../fixtures/server.js';
import { startWorld, type World } from '../helpers/world.js';

let w: World;
let seen: Diagnostic[];
beforeEach(async () => {
  w = await startWorld({ agent: { timeoutMs: 2_000 } });
  await w.signInAtIdp();
  seen = [];
  w.agent.on('diagnostic', (d) => seen.push(d));
});
afterEach(() => w.close());

/** The issues of the diagnostics seen so far, in order (null ones left out). */
const issues = (): DevToolsIssueReason[] => seen.flatMap((d) => (d.issue === null ? [] : [d.issue]));

/** Answers each dialog as `answer` says, a task later; returns the unsubscribe. */
function answering(answer: (d: Dialog) => void): () => void {
  const on = (d: Dialog): void => void setImmediate(() => answer(d));
  w.agent.on('dialogShown', on);
  return () => w.agent.off('dialogShown', on);
}

const selectThenGotIt = (d: Dialog): void => {
  if (d.dialogType === 'AccountChooser') w.agent.automation.selectAccount(0);
  else if (d.dialogType === 'Error') w.agent.automation.clickDialogButton('ErrorGotIt');
  else w.agent.automation.cancelDialog();
};

/** get() with the default provider; the outcome, bounded (a hang fails with a message). */
async function get(extra: { signal?: AbortSignal } = {}): Promise<{ value?: unknown; error?: unknown }> {
  const call = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, ...extra }).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('get() did not settle within 5 s')), 5_000);
  });
  try {
    return await Promise.race([call, bound]);
  } finally {
    clearTimeout(timer);
  }
}

function cors(origin: string): Record<string, string> {
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' };
}

describe('Diagnostic.issue: one DevTools issue per failed request', () => {
  it('a successful sign-in raises none', async () => {
    const stop = answering(selectThenGotIt);
    const { value } = await get();
    stop();
    assert.ok(value, 'signed in');
    assert.deepEqual(issues(), []);
    assert.ok(seen.every((d) => d.issue === null));
  });

  it('a dismissed chooser: UiDismissedNoEmbargo, on the final diagnostic and the rejection cause', async () => {
    const stop = answering(() => w.agent.automation.cancelDialog());
    const { error } = await get();
    stop();
    assert.deepEqual(issues(), ['UiDismissedNoEmbargo']);
    assert.equal((error as { cause?: Diagnostic }).cause?.issue, 'UiDismissedNoEmbargo');
  });

  it('a dismissal with cooldown: ShouldEmbargo; the next passive call: DisabledInSettings', async () => {
    const stop = answering(() => w.agent.automation.cancelDialog({ triggerCooldown: true }));
    await get();
    await get();
    stop();
    assert.deepEqual(issues(), ['ShouldEmbargo', 'DisabledInSettings']);
  });

  it('an accounts fetch that fails (logged in): UiDismissedNoEmbargo ALONE, the fetch failure has no issue', async () => {
    w.idp.override('accounts', () => ({ status: 500, body: 'x', headers: { 'content-type': 'text/plain' } }));
    const stop = answering(() => w.agent.automation.cancelDialog());
    await get();
    stop();
    assert.deepEqual(issues(), ['UiDismissedNoEmbargo']);
    const failed = seen.find((d) => d.reason === 'AccountsNoResponse');
    assert.ok(failed, `diagnostics: ${seen.map((d) => d.reason).join(', ')}`);
    assert.equal(failed.issue, null);
  });

  it('an abort while the chooser is shown: Canceled', async () => {
    const controller = new AbortController();
    const stop = answering(() => controller.abort());
    await get({ signal: controller.signal });
    stop();
    assert.deepEqual(issues(), ['Canceled']);
  });

  it('a concurrent get(): TooManyRequests at once, then the pending one its own', async () => {
    let second: Promise<{ error?: unknown }> | undefined;
    const stop = answering((d) => {
      if (d.dialogType !== 'AccountChooser') return;
      second ??= get();
      void second.then(() => w.agent.automation.cancelDialog());
    });
    await get();
    stop();
    const { error } = (await second) ?? {};
    assert.equal((error as DOMException | undefined)?.name, 'NotAllowedError');
    assert.deepEqual(issues(), ['TooManyRequests', 'UiDismissedNoEmbargo']);
  });

  it('the config answering 404: ConfigHttpNotFound', async () => {
    w.idp.override('config', () => ({ status: 404, body: 'nope' }));
    await get();
    assert.deepEqual(issues(), ['ConfigHttpNotFound']);
  });

  describe('the ID assertion endpoint', () => {
    const cases: [string, (origin: string) => FixtureResponse, DevToolsIssueReason][] = [
      ['404 with JSON', (o) => ({ status: 404, headers: cors(o), json: { token: 'x' } }), 'IdTokenHttpNotFound'],
      ['200 with invalid JSON', (o) => ({ headers: { ...cors(o), 'content-type': 'application/json' }, body: '{"token":' }), 'IdTokenInvalidResponse'],
      ['200 text/plain', (o) => ({ headers: { ...cors(o), 'content-type': 'text/plain' }, body: 'token' }), 'IdTokenInvalidContentType'],
      ['500 text/plain', (o) => ({ status: 500, headers: { ...cors(o), 'content-type': 'text/plain' }, body: 'oops' }), 'IdTokenInvalidContentType'],
      ['503 text/plain', (o) => ({ status: 503, headers: { ...cors(o), 'content-type': 'text/plain' }, body: 'busy' }), 'IdTokenInvalidContentType'],
      ['500 with JSON', (o) => ({ status: 500, headers: cors(o), json: { token: 'x' } }), 'IdTokenInvalidResponse'],
      ['500 without CORS', () => ({ status: 500, json: { token: 'x' } }), 'CorsError'],
      ['no CORS headers', () => ({ json: { token: 'token' } }), 'CorsError'],
      ['an IdP error', (o) => ({ status: 400, headers: cors(o), json: { error: { code: 'invalid_request' } } }), 'IdTokenIdpErrorResponse'],
      ['a redirect', (o) => ({ headers: cors(o), redirect: '/elsewhere' }), 'IdTokenNoResponse'],
    ];
    for (const [name, response, expected] of cases) {
      it(`${name}: ${expected}`, async () => {
        w.idp.override('token', (req) => response(req.headers['origin'] ?? 'https://rp.example'));
        const stop = answering(selectThenGotIt);
        await get();
        stop();
        assert.deepEqual(issues(), [expected], `diagnostics: ${seen.map((d) => `${d.reason}/${d.issue}`).join(', ')}`);
      });
    }
  });

  it('getUserInfo() before any sign-in to the RP: UserInfo:NoAccountSharingPermission (the user-info issue, prefixed)', async () => {
    const idpFrame = await w.page.openFrame(w.idp.url('/login'), { allow: 'identity-credentials-get' });
    const error = await idpFrame.IdentityProvider!.getUserInfo({ configURL: w.idp.configURL, clientId: '123' }).then(
      () => undefined,
      (e: unknown) => e as DOMException,
    );
    assert.equal(error?.name, 'NetworkError');
    assert.deepEqual(issues(), ['UserInfo:NoAccountSharingPermission']);
  });

  it('a disconnect() without a connection raises none', async () => {
    const outcome = await w.page.IdentityCredential!.disconnect({ configURL: w.idp.configURL, clientId: '123', accountHint: 'nobody' }).then(
      () => 'resolved',
      (e: unknown) => (e as DOMException).name,
    );
    assert.equal(outcome, 'NetworkError');
    assert.ok(seen.length > 0, 'a diagnostic says why');
    assert.deepEqual(issues(), []);
  });
});
