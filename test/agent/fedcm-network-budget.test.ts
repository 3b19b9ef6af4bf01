// fedcmNetworkBudgetMs: one FedCM call's IdP requests share an overall deadline, so an IdP that
// answers every step just under the per-request timeout cannot keep a sign-in pending for the
// sum of them. Only network time counts: dialogs and popups where the user acts do not.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createAgent, IdentityCredential, IdentityCredentialError, programmablePopups, type AgentOptions, type Diagnostic, type Dialog } from '../../src/agent/index.js';
import { NetworkBudget } from '../../src/agent/fedcm/network-budget.js';
import { johnDoe, type IdpEndpoint } from '../fixtures/index.js';
import { startWorld, type World } from '../helpers/world.js';

const STEPS: IdpEndpoint[] = ['wellKnown', 'config', 'accounts', 'picture', 'clientMetadata', 'token', 'disconnect'];
/** Slack for the agent's own work, scheduling and TLS on a loaded machine. */
const MARGIN_MS = 500;

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

async function world(agent: AgentOptions, delayMs: number): Promise<World> {
  const world = await startWorld({ agent });
  await world.signInAtIdp();
  for (const step of STEPS) world.idp.setDelay(step, delayMs);
  return world;
}

/**
 * Answers the dialogs `afterMs` after each shows: selects the first account, dismisses the Error
 * dialog, continues to the IdP's login page from the mismatch dialog, cancels anything else (so an unexpected dialog ends the call instead of hanging it).
 */
function answerDialogs(world: World, afterMs = 0): () => Dialog[] {
  const shown: Dialog[] = [];
  world.agent.on('dialogShown', (d) => {
    shown.push(d);
    setTimeout(() => {
      if (world.agent.automation.currentDialog?.dialogId !== d.dialogId) return;
      if (d.dialogType === 'AccountChooser') world.agent.automation.selectAccount(0);
      else if (d.dialogType === 'Error') world.agent.automation.clickDialogButton('ErrorGotIt');
      else if (d.dialogType === 'ConfirmIdpLogin') world.agent.automation.clickDialogButton('ConfirmIdpLoginContinue');
      else if (d.dialogType !== 'AutoReauthn') world.agent.automation.cancelDialog();
    }, afterMs);
  });
  return () => shown;
}

/** How long any one call may take here before the test fails (instead of hanging). */
const BOUND_MS = 10_000;

