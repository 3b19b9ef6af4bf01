// The soak's record in docs/benchmarks.md: `npm run soak -- --record` keeps the run's report in
// bench/soak/record.json and writes section 5 of docs/benchmarks.md from it; `npm run bench`
// (which does not run the soak: it takes minutes) writes the same section from the same record,
// so neither run erases the other's figures.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { table } from '../lib/stats.js';
import { FLAT_MIB, type SoakReport } from './soak.js';

export interface SoakRecord {
  date: string;
  command: string;
  node: string;
  cpu: string;
  /** The 1-minute load average at the start and at the end. */
  load: [number, number];
  report: SoakReport;
}

export const SECTION_TITLE = '## 5. Soak';

export function makeRecord(report: SoakReport, command: string, startLoad: number, date: Date): SoakRecord {
  return { date: date.toISOString(), command, node: process.version, cpu: `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`, load: [startLoad, loadavg()[0]!], report };
}

export function readRecord(path: string): SoakRecord | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as SoakRecord) : undefined;
}

/** Section 5 of docs/benchmarks.md, as lines, from a record (or a note that there is none yet). */
export function soakSection(record: SoakRecord | undefined): string[] {
  const lines = [SECTION_TITLE, ''];
  if (record === undefined) return [...lines, 'No soak recorded yet: `npm run soak -- --minutes 10 --record` writes this section.', ''];
  const r = record.report;
  const minutes = r.durationMs / 60_000;
  const total = Object.values(r.operations).reduce((a, b) => a + b, 0);
  lines.push(
    `Recorded by \`${record.command}\` on ${record.date} (Node ${record.node}, ${record.cpu}, load average ${record.load[0].toFixed(2)} at the start, ${record.load[1].toFixed(2)} at the end),`,
    `not by \`npm run bench\`. ${r.users} virtual users, each an agent with a user of its own, for ${minutes.toFixed(1)} minutes against the IdP`,
    `(${r.workers} worker process${r.workers > 1 ? 'es' : ''} on ${r.store === 'postgres' ? 'one PostgreSQL database' : 'one SQLite file'}) and the RP, all on this machine: sign-ins (a sign-up after`,
    'every disconnect), returning users (`mediation: "optional"`, auto re-authentication), disconnects, bad requests',
    `(each must get a 4xx)${r.workers > 1 ? ', and an assertion at one worker followed by the same nonce at the other and the grant read back there' : ''}.`,
    '',
    table(['operation', 'count'], [...Object.entries(r.operations).map(([k, v]) => [k, String(v)]), ['**all**', `**${total}** (${(total / (r.durationMs / 1000)).toFixed(1)} /s)`]]),
    '',
    `**Errors: ${r.errorCount}.**${r.workers > 1 ? ` **Nonces accepted twice: ${r.replaysAccepted}. Grants lost between workers: ${r.grantsLost}.**` : ''}`,
    ...(r.errors.length > 0 ? ['', ...r.errors.map((e) => `- ${e}`)] : []),
    '',
    'Latency per endpoint, as the client saw it (the agent\'s fetches, the RP\'s `/session`, the raw bad and',
    'cross-worker requests); every virtual user runs at once on the same 2 cores as the servers and PostgreSQL:',
    '',
    table(['endpoint', 'requests', 'p50', 'p99'], Object.entries(r.latency).map(([k, v]) => [k, String(v.count), `${v.p50.toFixed(1)} ms`, `${v.p99.toFixed(1)} ms`])),
    '',
    'Memory of each process (the IdP workers, the RP, and the agents with the soak\'s own bookkeeping), sampled',
    `${r.memory['agents'] === undefined ? '' : `${r.memory['agents'].samples.length} times `}during the run: the live heap (heap + external right after a full collection, which each process`,
    'makes when asked) and the RSS. The slope is a least-squares fit of the live heap after the first fifth (the',
    `warm-up), and memory counts as flat when the fitted growth over the rest stays under ${FLAT_MIB} MiB or 10 %. RSS is`,
    'shown for what the OS sees; it rises while V8 and the allocator grow their pools, and is not the measure:',
    '',
    table(
      ['process', 'live heap: first', 'at the end of warm-up', 'last', 'max', 'slope after warm-up', 'growth after warm-up', 'RSS: first', 'last'],
      Object.entries(r.memory).map(([k, m]) => {
        const last = m.samples.at(-1)?.[0] ?? 0;
        const warm = m.samples.find(([t]) => t >= last / 5);
        const mib = (x: number | undefined): string => `${(x ?? 0).toFixed(1)} MiB`;
        return [
          k,
          mib(m.samples[0]?.[1]),
          mib(warm?.[1]),
          mib(m.samples.at(-1)?.[1]),
          mib(Math.max(...m.samples.map(([, v]) => v))),
          `${m.slopeMiBPerMinute.toFixed(2)} MiB/min`,
          mib(m.growthMiB),
          mib(m.samples[0]?.[2]),
          mib(m.samples.at(-1)?.[2]),
        ];
      }),
    ),
    '',
    `Memory flat: **${r.memoryFlat ? 'yes' : 'no'}**. Result: ${r.ok ? '**passed**' : '**FAILED**'}.`,
    '',
    'What the soak found when it was written: its first 10-minute run ended after 8 minutes with the agents\' process',
    'out of memory (4 GB of heap). `agent.open()` kept every page until `agent.close()`, and with it the page\'s DOM,',
    'about 700 KB per returning user\'s sign-in; a closed page is now forgotten (`test/agent/page-lifetime.test.ts`).',
    '',
  );
  return lines;
}

/** Puts section 5 into docs/benchmarks.md in place (before "## Profiles", or at the end). */
export function writeSoakSection(docPath: string, record: SoakRecord): void {
  const doc = readFileSync(docPath, 'utf8').split('\n');
  const start = doc.indexOf(SECTION_TITLE);
  const profiles = doc.findIndex((l) => l.startsWith('## Profiles'));
  const section = soakSection(record);
  if (start >= 0) {
    const end = doc.findIndex((l, i) => i > start && l.startsWith('## '));
    doc.splice(start, (end < 0 ? doc.length : end) - start, ...section);
  } else if (profiles >= 0) {
    doc.splice(profiles, 0, ...section);
  } else {
    doc.push('', ...section);
  }
  writeFileSync(docPath, doc.join('\n'));
}
