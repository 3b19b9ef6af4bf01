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
export const HELLO_ADAPTER = 'hello world through the kit\'s adapter (toNodeListener)';
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
    const { port: helloPort, adapterPort } = await hello.call<{ port: number; adapterPort: number }>('info');
    const signer = spawnChild('sign', serverCpus);
    const load = spawnChild('load', loadCpus);
    const idps: { name: string; info: IdpServerInfo; child: Child }[] = [];
    const sqlite = spawnChild('idp', serverCpus, [{ store: 'sqlite', database: join(dir, 'idp.db') } satisfies IdpServerOptions]);
    idps.push({ name: 'sqlite', info: await sqlite.call<IdpServerInfo>('info'), child: sqlite });
    if (pgState === true) {
      const pgIdp = spawnChild('idp', serverCpus, [{ store: 'postgres', database: options.postgresUrl, schema: `fedkit_bench_${process.pid}` } satisfies IdpServerOptions]);
      idps.push({ name: 'postgres', info: await pgIdp.call<IdpServerInfo>('info'), child: pgIdp });
    }

    type Target = { name: string; run: (seconds: number, round: string) => Promise<{ rate: number; load?: LoadResult }> };
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
      { name: 'ES256 signing, jose (SignJWT, WebCrypto)', run: async (s) => ({ rate: (await signer.call<SignResult>('run', { mode: 'jose', seconds: s })).rate }) },
      { name: 'ES256 signing, node:crypto sign()', run: async (s) => ({ rate: (await signer.call<SignResult>('run', { mode: 'node', seconds: s })).rate }) },
    ];
    for (const { name, info, child } of idps) {
      const storeName = name === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      for (const endpoint of ['accounts', 'assertion'] as const) {
        targets.push({
          name: `${endpoint} endpoint (${storeName})`,
          run: async (s, round) => {
            const r = await load.call<LoadResult>('run', idpLoad(info, endpoint, s, options.connections, `${tag}-${round}-`));
            return { rate: r.rate, load: r };
          },
        });
        // The same requests into the handler in process: what HTTP costs is the difference.
        targets.push({
          name: `${endpoint} handler in process, no HTTP (${storeName})`,
          run: async (s, round) => {
            const r = await child.call<{ rate: number; failed: number }>('inProcess', { endpoint, seconds: s, concurrency: options.connections, prefix: `${tag}-in-${round}-` });
            if (r.failed > 0) throw new Error(`${endpoint} in process: ${r.failed} requests failed`);
            return { rate: r.rate };
          },
        });
      }
    }

    // Warm-up (JIT, connections, SQLite pages), not recorded.
    for (const t of targets) await t.run(1, 'warm');
    const raw = new Map<string, { rate: number; load?: LoadResult }[]>();
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
