// The differential harness's command line (docs/differential.md).
//
//   node dist/test/differential/main.js --record [--group G] [--only NAME]   re-record goldens with Chromium, report changes, compare
//   node dist/test/differential/main.js --compare [--group G] [--only NAME]  run the agent, compare with the goldens
//   node dist/test/differential/main.js --update-known                       regenerate known-differences.ts from the agent
//   node dist/test/differential/main.js --show NAME                          both traces of one scenario, and their differences
//   node dist/test/differential/main.js --summary                            known-differences.ts grouped by class
//
// `npm run test:chrome` is build + --record (twice-stable goldens are the recorder's job: run it
// again and it must report "0 changed").

import { existsSync } from 'node:fs';
import { classify, classOf, failureMessage, findGroup, readGoldens, verdict, writeGoldens, writeKnownDifferences } from './compare.js';
import { knownDifferences, type KnownDifference } from './known-differences.js';
import { CHROMIUM, recordChromium } from './record-chromium.js';
import { runAgent } from './run-agent.js';
import { groups } from './scenarios/index.js';
import type { ScenarioGroup } from './scenario.js';
import { diffTraces, formatDifferences, type Trace } from './trace.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const only = opt('--only') ?? opt('--show');
const selected: ScenarioGroup[] = (opt('--group') ? [findGroup(opt('--group')!)] : groups)
  .map((g) => ({ group: g.group, scenarios: g.scenarios.filter((s) => only === undefined || s.name === only) }))
  .filter((g) => g.scenarios.length > 0);

async function record(): Promise<number> {
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} is not installed (scripts/install-test-tools.sh)`);
    return 1;
  }
  const started = Date.now();
  let changed = 0;
  let errors = 0;
  let total = 0;
  for (const g of selected) {
    const goldens = readGoldens(g.group);
    const next: Record<string, Trace> = only === undefined ? {} : { ...goldens };
    for (const s of g.scenarios) {
      total += 1;
      const t0 = Date.now();
      try {
        const trace = await recordChromium(s);
        next[s.name] = trace;
        const old = goldens[s.name];
        const diffs = old ? diffTraces(old, trace) : [];
        if (!old) {
          changed += 1;
          console.log(`NEW      ${g.group}: ${s.name} (${Date.now() - t0} ms)`);
        } else if (diffs.length > 0 || JSON.stringify(old) !== JSON.stringify(trace)) {
          changed += 1;
          console.log(`CHANGED  ${g.group}: ${s.name}\n${formatDifferences(diffs).replace(/agent: /g, 'now:   ').replace(/chromium: /g, 'golden:   ')}`);
        } else {
          console.log(`same     ${g.group}: ${s.name} (${Date.now() - t0} ms)`);
        }
      } catch (e) {
        errors += 1;
        if (goldens[s.name]) next[s.name] = goldens[s.name]!;
        console.log(`ERROR    ${g.group}: ${s.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    writeGoldens(g.group, next);
  }
  console.log(`recorded ${total} scenarios in ${((Date.now() - started) / 1000).toFixed(1)} s: ${changed} changed, ${errors} errors`);
  return errors > 0 ? 1 : 0;
}

async function compare(update: boolean): Promise<number> {
  const started = Date.now();
  let agree = 0;
  let listed = 0;
  let failed = 0;
  let total = 0;
  const known: Record<string, KnownDifference> = {};
  for (const g of selected) {
    const goldens = readGoldens(g.group);
    for (const s of g.scenarios) {
      total += 1;
      const trace = await runAgent(s);
      const golden = goldens[s.name];
      if (update && golden) {
        const diffs = diffTraces(golden, trace);
        if (diffs.length > 0) known[s.name] = { ...classify(diffs, golden), fields: diffs };
      }
      const v = verdict(s.name, golden, trace);
      if (v.kind === 'agree') agree += 1;
      else if (v.kind === 'listed') listed += 1;
      else {
        failed += 1;
        if (!update) console.log(failureMessage(s.name, v));
      }
    }
  }
  if (update) {
    writeKnownDifferences(known);
    console.log(`known-differences.ts: ${Object.keys(known).length} scenarios listed`);
  }
  console.log(`${total} scenarios, ${agree} agree, ${listed} listed differences${failed ? `, ${failed} failing` : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return failed > 0 && !update ? 1 : 0;
}

async function show(): Promise<number> {
  const g = selected[0];
  const s = g?.scenarios[0];
  if (!g || !s) throw new Error(`no scenario ${only}`);
  const golden = readGoldens(g.group)[s.name];
  const agent = await runAgent(s);
  console.log(JSON.stringify({ chromium: golden ?? null, agent }, null, 2));
  if (golden) console.log(formatDifferences(diffTraces(golden, agent)) || 'no differences');
  return 0;
}

/** known-differences.ts by class: how many scenarios, and each distinct field / value pair. */
function summary(): number {
  const goldens: Record<string, Trace> = {};
  for (const g of groups) Object.assign(goldens, readGoldens(g.group));
  const byClass = new Map<string, { scenarios: Set<string>; pairs: Map<string, Set<string>> }>();
  for (const [name, k] of Object.entries(knownDifferences)) {
    const golden = goldens[name];
    if (!golden) continue;
    for (const d of k.fields) {
      const c = classOf(d, golden);
      const entry = byClass.get(c) ?? { scenarios: new Set(), pairs: new Map() };
      entry.scenarios.add(name);
      const field = d.field.replace(/\[\d+\]/g, '[i]').replace(/ #\d+/g, '');
      const pair = `${field}: chromium ${JSON.stringify(d.chromium).slice(0, 160)} / agent ${JSON.stringify(d.agent).slice(0, 160)}`;
      entry.pairs.set(pair, (entry.pairs.get(pair) ?? new Set()).add(name));
      byClass.set(c, entry);
    }
  }
  for (const [c, e] of [...byClass].sort((a, b) => b[1].scenarios.size - a[1].scenarios.size)) {
    console.log(`${c}: ${e.scenarios.size} scenarios`);
    for (const [pair, names] of [...e.pairs].sort((a, b) => b[1].size - a[1].size)) console.log(`  ${names.size}x ${pair}`);
  }
  return 0;
}

let code: number;
if (args.includes('--record')) {
  code = await record();
  if (code === 0 && !args.includes('--no-compare')) code = await compare(false);
} else if (args.includes('--update-known')) code = await compare(true);
else if (args.includes('--show')) code = await show();
else if (args.includes('--summary')) code = summary();
else code = await compare(false);
process.exit(code);
