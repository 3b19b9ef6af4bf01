// The IdP's SQLite store under kill -9: a writer process (./writer.ts) creates users and
// clients, starts sessions, uses nonces (the replay guard), upserts grants and inserts keys as
// fast as the store takes them, and is SIGKILLed at a seeded random moment, KILLS times
// (FEDKIT_DURABILITY_KILLS, default 10), with synchronous=NORMAL (the default) and FULL, and with
// FULL and 8 concurrent writes (so that assertion steps share group commits). After
// each kill the file is opened as a restarted server opens it (recovering the WAL the kill left)
// and must open cleanly (migrate() passes; integrity_check and foreign_key_check are clean) and
// hold every acknowledged write (./harness.ts checkHistory, ./idp-checks.ts probe).
//
// This is a process crash: SQLite keeps acknowledged writes through it with FULL and NORMAL
// alike. What only FULL keeps through a power loss is measured in ./fsync.test.ts and written
// down in docs/idp.md ("What survives a crash and a power loss").

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/idp/index.js';
import { MIGRATIONS } from '../../src/idp/store/migrations.js';
import type { Row } from '../../src/idp/store/rows.js';
import { checkHistory, KILLS, killSeries, SEED, walNote, type Snapshot } from './harness.js';
import { idpSnapshot, probe, report, SERIES_TIMEOUT_MS } from './idp-checks.js';
import { idpExpectation, type IdpOp } from './ops.js';

/**
 * One writer at a time, as the series always ran; and 8 at once, so that assertion steps share
 * group commits (src/idp/store/sqlite-batch.ts): an acknowledged step of a batch must survive too.
 */
const SERIES = [
  { synchronous: 'full', concurrency: 1 },
  { synchronous: 'normal', concurrency: 1 },
  { synchronous: 'full', concurrency: 8 },
] as const;

describe('durability: the IdP\'s SQLite store survives kill -9 with every acknowledged write', { timeout: SERIES.length * SERIES_TIMEOUT_MS }, () => {
  for (const { synchronous, concurrency } of SERIES) {
    const writers = concurrency === 1 ? '' : `, ${concurrency} concurrent writers (group commit)`;
    it(`SQLite, synchronous=${synchronous}${synchronous === 'normal' ? ' (the default)' : ''}${writers}`, { timeout: SERIES_TIMEOUT_MS }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'fedkit-durability-'));
      const filename = join(dir, 'idp.db');
      try {
        const result = await killSeries<IdpOp>({
          t,
          name: `SQLite store (synchronous=${synchronous}${writers})`,
          kills: KILLS,
          seed: SEED,
          config: (run, seed) => ({ target: { kind: 'idp-sqlite', filename, synchronous }, run, seed, concurrency }),
          delayMs: { min: 20, max: 350 },
          async verify(history, run) {
            const label = `SQLite (synchronous=${synchronous}) after kill ${run + 1}`;
            const note = walNote(filename);
            // As a restarted server: open (this recovers the WAL the kill left), migrate.
            const store = new SqliteStore({ filename, synchronous });
            try {
              await store.migrate();
              assert.deepEqual(await store.migrations(), MIGRATIONS.map((m) => m.version), label);
              assert.equal(store.synchronous, synchronous, label);
              const db = new Database(filename, { readonly: true });
              let snapshot: Snapshot;
              try {
                assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `${label}: integrity_check`);
                assert.deepEqual(db.pragma('foreign_key_check'), [], `${label}: foreign_key_check`);
                snapshot = await idpSnapshot(async (sql) => db.prepare(sql).all() as Row[]);
              } finally {
                db.close();
              }
              const checked = checkHistory(history, idpExpectation, snapshot, label);
              await probe(store, history.filter((w) => w.run === run && w.acked), label);
              return { checked, close: () => store.close(), note };
            } catch (e) {
              await store.close();
              throw e;
            }
          },
        });
        report(t, result);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
