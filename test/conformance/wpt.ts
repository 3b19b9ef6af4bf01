// The conformance harness: each web-platform-tests file is re-expressed as one `wptFile` whose
// name is the WPT path ("fedcm/fedcm-basic.https.html"), with one `subtest` per WPT subtest.
// Each test process records its results in dist/conformance-results/; scripts/conformance.mjs
// runs the suite and turns the records into docs/conformance.md. Files that cannot apply to a
// headless agent are declared with `notApplicable`, with the reason.
// WPT is BSD-licensed: we re-express the scenarios and assertions in our own code, never copy.

import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';

export interface SubtestResult {
  name: string;
  status: 'pass' | 'fail' | 'not-applicable';
  /** The first line of the failure. */
  message?: string;
}

export interface FileRecord {
  path: string;
  kind: 'tested' | 'not-applicable';
  reason?: string;
  subtests: SubtestResult[];
}

const records = new Map<string, FileRecord>();
let current: FileRecord | undefined;

/**
 * Declares the re-expression of one WPT file. `path` is relative to the WPT root, e.g.
 * "fedcm/fedcm-basic.https.html"; its subtests are the `subtest`s inside `fn`.
 */
export function wptFile(path: string, fn: () => void): void {
  if (records.has(path)) throw new Error(`${path} is re-expressed twice`);
  const record: FileRecord = { path, kind: 'tested', subtests: [] };
  records.set(path, record);
  describe(`wpt ${path}`, { timeout: 60_000 }, () => {
    const previous = current;
    current = record;
    try {
      fn();
    } finally {
      current = previous;
    }
  });
}

/**
 * Thrown (by `knownDifference`) when fedkit deliberately behaves otherwise than a WPT subtest
 * expects, with the reason. The row stays failing in the report, reason shown; in the test run
 * the subtest is a TODO, so a decided difference does not fail `npm test`.
 */
export class KnownDifference extends Error {
  override readonly name = 'KnownDifference';
}

/** Runs `fn`; if it fails, the failure is a known, explained difference (see KnownDifference). */
export async function knownDifference(reason: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new KnownDifference(`${reason} (${message})`, { cause: e });
  }
}

/** One WPT subtest: its result is recorded for the report, and a failure fails the test run. */
export function subtest(name: string, fn: () => unknown, options: { timeout?: number } = {}): void {
  const record = current;
  if (!record) throw new Error(`subtest "${name}" outside a wptFile`);
  it(name, { timeout: options.timeout ?? 30_000 }, async (t) => {
    try {
      await fn();
      record.subtests.push({ name, status: 'pass' });
    } catch (e) {
      const known = e instanceof KnownDifference;
      record.subtests.push({ name, status: 'fail', message: `${known ? 'known difference: ' : ''}${String(e instanceof Error ? e.message : e).split('\n')[0] ?? ''}` });
      if (known) t.todo(e.message);
      throw e;
    }
  });
}

/**
 * A WPT subtest whose scenario cannot be built in the agent (e.g. it needs a fenced frame): it is
 * listed in the report as not applicable, with the reason, and counts neither way.
 */
export function subtestNotApplicable(name: string, reason: string): void {
  const record = current;
  if (!record) throw new Error(`subtest "${name}" outside a wptFile`);
  it(name, { skip: reason }, () => {});
  record.subtests.push({ name, status: 'not-applicable', message: reason });
}

/** Declares a WPT file that does not apply to fedkit's agent, and why (service workers, fenced frames…). */
export function notApplicable(path: string, reason: string): void {
  if (records.has(path)) throw new Error(`${path} is declared twice`);
  records.set(path, { path, kind: 'not-applicable', reason, subtests: [] });
}

const RESULTS_DIR = new URL('../../conformance-results/', import.meta.url);

process.on('exit', () => {
  if (records.size === 0) return;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(new URL(`${process.pid}.json`, RESULTS_DIR), JSON.stringify([...records.values()]));
});
