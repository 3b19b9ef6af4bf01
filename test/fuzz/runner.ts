// The runner: starts the IdP, sends the cases in batches (a few at a time, each bounded), judges
// every answer, waits after each batch until the server has finished every request it started
// (a handler that never ends is a hang too), pins every error the server reported on the case
// that caused it, and ends with the health check. It only collects; report.ts prints.

import { judge, outcome, serverPath } from './check.js';
import { generateCase, routePaths, type FuzzCase } from './generate.js';
import { Rng } from './prng.js';
import { encodeRequest } from './request.js';
import { startFuzzTarget, type ServerError, type StoreKind } from './target.js';
import { sendRaw, type WireResult } from './wire.js';

export interface RunOptions {
  count: number;
  seed: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Bound of one exchange, ms (default 10 000). */
  timeoutMs?: number;
  /** Cases between two refreshes of the session and two waits for the server (default 250). */
  batchSize?: number;
  store?: StoreKind;
  /** Run only these cases (a replay); the others are not sent. */
  only?: readonly number[];
  onProgress?: (progress: Progress) => void;
  /** Every case as it is answered (before the server's errors are pinned on it). */
  onCase?: (failure: Failure) => void;
}

export interface Progress {
  done: number;
  total: number;
  failures: number;
  elapsedMs: number;
}

export interface Failure {
  case: FuzzCase;
  /** Exactly what was sent. */
  bytes: Buffer;
  result: WireResult;
  problems: string[];
}

export interface FuzzReport {
  seed: number;
  count: number;
  store: StoreKind;
  durationMs: number;
  /** route (as the server resolved the path, or `unknown`) → outcome (status, `closed`, `timeout`, `error`) → cases. */
  table: Map<string, Map<string, number>>;
  /** How often each kind of mutation was applied. */
  mutations: Map<string, number>;
  failures: Failure[];
  /** Server errors no case's request carried, and process-level errors. */
  strayErrors: ServerError[];
  /** What the health check found wrong at the end (empty: a FedCM sign-in works). */
  health: string[];
  slowest: { index: number; ms: number } | undefined;
}

export function describeError(e: ServerError): string {
  const err = e.error;
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  const during = e.during === undefined ? '' : ` (while case${e.during.length === 1 ? '' : 's'} ${e.during.join(', ')} ${e.during.length === 1 ? 'was' : 'were'} in flight)`;
  return `${e.source}${e.requestId === undefined ? '' : ` request ${e.requestId}`}${e.caseIndex === undefined ? '' : ` (case ${e.caseIndex})`}${during}: ${text.split('\n').slice(0, 6).join('\n    ')}`;
}

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export async function runFuzz(options: RunOptions): Promise<FuzzReport> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 8;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const batchSize = options.batchSize ?? 250;
  const storeKind = options.store ?? 'sqlite';
  const processErrors: ServerError[] = [];
  const inFlight = new Set<number>();
  const onUncaught = (error: unknown) => processErrors.push({ source: 'process', caseIndex: undefined, requestId: undefined, error, during: [...inFlight].sort((a, b) => a - b) });
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);

  const target = await startFuzzTarget({ store: storeKind, timeoutMs });
  const table = new Map<string, Map<string, number>>();
  const mutations = new Map<string, number>();
  const failures: Failure[] = [];
  const strayErrors: ServerError[] = [];
  let slowest: FuzzReport['slowest'];
  let health: string[];
  let seenErrors = 0;
  const paths = routePaths(target.idp.urls);
  const indices = options.only ?? Array.from({ length: options.count }, (_, i) => i);

  try {
    for (let start = 0; start < indices.length; start += batchSize) {
      await target.refresh();
      const batch = indices.slice(start, start + batchSize);
      const cases = new Map<number, { c: FuzzCase; bytes: Buffer; result?: WireResult; problems: string[] }>();
      let next = 0;
      const worker = async () => {
        while (next < batch.length) {
          const index = batch[next++]!;
          const c = generateCase(Rng.forCase(options.seed, index), index, { paths, state: target.state });
          const bytes = encodeRequest(c);
          const entry: { c: FuzzCase; bytes: Buffer; result?: WireResult; problems: string[] } = { c, bytes, problems: [] };
          cases.set(index, entry);
          inFlight.add(index);
          const result = await sendRaw(target.endpoint, bytes, { timeoutMs, head: c.method === 'HEAD', ...(c.partial ? { partialGraceMs: 50 } : {}) });
          inFlight.delete(index);
          entry.result = result;
          entry.problems = judge(c, result, target.routeAt);
          options.onCase?.({ case: c, bytes, result, problems: entry.problems });
          const path = serverPath(c.target);
          const route = (path === undefined ? undefined : target.routeAt(path))?.name ?? 'unknown';
          if (!table.has(route)) table.set(route, new Map());
          bump(table.get(route)!, outcome(result));
          for (const m of c.mutations) bump(mutations, m.slice(0, m.indexOf(':')));
          if (slowest === undefined || result.ms > slowest.ms) slowest = { index, ms: result.ms };
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));

      // Every request the server started must end, answered or not, soon after its client is gone.
      const busy = await target.settle(5_000);
      if (busy > 0) strayErrors.push({ source: 'idp', caseIndex: undefined, requestId: undefined, error: new Error(`${busy} request(s) of cases ${batch[0]}…${batch.at(-1)} were still being handled 5 s after their clients were done`) });
      for (const e of target.errors.slice(seenErrors)) {
        const entry = e.caseIndex === undefined ? undefined : cases.get(e.caseIndex);
        if (entry === undefined) strayErrors.push(e);
        else entry.problems.push(`the server reported an unexpected error: ${describeError(e)}`);
      }
      seenErrors = target.errors.length;
      for (const entry of cases.values()) {
        if (entry.problems.length > 0) failures.push({ case: entry.c, bytes: entry.bytes, result: entry.result!, problems: entry.problems });
      }
      options.onProgress?.({ done: Math.min(start + batchSize, indices.length), total: indices.length, failures: failures.length, elapsedMs: performance.now() - started });
    }
    health = await target.health();
    await target.settle(5_000);
    strayErrors.push(...target.errors.slice(seenErrors));
  } finally {
    await target.close();
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  }
  strayErrors.push(...processErrors);
  failures.sort((a, b) => a.case.index - b.case.index);
  return { seed: options.seed, count: indices.length, store: storeKind, durationMs: performance.now() - started, table, mutations, failures, strayErrors, health, slowest };
}

/** The run found nothing: no failing case, no stray error, a healthy server at the end. */
export function passed(report: FuzzReport): boolean {
  return report.failures.length === 0 && report.strayErrors.length === 0 && report.health.length === 0;
}
