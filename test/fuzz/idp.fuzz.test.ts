// The fuzzer's smoke run in `npm test`: a fixed seed, on both stores, over HTTPS on loopback.
// Nothing may answer 5xx, hang, go unanswered or make the server report an error, and a FedCM
// sign-in must work afterwards. Longer runs: `npm run fuzz -- --count 20000` (docs/idp.md).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDP_ROUTES } from '../../src/idp/index.js';
import { formatFailure, formatSummary } from './report.js';
import { passed, runFuzz, type FuzzReport } from './runner.js';

const SEED = 20261202;

function explain(report: FuzzReport): string {
  return [...report.failures.slice(0, 10).map((f) => formatFailure(f, report)), formatSummary(report)].join('\n\n');
}

function count(report: FuzzReport, route: string, ok: (status: number) => boolean): number {
  let n = 0;
  for (const [outcome, cases] of report.table.get(route) ?? []) if (ok(Number(outcome))) n += cases;
  return n;
}

describe('the IdP under fuzz', { timeout: 60_000 }, () => {
  for (const [store, requests] of [['sqlite', 1000], ['postgres', 400]] as const) {
    it(`answers ${requests} malformed requests (seed ${SEED}, ${store}) with no 5xx, no hang, no server error, and signs users in afterwards`, async () => {
      const report = await runFuzz({ count: requests, seed: SEED, store });
      assert.ok(passed(report), explain(report));
      // The cases reached the code behind the checks, not only the refusals: every route
      // answered both successes and refusals, and the assertion endpoint issued tokens.
      for (const route of IDP_ROUTES) {
        assert.ok(count(report, route.name, (s) => s >= 200 && s < 300) > 0, `no 2xx from ${route.name}\n${formatSummary(report)}`);
        assert.ok(count(report, route.name, (s) => s >= 400 && s < 500) > 0, `no 4xx from ${route.name}\n${formatSummary(report)}`);
      }
      assert.ok(count(report, 'unknown', (s) => s === 404) > 0);
    });
  }
});
