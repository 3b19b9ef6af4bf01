// What durability costs: the writer (./writer.ts) makes the same mix of writes the kill tests
// make, to the end, with each setting, and this prints acknowledged writes per second; then the
// IdP's assertion endpoint (a nonce and a grant written per assertion), in process, on SQLite
// with each setting. Not a test (timings depend on the disk and on what else uses it);
// docs/idp.md quotes runs of it.
//
//   node dist/test/durability/throughput.js [writes]     (default 2000; PostgreSQL if reachable)

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { addClient, addUser, createIdp, SqliteStore } from '../../src/idp/index.js';
import { sha256 } from '../../src/idp/context.js';
import { runToEnd, WRITER } from './harness.js';
import type { WriterTarget } from './ops.js';

const POSTGRES_URL = process.env.FEDKIT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const writes = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'fedkit-throughput-'));

async function measure(name: string, target: WriterTarget, concurrency = 1): Promise<void> {
  const { stdout } = await runToEnd(process.execPath, [WRITER], { target, run: 0, seed: 1, concurrency, maxWrites: writes }, 600_000);
  const done = /^done (\d+) ([\d.]+)$/m.exec(stdout);
  if (done === null) throw new Error(`${name}: the writer printed no "done" line`);
  const [n, ms] = [Number(done[1]), Number(done[2])];
  console.log(`${name.padEnd(56)} ${String(Math.round((n / ms) * 1000)).padStart(7)} writes/s  ${((ms / n) * 1000).toFixed(0).padStart(6)} µs/write`);
}

/** Assertions per second through the IdP handler (no HTTP), 10 at a time, fresh nonces, for `seconds`. */
async function assertions(synchronous: 'full' | 'normal', seconds: number, round: number): Promise<void> {
  const issuer = 'https://idp.example';
  const store = new SqliteStore({ filename: join(dir, `assertion-${synchronous}-${round}.db`), synchronous });
  try {
    await store.migrate();
    await addClient(store, { id: 'rp', origins: ['https://rp.example'], privacyPolicyUrl: 'https://rp.example/privacy', termsOfServiceUrl: 'https://rp.example/terms' });
    await addUser(store, { id: 'jane', email: 'jane@idp.example', name: 'Jane', password: 'correct horse battery staple', scrypt: { N: 2 ** 10, r: 8, p: 1 } });
    const session = randomBytes(32).toString('base64url');
    await store.createSession({ idHash: sha256(session), userId: 'jane', createdAt: Date.now(), expiresAt: Date.now() + 86_400_000 });
    const idp = createIdp({ issuer, store });
    await idp.jwks();
    const headers = { cookie: `fedkit_session=${session}`, 'sec-fetch-dest': 'webidentity', accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', origin: 'https://rp.example' };
    let ok = 0;
    let seq = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (performance.now() < end) {
          const nonce = encodeURIComponent(JSON.stringify({ nonce: `n${seq++}` }));
          const body = `account_id=jane&client_id=rp&params=${nonce}&disclosure_text_shown=true&is_auto_selected=false&fields=name%2Cemail%2Cpicture&disclosure_shown_for=name%2Cemail%2Cpicture`;
          const response = await idp(new Request(`${issuer}/fedcm/assertion`, { method: 'POST', headers, body }));
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`assertion answered ${response.status}`);
          ok++;
        }
      }),
    );
    console.log(`${`assertion handler in process, SQLite synchronous=${synchronous}`.padEnd(56)} ${String(Math.round(ok / ((performance.now() - start) / 1000))).padStart(7)} assertions/s`);
  } finally {
    await store.close();
  }
}

try {
  console.log(`${writes} writes each (the kill tests' mix), files in ${tmpdir()}`);
  for (const synchronous of ['full', 'normal'] as const) {
    await measure(`SQLite store, synchronous=${synchronous}`, { kind: 'idp-sqlite', filename: join(dir, `idp-${synchronous}.db`), synchronous });
  }
  for (const synchronous of ['full', 'normal'] as const) {
    await measure(`SQLite profile, synchronous=${synchronous}`, { kind: 'profile', path: join(dir, `profile-${synchronous}.db`), synchronous });
  }
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1, connectionTimeoutMillis: 3000 });
  admin.on('error', () => {});
  try {
    const settings = await admin.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'synchronous_commit'");
    for (const concurrency of [1, 4]) {
      const schema = `fedkit_throughput_${process.pid}_${randomBytes(4).toString('hex')}`;
      try {
        await measure(`PostgreSQL (synchronous_commit=${settings.rows[0]?.setting}), ${concurrency} at once`, { kind: 'idp-postgres', connectionString: POSTGRES_URL, schema }, concurrency);
      } finally {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    }
  } catch (e) {
    console.log(`PostgreSQL not measured: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await admin.end();
  }
  for (const [round, synchronous] of (['full', 'normal', 'full', 'normal'] as const).entries()) await assertions(synchronous, 3, round);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
