// The trace of one scenario run (JSON, the goldens' format) and the comparison of two traces.
//
// A trace holds what a test of a browser can observe:
//   results   what each page action settled with (in step/action order)
//   dialogs   the FedCM dialogs shown, with the action the harness took on each
//   requests  every request the fixture saw after setup (favicon.ico left out), keyed by
//             "METHOD URL" (#2, #3 for repeats), with the Fetch-metadata / Origin / Referer /
//             Accept / Content-Type headers, cookie names, the body and the status answered
//   waves     the request keys grouped in dependent waves (see waves())
//   issues    the DevTools FedCM issues (Audits.issueAdded reasons; UserInfo: prefixed)
// Nothing in it depends on the run: no ports (every host is on :443 through host rules), no
// times, no dialog ids.

import type { RecordedRequest } from '../fixtures/index.js';

export type ResultTrace =
  | { type: 'credential'; credentialType: unknown; token: unknown; isAutoSelected: unknown; configURL: unknown }
  | { type: 'error'; ctor: string; name: string; message: string; code?: unknown; url?: unknown }
  | { type: 'resolved'; value: unknown }
  | { type: 'unsettled' };

export interface DialogAccountTrace {
  accountId?: string;
  email?: string;
  name?: string;
  givenName?: string;
  pictureUrl?: string;
  idpConfigUrl?: string;
  idpLoginUrl?: string;
  loginState?: string;
  termsOfServiceUrl?: string;
  privacyPolicyUrl?: string;
}

/** FedCm.Account's fields (pdl/domains/FedCm.pdl), the ones recorded. */
export const ACCOUNT_FIELDS = ['accountId', 'email', 'name', 'givenName', 'pictureUrl', 'idpConfigUrl', 'idpLoginUrl', 'loginState', 'termsOfServiceUrl', 'privacyPolicyUrl'] as const;

export interface DialogTrace {
  step: number;
  type: string;
  title: string;
  subtitle?: string;
  accounts: DialogAccountTrace[];
  /** What the harness did: select:N, dismiss, button:X, observe, abort, none (not answered). */
  action: string;
}

export interface RequestTrace {
  key: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  cookies: string[];
  body: string;
  status: number | null;
}

export interface Trace {
  scenario: string;
  results: ResultTrace[];
  dialogs: DialogTrace[];
  requests: RequestTrace[];
  waves: string[][];
  issues: string[];
}

const HEADER_NAMES = new Set(['origin', 'referer', 'accept', 'content-type']);

export function pickAccount(a: Record<string, unknown>): DialogAccountTrace {
  const out: Record<string, unknown> = {};
  for (const f of ACCOUNT_FIELDS) if (a[f] !== undefined && a[f] !== '') out[f] = a[f];
  return out as DialogAccountTrace;
}

function requestUrl(r: RecordedRequest): string {
  const u = new URL(r.url);
  // The fixture's port never shows: clients reach every host on :443 through host rules.
  return `${u.protocol}//${u.hostname}${u.pathname}${u.search}`;
}

function headersOf(r: RecordedRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(r.headers).sort()) {
    if (name.startsWith('sec-fetch-') || HEADER_NAMES.has(name)) out[name] = r.headers[name]!;
  }
  return out;
}

/**
 * Dependent waves. Requests are taken in arrival order; one starts a new wave when it arrived
 * after a response of the current wave had ended (it may depend on that answer). Every response
 * is held HOLD_MS (world.ts), so requests issued together all arrive before the first of them is
 * answered and share a wave whatever the client's scheduling. Inside a wave the keys are sorted.
 */
export function waves(recorded: readonly RecordedRequest[], keys: readonly string[]): string[][] {
  const order = recorded.map((r, i) => ({ r, key: keys[i]! })).sort((a, b) => a.r.time - b.r.time);
  const out: string[][] = [];
  let current: string[] = [];
  let firstEnd = Infinity;
  for (const { r, key } of order) {
    if (current.length > 0 && r.time >= firstEnd) {
      out.push(current.sort());
      current = [];
      firstEnd = Infinity;
    }
    current.push(key);
    firstEnd = Math.min(firstEnd, r.end ?? Infinity);
  }
  if (current.length > 0) out.push(current.sort());
  return out;
}

/**
 * Waits (at most `boundMs`) until every recorded request has been answered, so that a request
 * sent just before the page's promise settled (a popup's page) is recorded with its status.
 */
