// 2. IdP throughput on one core: the ID assertion endpoint (store reads, nonce use, grant
// upsert, ES256 signing) and the accounts endpoint, under a load generator on loopback (the
// node:net one of lib/net-load.ts, or autocannon), against a bare node:http hello world (under
// both generators), the same hello world through the kit's adapters and @hono/node-server's, and
// bare ES256 signing loops, in the same run. Servers and the signing loops run pinned to CPU 0, the
// load generator to CPU 1 (taskset). Around each run the CPU time of the server, of the load
// generator and of the PostgreSQL backends is read from /proc, for CPU per request and busy %.
// Rounds alternate the targets so machine noise spreads over all of them; figures are medians
// over rounds.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { canPin, Child, cpuSets } from './lib/child.js';
import { pgProcesses, pidsAreLocal, withApplicationName } from './lib/pg-backends.js';
import { canReadProcessCpu, coreBusyBetween, coreTicks, cpuBetween, cpuOf } from './lib/proc-cpu.js';
import { median } from './lib/stats.js';
import type { IdpServerInfo, IdpServerOptions, IdpTiming } from './children/idp.js';
import type { LoadConfig, LoadGenerator, LoadResult } from './children/load.js';
import type { SignResult } from './children/sign.js';
import { benchArgs } from './lib/args.js';

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
  /**
   * CPU the process doing the work (the server, or the signing loop) spent per operation, µs
   * (user + system, all its threads, from /proc; median over rounds): the per-request cost that
   * does not depend on whether the load generator kept it saturated.
   */
  serverCpuUs?: number;
  /** That process's CPU time over the run's wall time (median over rounds): 1 = its core was never idle. */
  serverBusy?: number;
  /** The load generator's CPU time over the run's wall time (median over rounds). */
  loadBusy?: number;
  /** The load generator's CPU µs per request (median over rounds): above serverCpuUs, it saturates first on equal cores. */
  loadCpuUs?: number;
  /**
   * How busy the server's CPU was with anything (this process, and on a shared machine anyone
   * else's), /proc/stat, median over rounds: serverBusy well under it means the core was shared.
   */
  serverCoreBusy?: number;
  /** The same for the load generator's CPU. */
  loadCoreBusy?: number;
  /** PostgreSQL targets: CPU µs per request of the PostgreSQL backends serving the IdP's connections. */
  pgBackendUs?: number;
  /** PostgreSQL targets: CPU µs per request of PostgreSQL's background processes (WAL writer, checkpointer…; shared with any other user of the server). */
  pgBackgroundUs?: number;
  /**
   * The accounts endpoint on SQLite over HTTP: the kit's handler per request, timed inside the
   * server (bench/children/idp.ts), µs (median over rounds); its own work there, as its awaits
   * resolve at once.
   */
  handlerUs?: number;
  /** SQLite IdP targets that read the accounts view: that store call per request, timed inside the server, µs (median over rounds). */
  storeCallUs?: number;
}

/** What one run of one target gave. */
interface RunResult {
  rate: number;
  load?: LoadResult;
  statements?: number;
  keyStatements?: number;
  answered?: number;
  /** Operations done (requests answered, signatures made), for CPU per operation. */
  operations: number;
  handlerUs?: number;
  storeCallUs?: number;
}

/** The IdP child's handler and store time between two readings, µs per call. */
function timingBetween(before: IdpTiming, after: IdpTiming): Pick<RunResult, 'handlerUs' | 'storeCallUs'> {
  const handlers = after.handlers - before.handlers;
  const stores = after.stores - before.stores;
  return {
    ...(handlers > 0 ? { handlerUs: ((after.handlerMs - before.handlerMs) * 1000) / handlers } : {}),
    ...(stores > 0 ? { storeCallUs: ((after.storeMs - before.storeMs) * 1000) / stores } : {}),
  };
}

/** CPU spent during one run (proc-cpu.ts), µs, and the run's wall time, ms. */
interface RunCpu {
  server: number;
  load?: number;
  pgBackends?: number;
  pgBackground?: number;
  wallMs: number;
  /** /proc/stat: the fraction of the run the server's and the load generator's CPUs were busy (anyone's work). */
  serverCore: number;
  loadCore: number;
}