/** Settles `p` (its value or its rejection) and how long it took; fails after BOUND_MS. */
async function timed<T>(p: Promise<T>): Promise<{ outcome: T | unknown; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the call did not settle within ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    const outcome = await Promise.race([p.catch((e: unknown) => e), bound]);
    return { outcome, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function budgetDiagnostic(e: unknown): Diagnostic {
  const cause = (e as { cause?: Diagnostic } | undefined)?.cause;
  assert.equal(cause?.reason, 'NetworkBudgetExhausted', `expected the budget's diagnostic, got ${String(e)} (cause ${JSON.stringify(cause)})`);
  return cause;
}

describe('fedcmNetworkBudgetMs: an IdP that answers every step just under timeoutMs', () => {
  it('ends the get() within the budget, as a network failure, with a diagnostic naming the budget', async () => {
    // Each step takes 350 ms of a 400 ms timeout: config (∥ well-known), accounts, picture would
    // be 1050 ms before the chooser, so the 1000 ms budget runs out during the picture.
    w = await world({ timeoutMs: 400, fedcmNetworkBudgetMs: 1000 }, 350);
    const shown = answerDialogs(w);
    const { outcome, ms } = await timed(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }));
    assert.ok(outcome instanceof DOMException, `expected a rejection, got ${String(outcome)}`);
    assert.equal(outcome.name, 'NetworkError');
    assert.equal(outcome.message, 'Error retrieving a token.');
    const d = budgetDiagnostic(outcome);
    assert.ok(ms < 1000 + MARGIN_MS, `settled after ${Math.round(ms)} ms, budget 1000 ms`);
    assert.ok(ms >= 900, `settled after ${Math.round(ms)} ms: the budget should have been spent first`);
    assert.equal(d.endpoint, 'account picture');
    assert.match(d.detail, /fedcmNetworkBudgetMs: 1000 ms/);
    assert.match(d.detail, /well-known file \d+ ms, config file \d+ ms|config file \d+ ms, well-known file \d+ ms/);
    // The brand icon is fetched with the picture (undelayed in this world, so it may be listed).
    assert.match(d.detail, /accounts endpoint \d+ ms, (brand icon \d+ ms, )?account picture \d+ ms \(cut off\)/);
    assert.match(d.detail, /raise fedcmNetworkBudgetMs/);
    assert.deepEqual(shown(), [], 'no dialog: the call ended before the chooser');
    assert.ok(w.agent.diagnostics.includes(d), 'the diagnostic is kept in agent.diagnostics');
    console.log(`  slow IdP, budget 1000 ms: settled after ${Math.round(ms)} ms`);
  });

  it('with Infinity the same IdP signs in, however long the steps add up to', async () => {
    w = await world({ timeoutMs: 400, fedcmNetworkBudgetMs: Infinity }, 350);
    answerDialogs(w);
    const { outcome, ms } = await timed(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }));
    assert.ok(outcome instanceof IdentityCredential, `expected a credential, got ${String(outcome)}`);
    assert.ok(ms > 1000, `took ${Math.round(ms)} ms: more than a 1000 ms budget would allow`);
    console.log(`  slow IdP, no budget: signed in after ${Math.round(ms)} ms`);
  });

  it('a request still running when the budget ends is aborted then, not at its own timeout', async () => {
    // The accounts endpoint never answers; its own timeout (5 s) is far beyond the budget.
    w = await world({ timeoutMs: 5000, fedcmNetworkBudgetMs: 600 }, 0);
    w.idp.override('accounts', () => ({ hang: true }));
    answerDialogs(w);
    const { outcome, ms } = await timed(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }));
    const d = budgetDiagnostic(outcome);
    assert.equal((outcome as DOMException).name, 'NetworkError');
    assert.equal(d.endpoint, 'accounts endpoint');
    assert.ok(ms < 600 + MARGIN_MS, `settled after ${Math.round(ms)} ms, budget 600 ms`);
  });

  it('at the ID assertion endpoint it fails as a timeout there does: Error dialog, IdentityCredentialError', async () => {
    w = await world({ timeoutMs: 5000, fedcmNetworkBudgetMs: 800 }, 0);
    w.idp.override('token', () => ({ hang: true }));
    const shown = answerDialogs(w);
    const { outcome } = await timed(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }));
    assert.ok(outcome instanceof IdentityCredentialError, `expected IdentityCredentialError, got ${String(outcome)}`);
    assert.equal(budgetDiagnostic(outcome).endpoint, 'id assertion endpoint');
    assert.deepEqual(shown().map((d) => d.dialogType), ['AccountChooser', 'Error']);
  });
});

describe('fedcmNetworkBudgetMs: time with the user does not count', () => {
  it('an account chooser left open longer than the budget does not eat it', async () => {
    // 150 ms a step: about 450 ms before the chooser and 150 ms after, well inside 1000 ms; the
    // chooser stays up 1300 ms, so the wall time of the call is well over the budget.
    w = await world({ timeoutMs: 400, fedcmNetworkBudgetMs: 1000 }, 150);
    answerDialogs(w, 1300);
    const { outcome, ms } = await timed(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }));
    assert.ok(outcome instanceof IdentityCredential, `expected a credential, got ${String(outcome)} (${JSON.stringify((outcome as { cause?: unknown }).cause)})`);
    assert.ok(ms > 1300 + 450, `took ${Math.round(ms)} ms`);
  });

  it('a login popup the user takes longer than the budget over does not eat it', async () => {
    // The IdP is logged in but has no account (the mismatch dialog); its login page sets no
    // status on load, and the "user" signs in 1200 ms later. The accounts, picture and token
    // requests after the popup still fit in the 800 ms budget (about 500 ms of network in all).
    let signIn: NodeJS.Timeout | undefined;
    w = await startWorld({
      agent: {
        timeoutMs: 400,
        fedcmNetworkBudgetMs: 800,
        popupHost: programmablePopups({
          login: (popup) => {
            signIn = setTimeout(() => {
              w?.idp.setAccounts([johnDoe()]);
              void popup.frame.navigator.login!.setStatus('logged-in');
            }, 1200);
          },
        }),
      },
    });
    await w.signInAtIdp();
    w.idp.setAccounts([]);
    w.idp.override('login', () => ({ headers: { 'content-type': 'text/html' }, body: '<p>sign in</p>' }));
    for (const step of STEPS) w.idp.setDelay(step, 100);
    const shown = answerDialogs(w);
    try {
      const { outcome, ms } = await timed(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }));
      assert.ok(outcome instanceof IdentityCredential, `expected a credential, got ${String(outcome)} (${JSON.stringify((outcome as { cause?: unknown }).cause)})`);
      assert.deepEqual(shown().map((d) => d.dialogType), ['ConfirmIdpLogin', 'AccountChooser']);
      assert.ok(ms > 1200 + 300, `took ${Math.round(ms)} ms`);
    } finally {
      clearTimeout(signIn);
    }
  });
});

