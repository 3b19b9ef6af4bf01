// The IdP kit as a plain HTTP server for the throughput benchmarks: createIdp over SQLite or
// PostgreSQL, one bench client and user, a session made directly in the store (its cookie is
// what the load generator sends). `workers > 1` runs that many processes behind one port with
// node:cluster (the primary prepares the database and the signing key first, so the workers
// never race to create one).

import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { addClient, addUser, createIdp, PostgresStore, SqliteStore, toNodeListener, type Idp, type Store } from '../../src/idp/index.js';
import { LIGHT_HANDLER, lightFromValues, lightHandlerOf, type LightHandler } from '../../src/common/light-http.js';
import { sha256 } from '../../src/idp/context.js';
import { childArgument, serveChild } from '../lib/child.js';

export interface IdpServerOptions {
  store: 'sqlite' | 'postgres';
  /** SQLite file, or the PostgreSQL URL. */
  database: string;
  /** PostgreSQL schema (created and dropped by the primary). */
  schema?: string;
  workers?: number;
}

export interface IdpServerInfo {
  port: number;
  cookie: string;
  origin: string;
  clientId: string;
  accountId: string;
  pid: number;
}

export const ISSUER = 'https://idp.example';
export const BENCH_CLIENT = 'bench-rp';
export const BENCH_RP_ORIGIN = 'https://rp.example';
export const BENCH_USER = 'bench-user';

/** The assertion form as the load generator sends it (throughput.ts assertionBody), around the nonce. */
const ASSERTION_FORM = [
  `account_id=${BENCH_USER}&client_id=${BENCH_CLIENT}&params=${encodeURIComponent('{"nonce":"')}`,
  `${encodeURIComponent('"}')}&disclosure_text_shown=true&is_auto_selected=false&fields=name%2Cemail%2Cpicture&disclosure_shown_for=name%2Cemail%2Cpicture`,
] as const;

/** `one` run by `concurrency` loops for `seconds`: completions per second (failures not counted), failures, all. */
async function run(seconds: number, concurrency: number, one: () => Promise<void>, counts: () => { n: number; failed: number }): Promise<{ rate: number; failed: number; answered: number }> {
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) await one();
  }));
  const { n, failed } = counts();
  return { rate: (n - failed) / ((performance.now() - t0) / 1000), failed, answered: n };
}

const options = childArgument<IdpServerOptions>();

// Every statement this process sends to PostgreSQL (pool queries and transaction statements
// alike go through Client.prototype.query): one statement is one round trip, so the benchmark
// reports statements per request from the difference around each run (issue 15 §1).
// Reads of the signing keys are counted apart: the key manager re-reads them once per
// KEY_CACHE_MS (60 s), whatever the traffic, so they belong to no request.
let statements = 0;
let keyStatements = 0;
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === 'string' ? first : typeof first === 'object' && first !== null && 'text' in first ? String((first as { text: unknown }).text) : '';
  if (text.includes('signing_keys')) keyStatements++;
  else statements++;
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof clientQuery;

function openStore(): Store {
  return options.store === 'sqlite'
    ? new SqliteStore({ filename: options.database })
    : new PostgresStore({ connectionString: options.database, ...(options.schema === undefined ? {} : { schema: options.schema }) });
}

async function prepare(): Promise<string> {
  const store = openStore();
  await store.migrate();
  await addClient(store, { id: BENCH_CLIENT, origins: [BENCH_RP_ORIGIN], privacyPolicyUrl: `${BENCH_RP_ORIGIN}/privacy`, termsOfServiceUrl: `${BENCH_RP_ORIGIN}/terms` });
  await addUser(store, { id: BENCH_USER, email: 'bench@idp.example', name: 'Bench User', givenName: 'Bench', password: 'bench password 1', scrypt: { N: 2 ** 10, r: 8, p: 1 } });
  const id = randomBytes(32).toString('base64url');
  const now = Date.now();
  await store.createSession({ idHash: sha256(id), userId: BENCH_USER, createdAt: now, expiresAt: now + 86_400_000 });
  // The signing key, made once here rather than by the first request of each worker.
  await createIdp({ issuer: ISSUER, store }).jwks();
  await store.close();
  return `fedkit_session=${id}`;
}

