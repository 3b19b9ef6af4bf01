// The soak: mixed traffic against fedkit's IdP and RP for a while — sign-ins (sign-up after a
// disconnect), returning users (auto re-authentication), disconnects, bad requests, and with two
// IdP workers on one PostgreSQL database, a nonce replayed at the other worker and the grant read
// back there — then what it saw: errors (must be 0), latency per endpoint, and the servers'
// memory over time (must be flat). `npm run soak` runs it (main.ts); the test suite runs a short one.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { createAgent, IdentityCredential, type Agent } from '../../src/agent/index.js';
import { createCertificateAuthority, issueServerCertificate } from '../../src/common/certificates.js';
import { createDispatcher } from '../../src/common/dispatcher.js';
import type { TestUser } from '../../src/testing/test-idp.js';
import { Child } from '../lib/child.js';
import { liveHeapMiB } from '../lib/live-heap.js';
import { percentile } from '../lib/stats.js';

export interface SoakOptions {
  durationMs: number;
  /** The IdP's store: an SQLite file (one worker) or a PostgreSQL database (one or two workers). */
  store: 'sqlite' | 'postgres';
  workers: 1 | 2;
  /** Virtual users, each a browser (an agent) with a user of its own (default 8). */
  users?: number;
  /** The PostgreSQL server (default $FEDKIT_TEST_POSTGRES or postgres://postgres@127.0.0.1:5432/postgres); a database is made for the run and dropped. */
  postgresUrl?: string;
  /** How often each process's memory is sampled (a full collection in each), ms (default 5000). */
  sampleMs?: number;
  onProgress?: (line: string) => void;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
}

export interface MemorySeries {
  /**
   * Samples: seconds since the start, the live heap (heap + external right after a full
   * collection, ../lib/live-heap.ts) in MiB, and the resident set size in MiB.
   */
  samples: [seconds: number, liveMiB: number, rssMiB: number][];
  /** Least-squares slope of the live heap after the warm-up (the first fifth), MiB per minute. */
  slopeMiBPerMinute: number;
  /** The live heap's change over the run after the warm-up, MiB, as the slope predicts it. */
  growthMiB: number;
}

export interface SoakReport {
  store: SoakOptions['store'];
  workers: number;
  users: number;
  durationMs: number;
  operations: Record<string, number>;
  errorCount: number;
  /** The first errors (at most 20), for the report. */
  errors: string[];
  /** Assertions a second worker accepted for a nonce the first had used (must be 0). */
  replaysAccepted: number;
  /** Grants made at one worker that the other did not see (must be 0). */
  grantsLost: number;
  latency: Record<string, LatencySummary>;
  memory: Record<string, MemorySeries>;
  /** Whether every process's live heap stayed flat (its growth after the warm-up below the bound). */
  memoryFlat: boolean;
  ok: boolean;
}

const CLIENT_ID = 'soak-rp';
const RP_ORIGIN = 'https://rp.example';
const IDP_ORIGIN = 'https://idp.example';
/** A live heap is flat when it grows less than this after the warm-up (MiB), or 10 % of itself. */
export const FLAT_MIB = 8;

function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