describe('fedcmNetworkBudgetMs: disconnect()', () => {
  it('bounds the config and disconnect requests together', async () => {
    w = await world({ timeoutMs: 400, fedcmNetworkBudgetMs: 500 }, 0);
    answerDialogs(w);
    const signedIn = await timed(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }));
    assert.ok(signedIn.outcome instanceof IdentityCredential, `the sign-in before disconnect failed: ${String(signedIn.outcome)}`);
    for (const step of STEPS) w.idp.setDelay(step, 350);
    const { outcome, ms } = await timed(w.page.IdentityCredential!.disconnect({ configURL: w.idp.configURL, clientId: '123', accountHint: '1234' }));
    assert.ok(outcome instanceof DOMException, `expected a rejection, got ${String(outcome)}`);
    assert.equal(outcome.name, 'NetworkError');
    assert.ok(ms < 500 + MARGIN_MS, `settled after ${Math.round(ms)} ms, budget 500 ms`);
    const d = w.agent.diagnostics.at(-1);
    assert.match(d?.detail ?? '', /fedcmNetworkBudgetMs: 500 ms\) ran out at the disconnect endpoint/);
  });
});

describe('fedcmNetworkBudgetMs: the option', () => {
  it('accepts a positive number or Infinity', async () => {
    for (const ok of [1, 0.5, 60_000, Infinity]) await createAgent({ fedcmNetworkBudgetMs: ok }).close();
  });

  it('refuses anything else with a TypeError naming the option', () => {
    for (const bad of [0, -1, NaN, -Infinity, '1000', null]) {
      assert.throws(
        () => createAgent({ fedcmNetworkBudgetMs: bad as number }),
        (e: unknown) => e instanceof TypeError && /fedcmNetworkBudgetMs must be a positive number/.test(e.message),
        `value ${String(bad)}`,
      );
    }
  });
});

describe('NetworkBudget', () => {
  it('runs only while a request is in flight; overlapping requests share the time', () => {
    let now = 0;
    const budget = new NetworkBudget(1000, () => now);
    const a = budget.begin('config file', new URL('https://idp.example/config.json'));
    now = 100;
    const b = budget.begin('well-known file', new URL('https://idp.example/.well-known/web-identity'));
    now = 300;
    a();
    now = 400;
    b();
    assert.equal(budget.spentMs, 400, 'the overlap counts once');
    now = 5000; // a dialog: nothing in flight
    assert.equal(budget.spentMs, 400);
    const c = budget.begin('accounts endpoint', new URL('https://idp.example/accounts'));
    now = 5700;
    assert.equal(budget.remainingMs, 0);
    assert.equal(budget.exhausted, true);
    c({ cutOff: true });
    assert.equal(budget.describeSpending(), 'config file 300 ms, well-known file 300 ms, accounts endpoint 700 ms (cut off)');
  });

  it('Infinity never runs out', () => {
    let now = 0;
    const budget = new NetworkBudget(Infinity, () => now);
    const stop = budget.begin('config file', new URL('https://idp.example/c.json'));
    now = 1e9;
    stop();
    assert.equal(budget.remainingMs, Infinity);
    assert.equal(budget.exhausted, false);
  });
});