export interface ThroughputResults {
  pinned: boolean;
  serverCpus: string;
  loadCpus: string;
  seconds: number;
  rounds: number;
  connections: number;
  /** The load generator of every HTTP row, but the one hello world row under the other (helloUnder). */
  generator: LoadGenerator;
  targets: Record<string, Rates>;
  postgres: string | { skipped: string };
  /** Whether CPU per request could be read (/proc), and for PostgreSQL why not when it could not. */
  cpu: { server: boolean; postgres: true | string };
  elapsed: number;
}

export const HELLO = 'hello world (node:http)';
export const HELLO_ADAPTER = 'hello world through the kit\'s web adapter (toNodeListener, Request/Response)';
export const HELLO_LIGHT = 'hello world through the kit\'s Node path (toNodeListener, LightHandler)';
/** The bare hello world under the other load generator than the run's: which bound is whose. */
export function helloUnder(generator: LoadGenerator): string {
  return `${HELLO} under ${generator === 'net' ? 'the node:net load generator' : 'autocannon'}`;
}
export const HELLO_HONO = 'hello world through @hono/node-server (getRequestListener, its Request/Response)';
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

export async function benchThroughput(options: {
  seconds: number;
  rounds: number;
  connections: number;
  postgresUrl: string;
  /** Default 'net' (lib/net-load.ts). */
  generator?: LoadGenerator;
  log: (s: string) => void;
}): Promise<ThroughputResults> {
  const generator = options.generator ?? 'net';
  const otherGenerator: LoadGenerator = generator === 'net' ? 'autocannon' : 'net';
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
  /** A connection of our own, to list the PostgreSQL server's processes (pg_stat_activity). */
  let pgWatch: pg.Client | undefined;
  try {
    const pgState = await postgresAvailable(options.postgresUrl);
    const hello = spawnChild('hello', serverCpus);
    const { port: helloPort, adapterPort, lightPort } = await hello.call<{ port: number; adapterPort: number; lightPort: number }>('info');
    const honoHello = spawnChild('hello-hono', serverCpus);
    const { port: honoPort } = await honoHello.call<{ port: number }>('info');
    const signer = spawnChild('sign', serverCpus);
    const load = spawnChild('load', loadCpus);
    const idps: { name: string; info: IdpServerInfo; child: Child }[] = [];
    const sqlite = spawnChild('idp', serverCpus, [{ store: 'sqlite', database: join(dir, 'idp.db') } satisfies IdpServerOptions]);
    idps.push({ name: 'sqlite', info: await sqlite.call<IdpServerInfo>('info'), child: sqlite });
    // The PostgreSQL IdP's connections carry this name, so its backends can be told from others'.
    const pgApplication = `fedkit-bench-idp-${tag}`;
    let pgCpu: true | string = pgState === true ? true : 'PostgreSQL not run';
    if (pgState === true) {
      const pgIdp = spawnChild('idp', serverCpus, [{ store: 'postgres', database: withApplicationName(options.postgresUrl, pgApplication), schema: `fedkit_bench_${process.pid}` } satisfies IdpServerOptions]);
      idps.push({ name: 'postgres', info: await pgIdp.call<IdpServerInfo>('info'), child: pgIdp });
      pgWatch = new pg.Client({ connectionString: options.postgresUrl });
      await pgWatch.connect();
      if (!(await pidsAreLocal(pgWatch))) pgCpu = 'the PostgreSQL server\'s processes are not readable in this machine\'s /proc';
    }
    const serverCpu = canReadProcessCpu();
    const pidOf = (c: Child): number => c.process.pid ?? -1;

    /** `server`: the process doing the work, whose CPU is read around each run; `pg`: watch the PostgreSQL IdP's backends too. */
    type Target = { name: string; server: Child; http: boolean; pg?: boolean; run: (seconds: number, round: string) => Promise<RunResult> };
    const helloTarget = (name: string, server: Child, port: number, by = generator): Target => ({
      name,
      server,
      http: true,
      run: async (s) => {
        const r = await load.call<LoadResult>('run', { url: `http://127.0.0.1:${port}/`, method: 'GET', headers: {}, seconds: s, connections: options.connections, generator: by } satisfies LoadConfig);
        return { rate: r.rate, load: r, operations: r.requests };
      },
    });
    const signTarget = (name: string, mode: 'jose' | 'node'): Target => ({
      name,
      server: signer,
      http: false,
      run: async (s) => {
        const r = await signer.call<SignResult>('run', { mode, seconds: s });
        return { rate: r.rate, operations: r.count };
      },
    });
    const targets: Target[] = [
      helloTarget(HELLO, hello, helloPort),
      helloTarget(helloUnder(otherGenerator), hello, helloPort, otherGenerator),
      helloTarget(HELLO_ADAPTER, hello, adapterPort),
      helloTarget(HELLO_LIGHT, hello, lightPort),
      helloTarget(HELLO_HONO, honoHello, honoPort),
      signTarget('ES256 signing, jose (SignJWT, WebCrypto)', 'jose'),
      signTarget(SIGN_NODE, 'node'),
    ];
    for (const { name, info, child } of idps) {
      const storeName = name === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      for (const endpoint of ['accounts', 'assertion'] as const) {
        targets.push({
          name: `${endpoint} endpoint (${storeName})`,
          server: child,
          http: true,
          pg: name === 'postgres',
          run: async (s, round) => {
            const before = await child.call<number>('statements');
            const keysBefore = await child.call<number>('keyStatements');
            const timingBefore = await child.call<IdpTiming>('timing');
            const r = await load.call<LoadResult>('run', { ...idpLoad(info, endpoint, s, options.connections, `${tag}-${round}-`), generator } satisfies LoadConfig);
            // The handler's wall time is its own work only where its awaits resolve at once and no
            // other request's work runs inside it: the accounts endpoint on SQLite (the assertion
            // waits for its group commit, PostgreSQL for its round trip).
            const { handlerUs, storeCallUs } = timingBetween(timingBefore, await child.call<IdpTiming>('timing'));
            const timed = { ...(name === 'sqlite' && endpoint === 'accounts' && handlerUs !== undefined ? { handlerUs } : {}), ...(storeCallUs === undefined ? {} : { storeCallUs }) };
            const statements = (await child.call<number>('statements')) - before;
            const keyStatements = (await child.call<number>('keyStatements')) - keysBefore;
            return { rate: r.rate, load: r, statements, keyStatements, answered: r.sent, operations: r.requests, ...timed };
          },
        });
        // The same requests into the handler in process: what HTTP costs is the difference.
        targets.push({
          name: `${endpoint} handler in process, no HTTP (${storeName})`,
          server: child,
          http: false,
          pg: name === 'postgres',
          run: async (s, round) => {
            const before = await child.call<number>('statements');
            const timingBefore = await child.call<IdpTiming>('timing');
            const r = await child.call<{ rate: number; failed: number; answered: number }>('inProcess', { endpoint, seconds: s, concurrency: options.connections, prefix: `${tag}-in-${round}-` });
            if (r.failed > 0) throw new Error(`${endpoint} in process: ${r.failed} requests failed`);
            // In process the 10 requests at a time interleave, so only the store call (synchronous) is timed.
            const { storeCallUs } = timingBetween(timingBefore, await child.call<IdpTiming>('timing'));
            const statements = (await child.call<number>('statements')) - before;
            return { rate: r.rate, statements, answered: r.answered, operations: r.answered, ...(storeCallUs === undefined ? {} : { storeCallUs }) };
          },
        });
      }
      // The store's part of an assertion alone (Store.assertionStep: rows read, nonce used, grant
      // kept, committed), the same concurrency: the floor the store sets under the endpoint.
      targets.push({
        name: storeStepName(storeName),
        server: child,
        http: false,
        pg: name === 'postgres',
        run: async (s, round) => {
          const before = await child.call<number>('statements');
          const r = await child.call<{ rate: number; failed: number; answered: number }>('storeStep', { seconds: s, concurrency: options.connections, prefix: `${tag}-step-${round}-` });
          if (r.failed > 0) throw new Error(`store step (${storeName}): ${r.failed} steps did not complete`);
          const statements = (await child.call<number>('statements')) - before;
          return { rate: r.rate, statements, answered: r.answered, operations: r.answered };
        },
      });
    }

    /**
     * One run, with the CPU the server (and the load generator, and for PostgreSQL targets the IdP's
     * backends and the server's background processes) spent during it, read from /proc before and
     * after. The IPC calls of a run (statement counters) fall inside the window: a few µs in all.
     */
    const measured = async (t: Target, seconds: number, round: string): Promise<RunResult & { cpu?: RunCpu }> => {
      const watchPg = t.pg === true && pgCpu === true && pgWatch !== undefined;
      const pgBefore = watchPg ? await pgProcesses(pgWatch!, pgApplication) : undefined;
      const backendsBefore = pgBefore ? cpuOf(pgBefore.backends) : undefined;
      const backgroundBefore = pgBefore ? cpuOf(pgBefore.background) : undefined;
      const serverBefore = cpuOf([pidOf(t.server)]);
      const loadBefore = t.http ? cpuOf([pidOf(load)]) : undefined;
      const coresBefore = coreTicks();
      const t0 = performance.now();
      const r = await t.run(seconds, round);
      const wallMs = performance.now() - t0;
      const coresAfter = coreTicks();
      const serverAfter = cpuOf([pidOf(t.server)]);
      const loadAfter = t.http ? cpuOf([pidOf(load)]) : undefined;
      const pgAfter = watchPg ? await pgProcesses(pgWatch!, pgApplication) : undefined;
      if (!serverCpu) return r;
      return {
        ...r,
        cpu: {
          server: cpuBetween(serverBefore, serverAfter),
          wallMs,
          serverCore: coreBusyBetween(coresBefore, coresAfter, Number(serverCpus.split(',')[0])),
          loadCore: coreBusyBetween(coresBefore, coresAfter, Number(loadCpus.split(',')[0])),
          ...(loadBefore && loadAfter ? { load: cpuBetween(loadBefore, loadAfter) } : {}),
          ...(pgAfter ? { pgBackends: cpuBetween(backendsBefore!, cpuOf(pgAfter.backends)), pgBackground: cpuBetween(backgroundBefore!, cpuOf(pgAfter.background)) } : {}),
        },
      };
    };

    // Warm-up (JIT, connections, SQLite pages), not recorded.
    for (const t of targets) await t.run(1, 'warm');
    const raw = new Map<string, (RunResult & { cpu?: RunCpu })[]>();
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order each round so no target always runs first or last.
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const t of order) {
        const r = await measured(t, options.seconds, String(round));
        raw.set(t.name, [...(raw.get(t.name) ?? []), r]);
        const cpuText = r.cpu && r.operations > 0 ? `, server ${(r.cpu.server / r.operations).toFixed(1)} µs CPU/op, busy ${((r.cpu.server / 1000 / r.cpu.wallMs) * 100).toFixed(0)}% (core ${(r.cpu.serverCore * 100).toFixed(0)}%)${r.cpu.load === undefined ? '' : `, load generator busy ${((r.cpu.load / 1000 / r.cpu.wallMs) * 100).toFixed(0)}% (core ${(r.cpu.loadCore * 100).toFixed(0)}%)`}${r.cpu.pgBackends === undefined ? '' : `, PostgreSQL ${(r.cpu.pgBackends / r.operations).toFixed(1)} + ${(r.cpu.pgBackground! / r.operations).toFixed(1)} µs/op`}` : '';
        options.log(`  round ${round + 1}/${options.rounds} ${t.name}: ${Math.round(r.rate)}/s${r.load ? ` p50 ${r.load.latency.p50} ms p99 ${r.load.latency.p99} ms${r.load.non2xx + r.load.errors > 0 ? ` non2xx ${r.load.non2xx} errors ${r.load.errors}` : ''}` : ''}${cpuText}`);
      }
    }
    const out: Record<string, Rates> = {};
    for (const [name, runs] of raw) {
      const loads = runs.flatMap((r) => (r.load ? [r.load] : []));
      const rates: Rates = { rate: median(runs.map((r) => r.rate)), rates: runs.map((r) => r.rate) };
      const withCpu = runs.filter((r) => r.cpu !== undefined && r.operations > 0);
      if (withCpu.length > 0) {
        rates.serverCpuUs = median(withCpu.map((r) => r.cpu!.server / r.operations));
        rates.serverBusy = median(withCpu.map((r) => r.cpu!.server / 1000 / r.cpu!.wallMs));
        rates.serverCoreBusy = median(withCpu.map((r) => r.cpu!.serverCore));
        const loadRuns = withCpu.filter((r) => r.cpu!.load !== undefined);
        if (loadRuns.length > 0) {
          rates.loadBusy = median(loadRuns.map((r) => r.cpu!.load! / 1000 / r.cpu!.wallMs));
          rates.loadCpuUs = median(loadRuns.map((r) => r.cpu!.load! / r.operations));
          rates.loadCoreBusy = median(loadRuns.map((r) => r.cpu!.loadCore));
        }
        const pgRuns = withCpu.filter((r) => r.cpu!.pgBackends !== undefined);
        if (pgRuns.length > 0) {
          rates.pgBackendUs = median(pgRuns.map((r) => r.cpu!.pgBackends! / r.operations));
          rates.pgBackgroundUs = median(pgRuns.map((r) => r.cpu!.pgBackground! / r.operations));
        }
      }
      const handlerRuns = runs.flatMap((r) => (r.handlerUs === undefined ? [] : [r.handlerUs]));
      if (handlerRuns.length > 0) rates.handlerUs = median(handlerRuns);
      const storeRuns = runs.flatMap((r) => (r.storeCallUs === undefined ? [] : [r.storeCallUs]));
      if (storeRuns.length > 0) rates.storeCallUs = median(storeRuns);
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
      generator,
      targets: out,
      postgres: pgState === true ? options.postgresUrl : { skipped: pgState },
      cpu: { server: serverCpu, postgres: pgCpu },
      elapsed: (performance.now() - started) / 1000,
    };
  } finally {
    await pgWatch?.end().catch(() => {});
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

/** The row of the store's assertion step alone. */
export const storeStepName = (store: 'SQLite' | 'PostgreSQL'): string => `assertion store step alone, no HTTP, no handler (${store})`;

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
 * --connections N`; `--generator autocannon` loads the HTTP rows with autocannon instead of the
 * node:net generator (the bare hello world runs under both either way). Prints the medians and, for PostgreSQL, statements per request, and the §1
 * goals (throughputGoals).
 */
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const args = benchArgs('node dist/bench/throughput.js', '[--quick] [--seconds N] [--rounds N] [--connections N] [--generator net|autocannon]', {
    quick: { type: 'boolean' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string' },
    generator: { type: 'string' },
  });
  const quick = args.flag('quick');
  const generator: LoadGenerator = args.choice('generator', ['net', 'autocannon'] as const, 'net');
  const results = await benchThroughput({
    generator,
    seconds: args.number('seconds', quick ? 1 : 4, 0.1),
    rounds: args.number('rounds', quick ? 1 : 3, 1),
    connections: args.number('connections', 10, 1),
    postgresUrl: process.env['FEDKIT_BENCH_POSTGRES'] ?? process.env['FEDKIT_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test',
    log: (line) => console.log(line),
  });
  for (const [name, r] of Object.entries(results.targets)) {
    const cpu = r.serverCpuUs === undefined ? '' : `, server ${r.serverCpuUs.toFixed(1)} µs CPU/op (busy ${(r.serverBusy! * 100).toFixed(0)}%, its core ${(r.serverCoreBusy! * 100).toFixed(0)}%)${r.loadBusy === undefined ? '' : `, load generator ${r.loadCpuUs!.toFixed(1)} µs CPU/op (busy ${(r.loadBusy * 100).toFixed(0)}%, its core ${(r.loadCoreBusy! * 100).toFixed(0)}%)`}`;
    const pgCpuText = r.pgBackendUs === undefined ? '' : `, PostgreSQL backends ${r.pgBackendUs.toFixed(1)} µs/op, background ${r.pgBackgroundUs!.toFixed(1)} µs/op`;
    console.log(`${name}: ${Math.round(r.rate)}/s${r.handlerUs === undefined ? "" : `, handler ${r.handlerUs.toFixed(1)} µs`}${r.storeCallUs === undefined ? "" : `, store call ${r.storeCallUs.toFixed(1)} µs`}${r.statementsPerRequest === undefined ? '' : `, ${r.statementsPerRequest.toFixed(2)} statements per request`}${cpu}${pgCpuText}`);
  }
  for (const g of throughputGoals(results.targets)) console.log(`${g.met ? 'met   ' : 'MISSED'} ${g.goal}: ${g.measured}`);
}
