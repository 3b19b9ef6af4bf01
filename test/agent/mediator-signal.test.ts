// The Mediator's signal (Mediator.choose): it aborts when the dialog goes away before the
// mediator answered, and stays as it is after the mediator's own answer.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { IdentityCredential, type Dialog, type DialogAction, type Mediator } from '../../src/agent/index.js';
import { startWorld, type World } from '../helpers/world.js';

let w: World | undefined;
afterEach(() => w?.close());

/** A mediator that records the signals it was given and answers with `answer` (or never). */
function recordingMediator(answer: ((d: Dialog) => DialogAction) | undefined): Mediator & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  return {
    signals,
    choose(dialog, signal) {
      signals.push(signal);
      return answer === undefined ? new Promise<never>(() => {}) : Promise.resolve(answer(dialog));
    },
  };
}

describe("the mediator's signal", () => {
  it('is left as it is when the mediator answered the dialog itself', async () => {
    const mediator = recordingMediator(() => ({ action: 'selectAccount', accountIndex: 0 }));
    w = await startWorld({ agent: { mediator } });
    await w.signInAtIdp();
    const credential = await w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'required' });
    assert.ok(credential instanceof IdentityCredential, 'the mediator signed the user in');
    assert.equal(mediator.signals.length, 1, 'one dialog was put to the mediator');
    assert.equal(mediator.signals[0]!.aborted, false, 'the signal of a dialog the mediator answered must not abort');
  });

  it('aborts when automation answers first, and when the page aborts the request', async () => {
    const mediator = recordingMediator(undefined);
    w = await startWorld({ agent: { mediator } });
    await w.signInAtIdp();
    const byAutomation = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'required' });
    await w.agent.automation.waitForDialog({ timeoutMs: 5_000 });
    w.agent.automation.selectAccount(0);
    assert.ok((await byAutomation) instanceof IdentityCredential);
    assert.equal(mediator.signals[0]?.aborted, true, 'automation answered first: the mediator is told to stop');

    const controller = new AbortController();
    const aborted = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'required', signal: controller.signal });
    await w.agent.automation.waitForDialog({ timeoutMs: 5_000 });
    controller.abort();
    await assert.rejects(aborted, { name: 'AbortError' });
    assert.equal(mediator.signals.length, 2, 'the second dialog was put to the mediator');
    assert.equal(mediator.signals[1]!.aborted, true, 'the page aborted: the mediator is told to stop');
  });
});
