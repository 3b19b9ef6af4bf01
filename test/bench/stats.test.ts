// bench/lib/stats.ts: the within-round ratio the sign-in goals are judged on.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { medianRoundRatio } from '../../bench/lib/stats.js';

describe('medianRoundRatio', () => {
  it('takes each round\'s ratio of medians, then the median of those', () => {
    // Round 0: a 2 (median of 1, 2, 3) over b 1; round 1: a 6 over b 2; round 2: a 12 over b 3.
    const a = { values: [1, 2, 3, 6, 6, 12], rounds: [0, 0, 0, 1, 1, 2] };
    const b = { values: [1, 2, 3], rounds: [0, 1, 2] };
    assert.equal(medianRoundRatio(a, b), 3);
  });

  it('cancels a drift that the ratio of the overall medians keeps', () => {
    // Every round a takes 1.1× b, while the machine slows down round after round and b's rounds
    // are mostly the slow ones.
    const scale = [1, 2, 3, 4, 5];
    const a = { values: scale.slice(0, 2).map((s) => 1.1 * s), rounds: [0, 1] };
    const b = { values: scale.map((s) => s), rounds: [0, 1, 2, 3, 4] };
    assert.ok(Math.abs(medianRoundRatio(a, b) - 1.1) < 1e-9, `got ${medianRoundRatio(a, b)}`);
  });

  it('leaves out rounds only one side took part in, and is NaN with none in common', () => {
    assert.equal(medianRoundRatio({ values: [4, 9], rounds: [0, 5] }, { values: [2], rounds: [0] }), 2);
    assert.ok(Number.isNaN(medianRoundRatio({ values: [1], rounds: [0] }, { values: [1], rounds: [1] })));
  });
});
