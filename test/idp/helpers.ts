// Test helpers for the IdP kit: real stores (an SQLite temp file, a PostgreSQL schema of its
// own), and a "world" with the reference IdP served over HTTPS on realistic host names, an RP
// page, and the agent reaching both through host rules.

import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createAgent, type Agent, type Frame } from '../../src/agent/index.js';
import { addClient, addUser, createIdp, serve, SqliteStore, PostgresStore, type Idp, type IdpOptions, type RunningServer, type Store, type User } from '../../src/idp/index.js';
import { testCertificates } from '../helpers/certs.js';
import { LIGHT_HANDLER, lightHandlerOf, type ConnectionInfo, type LightReply, type LightRequest } from '../../src/common/light-http.js';

export const POSTGRES_URL = process.env.FEDKIT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A PostgreSQL schema of its own for `fn`, dropped afterwards: `url` is POSTGRES_URL with that
 * schema as its search_path (what the CLI's --database takes), `admin` a connection for checks.
 */
export async function withPostgresSchema(prefix: string, fn: (s: { schema: string; url: string; admin: pg.Client }) => Promise<void>): Promise<void> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    await fn({ schema, url: url.href, admin });
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

export interface TestStore {
  kind: StoreKind;
  store: Store;
  /** Another connection to the same database (a second server behind a load balancer). */
  openSecond(): Store;
  /** SQLite: the database file. */
  filename?: string;
  /** PostgreSQL: the schema. */
  schema?: string;
  /** Plain SQL against the same database, for asserting stored state. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

/** Fails loudly (never skips) when PostgreSQL is not there. */
async function checkPostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (e) {
    throw new Error(
      `PostgreSQL is unreachable at ${POSTGRES_URL} (${e instanceof Error ? e.message : String(e)}). ` +
        'The IdP store tests run against a real PostgreSQL and are never skipped: start the server, or point FEDKIT_TEST_POSTGRES at one.',
      { cause: e },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-idp-'));
    const filename = join(dir, 'idp.db');
    const store = new SqliteStore({ filename });
    await store.migrate();
    const extra: Store[] = [];
    const Database = (await import('better-sqlite3')).default;
    return {
      kind,
      store,
      filename,
      openSecond() {
        const s = new SqliteStore({ filename });
        extra.push(s);
        return s;
      },
      async rows(sql) {
        const db = new Database(filename, { readonly: true });
        try {
          return db.prepare(sql).all() as Record<string, unknown>[];
        } finally {
          db.close();
        }
      },
      async cleanup() {
        for (const s of extra) await s.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  await checkPostgres();
  const schema = `fedkit_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const store = new PostgresStore({ connectionString: POSTGRES_URL, schema, max: 4 });
  await store.migrate();
  const extra: Store[] = [];
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1, options: `-c search_path=${schema}` });
  return {
    kind,
    store,
    schema,
    openSecond() {
      const s = new PostgresStore({ connectionString: POSTGRES_URL, schema, max: 4 });
      extra.push(s);
      return s;
    },
    async rows(sql) {
      const result = await admin.query<Record<string, unknown>>(sql);
      // BIGINT comes back as a string from pg; compare numbers like SQLite gives them.
      return result.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) && result.fields.find((f) => f.name === k)?.dataTypeID === 20 ? Number(v) : v])));
    },
    async cleanup() {
      for (const s of extra) await s.close();
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/** A cheap scrypt cost for test users (the default cost is measured in its own test). */
export const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

export const RP_ORIGIN = 'https://rp.example';
export const CLIENT_ID = 'rp-client';
export const PASSWORD = 'correct horse battery staple';

/** A clock tests move by hand. */
export class TestClock {
  constructor(public t = Date.UTC(2026, 10, 1, 12, 0, 0)) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface IdpWorld {
  kind: StoreKind;
  testStore: TestStore;
  store: Store;
  idp: Idp;
  server: RunningServer;
  agent: Agent;
  clock: TestClock;
  user: User;
  /** The RP home page, open in the agent. */
  page: Frame;
  hostRules: Record<string, string>;
  ca: string;
  /** Signs `user` in through the real login form (GET for the CSRF cookie, then the POST). */
  signIn(email?: string, password?: string): Promise<{ status: number; headers: Headers; body: string }>;
  /** Requests the IdP over HTTPS through the agent's network stack, with exactly these headers. */
  close(): Promise<void>;
}

/** The RP: one HTML page on every `rp*.example` host. */
function rpPage(request: Request): Response {
  const host = new URL(request.url).hostname;
  return new Response(`<!doctype html><title>${host}</title><h1>Relying party ${host}</h1>`, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}

/**
 * Which of the IdP's two paths the world's server takes (common/light-http.ts): 'web' (the
 * handler as a Request → Response function, what any framework gets) or 'node' (serve() asking
 * the IdP without a Request, its reply written straight to node:http). The endpoint and
 * robustness tests run both ways: their *-node-path.test.ts files set FEDKIT_TEST_IDP_PATH=node.
 */
export const IDP_PATH: 'web' | 'node' = process.env.FEDKIT_TEST_IDP_PATH === 'node' ? 'node' : 'web';

let lightRequests = 0;
/** How many IdP requests the worlds' servers answered on the Node path (IDP_PATH 'node'). */
export function nodePathRequests(): number {
  return lightRequests;
}

/** `handler` with the IdP's LightHandler in front of it for the IdP's requests (the RP pages stay on the web path). */
function nodePath(handler: (request: Request, info: ConnectionInfo) => Response | Promise<Response>, idp: Idp): typeof handler {
  const light = lightHandlerOf(idp)!;
  return Object.assign(handler, {
    [LIGHT_HANDLER]: async (request: LightRequest, info: ConnectionInfo): Promise<LightReply> => {
      if (!new URL(request.url).hostname.startsWith('rp')) {
        lightRequests++;
        return light(request, info);
      }
      const response = await handler(request.toRequest(), info);
      const headers = new Map<string, string>();
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') headers.set(name, value);
      });
      return { status: response.status, headers, setCookies: response.headers.getSetCookie(), body: await response.text() };
    },
  });
}

export async function startIdpWorld(kind: StoreKind, options: Partial<IdpOptions> & { issuer?: string } = {}): Promise<IdpWorld> {
  const testStore = await openTestStore(kind);
  const store = testStore.store;
  const clock = new TestClock(Date.now());
  const idp = createIdp({ issuer: 'https://idp.example', store, now: clock.now, ...options });
  await addClient(store, {
    id: CLIENT_ID,
    origins: [RP_ORIGIN],
    privacyPolicyUrl: 'https://rp.example/privacy',
    termsOfServiceUrl: 'https://rp.example/terms',
  });
  const user = await addUser(store, {
    id: 'u_jane',
    email: 'jane@idp.example',
    name: 'Jane Doe',
    givenName: 'Jane',
    picture: '/pictures/jane.png',
    password: PASSWORD,
    scrypt: FAST_SCRYPT,
  });
  const certs = testCertificates();
  const handler = (request: Request, info: ConnectionInfo) => (new URL(request.url).hostname.startsWith('rp') ? rpPage(request) : idp(request, info));
  const server = await serve(IDP_PATH === 'node' ? nodePath(handler, idp) : handler, { tls: { cert: certs.certPem, key: certs.keyPem } });
  const target = `127.0.0.1:${server.port}`;
  const hostRules = { '*.example:443': target, 'example:443': target };
  const agent = createAgent({ hostRules, ca: certs.caPem });
  const page = await agent.open(`${RP_ORIGIN}/`);
  return {
    kind,
    testStore,
    store,
    idp,
    server,
    agent,
    clock,
    user,
    page,
    hostRules,
    ca: certs.caPem,
    async signIn(email = user.email, password = PASSWORD) {
      const login = await agent.open(idp.urls.login);
      const csrf = /name="csrf" value="([^"]+)"/.exec(login.response?.body ?? '')?.[1];
      if (csrf === undefined) throw new Error(`no CSRF field on the login page:\n${login.response?.body ?? ''}`);
      const res = await login.fetch(idp.urls.login, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, email, password }).toString(),
      });
      login.close();
      return res;
    },
    async close() {
      await agent.close();
      await server.close();
      await testStore.cleanup();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed when the body is JSON, else undefined. */
  json: unknown;
}

/**
 * One HTTPS request with exactly the given headers (nothing added but Host and Content-Length),
 * to `url` on a realistic host name: connected to the world's loopback port, with that name as
 * SNI and Host, verified against the test CA — what a browser's FedCM fetch looks like on the wire.
 */
export function rawRequest(
  w: Pick<IdpWorld, 'server' | 'ca'>,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: w.server.port,
        servername: u.hostname,
        ca: w.ca,
        method: init.method ?? 'GET',
        path: u.pathname + u.search,
        headers: { host: u.host, ...init.headers, ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }) },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** Every row of every IdP table, for "nothing changed" assertions. */
export async function snapshot(t: TestStore): Promise<Record<string, unknown[]>> {
  const tables = ['users', 'sessions', 'clients', 'grants', 'signing_keys', 'used_nonces', 'login_failures'];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) out[table] = await t.rows(`SELECT * FROM ${table} ORDER BY 1`);
  return out;
}

/** The session cookie value from a Set-Cookie list. */
export function cookieValue(setCookie: string | string[] | undefined, name: string): string | undefined {
  for (const line of Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie]) {
    const pair = line.split(';', 1)[0]!;
    if (pair.startsWith(`${name}=`)) return pair.slice(name.length + 1);
  }
  return undefined;
}
