// The agent's SQLite profile under kill -9: a writer process (./writer.ts) records connections,
// login statuses, stored (password) credentials, WebAuthn authenticators and passkey signature
// counters, and cookies (through the agent's cookie jar), and is SIGKILLed at a random moment,
// KILLS times (FEDKIT_DURABILITY_KILLS, default 10). After each kill the profile must open as the
// next agent opens it (SqliteProfile.open: its quick_check, format and schema checks, the
// migration transaction), pass integrity_check, and hold every acknowledged write, read back
// through the profile's API (./harness.ts checkHistory): the last acknowledged login status and
// cookie value, every connection and credential, and no passkey counter below the last one
// acknowledged (a counter that goes back makes an RP suspect a cloned authenticator).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PROFILE_SCHEMA_VERSION, SqliteProfile } from '../../src/agent/index.js';
import { checkHistory, KILLS, killSeries, SEED, walNote, type Snapshot } from './harness.js';
import {
  authenticatorSlot,
  canonical,
  connectionSlot,
  cookieSlot,
  credentialSlot,
  loginStatusSlot,
  passkeySlot,
  PROFILE_POOLS,
  profileExpectation,
  type ProfileOp,
} from './ops.js';

const SERIES_TIMEOUT_MS = 30_000 + KILLS * 6_000;

/** Everything the writer writes, read through the profile's API. */
async function profileSnapshot(profile: SqliteProfile): Promise<Snapshot> {
  const P = PROFILE_POOLS;
  const snapshot: Snapshot = new Map();
  for (const origin of P.loginOrigins) {
    const status = profile.getLoginStatus(origin);
    if (status !== undefined) snapshot.set(loginStatusSlot(origin), status);
  }
  for (const rp of P.rps) for (const c of profile.connections({ embedder: rp, rp, idp: P.idp })) snapshot.set(connectionSlot(c), canonical(c));
  for (const origin of P.credentialOrigins) for (const c of profile.storedCredentials(origin)) snapshot.set(credentialSlot(c.origin, c.id), canonical(c));
  for (const a of profile.webauthnStore.listAuthenticators()) snapshot.set(authenticatorSlot(a.id), canonical(a));
  for (const c of profile.webauthnStore.listCredentials(P.passkeyAuthenticator)) snapshot.set(passkeySlot(c.credentialId), canonical(c));
  for (const c of await profile.cookieStore.getAllCookies()) snapshot.set(cookieSlot(c.domain ?? '', c.key), c.value);
  return snapshot;
}

describe('durability: the SQLite profile survives kill -9 with every acknowledged write', () => {
  it('SqliteProfile, synchronous=full (the default)', { timeout: SERIES_TIMEOUT_MS }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-durability-'));
    const path = join(dir, 'profile.db');
    try {
      const result = await killSeries<ProfileOp>({
        t,
        name: 'SQLite profile',
        kills: KILLS,
        seed: SEED,
        config: (run, seed) => ({ target: { kind: 'profile', path, synchronous: 'full' }, run, seed, concurrency: 1 }),
        delayMs: { min: 20, max: 350 },
        async verify(history, run) {
          const label = `profile after kill ${run + 1}`;
          const note = walNote(path);
          // As the next agent: open (quick_check, format, schema, migration; recovers the WAL).
          const profile = SqliteProfile.open(path);
          try {
            const db = new Database(path, { readonly: true });
            try {
              assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `${label}: integrity_check`);
              assert.equal(db.prepare("SELECT value FROM meta WHERE name = 'schema_version'").pluck().get(), String(PROFILE_SCHEMA_VERSION), label);
            } finally {
              db.close();
            }
            const checked = checkHistory(history, profileExpectation, await profileSnapshot(profile), label);
            return {
              checked,
              close: async () => profile.close(),
              note,
            };
          } catch (e) {
            profile.close();
            throw e;
          }
        },
      });
      assert.equal(result.kills, KILLS);
      assert.ok(result.acknowledged > KILLS, `only ${result.acknowledged} writes were acknowledged in ${KILLS} runs: the writer hardly wrote`);
      t.diagnostic(`kills that landed while a write was in flight: ${result.midWrite} of ${result.kills}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
