// The differential tests of `npm test`: for every scenario of the given groups, run the agent
// (no Chromium) and compare its trace with Chromium's golden. A scenario passes when it agrees
// fully, or differs exactly as known-differences.ts lists; a listed difference that disappeared
// fails as stale, a new one fails with the differing fields. Split over several files so each
// stays well under the runner's 60 s per file.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadJsdom } from '../../src/agent/base/jsdom.js';
import { failureMessage, findGroup, readGoldens, verdict } from './compare.js';
import { runAgent } from './run-agent.js';
import type { Scenario } from './scenario.js';
import { longestStall, watchStalls, WAVE_STALL_MS } from './stalls.js';
import type { Trace } from './trace.js';

/**
 * Runs the scenario and compares it with its golden. A run that fails while the process stalled
 * long enough to reorder the request waves (stalls.ts) measured the machine, not the agent: it is
 * run once more, and only that run's verdict counts.
 */
async function judge(s: Scenario, golden: Trace): Promise<{ message: string | undefined; kind: string }> {
  let message: string | undefined;
  let kind = '';
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    const from = performance.now();
    const v = verdict(s.name, golden, await runAgent(s));
    const stall = longestStall(from, performance.now());
    kind = v.kind;
    message = failureMessage(s.name, v);
    if (message === undefined || stall < WAVE_STALL_MS) return { message, kind };
    message += `\n(this process stalled ${Math.round(stall)} ms during the run${attempt === 1 ? '; it was run again' : ''})`;
    console.log(`${s.name}: the process stalled ${Math.round(stall)} ms during attempt ${attempt}, which can reorder request waves`);
  }
  return { message, kind };
}

export function differentialSuite(groupName: string, slice?: [number, number]): void {
  const group = findGroup(groupName);
  const scenarios = slice ? group.scenarios.slice(slice[0], slice[1]) : group.scenarios;
  const goldens = readGoldens(group.group);
  const tally = { total: 0, agree: 0, listed: 0 };
  // Two scenarios at a time: a run is mostly waiting (every response is held HOLD_MS), and
  // each has its own fixture server and agent; more would load a 2-core machine enough to
  // blur the request waves.
  describe(`differential: ${group.group}${slice ? ` [${slice[0]}, ${slice[1]})` : ''}`, { concurrency: 2 }, () => {
    let watch: { stop(): void } | undefined;
    before(() => {
      watch = watchStalls();
      // jsdom's first load and first window are a synchronous ~0.3 s (base/jsdom.ts): done here,
      // not inside the first popup while the other scenario's requests are held.
      new (loadJsdom().JSDOM)('<p>warm</p>').window.close();
    });
    after(() => watch?.stop());
    it('has a golden for every scenario', () => {
      const missing = scenarios.filter((s) => !goldens[s.name]).map((s) => s.name);
      assert.deepEqual(missing, [], `no golden for ${missing.join(', ')}: record them with npm run test:chrome`);
    });
    for (const s of scenarios) {
      it(s.name, { timeout: 30_000 }, async () => {
        const golden = goldens[s.name];
        assert.ok(golden, `${s.name}: no golden (record it: npm run test:chrome)`);
        const { message, kind } = await judge(s, golden);
        tally.total += 1;
        if (kind === 'agree') tally.agree += 1;
        if (kind === 'listed') tally.listed += 1;
        assert.equal(message, undefined, message);
      });
    }
  });
  after(() => {
    console.log(`differential ${group.group}: ${tally.total} scenarios, ${tally.agree} agree, ${tally.listed} listed differences`);
  });
}
