// A short soak in every test run against two IdP workers sharing PostgreSQL: besides the checks
// of every soak, no nonce is accepted twice and no grant is lost between workers.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSoak } from '../../bench/soak/soak.js';
import { checkSoak } from './check.js';

describe('soak (short), PostgreSQL', () => {
  it('two workers: no nonce accepted twice, no grant lost between workers', { timeout: 55_000 }, async () => {
    const report = await runSoak({ durationMs: 35_000, store: 'postgres', workers: 2, users: 6, sampleMs: 1000 });
    checkSoak(report);
    assert.ok((report.operations['cross-worker'] ?? 0) > 0, 'the soak ran no cross-worker check');
    assert.equal(report.replaysAccepted, 0, 'a nonce used at one worker was accepted at the other');
    assert.equal(report.grantsLost, 0, 'a grant made at one worker was missing at the other');
  });
});
