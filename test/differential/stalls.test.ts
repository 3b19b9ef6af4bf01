// The stall watch the differential suite consults before it blames the agent for its waves.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { longestStall, watchStalls, WAVE_STALL_MS } from './stalls.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('differential stall watch', () => {
  it('reports a synchronous stretch longer than the wave margin, within its own window only', async () => {
    const watch = watchStalls();
    try {
      await sleep(30);
      const from = performance.now();
      const until = from + WAVE_STALL_MS + 40;
      while (performance.now() < until); // the event loop runs nothing else meanwhile
      await sleep(40); // the watch's next tick sees the stall
      const stall = longestStall(from, performance.now());
      assert.ok(stall >= WAVE_STALL_MS, `a ${Math.round(until - from)} ms busy stretch was seen as ${Math.round(stall)} ms`);
      assert.equal(longestStall(from - 10_000, from - 5_000), 0, 'a stall is not reported for a window before it');
    } finally {
      watch.stop();
    }
  });
});
