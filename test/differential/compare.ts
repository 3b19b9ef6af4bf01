// Goldens on disk, the agent's trace against them, and the known-differences check.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { knownDifferences, type KnownDifference } from './known-differences.js';
import { groups } from './scenarios/index.js';
import type { Scenario, ScenarioGroup } from './scenario.js';
import { diffTraces, formatDifferences, type Difference, type Trace } from './trace.js';

/** The source tree's test/differential (goldens live there, not in dist/). */
export const SOURCE_DIR = fileURLToPath(new URL('../../../test/differential/', import.meta.url));

export function goldenPath(group: string): string {
  return `${SOURCE_DIR}goldens/${group}.json`;
}

export function readGoldens(group: string): Record<string, Trace> {
  const path = goldenPath(group);
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, Trace>;
}

export function writeGoldens(group: string, traces: Record<string, Trace>): void {
  const sorted = Object.fromEntries(Object.keys(traces).sort().map((k) => [k, traces[k]]));
  writeFileSync(goldenPath(group), `${JSON.stringify(sorted, null, 2)}\n`);
}

export function findGroup(name: string): ScenarioGroup {
  const g = groups.find((x) => x.group === name);
  if (!g) throw new Error(`no scenario group ${name} (groups: ${groups.map((x) => x.group).join(', ')})`);
  return g;
}

export function allScenarios(): Scenario[] {
  return groups.flatMap((g) => g.scenarios);
}

export type Verdict =
  | { kind: 'agree' }
  | { kind: 'listed'; diffs: Difference[] }
  | { kind: 'no-golden' }
  | { kind: 'new'; diffs: Difference[] }
  | { kind: 'stale'; listed: KnownDifference }
  | { kind: 'changed'; diffs: Difference[]; listed: KnownDifference };

function sameDiffs(a: readonly Difference[], b: readonly Difference[]): boolean {
  const key = (x: readonly Difference[]): string => JSON.stringify([...x].sort((p, q) => (p.field < q.field ? -1 : p.field > q.field ? 1 : 0)));
  return key(a) === key(b);
}

export function verdict(name: string, golden: Trace | undefined, agent: Trace): Verdict {
  if (!golden) return { kind: 'no-golden' };
  const diffs = diffTraces(golden, agent);
  const listed = knownDifferences[name];
  if (diffs.length === 0) return listed ? { kind: 'stale', listed } : { kind: 'agree' };
  if (!listed) return { kind: 'new', diffs };
  return sameDiffs(diffs, listed.fields) ? { kind: 'listed', diffs } : { kind: 'changed', diffs, listed };
}

