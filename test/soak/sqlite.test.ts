// A short soak in every test run (the long one is `npm run soak`): mixed traffic against the IdP
// on SQLite and the RP. One file per store, so each stays well inside the runner's 60 s per file.

import { describe, it } from 'node:test';
import { runSoak } from '../../bench/soak/soak.js';
import { checkSoak } from './check.js';

describe('soak (short), SQLite', () => {
  it('one worker: mixed traffic for 25 s without an error', { timeout: 55_000 }, async () => {
    checkSoak(await runSoak({ durationMs: 25_000, store: 'sqlite', workers: 1, users: 6, sampleMs: 1000 }));
  });
});