export async function answered(recorded: readonly RecordedRequest[], boundMs = 3_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (recorded.some((r) => r.end === undefined) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The requests part of a trace, from the fixture's records (after setup). */
export function requestsTrace(all: readonly RecordedRequest[]): { requests: RequestTrace[]; waves: string[][] } {
  const recorded = all.filter((r) => r.path !== '/favicon.ico');
  const base = recorded.map((r) => `${r.method} ${requestUrl(r)}`);
  // Number repeats in arrival order, so "#2" is the second time that URL was asked for.
  const byTime = recorded.map((r, i) => ({ r, i })).sort((a, b) => a.r.time - b.r.time || a.i - b.i);
  const seen = new Map<string, number>();
  const keys: string[] = new Array<string>(recorded.length);
  for (const { i } of byTime) {
    const n = (seen.get(base[i]!) ?? 0) + 1;
    seen.set(base[i]!, n);
    keys[i] = n === 1 ? base[i]! : `${base[i]!} #${n}`;
  }
  const requests = recorded.map((r, i): RequestTrace => ({
    key: keys[i]!,
    method: r.method,
    url: requestUrl(r),
    headers: headersOf(r),
    cookies: Object.keys(r.cookies).sort(),
    body: r.body,
    status: r.status ?? null,
  }));
  requests.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { requests, waves: waves(recorded, keys) };
}

// ---------------------------------------------------------------------------------------------
// Comparison

export interface Difference {
  field: string;
  chromium: unknown;
  agent: unknown;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Leaf-level differences of two plain objects; arrays and scalars are compared whole. */
function objectDiff(prefix: string, a: unknown, b: unknown, out: Difference[]): void {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) objectDiff(`${prefix}.${k}`, a[k], b[k], out);
    return;
  }
  if (!same(a, b)) out.push({ field: prefix, chromium: a ?? null, agent: b ?? null });
}

/** Every difference between Chromium's trace and the agent's, in a stable order. */
export function diffTraces(chromium: Trace, agent: Trace): Difference[] {
  const out: Difference[] = [];
  const n = Math.max(chromium.results.length, agent.results.length);
  for (let i = 0; i < n; i++) objectDiff(`results[${i}]`, chromium.results[i], agent.results[i], out);

  const d = Math.max(chromium.dialogs.length, agent.dialogs.length);
  for (let i = 0; i < d; i++) {
    const a = chromium.dialogs[i];
    const b = agent.dialogs[i];
    if (a === undefined || b === undefined) {
      out.push({ field: `dialogs[${i}]`, chromium: a ?? null, agent: b ?? null });
      continue;
    }
    objectDiff(`dialogs[${i}]`, a, b, out);
  }

  const ca = new Map(chromium.requests.map((r) => [r.key, r]));
  const ag = new Map(agent.requests.map((r) => [r.key, r]));
  const keys = [...new Set([...ca.keys(), ...ag.keys()])].sort();
  for (const k of keys) {
    const a = ca.get(k);
    const b = ag.get(k);
    const field = `requests[${JSON.stringify(k)}]`;
    if (a === undefined || b === undefined) {
      out.push({ field, chromium: a ? 'sent' : 'not sent', agent: b ? 'sent' : 'not sent' });
      continue;
    }
    const { key: _ka, ...ra } = a;
    const { key: _kb, ...rb } = b;
    objectDiff(field, ra, rb, out);
  }

  // The order of the requests both sent (a missing request is reported above, not twice).
  const common = new Set(keys.filter((k) => ca.has(k) && ag.has(k)));
  const restrict = (w: string[][]): string[][] => w.map((wave) => wave.filter((k) => common.has(k))).filter((wave) => wave.length > 0);
  const wa = restrict(chromium.waves);
  const wb = restrict(agent.waves);
  if (!same(wa, wb)) out.push({ field: 'waves', chromium: wa, agent: wb });

  if (!same(chromium.issues, agent.issues)) out.push({ field: 'issues', chromium: chromium.issues, agent: agent.issues });
  return out;
}

/** A readable listing of differences (for assertion messages and the CLI). */
export function formatDifferences(diffs: readonly Difference[]): string {
  return diffs.map((x) => `  ${x.field}\n    chromium: ${JSON.stringify(x.chromium)}\n    agent:    ${JSON.stringify(x.agent)}`).join('\n');
}
