// What every short soak in npm test must show, whatever the store: no error, every kind of
// operation exercised, and each process's live heap within bounds.

import assert from 'node:assert/strict';
import type { SoakReport } from '../../bench/soak/soak.js';

/**
 * A process whose live heap (after a full collection) is above this after a short soak is
 * leaking: each starts near 20 MiB and settles well below this once warm.
 */
const LIVE_BOUND_MIB = 150;

export function checkSoak(report: SoakReport): void {
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
