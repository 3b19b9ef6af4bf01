// A short soak in every test run (the long one is `npm run soak`): mixed traffic against the IdP
// and the RP for a minute in all must cause no error, no replay, no lost grant, and leave every
// server's memory within bounds.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSoak, type SoakReport } from '../../bench/soak/soak.js';

/**
 * A process whose live heap (after a full collection) is above this after a minute's soak is
 * leaking: each starts near 20 MiB and settles well below this once warm.
 */
const LIVE_BOUND_MIB = 150;

function check(report: SoakReport): void {
  assert.equal(report.errorCount, 0, `errors during the soak:\n${report.errors.join('\n')}`);
  for (const op of ['sign-in', 'returning', 'disconnect', 'bad requests']) {
    assert.ok((report.operations[op] ?? 0) > 0, `the soak ran no "${op}" (operations: ${JSON.stringify(report.operations)})`);
  }
  for (const [name, series] of Object.entries(report.memory)) {
    assert.ok(series.samples.length >= 3, `${name}: only ${series.samples.length} memory samples`);
    const last = series.samples.at(-1)![1];
    assert.ok(last < LIVE_BOUND_MIB, `${name}'s live heap is ${last} MiB after the soak (bound ${LIVE_BOUND_MIB} MiB)`);
  }
}

describe('soak (short)', () => {
  it('SQLite, one worker: mixed traffic for 25 s without an error', { timeout: 100_000 }, async () => {
    const report = await runSoak({ durationMs: 25_000, store: 'sqlite', workers: 1, users: 6, sampleMs: 1000 });
    check(report);
  });

  it('PostgreSQL, two workers: no nonce accepted twice, no grant lost between workers', { timeout: 110_000 }, async () => {
    const report = await runSoak({ durationMs: 35_000, store: 'postgres', workers: 2, users: 6, sampleMs: 1000 });
    check(report);
    assert.ok((report.operations['cross-worker'] ?? 0) > 0, 'the soak ran no cross-worker check');
    assert.equal(report.replaysAccepted, 0, 'a nonce used at one worker was accepted at the other');
    assert.equal(report.grantsLost, 0, 'a grant made at one worker was missing at the other');
  });
});
