// 2. IdP throughput on one core: the ID assertion endpoint (store reads, nonce use, grant
// upsert, ES256 signing) and the accounts endpoint, under autocannon on loopback, against a bare
// node:http hello world and bare ES256 signing loops, in the same run. Servers and the signing
// loops run pinned to CPU 0, the load generator to CPU 1 (taskset). Rounds alternate the targets
// so machine noise spreads over all of them; figures are medians over rounds.

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { canPin, Child } from './lib/child.js';
import { median } from './lib/stats.js';
import type { IdpServerInfo, IdpServerOptions } from './children/idp.js';
import type { LoadConfig, LoadResult } from './children/load.js';
import type { SignResult } from './children/sign.js';

export interface Rates {
  /** Median over rounds of the successful operations per second. */
  rate: number;
  rates: number[];
  p50?: number;
  p99?: number;
  /** Sum over rounds. */
  requests?: number;
  non2xx?: number;
  errors?: number;
  statuses?: Record<string, number>;
  /** PostgreSQL targets: statements (= round trips) the IdP process sent per request it was sent, over every round. */
  statementsPerRequest?: number;
  /** PostgreSQL targets: reads of the signing keys over every round (the key cache's refreshes, not per request). */
  keyStatements?: number;
}

export interface ThroughputResults {
  pinned: boolean;
  serverCpus: string;
  loadCpus: string;
  seconds: number;
  rounds: number;
  connections: number;
  targets: Record<string, Rates>;
  postgres: string | { skipped: string };
  elapsed: number;
}

export const HELLO = 'hello world (node:http)';
export const HELLO_ADAPTER = 'hello world through the kit\'s web adapter (toNodeListener, Request/Response)';
export const HELLO_LIGHT = 'hello world through the kit\'s Node path (toNodeListener, LightHandler)';
export const ASSERTION_PATH = '/fedcm/assertion';
export const ACCOUNTS_PATH = '/fedcm/accounts';

/** The form Chromium posts to the ID assertion endpoint (its own encoding of `,` and `:` aside). */
export function assertionBody(info: Pick<IdpServerInfo, 'clientId' | 'accountId'>): string {
  const fields = encodeURIComponent('name,email,picture');
  return [
    `account_id=${encodeURIComponent(info.accountId)}`,
    `client_id=${encodeURIComponent(info.clientId)}`,
    `params=${encodeURIComponent('{"nonce":"')}{nonce}${encodeURIComponent('"}')}`,
    'disclosure_text_shown=true',
    'is_auto_selected=false',
    `fields=${fields}`,
    `disclosure_shown_for=${fields}`,
  ].join('&');
}

/** What autocannon sends to each IdP endpoint (the headers a browser's FedCM fetch carries). */
export function idpLoad(info: IdpServerInfo, endpoint: 'accounts' | 'assertion', seconds: number, connections: number, noncePrefix: string): LoadConfig {
  const base = `http://127.0.0.1:${info.port}`;
  if (endpoint === 'accounts') {
    return {
      url: `${base}${ACCOUNTS_PATH}`,
      method: 'GET',
      headers: { accept: 'application/json', cookie: info.cookie, 'sec-fetch-dest': 'webidentity', 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'none' },
      seconds,
      connections,
    };
  }
  return {
    url: `${base}${ASSERTION_PATH}`,
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      cookie: info.cookie,
      origin: info.origin,
      'sec-fetch-dest': 'webidentity',
      'sec-fetch-mode': 'cors',
      'sec-fetch-site': 'cross-site',
    },
    body: assertionBody(info),
    nonce: { prefix: noncePrefix },
    seconds,
    connections,
  };
}

/** PostgreSQL at `url` answers (or why not). */
export async function postgresAvailable(url: string): Promise<true | string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await client.end().catch(() => {});
  }
}

export function cpuSets(): { server: string; load: string } {
  return cpus().length >= 2 ? { server: '0', load: '1' } : { server: '0', load: '0' };
}

