// The report: progress lines, the summary table (cases by route and outcome), and each failure
// with the exact bytes sent, the answer, and the command that sends that case again.

import { describeError, type Failure, type FuzzReport, type Progress } from './runner.js';
import { showBytes } from './request.js';

/** Requests up to this size are printed whole; larger ones by their head, and saved whole. */
export const PRINT_LIMIT = 16 * 1024;

export function formatProgress(p: Progress): string {
  const rate = p.elapsedMs > 0 ? Math.round((p.done / p.elapsedMs) * 1000) : 0;
  return `fuzz: ${p.done}/${p.total} requests, ${p.failures} failing, ${(p.elapsedMs / 1000).toFixed(1)} s (${rate}/s)`;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

export function formatTable(table: FuzzReport['table']): string {
  const outcomes = [...new Set([...table.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    if (Number.isNaN(na) || Number.isNaN(nb)) return Number.isNaN(na) === Number.isNaN(nb) ? a.localeCompare(b) : Number.isNaN(na) ? 1 : -1;
    return na - nb;
  });
  const routes = [...table.keys()].sort((a, b) => (a === 'unknown' ? 1 : b === 'unknown' ? -1 : a.localeCompare(b)));
  const width = Math.max(7, ...routes.map((r) => r.length)) + 2;
  const col = Math.max(6, ...outcomes.map((o) => o.length + 1));
  const lines = [pad('route', width) + outcomes.map((o) => pad(o, col, true)).join('') + pad('total', 8, true)];
  const totals = new Map<string, number>();
  for (const route of routes) {
    const row = table.get(route)!;
    let sum = 0;
    const cells = outcomes.map((o) => {
      const n = row.get(o) ?? 0;
      sum += n;
      totals.set(o, (totals.get(o) ?? 0) + n);
      return pad(n === 0 ? '.' : String(n), col, true);
    });
    lines.push(pad(route, width) + cells.join('') + pad(String(sum), 8, true));
  }
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  lines.push(pad('total', width) + outcomes.map((o) => pad(String(totals.get(o) ?? 0), col, true)).join('') + pad(String(all), 8, true));
  return lines.join('\n');
}

export function replayCommand(seed: number, index: number, store: string): string {
  return `npm run fuzz -- --seed ${seed} --replay ${index}${store === 'sqlite' ? '' : ` --store ${store}`}`;
}

export function formatFailure(f: Failure, report: Pick<FuzzReport, 'seed' | 'store'>, savedAs?: string): string {
  const c = f.case;
  const lines = [`case ${c.index} (made for ${c.aim}${c.mutations.length === 0 ? ', unmutated' : `; ${c.mutations.join('; ')}`}):`];
  for (const p of f.problems) lines.push(`  - ${p.split('\n').join('\n    ')}`);
  if (f.bytes.length <= PRINT_LIMIT) {
    lines.push(`  sent (${f.bytes.length} bytes, exactly):`, `  ${showBytes(f.bytes)}`);
  } else {
    lines.push(`  sent (${f.bytes.length} bytes; the first ${PRINT_LIMIT / 4} shown${savedAs === undefined ? '' : `, all saved in ${savedAs}`}):`, `  ${showBytes(f.bytes.subarray(0, PRINT_LIMIT / 4))} …`);
  }
  if (f.result.kind === 'response') {
    const r = f.result.response;
    lines.push(`  answer after ${f.result.ms} ms: ${r.status} ${r.reason}`);
    for (const [name, value] of r.headers) lines.push(`    ${name}: ${value}`);
    if (r.body.length > 0) lines.push(`    ${showBytes(r.body.subarray(0, 600))}${r.body.length > 600 ? ' …' : ''}`);
  } else {
    lines.push(`  no answer: ${f.result.kind} after ${f.result.ms} ms`);
  }
  lines.push(`  again: ${replayCommand(report.seed, c.index, report.store)}`);
  return lines.join('\n');
}

export function formatSummary(report: FuzzReport): string {
  const seconds = report.durationMs / 1000;
  const lines = [
    `fedkit IdP fuzz: ${report.count} requests, seed ${report.seed}, ${report.store} store, ${seconds.toFixed(1)} s (${Math.round(report.count / seconds)} requests/s)`,
    '',
    formatTable(report.table),
    '',
    `mutations: ${[...report.mutations.entries()].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(', ')}`,
  ];
  if (report.slowest !== undefined) lines.push(`slowest answer: case ${report.slowest.index}, ${report.slowest.ms} ms`);
  lines.push(report.health.length === 0 ? 'health afterwards: a FedCM sign-in works (well-known, config, login, accounts, client metadata, assertion, token verified against the JWKS, disconnect)' : `health afterwards: BROKEN\n${report.health.map((h) => `  - ${h}`).join('\n')}`);
  for (const e of report.strayErrors) lines.push(`server error outside any case: ${describeError(e)}`);
  const ok = report.failures.length === 0 && report.strayErrors.length === 0 && report.health.length === 0;
  lines.push(ok ? `PASSED: no 5xx, no hang, no unanswered request, no server error (seed ${report.seed})` : `FAILED: ${report.failures.length} failing case(s), ${report.strayErrors.length} server error(s) outside cases, ${report.health.length} health problem(s) (seed ${report.seed})`);
  return lines.join('\n');
}
