// Registers a table of hostile cases with node:test: the cases side by side (each has its own
// server and agent, so they cannot interfere), then the process-wide checks no single case can
// make while others run — no handle or timer left behind, no MaxListenersExceededWarning.
//
// `HOSTILE_CASE=<name> node scripts/run-tests.mjs hostile` runs one case (the others are skipped);
// the process checks then concern that case alone.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, type HostileCase } from './case.js';
import { runCase } from './runner.js';

/** How many cases of one file run at once (a 2-core machine; most cases wait on timers, not CPU). */
const CONCURRENCY = 8;

/** Active handles and requests by type (process.getActiveResourcesInfo()). */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/** The types of which there are more now than in `baseline`. */
function leaked(baseline: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [type, n] of resources()) {
    const before = baseline.get(type) ?? 0;
    if (n > before) out.push(`${type}: ${before} → ${n}`);
  }
  return out;
}

export function hostileSuite(title: string, cases: readonly HostileCase[]): void {
  const only = process.env['HOSTILE_CASE'];
  const baseline = resources();
  const warnings: string[] = [];
  const running = new Set<string>();
  process.on('warning', (w) => {
    if (w.name === 'MaxListenersExceededWarning') warnings.push(`${w.message} (while running: ${[...running].join(', ')})`);
  });

  describe(title, { concurrency: CONCURRENCY }, () => {
    for (const c of cases) {
      const skip = only !== undefined && only !== c.name;
      it(c.name, { skip }, async () => {
        running.add(c.name);
        try {
          await runCase(c);
        } finally {
          running.delete(c.name);
        }
      });
    }
  });

  it(`${title}: nothing left open, no MaxListenersExceededWarning`, async () => {
    // Warnings are emitted on a later tick; let them arrive.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
    const deadline = performance.now() + TIMEOUTS.drainMs;
    let extra = leaked(baseline);
    while (extra.length > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      extra = leaked(baseline);
    }
    assert.deepEqual(extra, [], 'active handles/timers beyond those before the first case');
  });
}