export async function benchThroughput(options: {
  seconds: number;
  rounds: number;
  connections: number;
  postgresUrl: string;
  log: (s: string) => void;
}): Promise<ThroughputResults> {
  const started = performance.now();
  const { server: serverCpus, load: loadCpus } = cpuSets();
  const dir = mkdtempSync(join(tmpdir(), 'fedkit-bench-throughput-'));
  const children: Child[] = [];
  const spawnChild = (script: string, cpusList: string, args: unknown[] = []): Child => {
    const c = new Child(script, { cpus: cpusList, args: args.map((a) => JSON.stringify(a)) });
    children.push(c);
    return c;
  };
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  try {
    const pgState = await postgresAvailable(options.postgresUrl);
    const hello = spawnChild('hello', serverCpus);
    const { port: helloPort, adapterPort, lightPort } = await hello.call<{ port: number; adapterPort: number; lightPort: number }>('info');
    const signer = spawnChild('sign', serverCpus);
    const load = spawnChild('load', loadCpus);
    const idps: { name: string; info: IdpServerInfo; child: Child }[] = [];
    const sqlite = spawnChild('idp', serverCpus, [{ store: 'sqlite', database: join(dir, 'idp.db') } satisfies IdpServerOptions]);
    idps.push({ name: 'sqlite', info: await sqlite.call<IdpServerInfo>('info'), child: sqlite });
    if (pgState === true) {
      const pgIdp = spawnChild('idp', serverCpus, [{ store: 'postgres', database: options.postgresUrl, schema: `fedkit_bench_${process.pid}` } satisfies IdpServerOptions]);
      idps.push({ name: 'postgres', info: await pgIdp.call<IdpServerInfo>('info'), child: pgIdp });
    }

    type Target = { name: string; run: (seconds: number, round: string) => Promise<{ rate: number; load?: LoadResult; statements?: number; keyStatements?: number; answered?: number }> };
    const targets: Target[] = [
      {
        name: HELLO,
        run: async (s) => {
          const r = await load.call<LoadResult>('run', { url: `http://127.0.0.1:${helloPort}/`, method: 'GET', headers: {}, seconds: s, connections: options.connections } satisfies LoadConfig);
          return { rate: r.rate, load: r };
        },
      },
      {
        name: HELLO_ADAPTER,
        run: async (s) => {
          const r = await load.call<LoadResult>('run', { url: `http://127.0.0.1:${adapterPort}/`, method: 'GET', headers: {}, seconds: s, connections: options.connections } satisfies LoadConfig);
          return { rate: r.rate, load: r };
        },
      },
      {
        name: HELLO_LIGHT,
        run: async (s) => {
          const r = await load.call<LoadResult>('run', { url: `http://127.0.0.1:${lightPort}/`, method: 'GET', headers: {}, seconds: s, connections: options.connections } satisfies LoadConfig);
          return { rate: r.rate, load: r };
        },
      },
      { name: 'ES256 signing, jose (SignJWT, WebCrypto)', run: async (s) => ({ rate: (await signer.call<SignResult>('run', { mode: 'jose', seconds: s })).rate }) },
      { name: SIGN_NODE, run: async (s) => ({ rate: (await signer.call<SignResult>('run', { mode: 'node', seconds: s })).rate }) },
    ];
    for (const { name, info, child } of idps) {
      const storeName = name === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      for (const endpoint of ['accounts', 'assertion'] as const) {
        targets.push({
          name: `${endpoint} endpoint (${storeName})`,
          run: async (s, round) => {
            const before = await child.call<number>('statements');
            const keysBefore = await child.call<number>('keyStatements');
            const r = await load.call<LoadResult>('run', idpLoad(info, endpoint, s, options.connections, `${tag}-${round}-`));
            const statements = (await child.call<number>('statements')) - before;
            const keyStatements = (await child.call<number>('keyStatements')) - keysBefore;
            return { rate: r.rate, load: r, statements, keyStatements, answered: r.sent };
          },
        });
        // The same requests into the handler in process: what HTTP costs is the difference.
        targets.push({
          name: `${endpoint} handler in process, no HTTP (${storeName})`,
          run: async (s, round) => {
            const before = await child.call<number>('statements');
            const r = await child.call<{ rate: number; failed: number; answered: number }>('inProcess', { endpoint, seconds: s, concurrency: options.connections, prefix: `${tag}-in-${round}-` });
            if (r.failed > 0) throw new Error(`${endpoint} in process: ${r.failed} requests failed`);
            const statements = (await child.call<number>('statements')) - before;
            return { rate: r.rate, statements, answered: r.answered };
          },
        });
      }
    }

    // Warm-up (JIT, connections, SQLite pages), not recorded.
    for (const t of targets) await t.run(1, 'warm');
    const raw = new Map<string, { rate: number; load?: LoadResult; statements?: number; keyStatements?: number; answered?: number }[]>();
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order each round so no target always runs first or last.
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const t of order) {
        const r = await t.run(options.seconds, String(round));
        raw.set(t.name, [...(raw.get(t.name) ?? []), r]);
        options.log(`  round ${round + 1}/${options.rounds} ${t.name}: ${Math.round(r.rate)}/s${r.load ? ` p50 ${r.load.latency.p50} ms p99 ${r.load.latency.p99} ms${r.load.non2xx + r.load.errors > 0 ? ` non2xx ${r.load.non2xx} errors ${r.load.errors}` : ''}` : ''}`);
      }
    }
    const out: Record<string, Rates> = {};
    for (const [name, runs] of raw) {
      const loads = runs.flatMap((r) => (r.load ? [r.load] : []));
      const rates: Rates = { rate: median(runs.map((r) => r.rate)), rates: runs.map((r) => r.rate) };
      const answered = runs.reduce((a, r) => a + (r.answered ?? 0), 0);
      const statements = runs.reduce((a, r) => a + (r.statements ?? 0), 0);
      if (name.includes('(PostgreSQL)') && answered > 0) {
        rates.statementsPerRequest = statements / answered;
        rates.keyStatements = runs.reduce((a, r) => a + (r.keyStatements ?? 0), 0);
      }
      if (loads.length > 0) {
        rates.p50 = median(loads.map((l) => l.latency.p50));
        rates.p99 = median(loads.map((l) => l.latency.p99));
        rates.requests = loads.reduce((a, l) => a + l.requests, 0);
        rates.non2xx = loads.reduce((a, l) => a + l.non2xx, 0);
        rates.errors = loads.reduce((a, l) => a + l.errors + l.timeouts, 0);
        const statuses: Record<string, number> = {};
        for (const l of loads) for (const [k, v] of Object.entries(l.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
        rates.statuses = statuses;
      }
      out[name] = rates;
    }
    return {
      pinned: canPin(),
      serverCpus,
      loadCpus,
      seconds: options.seconds,
      rounds: options.rounds,
      connections: options.connections,
      targets: out,
      postgres: pgState === true ? options.postgresUrl : { skipped: pgState },
      elapsed: (performance.now() - started) / 1000,
    };
  } finally {
    for (const c of children.reverse()) await c.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

export const SIGN_NODE = 'ES256 signing, node:crypto sign()';

/** One goal of issue 15 §1, judged on one run's figures. */
export interface ThroughputGoal {
  goal: string;
  measured: string;
  met: boolean;
}

const perSecond = (r: number): string => `${Math.round(r).toLocaleString('en-US')} /s`;

/**
 * The §1 goals (fedkit issue 15), each a ratio of figures measured side by side in the same run:
 * - assertion (SQLite, fresh nonces, replay guard and grant committed before the token leaves)
 *   ≥ 0.8 × 1 / (t_hello + t_sign), t_sign from the node:crypto signing loop (how the kit signs);
 * - accounts (SQLite) ≥ 0.6 × the hello-world rate;
 * - PostgreSQL: one statement (one round trip) per accounts request and per assertion, and
 *   ≥ 0.4 × the SQLite figure of the same endpoint.
 */
export function throughputGoals(T: Record<string, Rates>): ThroughputGoal[] {
  const goals: ThroughputGoal[] = [];
  const hello = T[HELLO]?.rate;
  const sign = T[SIGN_NODE]?.rate;
  const sqliteAssertion = T['assertion endpoint (SQLite)']?.rate;
  const sqliteAccounts = T['accounts endpoint (SQLite)']?.rate;
  if (hello !== undefined && sign !== undefined && sqliteAssertion !== undefined) {
    const floor = 1 / (1 / hello + 1 / sign);
    goals.push({
      goal: '§1 assertion (SQLite) ≥ 0.8 × 1/(t_hello + t_sign)',
      measured: `${perSecond(sqliteAssertion)} = ${(sqliteAssertion / floor).toFixed(2)} × ${perSecond(floor)} (hello ${perSecond(hello)}, signing ${perSecond(sign)})`,
      met: sqliteAssertion >= 0.8 * floor,
    });
  }
  if (hello !== undefined && sqliteAccounts !== undefined) {
    goals.push({ goal: '§1 accounts (SQLite) ≥ 0.6 × hello world', measured: `${perSecond(sqliteAccounts)} = ${(sqliteAccounts / hello).toFixed(2)} × ${perSecond(hello)}`, met: sqliteAccounts >= 0.6 * hello });
  }
  for (const endpoint of ['accounts', 'assertion'] as const) {
    const pgRun = T[`${endpoint} endpoint (PostgreSQL)`];
    const sqlite = T[`${endpoint} endpoint (SQLite)`]?.rate;
    if (pgRun === undefined) continue;
    const perRequest = pgRun.statementsPerRequest;
    goals.push({
      goal: `§1 ${endpoint} (PostgreSQL): one round trip per request`,
      measured: perRequest === undefined ? 'not counted' : `${perRequest.toFixed(4)} statements per request${pgRun.keyStatements ? ` (and ${pgRun.keyStatements} signing-key cache reads in all, counted apart)` : ''}`,
      met: perRequest !== undefined && perRequest <= 1.0001,
    });
    if (sqlite !== undefined) {
      goals.push({ goal: `§1 ${endpoint} (PostgreSQL) ≥ 0.4 × SQLite`, measured: `${perSecond(pgRun.rate)} = ${(pgRun.rate / sqlite).toFixed(2)} × ${perSecond(sqlite)}`, met: pgRun.rate >= 0.4 * sqlite });
    }
  }
  return goals;
}

/**
 * Only this section, from the command line (the machine may be shared: keep it short):
 * `node dist/bench/throughput.js --quick` (1 s per run, 1 round), or `--seconds N --rounds N
 * --connections N`. Prints the medians and, for PostgreSQL, statements per request, and the §1
 * goals (throughputGoals).
 */
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const argv = process.argv.slice(2);
  const flag = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? fallback : Number(argv[i + 1]);
  };
  const quick = argv.includes('--quick');
  const results = await benchThroughput({
    seconds: flag('seconds', quick ? 1 : 4),
    rounds: flag('rounds', quick ? 1 : 3),
    connections: flag('connections', 10),
    postgresUrl: process.env['FEDKIT_BENCH_POSTGRES'] ?? process.env['FEDKIT_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test',
    log: (line) => console.log(line),
  });
  for (const [name, r] of Object.entries(results.targets)) {
    console.log(`${name}: ${Math.round(r.rate)}/s${r.statementsPerRequest === undefined ? '' : `, ${r.statementsPerRequest.toFixed(2)} statements per request`}`);
  }
  for (const g of throughputGoals(results.targets)) console.log(`${g.met ? 'met   ' : 'MISSED'} ${g.goal}: ${g.measured}`);
}
