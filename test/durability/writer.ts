// The process the durability tests kill. It opens a store (the IdP's SQLite or PostgreSQL store,
// or the agent's SQLite profile), migrates it, prints `ready`, then writes until it is killed:
// for each write it prints `b <id> <op as JSON>` before starting it and `a <id>` only once the
// store acknowledged it (the promise resolved, the synchronous call returned); with maxWrites it
// stops, closes the store and prints `done <writes> <ms from ready>`. Lines go out with
// a blocking write(2) each, so every line printed before the SIGKILL reaches the parent, and an
// `a` line is never printed for a write the store had not acknowledged.
//
// Started as `node dist/test/durability/writer.js` with its WriterConfig (./ops.ts) as JSON in
// FEDKIT_DURABILITY. A failure (a refused fresh nonce, a store error) goes to stderr, exit code 1.

import { writeSync } from 'node:fs';
import type { Store } from '../../src/idp/index.js';
import {
  applyIdpOp,
  applyProfileOp,
  nextIdpOp,
  nextProfileOp,
  PROFILE_POOLS,
  prng,
  type IdpOp,
  type IdpWriterState,
  type ProfileOp,
  type ProfileWriterState,
  type WriterConfig,
} from './ops.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** One line to stdout with write(2), retried if the pipe is full (never buffered in this process). */
function emit(line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

const config = JSON.parse(process.env.FEDKIT_DURABILITY ?? 'null') as WriterConfig | null;
if (config === null) throw new Error('writer.ts: FEDKIT_DURABILITY is not set');
const rand = prng(config.seed);
let next = 0;
const nextId = (): string => `${config.run}.${next++}`;
const more = (): boolean => config.maxWrites === undefined || next < config.maxWrites;
/** When `ready` was printed: `done <writes> <ms>` says how long the writes took. */
let readyAt = 0;
const ready = (): void => {
  emit('ready');
  readyAt = performance.now();
};

async function runIdp(store: Store): Promise<void> {
  await store.migrate();
  const state: IdpWriterState = { users: (await store.listUsers()).map((u) => u.id), clients: (await store.listClients()).map((c) => c.id), sessions: [] };
  ready();
  const worker = async (): Promise<void> => {
    while (more()) {
      const op: IdpOp = nextIdpOp(rand, nextId(), state);
      emit(`b ${op.id} ${JSON.stringify(op)}`);
      await applyIdpOp(store, op);
      emit(`a ${op.id}`);
      // Later writes refer to a user or client only once it is acknowledged (foreign keys).
      if (op.kind === 'user') state.users.push(op.user.id);
      if (op.kind === 'client') state.clients.push(op.client.id);
      if (op.kind === 'session') state.sessions.push({ idHash: op.session.idHash, userId: op.session.userId });
    }
  };
  await Promise.all(Array.from({ length: config!.concurrency }, worker));
  const ms = performance.now() - readyAt;
  await store.close();
  emit(`done ${next} ${ms.toFixed(1)}`);
}

async function runProfile(path: string, synchronous: 'full' | 'normal'): Promise<void> {
  const { SqliteProfile } = await import('../../src/agent/profile/sqlite-profile.js');
  const { Cookies } = await import('../../src/agent/net/cookies.js');
  const profile = SqliteProfile.open(path, { synchronous });
  const cookies = new Cookies({ store: profile.cookieStore });
  const state: ProfileWriterState = { counters: new Map() };
  for (const id of PROFILE_POOLS.passkeys) {
    const stored = profile.webauthnStore.getCredential(PROFILE_POOLS.passkeyAuthenticator, id);
    if (stored) state.counters.set(id, stored.signCount ?? 0);
  }
  ready();
  let first = true;
  while (more()) {
    const op: ProfileOp = nextProfileOp(rand, nextId(), state, first);
    first = false;
    emit(`b ${op.id} ${JSON.stringify(op)}`);
    await applyProfileOp(profile, cookies, op, state);
    emit(`a ${op.id}`);
  }
  const ms = performance.now() - readyAt;
  profile.close();
  emit(`done ${next} ${ms.toFixed(1)}`);
}

const target = config.target;
try {
  // Only the modules the target needs (the store alone starts in a quarter of the time the whole
  // kit does), so most of a run is spent writing.
  if (target.kind === 'idp-sqlite') {
    const { SqliteStore } = await import('../../src/idp/store/sqlite.js');
    await runIdp(new SqliteStore({ filename: target.filename, synchronous: target.synchronous }));
  } else if (target.kind === 'idp-postgres') {
    const { PostgresStore } = await import('../../src/idp/store/postgres.js');
    await runIdp(new PostgresStore({ connectionString: target.connectionString, schema: target.schema, max: config.concurrency }));
  } else {
    await runProfile(target.path, target.synchronous);
  }
} catch (e) {
  process.stderr.write(`writer: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
}
