// `npm run soak -- --minutes N [--store sqlite|postgres] [--workers 1|2] [--users N] [--json] [--record]`:
// runs the soak (soak.ts) and prints errors, latency per endpoint and the servers' memory over
// time. Exit 0 when nothing failed: no error, no nonce accepted twice, no grant lost, memory flat.
// --record keeps the report (bench/soak/record.json) and writes section 5 of docs/benchmarks.md.

import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { makeRecord, writeSoakSection } from './record.js';
import { runSoak, type SoakReport } from './soak.js';
import { benchArgs, type BenchArgs } from '../lib/args.js';

const cli: BenchArgs = benchArgs('npm run soak --', '[--minutes N | --seconds N] [--store sqlite|postgres] [--workers 1|2] [--users N] [--json] [--record]', {
  minutes: { type: 'string' },
  seconds: { type: 'string' },
  store: { type: 'string' },
  workers: { type: 'string' },
  users: { type: 'string' },
  json: { type: 'boolean' },
  record: { type: 'boolean' },
});
const minutes = cli.positive('minutes');
const seconds = cli.positive('seconds');
if (minutes !== undefined && seconds !== undefined) cli.fail('pass --minutes or --seconds, not both');
const store = cli.choice('store', ['sqlite', 'postgres'] as const, 'postgres');
const workers = Number(cli.choice('workers', ['1', '2'] as const, store === 'postgres' ? '2' : '1'));
if (store === 'sqlite' && workers !== 1) cli.fail("two workers need --store postgres (an SQLite file is one process's)");
const users = cli.number('users', 8, 1);
const values = { json: cli.flag('json'), record: cli.flag('record') };

const startLoad = loadavg()[0]!;
const startDate = new Date();
const report = await runSoak({
  durationMs: (minutes !== undefined ? minutes * 60 : (seconds ?? 60)) * 1000,
  store,
  workers: workers as 1 | 2,
  users,
  onProgress: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : format(report));
if (values.record) {
  // The compiled file runs from dist/bench/soak: the sources are three levels up.
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const args = process.argv.slice(2).join(' ');
  const record = makeRecord(report, process.env['npm_lifecycle_event'] === 'soak' ? `npm run soak -- ${args}` : `node dist/bench/soak/main.js ${args}`, startLoad, startDate);
  writeFileSync(resolve(root, 'bench/soak/record.json'), `${JSON.stringify(record, null, 2)}\n`);
  writeSoakSection(resolve(root, 'docs/benchmarks.md'), record);
  process.stderr.write('soak: recorded in bench/soak/record.json and docs/benchmarks.md (section 5)\n');
}
process.exit(report.ok ? 0 : 1);

function format(r: SoakReport): string {
  const lines = [
    `Soak: ${r.store}, ${r.workers} IdP worker(s), ${r.users} virtual users, ${(r.durationMs / 1000).toFixed(0)} s`,
    `Operations: ${Object.entries(r.operations).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `Errors: ${r.errorCount}${r.errors.length > 0 ? `\n  ${r.errors.join('\n  ')}` : ''}`,
    ...(r.workers > 1 ? [`Nonces accepted twice: ${r.replaysAccepted}; grants lost: ${r.grantsLost}`] : []),
    '',
    `  ${'Latency (ms)'.padEnd(26)}${'count'.padStart(6)} ${'p50'.padStart(8)} ${'p99'.padStart(8)}`,
    ...Object.entries(r.latency).map(([k, v]) => `  ${k.padEnd(26)}${String(v.count).padStart(6)} ${v.p50.toFixed(1).padStart(8)} ${v.p99.toFixed(1).padStart(8)}`),
    '',
    `  ${'Live heap (MiB)'.padEnd(20)}${'first'.padStart(8)}${'last'.padStart(8)}${'max'.padStart(8)}   growth after warm-up   ${'RSS last'.padStart(8)}`,
    ...Object.entries(r.memory).map(([k, m]) => {
      const live = m.samples.map(([, v]) => v);
      const cells = [live[0] ?? 0, live.at(-1) ?? 0, Math.max(...live)].map((v) => v.toFixed(1).padStart(8)).join('');
      return `  ${k.padEnd(20)}${cells}   ${`${m.growthMiB.toFixed(1)} (${m.slopeMiBPerMinute.toFixed(2)} MiB/min)`.padEnd(22)}${(m.samples.at(-1)?.[2] ?? 0).toFixed(1).padStart(9)}`;
    }),
    `Memory flat: ${r.memoryFlat ? 'yes' : 'NO'}`,
    r.ok ? 'OK' : 'FAILED',
  ];
  return `${lines.join('\n')}\n`;
}
