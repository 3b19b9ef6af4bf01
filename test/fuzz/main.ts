// `npm run fuzz -- --count N [--seed S]`: fuzzes every route of the IdP over HTTPS on loopback and
// prints progress, the summary and every failure; exits 1 if anything failed.
// `--replay I[,J…]` sends cases I, J… of seed S again and prints each request and its answer.

import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatFailure, formatProgress, formatSummary, PRINT_LIMIT } from './report.js';
import { passed, runFuzz } from './runner.js';
import type { StoreKind } from './target.js';

const USAGE = `usage: npm run fuzz -- [--count N] [--seed S] [--concurrency C] [--timeout MS] [--store sqlite|postgres] [--replay I[,J...]] [--show N]
  --count        requests to send (default 1000)
  --seed         the run's seed, an integer (default: a random one, printed)
  --concurrency  requests in flight at once (default 8)
  --timeout      bound of one request, ms (default 10000)
  --store        the IdP's store (default sqlite, in memory; postgres uses FEDKIT_TEST_POSTGRES)
  --replay       send only these cases of the seed, and print each request and answer
  --show         failures printed in full (default 20; all are counted)`;

function integer(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`fuzz: --${name} must be an integer of at least ${min}, got ${JSON.stringify(value)}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        count: { type: 'string' },
        seed: { type: 'string' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        store: { type: 'string' },
        replay: { type: 'string' },
        show: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const store = (values.store ?? 'sqlite') as StoreKind;
  if (store !== 'sqlite' && store !== 'postgres') {
    console.error(`fuzz: --store must be sqlite or postgres\n${USAGE}`);
    return 2;
  }
  const seed = integer('seed', values.seed, Math.floor(Math.random() * 2 ** 31));
  const only = values.replay?.split(',').map((v) => integer('replay', v.trim(), 0));
  const show = integer('show', values.show, 20);
  const count = integer('count', values.count, 1000, 1);
  console.log(only === undefined ? `fuzz: ${count} requests, seed ${seed} (again: npm run fuzz -- --count ${count} --seed ${seed})` : `fuzz: replaying case(s) ${only.join(', ')} of seed ${seed}`);

  const report = await runFuzz({
    count,
    seed,
    store,
    concurrency: integer('concurrency', values.concurrency, 8, 1),
    timeoutMs: integer('timeout', values.timeout, 10_000, 1),
    ...(only === undefined ? {} : { only }),
    onProgress: (p) => {
      if (only === undefined && (p.done % 1000 === 0 || p.done === p.total)) console.log(formatProgress(p));
    },
    onCase: (f) => {
      if (only !== undefined) console.log(formatFailure(f, { seed, store }) + '\n');
    },
  });

  const dir = join(tmpdir(), `fedkit-fuzz-${seed}`);
  report.failures.slice(0, show).forEach((f) => {
    let savedAs: string | undefined;
    if (f.bytes.length > PRINT_LIMIT) {
      mkdirSync(dir, { recursive: true });
      savedAs = join(dir, `case-${f.case.index}.http`);
      writeFileSync(savedAs, f.bytes);
    }
    console.log('\n' + formatFailure(f, report, savedAs));
  });
  if (report.failures.length > show) console.log(`\n… and ${report.failures.length - show} more failing case(s) (--show ${report.failures.length} prints them all)`);
  console.log('\n' + formatSummary(report));
  return passed(report) ? 0 : 1;
}

process.exitCode = await main();
