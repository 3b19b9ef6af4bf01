// agent.diagnostics is bounded (diagnosticsLimit): a long-lived agent keeps the most recent
// diagnostics, oldest dropped first, while the `diagnostic` event still sees every one.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAgent, type Diagnostic } from '../../src/agent/index.js';

describe('diagnosticsLimit', () => {
  it('keeps exactly the last 5 of 12 failing sign-ins, in order', async () => {
    const agent = createAgent({ diagnosticsLimit: 5 });
    try {
      const page = await agent.open('https://rp.example/', { load: false });
      const emitted: Diagnostic[] = [];
      agent.on('diagnostic', (d) => emitted.push(d));
      for (let i = 0; i < 12; i++) {
        // An http: config fails before any fetch (IdpNotPotentiallyTrustworthy), one diagnostic each.
        const configURL = `http://idp${i}.example/config.json`;
        await assert.rejects(page.navigator.credentials!.get({ identity: { providers: [{ configURL, clientId: '1' }] } }), { name: 'NetworkError' });
      }
      assert.equal(emitted.length, 12, 'every failure is still emitted');
      assert.deepEqual(
        agent.diagnostics.map((d) => d.configURL),
        [7, 8, 9, 10, 11].map((i) => `http://idp${i}.example/config.json`),
      );
      assert.deepEqual(agent.diagnostics, emitted.slice(-5));
    } finally {
      await agent.close();
    }
  });

  it('defaults to 1000', async () => {
    const agent = createAgent();
    try {
      const page = await agent.open('https://rp.example/', { load: false });
      const get = (i: number) => page.navigator.credentials!.get({ identity: { providers: [{ configURL: `http://idp${i}.example/c.json`, clientId: '1' }] } });
      for (let i = 0; i < 1003; i++) await get(i).catch(() => {});
      assert.equal(agent.diagnostics.length, 1000);
      assert.equal(agent.diagnostics[0]?.configURL, 'http://idp3.example/c.json');
    } finally {
      await agent.close();
    }
  });

  it('accepts Infinity', async () => {
    const agent = createAgent({ diagnosticsLimit: Infinity });
    await agent.close();
  });

  it('refuses values that are not a positive integer or Infinity, with a TypeError naming the option', () => {
    for (const bad of [0, -1, 2.5, NaN, '10', null]) {
      assert.throws(() => createAgent({ diagnosticsLimit: bad as number }), (e: unknown) => e instanceof TypeError && /diagnosticsLimit/.test(e.message), `value ${String(bad)}`);
    }
  });
});
