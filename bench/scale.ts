// 4. Scale: the agent's memory (per page, per agent, per in-flight sign-in, with 10,000
// concurrent sign-ins), and the IdP kit as 2 worker processes sharing PostgreSQL (node:cluster,
// one port) against 1 worker: throughput, errors, and the replay guard under concurrency (every
// nonce sent twice at once: exactly one of the two may be accepted, across workers).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from './lib/child.js';
import { median } from './lib/stats.js';
import { startSystemChild } from './signin.js';
import { idpLoad, postgresAvailable } from './throughput.js';
import type { AgentsResult } from './children/agents.js';
import type { IdpServerInfo, IdpServerOptions } from './children/idp.js';
import type { LoadResult } from './children/load.js';

export interface ClusterRun {
  workers: number;
  rate: number;
  rates: number[];
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface ReplayCheck {
  requests: number;
  /** Distinct nonces sent (each twice). */
  nonces: number;
  accepted: number;
  refused: number;
  otherStatuses: Record<string, number>;
  duplicatesAccepted: number;
  /** Used-nonce rows PostgreSQL holds for the run. */
  storedNonces: number | null;
  errors: number;
}

export interface ScaleResults {
  memory: AgentsResult | { skipped: string };
  cluster: { runs: ClusterRun[]; replay: ReplayCheck; seconds: number; rounds: number; connections: number } | { skipped: string };
  elapsed: number;
}

export async function benchScale(options: { pages: number; agents: number; seconds: number; rounds: number; connections: number; postgresUrl: string; log: (s: string) => void }): Promise<ScaleResults> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'fedkit-bench-scale-'));
  let memory: ScaleResults['memory'];
  try {
    // Idle IdP connections close after 2 s: agents held at their chooser need none, and 10,000
    // agents with two idle sockets each would reach the process's 20,000 file descriptors.
    const { child: system, info } = await startSystemChild(join(dir, 'system'), { keepAliveMs: 2_000 });
    const agents = new Child('agents', { execArgv: ['--expose-gc', '--max-old-space-size=8192'] });
    try {
      memory = await agents.call<AgentsResult>('run', { info, pages: options.pages, agents: options.agents });
      options.log(`  per page ${Math.round(memory.perPage.heapUsed + memory.perPage.external)} B, per agent ${Math.round(memory.perAgent.heapUsed + memory.perAgent.external)} B, per in-flight sign-in ${Math.round(memory.perSignIn.heapUsed + memory.perSignIn.external)} B; ${memory.succeeded}/${memory.concurrent} signed in`);
    } finally {
      await agents.stop();
      await system.stop();
    }
  } catch (e) {
    memory = { skipped: `failed: ${e instanceof Error ? e.message : String(e)}` };
  }

  let cluster: ScaleResults['cluster'];
  const pgState = await postgresAvailable(options.postgresUrl);
  if (pgState !== true) {
    cluster = { skipped: `PostgreSQL is not reachable at ${options.postgresUrl}: ${pgState}` };
  } else {
    const servers: Record<number, { child: Child; info: IdpServerInfo }> = {};
    const load = new Child('load');
    try {
      for (const workers of [1, 2]) {
        const child = new Child('idp', { args: [JSON.stringify({ store: 'postgres', database: options.postgresUrl, schema: `fedkit_bench_w${workers}_${process.pid}`, workers } satisfies IdpServerOptions)] });
        servers[workers] = { child, info: await child.call<IdpServerInfo>('info') };
      }
      const tag = `${process.pid}-${Date.now().toString(36)}`;
      const raw: Record<number, LoadResult[]> = { 1: [], 2: [] };
      for (const w of [1, 2]) await load.call<LoadResult>('run', idpLoad(servers[w]!.info, 'assertion', 1, options.connections, `${tag}-warm${w}-`));
      for (let round = 0; round < options.rounds; round++) {
        for (const w of round % 2 === 0 ? [1, 2] : [2, 1]) {
          const r = await load.call<LoadResult>('run', idpLoad(servers[w]!.info, 'assertion', options.seconds, options.connections, `${tag}-r${round}w${w}-`));
          raw[w]!.push(r);
          options.log(`  round ${round + 1}/${options.rounds} ${w} worker(s): ${Math.round(r.rate)}/s p50 ${r.latency.p50} ms p99 ${r.latency.p99} ms, non2xx ${r.non2xx}, errors ${r.errors}`);
        }
      }
      const runs: ClusterRun[] = [1, 2].map((w) => ({
        workers: w,
        rate: median(raw[w]!.map((r) => r.rate)),
        rates: raw[w]!.map((r) => r.rate),
        p50: median(raw[w]!.map((r) => r.latency.p50)),
        p99: median(raw[w]!.map((r) => r.latency.p99)),
        requests: raw[w]!.reduce((a, r) => a + r.requests, 0),
        non2xx: raw[w]!.reduce((a, r) => a + r.non2xx, 0),
        errors: raw[w]!.reduce((a, r) => a + r.errors + r.timeouts, 0),
      }));
      // The replay guard across workers: each nonce twice, concurrently.
      const prefix = `${tag}-replay-`;
      const replayLoad = { ...idpLoad(servers[2]!.info, 'assertion', options.seconds, options.connections, prefix), nonce: { prefix, repeat: 2 }, track: true };
      const r = await load.call<LoadResult>('run', replayLoad);
      const stored = await servers[2]!.child.call<number | null>('usedNonces', { prefix });
      const { '200': ok = 0, '400': refused = 0, ...other } = r.statuses;
      const replay: ReplayCheck = {
        requests: r.requests,
        nonces: Math.ceil(r.requests / 2),
        accepted: ok,
        refused,
        otherStatuses: other,
        duplicatesAccepted: r.duplicatesAccepted ?? -1,
        storedNonces: stored,
        errors: r.errors + r.timeouts,
      };
      options.log(`  replay check: ${replay.requests} requests, ${replay.accepted} accepted, ${replay.refused} refused, ${replay.duplicatesAccepted} nonces accepted twice, ${String(replay.storedNonces)} stored`);
      cluster = { runs, replay, seconds: options.seconds, rounds: options.rounds, connections: options.connections };
    } finally {
      await load.stop();
      for (const s of Object.values(servers)) await s.child.stop();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return { memory, cluster, elapsed: (performance.now() - started) / 1000 };
}