function slope(samples: readonly (readonly [number, number, ...number[]])[]): number {
  const n = samples.length;
  if (n < 3) return 0;
  const mx = samples.reduce((a, [x]) => a + x, 0) / n;
  const my = samples.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of samples) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const users = options.users ?? 8;
  const progress = options.onProgress ?? (() => {});
  const workers = options.store === 'sqlite' ? 1 : options.workers;
  const dir = mkdtempSync(join(tmpdir(), 'fedkit-soak-'));
  const ca = createCertificateAuthority({ name: 'fedkit soak CA' });
  const tls = issueServerCertificate(ca, ['idp.example', 'rp.example']);
  const testUsers: TestUser[] = Array.from({ length: users }, (_, i) => ({ id: `u${i}`, email: `user${i}@idp.example`, name: `User ${i}`, password: `soak password ${i}` }));

  let database: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (options.store === 'sqlite') {
    database = join(dir, 'idp.db');
  } else {
    const admin = options.postgresUrl ?? process.env.FEDKIT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `fedkit_soak_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    database = url.href;
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }

  const children: Child[] = [];
  const dispatchers: Dispatcher[] = [];
  const agents: Agent[] = [];
  const operations: Record<string, number> = {};
  const errors: string[] = [];
  let errorCount = 0;
  let replaysAccepted = 0;
  let grantsLost = 0;
  const latencies = new Map<string, number[]>();
  const memory: Record<string, [number, number, number][]> = {};
  const record = (endpoint: string, ms: number): void => {
    let list = latencies.get(endpoint);
    if (list === undefined) latencies.set(endpoint, (list = []));
    list.push(ms);
  };
  const fail = (what: string, e: unknown): void => {
    errorCount++;
    if (errors.length < 20) errors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  };
  const started = performance.now();
  try {
    // The IdP workers (one after the other: the first makes the schema), then the RP.
    const idpPorts: number[] = [];
    // Each process whose memory is watched: its pid (for RSS) and how to read its live heap.
    const processes: Record<string, { pid: number; liveMiB: () => Promise<number> }> = {};
    for (let w = 0; w < workers; w++) {
      const child = new Child('soak-idp');
      children.push(child);
      const { port, pid } = await child.call<{ port: number; pid: number }>('start', { database, users: testUsers, rpOrigin: RP_ORIGIN, clientId: CLIENT_ID, tls });
      idpPorts.push(port);
      processes[`idp-${w}`] = { pid, liveMiB: () => child.call<number>('memory') };
    }
    const rp = new Child('soak-rp');
    children.push(rp);
    const rules = (w: number): Record<string, string> => ({ 'idp.example:443': `127.0.0.1:${idpPorts[w]}`, 'rp.example:443': `127.0.0.1:${rpPort}` });
    let rpPort = 0;
    const rpStart = await rp.call<{ port: number; pid: number }>('start', {
      configURL: `${IDP_ORIGIN}/fedcm/config.json`,
      clientId: CLIENT_ID,
      database: join(dir, 'rp.db'),
      hostRules: { 'idp.example:443': `127.0.0.1:${idpPorts[0]}` },
      ca: ca.cert,
      tls,
    });
    rpPort = rpStart.port;
    processes['rp'] = { pid: rpStart.pid, liveMiB: () => rp.call<number>('memory') };
    const raw = idpPorts.map((_, w) => {
      const d = createDispatcher({ hostRules: rules(w), ca: ca.cert });
      dispatchers.push(d);
      return d;
    });
    // The agents run in this process: its memory is theirs (and the soak's bookkeeping, small).
    processes['agents'] = { pid: process.pid, liveMiB: async () => liveHeapMiB() };
    progress(`soak: ${options.store}, ${workers} IdP worker(s), ${users} virtual users, ${Math.round(options.durationMs / 1000)} s`);

    // Memory while the traffic runs: each process's live heap (it collects, then reports) and RSS.
    for (const name of Object.keys(processes)) memory[name] = [];
    const stopSampling = new AbortController();
    const sampling = (async () => {
      while (!stopSampling.signal.aborted) {
        for (const [name, p] of Object.entries(processes)) {
          const live = await p.liveMiB();
          memory[name]!.push([(performance.now() - started) / 1000, live, rssMiB(p.pid) ?? Number.NaN]);
        }
        await sleep(options.sampleMs ?? 5000, undefined, { signal: stopSampling.signal }).catch(() => {});
      }
    })();

    const deadline = started + options.durationMs;
    const count = (op: string): void => {
      operations[op] = (operations[op] ?? 0) + 1;
    };
    const rawRequest = async (label: string, worker: number, url: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> => {
      const t = performance.now();
      const res = await undiciRequest(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }), dispatcher: raw[worker]!, signal: AbortSignal.timeout(10_000) });
      const body = await res.body.text();
      record(label, performance.now() - t);
      return { status: res.statusCode, body };
    };

    const virtualUser = async (v: number): Promise<void> => {
      const worker = v % workers;
      const user = testUsers[v]!;
      const agent = createAgent({ hostRules: rules(worker), ca: ca.cert, timeoutMs: 10_000 });
      agents.push(agent);
      agent.on('fetch', (r) => record(r.endpoint, r.durationMs));
      agent.on('dialogShown', (d) => {
        if (d.dialogType === 'AccountChooser') setImmediate(() => agent.automation.selectAccount(0));
      });
      let signedIn = false;
      const cookieHeader = async (): Promise<string> => (await agent.cookies.list(new URL(IDP_ORIGIN))).map((c) => `${c.name}=${c.value}`).join('; ');
      const signIn = async (op: string, mediation?: 'optional'): Promise<void> => {
        const page = await agent.open(`${RP_ORIGIN}/`);
        try {
          const nonce = (JSON.parse(page.document.getElementById('fedkit-config')?.textContent ?? '{}') as { nonce: string }).nonce;
          const credential = await page.navigator.credentials!.get({
            identity: { providers: [{ configURL: `${IDP_ORIGIN}/fedcm/config.json`, clientId: CLIENT_ID, params: { nonce } }] },
            ...(mediation === undefined ? {} : { mediation }),
          });
          if (!(credential instanceof IdentityCredential)) throw new Error('no IdentityCredential');
          const t = performance.now();
          const session = await page.fetch('/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: credential.token }) });
          record('rp /session', performance.now() - t);
          if (session.status !== 200) throw new Error(`POST /session answered ${session.status}: ${session.body}`);
        } finally {
          page.close();
        }
        count(op);
      };
      while (performance.now() < deadline) {
        const r = Math.random();
        try {
          if (!signedIn) {
            (await agent.open(`${IDP_ORIGIN}/.fedkit-testing/sign-in?user=${encodeURIComponent(user.email)}`)).close();
            await signIn('sign-in');
            signedIn = true;
          } else if (r < 0.4) {
            await signIn('returning', 'optional');
          } else if (r < 0.55) {
            const page = await agent.open(`${RP_ORIGIN}/`, { load: false });
            try {
              await page.IdentityCredential!.disconnect({ configURL: `${IDP_ORIGIN}/fedcm/config.json`, clientId: CLIENT_ID, accountHint: user.id });
            } finally {
              page.close();
            }
            count('disconnect');
            signedIn = false;
          } else if (r < 0.8 || workers === 1) {
            // Bad requests: each must be refused with a 4xx, never a 5xx.
            const cookie = await cookieHeader();
            const body = `client_id=${CLIENT_ID}&account_id=${user.id}&params=${encodeURIComponent('{"nonce":"x"}')}`;
            const answers = await Promise.all([
              rawRequest('bad: no Sec-Fetch-Dest', worker, `${IDP_ORIGIN}/fedcm/assertion`, { method: 'POST', headers: { origin: RP_ORIGIN, cookie, 'content-type': 'application/x-www-form-urlencoded' }, body }),
              rawRequest('bad: unknown client', worker, `${IDP_ORIGIN}/fedcm/assertion`, { method: 'POST', headers: { origin: RP_ORIGIN, cookie, 'sec-fetch-dest': 'webidentity', 'content-type': 'application/x-www-form-urlencoded' }, body: body.replace(CLIENT_ID, 'nobody') }),
              rawRequest('bad: garbage body', worker, `${IDP_ORIGIN}/fedcm/assertion`, { method: 'POST', headers: { origin: RP_ORIGIN, 'sec-fetch-dest': 'webidentity', 'content-type': 'application/x-www-form-urlencoded' }, body: '%%%&&&==' }),
            ]);
            for (const a of answers) if (a.status < 400 || a.status >= 500) throw new Error(`a bad request was answered ${a.status}: ${a.body.slice(0, 200)}`);
            count('bad requests');
          } else {
            // Two workers: an assertion at one, the same nonce at the other, then the grant there.
            const cookie = await cookieHeader();
            const other = 1 - worker;
            const nonce = randomBytes(12).toString('base64url');
            const form = `client_id=${CLIENT_ID}&account_id=${user.id}&disclosure_text_shown=true&fields=name,email,picture&disclosure_shown_for=name,email,picture&params=${encodeURIComponent(JSON.stringify({ nonce }))}`;
            const headers = { origin: RP_ORIGIN, cookie, 'sec-fetch-dest': 'webidentity', 'content-type': 'application/x-www-form-urlencoded' };
            const first = await rawRequest('cross-worker assertion', worker, `${IDP_ORIGIN}/fedcm/assertion`, { method: 'POST', headers, body: form });
            if (first.status !== 200) throw new Error(`the assertion answered ${first.status}: ${first.body.slice(0, 200)}`);
            const replay = await rawRequest('cross-worker replay', other, `${IDP_ORIGIN}/fedcm/assertion`, { method: 'POST', headers, body: form });
            if (replay.status === 200) replaysAccepted++;
            const accounts = await rawRequest('cross-worker accounts', other, `${IDP_ORIGIN}/fedcm/accounts`, { headers: { cookie, 'sec-fetch-dest': 'webidentity', accept: 'application/json' } });
            const approved = (JSON.parse(accounts.body) as { accounts?: { id: string; approved_clients?: string[] }[] }).accounts?.find((a) => a.id === user.id)?.approved_clients ?? [];
            if (!approved.includes(CLIENT_ID)) grantsLost++;
            count('cross-worker');
          }
        } catch (e) {
          fail(`user ${v}`, e);
          signedIn = false;
        }
      }
    };
    const ticker = setInterval(() => {
      const done = Object.values(operations).reduce((a, b) => a + b, 0);
      const live = Object.entries(memory).map(([name, samples]) => `${name} ${samples.at(-1)?.[1].toFixed(0) ?? '?'}`);
      progress(`soak: ${Math.round((performance.now() - started) / 1000)} s, ${done} operations, ${errorCount} errors; live heap MiB: ${live.join(', ')}`);
    }, 10_000);
    ticker.unref();
    try {
      await Promise.all(testUsers.map((_, v) => virtualUser(v)));
    } finally {
      clearInterval(ticker);
      stopSampling.abort();
      await sampling.catch((e: unknown) => fail('memory sampling', e));
    }
  } finally {
    await Promise.allSettled(agents.map((a) => a.close()));
    await Promise.allSettled(dispatchers.map((d) => d.close()));
    await Promise.allSettled(children.map((c) => c.stop()));
    await dropDatabase?.().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }

  const durationMs = performance.now() - started;
  const latency: Record<string, LatencySummary> = {};
  for (const [endpoint, list] of [...latencies].sort(([a], [b]) => a.localeCompare(b))) latency[endpoint] = { count: list.length, p50: percentile(list, 50), p99: percentile(list, 99) };
  const series: Record<string, MemorySeries> = {};
  let memoryFlat = true;
  for (const [name, samples] of Object.entries(memory)) {
    const last = samples.at(-1)?.[0] ?? 0;
    const warm = samples.filter(([t]) => t >= last / 5);
    const s = slope(warm) * 60;
    const span = warm.length > 1 ? (warm.at(-1)![0] - warm[0]![0]) / 60 : 0;
    const growthMiB = s * span;
    const meanMiB = warm.reduce((a, [, m]) => a + m, 0) / Math.max(1, warm.length);
    if (growthMiB > Math.max(FLAT_MIB, meanMiB * 0.1)) memoryFlat = false;
    const round = (x: number): number => Math.round(x * 10) / 10;
    series[name] = { samples: samples.map(([t, live, rss]) => [round(t), round(live), round(rss)]), slopeMiBPerMinute: s, growthMiB };
  }
  return {
    store: options.store,
    workers,
    users,
    durationMs,
    operations,
    errorCount,
    errors,
    replaysAccepted,
    grantsLost,
    latency,
    memory: series,
    memoryFlat,
    ok: errorCount === 0 && replaysAccepted === 0 && grantsLost === 0 && memoryFlat,
  };
}
