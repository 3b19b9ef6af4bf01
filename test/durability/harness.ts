// The kill loop of the durability tests: start the writer (./writer.ts) in a child process, wait
// until it is writing, SIGKILL it after a seeded random delay, collect what it printed, check the
// store (the caller's `verify`), and start it again on the same store. Every wait is bounded: a
// writer that does not get ready, exits by itself, or does not die from the kill fails the test
// with its stderr.
//
// What is checked against what the store holds after a kill (checkHistory):
//   - every acknowledged write is there: a created record with exactly the values written; for a
//     value written more than once (a login status, a cookie, a passkey's counter), the last
//     acknowledged value, or the value of a later write that was in flight when the kill came;
//     a grant holds at least every field an acknowledged upsert added;
//   - nothing is there that no write attempted (no invented or duplicated rows), and a grant
//     holds no field no upsert attempted;
//   - a write in flight at the kill is there whole or not at all (the record compares equal).

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { prng, type Expectation, type WriterConfig } from './ops.js';

/** The compiled writer (this file runs as dist/test/durability/harness.js). */
export const WRITER = fileURLToPath(new URL('./writer.js', import.meta.url));

/** How long a writer may take to open its store and print `ready` (the machine may be busy). */
const READY_TIMEOUT_MS = 20_000;
/** How long a SIGKILLed writer may take to be reported dead. */
const DEATH_TIMEOUT_MS = 10_000;

export const CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

function integerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** Kills per store: FEDKIT_DURABILITY_KILLS for a longer run (default 10). */
export const KILLS = Math.max(1, integerFromEnv('FEDKIT_DURABILITY_KILLS', 10));
/** FEDKIT_DURABILITY_SEED replays a run; by default every run draws its own (and prints it). */
export const SEED = integerFromEnv('FEDKIT_DURABILITY_SEED', Math.floor(Math.random() * 2 ** 31));

export interface Written<Op> {
  op: Op;
  /** The `a` line came: the store acknowledged the write. */
  acked: boolean;
  run: number;
}

export interface RunResult<Op> {
  writes: Written<Op>[];
  /** Writes begun and not acknowledged when the kill came (in flight, or done but not yet reported). */
  inFlight: number;
  /** ms from `ready` to the kill. */
  delayMs: number;
}

/**
 * Runs the writer until `ready`, lets it write for `delayMs`, SIGKILLs it and returns what it
 * printed. `onReady` runs once the writer is writing (the caller closes its own connection there,
 * so the last connection to close is always the killed one: SQLite's WAL is never checkpointed
 * and removed by a clean close, and each kill leaves it hot for the next open to recover).
 */
export async function runAndKill<Op extends { id: string }>(config: WriterConfig, delayMs: number, onReady: () => Promise<void>): Promise<RunResult<Op>> {
  const child = spawn(process.execPath, [WRITER], {
    env: { ...process.env, FEDKIT_DURABILITY: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = exited(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const writes = new Map<string, Written<Op>>();
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  let buffered = '';
  const protocolErrors: string[] = [];
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === 'ready') ready();
      else if (line.startsWith('b ')) {
        try {
          const op = JSON.parse(line.slice(line.indexOf(' ', 2) + 1)) as Op;
          writes.set(op.id, { op, acked: false, run: config.run });
        } catch (e) {
          protocolErrors.push(`unreadable begin line (${e instanceof Error ? e.message : String(e)}): ${line}`);
        }
      } else if (line.startsWith('a ')) {
        const w = writes.get(line.slice(2));
        if (w === undefined) protocolErrors.push(`ack of a write never begun: ${line}`);
        else w.acked = true;
      } else protocolErrors.push(`unexpected line: ${line}`);
    }
  });
  const describeExit = (e: Exit): string => `code ${e.code}, signal ${e.signal}${e.error ? `, ${e.error.message}` : ''}; stderr:\n${stderr}`;
  try {
    const startup = await Promise.race([
      readyPromise.then(() => 'ready' as const),
      closed.then((e) => ({ exited: e })),
      sleep(READY_TIMEOUT_MS).then(() => 'timeout' as const),
    ]);
    if (startup === 'timeout') throw new Error(`the writer (run ${config.run}) did not print "ready" within ${READY_TIMEOUT_MS} ms; stderr:\n${stderr}`);
    if (startup !== 'ready') throw new Error(`the writer (run ${config.run}) exited before it was ready: ${describeExit(startup.exited)}`);
    await onReady();
    const early = await Promise.race([closed, sleep(delayMs).then(() => undefined)]);
    if (early !== undefined) throw new Error(`the writer (run ${config.run}) exited by itself before the kill: ${describeExit(early)}`);
    assert.equal(child.kill('SIGKILL'), true, `the SIGKILL could not be sent to the writer (run ${config.run})`);
    const death = await Promise.race([closed, sleep(DEATH_TIMEOUT_MS).then(() => undefined)]);
    if (death === undefined) throw new Error(`the writer (run ${config.run}) was still running ${DEATH_TIMEOUT_MS} ms after its SIGKILL`);
    assert.equal(death.signal, 'SIGKILL', `the writer (run ${config.run}) did not die from the kill: ${describeExit(death)}`);
  } finally {
    // Whatever failed, the writer does not outlive the test.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  assert.deepEqual(protocolErrors, [], `the writer's output (run ${config.run})`);
  const list = [...writes.values()];
  return { writes: list, inFlight: list.filter((w) => !w.acked).length, delayMs };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The process could not be started. */
  error?: Error;
}

/** Resolves once the child is gone and its output read (or it could not be started). */
function exited(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
  });
}