let handler: LightHandler | undefined;
let benchStore: Store | undefined;

/**
 * Time spent inside this process, summed (issue 15 §1, the floors of the report): the kit's
 * handler per request (LightRequest in, LightReply out: on SQLite its awaits resolve at once, so
 * this is its own work, over HTTP and in process alike), and on SQLite the store's accounts view
 * (its synchronous part, which is all of its work there: one better-sqlite3 statement).
 */
const timing = { handlerMs: 0, handlers: 0, storeMs: 0, stores: 0 };
export type IdpTiming = typeof timing;

/** `idp` with its Node path timed into `timing`, for toNodeListener and the in-process runs alike. */
function timed(idp: Idp): LightHandler {
  const light = lightHandlerOf(idp)!;
  return async (request, info) => {
    const t0 = performance.now();
    try {
      return await light(request, info);
    } finally {
      timing.handlerMs += performance.now() - t0;
      timing.handlers++;
    }
  };
}

/** The SQLite store's accountsView timed into `timing` (on PostgreSQL the call is a round trip, not work: left alone). */
function timeAccountsView(store: Store): void {
  const view = store.accountsView?.bind(store);
  if (options.store !== 'sqlite' || view === undefined) return;
  store.accountsView = (idHash, now) => {
    const t0 = performance.now();
    const answer = view(idHash, now);
    timing.storeMs += performance.now() - t0;
    timing.stores++;
    return answer;
  };
}

async function listen(port: number): Promise<{ port: number; close: () => Promise<void> }> {
  const store = openStore();
  const idp = createIdp({ issuer: ISSUER, store, onError: (e) => console.error(`bench idp: ${e instanceof Error ? e.stack : String(e)}`) });
  timeAccountsView(store);
  handler = timed(idp);
  benchStore = store;
  const server = createServer(toNodeListener(Object.assign((request: Request) => idp(request), { [LIGHT_HANDLER]: handler })));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}

async function dropSchema(): Promise<void> {
  if (options.store !== 'postgres' || options.schema === undefined) return;
  const client = new pg.Client({ connectionString: options.database });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${options.schema}" CASCADE`);
  await client.end();
}

