// A page the caller has closed is garbage: the agent must not keep it, its DOM or its requests
// alive (a soak of returning users once grew the agent by ~700 KB per sign-in this way).

import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { IdentityCredential } from '../../src/agent/index.js';
import { startWorld, type World } from '../helpers/world.js';

// The collector, for this test: --expose-gc set at run time, `gc` taken from a fresh context.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Whether every target is collected, within a bounded number of full collections. */
async function collected(refs: readonly WeakRef<object>[]): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
    if (refs.every((r) => r.deref() === undefined)) return true;
  }
  return false;
}

describe('page lifetime', () => {
  let w: World;
  before(async () => {
    w = await startWorld();
    w.agent.on('dialogShown', (d) => {
      if (d.dialogType === 'AccountChooser') setImmediate(() => w.agent.automation.selectAccount(0));
    });
    await w.signInAtIdp();
  });
  after(() => w.close());

  it('a closed page and its document are collected, after a sign-in too', async () => {
    // In a function of its own, so that no suspended frame of this test holds the last page.
    const signInAndClose = async (): Promise<WeakRef<object>[]> => {
      const page = await w.agent.open('https://rp.example/');
      const credential = await page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
      assert.ok(credential instanceof IdentityCredential);
      page.close();
      return [new WeakRef(page), new WeakRef(page.document)];
    };
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 3; i++) refs.push(...(await signInAndClose()));
    assert.ok(await collected(refs), `closed pages or documents still reachable: ${refs.flatMap((r, i) => (r.deref() === undefined ? [] : [`${i % 2 === 0 ? "page" : "document"} ${Math.floor(i / 2) + 1}`])).join(", ")} (of ${refs.length / 2} each)`);
  });

  it('an open page is kept even when the caller drops it (it is still open)', async () => {
    const open = async (): Promise<WeakRef<object>> => new WeakRef(await w.agent.open('https://rp.example/'));
    const ref = await open();
    assert.equal(await collected([ref]), false, 'the agent dropped a page that is still open');
  });
});