/** Runs the writer to the end (config.maxWrites), for measurements; returns its stdout lines. */
export async function runToEnd(command: string, args: string[], config: WriterConfig, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(command, args, { env: { ...process.env, FEDKIT_DURABILITY: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const end = await Promise.race([exited(child), sleep(timeoutMs).then(() => undefined)]);
  if (end === undefined) {
    child.kill('SIGKILL');
    throw new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr:\n${stderr}`);
  }
  if (end.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (code ${end.code}, signal ${end.signal}${end.error ? `, ${end.error.message}` : ''}); stderr:\n${stderr}`);
  return { stdout, stderr };
}

/** Why strace cannot measure here (not installed, ptrace not allowed), or undefined when it can. */
export function straceProblem(): string | undefined {
  const probe = spawnSync('strace', ['-o', '/dev/null', '-e', 'trace=write', process.execPath, '-e', '0'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.error !== undefined) return `strace cannot be run (${probe.error.message}); install it to measure when writes reach the disk`;
  if (probe.status !== 0) return `strace cannot trace here (${probe.stderr.trim()})`;
  return undefined;
}

/** What a kill left of an SQLite database: the WAL the next open recovers. */
export function walNote(filename: string): string {
  const size = existsSync(`${filename}-wal`) ? statSync(`${filename}-wal`).size : 0;
  return `the kill left a ${Math.round(size / 1024)} KiB WAL to recover`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** What a store holds, slot by slot: a record (as canonical JSON) or a grant's fields. */
export type Snapshot = Map<string, string | string[]>;

/**
 * Compares the store's contents (every slot the writer writes to) with every write so far (see
 * the file's header). Returns how many acknowledged writes were checked.
 */
export function checkHistory<Op>(history: readonly Written<Op>[], expectation: (op: Op) => Expectation | Expectation[], snapshot: Snapshot, label: string): number {
  const bySlot = new Map<string, { e: Expectation; acked: boolean; index: number }[]>();
  history.forEach((w, index) => {
    // A write of several slots (an assertion: its nonce and its grant) is expected in each.
    const expected = expectation(w.op);
    for (const e of Array.isArray(expected) ? expected : [expected]) {
      let list = bySlot.get(e.slot);
      if (list === undefined) bySlot.set(e.slot, (list = []));
      list.push({ e, acked: w.acked, index });
    }
  });
  const problems: string[] = [];
  let checked = 0;
  for (const [slot, writes] of bySlot) {
    const stored = snapshot.get(slot);
    const acked = writes.filter((w) => w.acked);
    checked += acked.length;
    if ('fields' in writes[0]!.e) {
      const must = new Set(acked.flatMap((w) => ('fields' in w.e ? w.e.fields : [])));
      const may = new Set(writes.flatMap((w) => ('fields' in w.e ? w.e.fields : [])));
      if (stored === undefined) {
        if (acked.length > 0) problems.push(`${slot}: lost (${acked.length} acknowledged upserts)`);
        continue;
      }
      if (!Array.isArray(stored)) throw new Error(`${slot}: the snapshot holds no field list`);
      const missing = [...must].filter((f) => !stored.includes(f));
      const invented = stored.filter((f) => !may.has(f));
      if (missing.length > 0) problems.push(`${slot}: acknowledged fields ${missing.join(', ')} are gone (holds ${stored.join(', ')})`);
      if (invented.length > 0) problems.push(`${slot}: holds fields no upsert wrote: ${invented.join(', ')}`);
      continue;
    }
    const value = (w: { e: Expectation }): string => ('value' in w.e ? w.e.value : '');
    const lastAcked = acked.at(-1);
    // The last acknowledged value, or a later write's that was in flight at a kill.
    const allowed = new Set(writes.filter((w) => lastAcked === undefined || w.index >= lastAcked.index).filter((w) => w === lastAcked || !w.acked).map(value));
    if (stored === undefined) {
      if (lastAcked !== undefined) problems.push(`${slot}: lost (acknowledged ${acked.length} time(s), last ${value(lastAcked)})`);
      continue;
    }
    if (Array.isArray(stored) || !allowed.has(stored)) {
      problems.push(`${slot}: holds ${String(stored)}; expected ${lastAcked === undefined ? 'nothing or ' : ''}one of ${[...allowed].join(' | ')}`);
    }
  }
  for (const slot of snapshot.keys()) if (!bySlot.has(slot)) problems.push(`${slot}: in the store, but no write made it`);
  assert.deepEqual(problems.slice(0, 20), [], `${label}: ${problems.length} problem(s) after the kill`);
  return checked;
}

export interface SeriesOptions<Op> {
  t: TestContext;
  name: string;
  kills: number;
  seed: number;
  /** The writer's config for run `run`. */
  config(run: number, seed: number): WriterConfig;
  /** The kill comes this long after `ready`: uniformly in [min, max] ms. */
  delayMs: { min: number; max: number };
  /**
   * Opens the store as a restarted server would, checks it (it opens cleanly, migrations,
   * integrity) and compares it with the history; returns the number of acknowledged writes
   * checked and how to close what it opened.
   */
  verify(history: readonly Written<Op>[], run: number): Promise<{ checked: number; close(): Promise<void>; note?: string }>;
}

export interface SeriesResult {
  kills: number;
  acknowledged: number;
  /** Kills that came while a write was in flight (begun, not acknowledged). */
  midWrite: number;
  checked: number;
}

/** Kills the writer `kills` times, checking the store after each kill. */
export async function killSeries<Op extends { id: string }>(o: SeriesOptions<Op>): Promise<SeriesResult> {
  // Each series draws its own delays from the one seed.
  const rand = prng(o.seed ^ [...o.name].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261));
  const history: Written<Op>[] = [];
  let close: (() => Promise<void>) | undefined;
  let midWrite = 0;
  let checked = 0;
  try {
    for (let run = 0; run < o.kills; run++) {
      const delay = Math.round(o.delayMs.min + rand() * (o.delayMs.max - o.delayMs.min));
      const started = performance.now();
      const result = await runAndKill<Op>(o.config(run, Math.floor(rand() * 2 ** 31)), delay, async () => {
        await close?.();
        close = undefined;
      });
      history.push(...result.writes);
      if (result.inFlight > 0) midWrite++;
      const acked = result.writes.filter((w) => w.acked).length;
      const killed = performance.now();
      const v = await o.verify(history, run);
      close = v.close;
      checked += v.checked;
      const ms = (from: number, to: number): number => Math.round(to - from);
      o.t.diagnostic(
        `${o.name}: kill ${run + 1}, ${delay} ms after ready: ${acked} writes acknowledged, ${result.inFlight} in flight; ` +
          `all ${history.filter((w) => w.acked).length} acknowledged so far are there${v.note === undefined ? '' : `; ${v.note}`} (run ${ms(started, killed)} ms, check ${ms(killed, performance.now())} ms)`,
      );
    }
  } finally {
    await close?.();
  }
  const acknowledged = history.filter((w) => w.acked).length;
  o.t.diagnostic(`${o.name}: ${o.kills} kills (${midWrite} during a write), ${acknowledged} acknowledged writes, none lost (seed ${o.seed})`);
  return { kills: o.kills, acknowledged, midWrite, checked };
}
