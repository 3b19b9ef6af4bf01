// One parsed config serves every request that got the same config file (fedcm/config.ts keeps it
// by config URL and text): a changed file is parsed afresh, and a caller of agent.probe() gets a
// config of its own, so changing it changes nothing for the sign-ins after it.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { IdentityCredential } from '../../src/agent/index.js';
import { startWorld, type World } from '../helpers/world.js';

let w: World | undefined;
afterEach(() => w?.close());

async function signIn(world: World): Promise<IdentityCredential> {
  const pending = world.page.navigator.credentials!.get({ identity: { providers: [world.provider()] }, mediation: 'required' });
  await world.agent.automation.waitForDialog({ type: 'AccountChooser', timeoutMs: 5_000 });
  world.agent.automation.selectAccount(0);
  const credential = await pending;
  assert.ok(credential instanceof IdentityCredential, 'the sign-in gave an IdentityCredential');
  return credential;
}

describe('parsed configs reused across requests', () => {
  it('follows a config file that changed between two sign-ins', async () => {
    w = await startWorld();
    await w.signInAtIdp();
    await signIn(w);
    assert.equal(w.server.requestsTo('https://idp.example', '/fedcm/accounts').length, 1, 'the first sign-in fetched the accounts from /fedcm/accounts');
    w.idp.setConfig({ accounts_endpoint: '/fedcm/accounts-moved' });
    await signIn(w);
    assert.equal(w.server.requestsTo('https://idp.example', '/fedcm/accounts-moved').length, 1, 'the second sign-in read the new config and fetched the moved endpoint');
  });

  it("gives agent.probe() callers a config of their own: changing it changes no later sign-in", async () => {
    w = await startWorld();
    await w.signInAtIdp();
    await signIn(w);
    const probe = await w.agent.probe(w.page.url.href);
    const step = await probe.config(new URL(w.provider().configURL));
    assert.ok(step.result, `the probe read the config (${step.failure?.message})`);
    step.result.accountsEndpoint.pathname = '/elsewhere';
    await signIn(w);
    assert.equal(w.server.requestsTo('https://idp.example', '/elsewhere').length, 0, 'no sign-in went to the path a probe caller wrote into its copy');
    assert.equal(w.server.requestsTo('https://idp.example', '/fedcm/accounts').length, 2, 'both sign-ins fetched the accounts from the config file');
  });
});
