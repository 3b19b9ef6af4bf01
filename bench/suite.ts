// 4b. The figure a user's test suite cares about: N sign-in tests (a fresh agent or browser
// context, a session at the IdP, one sign-in, an assertion on the page) run with fedkit's agent,
// with fedkit inside Playwright (Chromium with its own FedCM off, fedkit/playwright installed),
// and with Chromium's own FedCM under Playwright, each contender in its own process against the
// same reference system. Wall time for each, and per-test percentiles.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from './lib/child.js';
import { CHROMIUM, startSystemChild } from './signin.js';
import type { SuiteContender, SuiteRun } from './children/suite.js';

export type SuiteResults = {
  tests: number;
  runs: (SuiteRun | { contender: SuiteContender; skipped: string })[];
  elapsed: number;
};

/** Every contender, the browser ones only where Chromium is installed. */
export async function benchSuite(options: { tests: number; log: (s: string) => void }): Promise<SuiteResults> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'fedkit-bench-suite-'));
  const runs: SuiteResults['runs'] = [];
  const { child: system, info } = await startSystemChild(join(dir, 'system'));
  try {
    for (const contender of ['fedkit', 'chromium', 'fedkit-playwright'] as const) {
      if (contender !== 'fedkit' && !existsSync(CHROMIUM)) {
        runs.push({ contender, skipped: `${CHROMIUM} is not installed (scripts/install-test-tools.sh)` });
        continue;
      }
      const child = new Child('suite');
      try {
        const r = await child.call<SuiteRun>('run', { info, contender, tests: options.tests, testTimeoutMs: 20_000 });
        runs.push(r);
        options.log(`  ${contender.padEnd(17)} ${r.passed}/${r.tests} passed in ${(r.wallMs / 1000).toFixed(2)} s${r.launchMs > 0 ? ` (+ ${Math.round(r.launchMs)} ms browser launch)` : ''}${r.failures.length > 0 ? `; failures: ${r.failures.join(' | ')}` : ''}`);
      } catch (e) {
        runs.push({ contender, skipped: `failed: ${e instanceof Error ? e.message : String(e)}` });
      } finally {
        await child.stop();
      }
    }
  } finally {
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { tests: options.tests, runs, elapsed: (performance.now() - started) / 1000 };
}