/** A failure message for a verdict that is not agree/listed (undefined when it passes). */
export function failureMessage(name: string, v: Verdict): string | undefined {
  switch (v.kind) {
    case 'agree':
    case 'listed':
      return undefined;
    case 'no-golden':
      return `${name}: no golden (record it: npm run test:chrome)`;
    case 'stale':
      return `${name}: stale: the agent now agrees with Chromium; remove it from known-differences (node dist/test/differential/main.js --update-known)`;
    case 'new':
      return `${name}: the agent differs from Chromium:\n${formatDifferences(v.diffs)}`;
    case 'changed':
      return `${name}: the agent differs from Chromium otherwise than listed in known-differences.ts (${v.listed.class}).\nNow:\n${formatDifferences(v.diffs)}\nListed:\n${formatDifferences(v.listed.fields)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Classes of differences (for the generated list)

interface ClassRule {
  class: string;
  reason: string;
  test: (d: Difference, golden: Trace) => boolean;
}

const CLASSES: ClassRule[] = [
  {
    class: 'error-dialog-accounts',
    reason: "Chromium's Error dialog after a failed assertion carries the chosen account; the agent's has none",
    test: (d, g) => /^dialogs\[\d+\]\.accounts$/.test(d.field) && g.dialogs[Number(/\d+/.exec(d.field)![0])]?.type === 'Error',
  },
  {
    class: 'branding-icon',
    reason: "Chromium fetches the config's branding icon; the agent does not",
    test: (d) => d.field.includes('/branding/icon.png') && (d.chromium === 'not sent' || d.agent === 'not sent'),
  },
  {
    class: 'hints-before-pictures',
    reason: 'Chromium filters accounts by login/domain hint before fetching pictures (only shown accounts\' pictures)',
    test: (d) => d.field.includes('/pictures/') && (d.chromium === 'not sent' || d.agent === 'not sent'),
  },
  {
    class: 'popup-navigation-headers',
    reason: "a popup's top-level navigation (login, continue_on, error URL) carries other headers in Chromium",
    test: (d, g) => {
      const m = /^requests\[(".*")\]\.headers/.exec(d.field);
      if (!m) return false;
      const r = g.requests.find((x) => x.key === JSON.parse(m[1]!));
      return r?.headers['sec-fetch-dest'] === 'document';
    },
  },
  { class: 'request-headers', reason: 'a FedCM fetch carries other headers than in Chromium', test: (d) => /^requests\[.*\]\.headers/.test(d.field) },
  { class: 'request-body', reason: 'a request body differs from Chromium\'s', test: (d) => /^requests\[.*\]\.body$/.test(d.field) },
  { class: 'request-cookies', reason: 'the cookies sent differ from Chromium', test: (d) => /^requests\[.*\]\.cookies$/.test(d.field) },
  { class: 'requests-sent', reason: 'the agent sends a request Chromium does not, or the other way round', test: (d) => /^requests\[.*\]$/.test(d.field) },
  { class: 'request-order', reason: 'the requests come in other dependent waves (e.g. client metadata before pictures)', test: (d) => d.field === 'waves' },
  { class: 'abort-message', reason: "deliberate (docs/decisions.md, the AbortError of a signal aborted without a reason): the page's own signal reason is passed through, and its default text is the runtime's", test: (d) => /^results\[\d+\]\.message$/.test(d.field) && d.chromium === 'signal is aborted without reason' },
  { class: 'idl-typeerror-message', reason: 'the TypeError message of IDL conversion', test: (d) => /^results\[\d+\]\.message$/.test(d.field) && typeof d.chromium === 'string' && d.chromium.startsWith('Failed to execute') },
  { class: 'page-visible-result', reason: 'the page sees another outcome than in Chromium', test: (d) => d.field.startsWith('results') },
  { class: 'dialogs', reason: 'other dialogs than Chromium (type, title, accounts or count)', test: (d) => d.field.startsWith('dialogs') },
  { class: 'devtools-issues', reason: 'the DevTools issues differ (agent: Diagnostic.issue)', test: (d) => d.field === 'issues' },
];

export function classify(diffs: readonly Difference[], golden: Trace): { class: string; reason: string } {
  const hits: ClassRule[] = [];
  for (const d of diffs) {
    const rule = CLASSES.find((c) => c.test(d, golden));
    if (rule && !hits.includes(rule)) hits.push(rule);
  }
  if (hits.length === 0) return { class: 'other', reason: 'unclassified' };
  return { class: hits.map((h) => h.class).join(' + '), reason: hits.map((h) => h.reason).join('; ') };
}

export function classOf(d: Difference, golden: Trace): string {
  return CLASSES.find((c) => c.test(d, golden))?.class ?? 'other';
}

/** known-differences.ts, regenerated from the current agent's verdicts. */
export function writeKnownDifferences(entries: Record<string, KnownDifference>): void {
  const body = Object.keys(entries)
    .sort()
    .map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(entries[k], null, 2).replace(/\n/g, '\n  ')},`)
    .join('\n');
  const text = `// Where the agent differs from Chromium today, scenario by scenario (test/differential).
// GENERATED by \`node dist/test/differential/main.js --update-known\` from the current agent; the
// differential tests assert that every scenario either agrees with its golden or differs exactly
// as listed here, so a fixed difference fails as "stale" until it is removed (re-run the command).
// \`class\` / \`reason\` name the kind of difference (compare.ts, CLASSES).

export interface KnownDifference {
  class: string;
  reason: string;
  fields: { field: string; chromium: unknown; agent: unknown }[];
}

export const knownDifferences: Record<string, KnownDifference> = {
${body}
};
`;
  writeFileSync(`${SOURCE_DIR}known-differences.ts`, text);
}