const workers = options.workers ?? 1;
if (cluster.isPrimary) {
  await dropSchema();
  const cookie = await prepare();
  let port: number;
  let stop: () => Promise<void>;
  if (workers <= 1) {
    const s = await listen(0);
    port = s.port;
    stop = s.close;
  } else {
    // Workers share one listening socket, which the primary hands out round-robin.
    cluster.setupPrimary({ args: [JSON.stringify(options)], execArgv: process.execArgv });
    const forked = Array.from({ length: workers }, () => cluster.fork());
    const ports = await Promise.all(forked.map((w) => new Promise<number>((resolve) => w.once('message', (m: { port: number }) => resolve(m.port)))));
    port = ports[0]!;
    stop = async () => {
      await Promise.all(forked.map((w) => new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.send('close');
      })));
    };
  }
  serveChild({
    info: (): IdpServerInfo => ({ port, cookie, origin: BENCH_RP_ORIGIN, clientId: BENCH_CLIENT, accountId: BENCH_USER, pid: process.pid }),
    /**
     * The same requests as the load generator sends, straight into the IdP kit's Node path in this
     * process (LightRequest in, LightReply out: what toNodeListener hands it, without HTTP or
     * sockets): `concurrency` at a time for `seconds`. Answers per second.
     */
    inProcess: async ({ endpoint, seconds, concurrency, prefix }: { endpoint: 'accounts' | 'assertion'; seconds: number; concurrency: number; prefix: string }) => {
      const light = handler;
      if (light === undefined) throw new Error('in-process runs need workers: 1');
      const common: [string, string][] = [['cookie', cookie], ['sec-fetch-dest', 'webidentity'], ['accept', 'application/json']];
      const accountsHeaders = new Map(common);
      const assertionHeaders = new Map([...common, ['content-type', 'application/x-www-form-urlencoded'], ['origin', BENCH_RP_ORIGIN]]);
      const accountsUrl = new URL(`${ISSUER}/fedcm/accounts`);
      const assertionUrl = new URL(`${ISSUER}/fedcm/assertion`);
      const noRequest = (): Request => {
        throw new Error('the bench IdP asked for a Request');
      };
      let n = 0;
      let seq = 0;
      let failed = 0;
      const one = async (): Promise<void> => {
        const nonce = `${prefix}${seq++}`;
        const reply =
          endpoint === 'accounts'
            ? await light(lightFromValues('GET', accountsUrl, accountsHeaders, null, noRequest), { remoteAddress: '127.0.0.1' })
            : await light(
                lightFromValues('POST', assertionUrl, assertionHeaders, Buffer.from(`${ASSERTION_FORM[0]}${nonce}${ASSERTION_FORM[1]}`), noRequest),
                { remoteAddress: '127.0.0.1' },
              );
        if (reply.status !== 200) failed++;
        n++;
      };
      return run(seconds, concurrency, one, () => ({ n, failed }));
    },
    /**
     * The store's part of an assertion alone: Store.assertionStep with a fresh nonce (the rows
     * read, the nonce used, the grant kept: committed), `concurrency` at a time for `seconds`, on
     * the same store the handler uses. Steps per second.
     */
    storeStep: async ({ seconds, concurrency, prefix }: { seconds: number; concurrency: number; prefix: string }) => {
      const store = benchStore;
      if (store?.assertionStep === undefined) throw new Error('store steps need workers: 1 and a store with assertionStep');
      const sessionIdHash = sha256(cookie.slice(cookie.indexOf('=') + 1));
      const fields = ['name', 'email', 'picture'];
      let n = 0;
      let seq = 0;
      let failed = 0;
      const one = async (): Promise<void> => {
        const now = Date.now();
        const step = await store.assertionStep!({
          clientId: BENCH_CLIENT,
          sessionIdHash,
          now,
          complete: { origin: BENCH_RP_ORIGIN, accountId: BENCH_USER, nonce: `${prefix}${seq++}`, nonceExpiresAt: now + 600_000, disclosure: { fields, disclosureShownFor: fields, disclosureTextShown: true } },
        });
        if (step.outcome !== 'completed') failed++;
        n++;
      };
      return run(seconds, concurrency, one, () => ({ n, failed }));
    },
    /** The handler's and the store's time so far (IdpTiming). */
    timing: (): IdpTiming => ({ ...timing }),
    /** Statements sent to PostgreSQL so far by this process (0 for SQLite). */
    statements: () => statements,
    keyStatements: () => keyStatements,
    /** How many nonces with this prefix the store remembers (PostgreSQL). */
    usedNonces: async ({ prefix }: { prefix: string }) => {
      if (options.store !== 'postgres') return null;
      const client = new pg.Client({ connectionString: options.database });
      await client.connect();
      try {
        const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${options.schema ?? 'public'}".used_nonces WHERE nonce LIKE $1`, [`${prefix}%`]);
        return Number(r.rows[0]?.n ?? 0);
      } finally {
        await client.end();
      }
    },
    close: async () => {
      await stop();
      await dropSchema();
    },
  });
} else {
  // A cluster worker: listens on the shared port (0 → the primary picks one for all workers).
  const s = await listen(0);
  process.send?.({ port: s.port });
  process.on('message', (m) => {
    if (m === 'close') void s.close().then(() => process.exit(0));
  });
}
