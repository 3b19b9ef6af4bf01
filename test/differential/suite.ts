// The differential tests of `npm test`: for every scenario of the given groups, run the agent
// (no Chromium) and compare its trace with Chromium's golden. A scenario passes when it agrees
// fully, or differs exactly as known-differences.ts lists; a listed difference that disappeared
// fails as stale, a new one fails with the differing fields. Split over several files so each
// stays well under the runner's 60 s per file.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { failureMessage, findGroup, readGoldens, verdict } from './compare.js';
import { runAgent } from './run-agent.js';

export function differentialSuite(groupName: string, slice?: [number, number]): void {
  const group = findGroup(groupName);
  const scenarios = slice ? group.scenarios.slice(slice[0], slice[1]) : group.scenarios;
  const goldens = readGoldens(group.group);
  const tally = { total: 0, agree: 0, listed: 0 };
  // Two scenarios at a time: a run is mostly waiting (every response is held HOLD_MS), and
  // each has its own fixture server and agent; more would load a 2-core machine enough to
  // blur the request waves.
  describe(`differential: ${group.group}${slice ? ` [${slice[0]}, ${slice[1]})` : ''}`, { concurrency: 2 }, () => {
    it('has a golden for every scenario', () => {
      const missing = scenarios.filter((s) => !goldens[s.name]).map((s) => s.name);
      assert.deepEqual(missing, [], `no golden for ${missing.join(', ')}: record them with npm run test:chrome`);
    });
    for (const s of scenarios) {
      it(s.name, { timeout: 30_000 }, async () => {
        const golden = goldens[s.name];
        assert.ok(golden, `${s.name}: no golden (record it: npm run test:chrome)`);
        const v = verdict(s.name, golden, await runAgent(s));
        tally.total += 1;
        if (v.kind === 'agree') tally.agree += 1;
        if (v.kind === 'listed') tally.listed += 1;
        const message = failureMessage(s.name, v);
        assert.equal(message, undefined, message);
      });
    }
  });
  after(() => {
    console.log(`differential ${group.group}: ${tally.total} scenarios, ${tally.agree} agree, ${tally.listed} listed differences`);
  });
}
