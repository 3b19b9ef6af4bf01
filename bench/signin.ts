// 1. Sign-in latency: a full FedCM sign-in with fedkit's agent vs headless Chromium's native
// FedCM (driven through the DevTools FedCm domain), against the same reference IdP + RP running in
// its own process; and, as the transport floor, the same requests made with undici alone. Each
// contender runs in its own process. Two interleavings: one sign-in per contender per round
// (rotating order), and alternating blocks of back-to-back sign-ins.
//
// One "sign-in", on both sides: from the page's call of navigator.credentials.get() (mediation
// 'required', so the account chooser is shown and the whole flow runs: well-known, config,
// accounts, client metadata as the browser decides, ID assertion) to the IdentityCredential's
// token in the page, timed in the page (performance.now()). The IdP session is established once
// before (the IdP's login form). The chooser is answered by automation: fedkit's autoSelect
// mediator; for Chromium, FedCm.selectAccount sent as soon as FedCm.dialogShown arrives (its
// CDP round trip is part of Chromium's figure: it is how Chromium auto-selects under automation).
//
// A fourth contender, "handlers", is the agent signing in through in-process handlers
// (createAgent({ handlers }), bench/children/handlers.ts): the same reference IdP and RP, in the
// agent's own process, no TCP or TLS. Its floor is the same measure (the IdP handlers' own time),
// taken in that process. Its CPU figure includes the IdP's work, which runs in the same process.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child, cpuSets } from './lib/child.js';
import { median, medianRoundRatio, percentile, sum } from './lib/stats.js';
import type { AgentSignIn } from './children/agent.js';
import type { HandlersSignIn } from './children/handlers.js';
import type { WakeProbe } from './children/wake.js';
import type { HandlerTiming, SystemInfo } from './children/system.js';
import { benchArgs } from './lib/args.js';

export const CHROMIUM = '/usr/bin/chromium';
export const RP_BENCH_PAGE = 'https://rp.example/bench';
/** Idle time after each sign-in, outside the measurement. */
export const SETTLE_MS = 20;

export interface SideResult {
  /** get() → token, in the page, ms. */
  latencies: number[];
  /** The same measured from the driving process (Chromium: page.evaluate round trip; agent: IPC round trip). */
  outer: number[];
  /** Sum of the IdP handler times of each sign-in, ms. */
  floors: number[];
  /** The round (one by one) or block (back to back) of each latency, so that ratios can be taken within one. */
  rounds: number[];
  /** IdP requests of one sign-in (method path), from the first measured iteration. */
  requests: string[];
  /** Median IdP handler time per path. */
  serverByPath: Record<string, number>;
  /** CPU time of the client's process per sign-in, µs (agent and undici alone). */
  cpuMicros?: number[];
  /** New connections opened per sign-in (agent and undici alone; undefined for Chromium). */
  connections?: number[];
  /** Agent only: median client-observed duration per endpoint. */
  clientByEndpoint?: Record<string, number>;
  errors: string[];
}

/** The Node contenders measured by themselves (SignInResults.phase1). */
export interface Phase1 {
  agent: SideResult;
  raw: SideResult;
  handlers: SideResult | { skipped: string };
  blocks: { agent: SideResult; raw: SideResult; handlers: SideResult | { skipped: string } };
  iterations: number;
}

export interface SignInResults {
  /** Strict alternation, one sign-in at a time. */
  agent: SideResult;
  /** The same requests through undici, without the agent (the transport floor). */
  raw: SideResult;
  chromium: SideResult | { skipped: string };
  /** The agent through in-process handlers (the IdP and RP in its process). */
  handlers: SideResult | { skipped: string };
  /** Alternating blocks of back-to-back sign-ins. */
  blocks: { agent: SideResult; raw: SideResult; chromium: SideResult | { skipped: string }; handlers: SideResult | { skipped: string } };
  /**
   * Phase 1: the Node contenders (the agent, undici alone, the handlers), both modes, before
   * Chromium starts: the measure of the goals that do not involve Chromium. The fields above are
   * phase 2, Chromium among them. Absent in runs recorded before the phases were split.
   */
  phase1?: Phase1;
  blockSize: number;
  blockCount: number;
  chromiumVersion?: string;
  iterations: number;
  warmup: number;
  /** Whether the reference system ran pinned to the server CPU and the agent's processes to the other (cpuSets). */
  pinned?: boolean;
  /** Sign-ins each Node contender made back to back before the measured modes (not counted in them). */
  jitWarmup: number;
  /** The same for Chromium (native code: its warm-up only shows that it has none to do). */
  chromiumWarmup?: number;
  /**
   * Those warm-up sign-ins' medians, the first and the last `WARMING_WINDOW` of them, per
   * contender, and (`atChromiumWarmup`) the `WARMING_WINDOW` up to Chromium's count, when a Node
   * contender's warm-up was longer: what a warm-up as short as Chromium's would have measured.
   */
  warming: Record<string, { first: number; last: number; count: number; atChromiumWarmup?: number }>;
  seconds: number;
  /** One signature timed back to back and after the one-by-one mode's idle time (bench/children/wake.ts). */
  wake?: WakeProbe;
}

function emptySide(): SideResult {
  return { latencies: [], outer: [], floors: [], rounds: [], requests: [], serverByPath: {}, errors: [] };
}

/** A started reference system in its own process (also used by the scale benchmark). */
export async function startSystemChild(dir: string, options: { keepAliveMs?: number; cpus?: string } = {}): Promise<{ child: Child; info: SystemInfo }> {
  const { keepAliveMs, cpus } = options;
  const child = new Child('system', { args: [JSON.stringify({ dir, ...(keepAliveMs === undefined ? {} : { keepAliveMs }) })], ...(cpus === undefined ? {} : { cpus }) });
  const info = await child.call<SystemInfo>('info');
  return { child, info };
}

interface Runner {
  signIn(nonce: string): Promise<{ ms: number; outer: number; token?: string; error?: string; connections?: number; cpuMicros?: number; timings?: HandlerTiming[] }>;
  close(): Promise<void>;
}

/** The agent with the reference IdP and RP as in-process handlers, in its own process (bench/children/handlers.ts). */
async function handlersRunner(dir: string, records: { endpoint: string; durationMs: number }[]): Promise<Runner> {
  const child = new Child('handlers', { args: [JSON.stringify({ dir, page: RP_BENCH_PAGE })], cpus: cpuSets().load });
  await child.call('ready');
  return {
    async signIn(nonce) {
      const t0 = performance.now();
      const r = await child.call<HandlersSignIn>('signIn', { nonce });
      const outer = performance.now() - t0;
      records.push(...r.records);
      return { ms: r.ms, outer, connections: r.connections, cpuMicros: r.cpuMicros, timings: r.timings, ...(r.token === undefined ? {} : { token: r.token }), ...(r.error === undefined ? {} : { error: r.error }) };
    },
    close: () => child.stop(),
  };
}

/** The agent in its own process (bench/children/agent.ts), and the raw client beside it. */
async function agentRunners(info: SystemInfo, records: { endpoint: string; durationMs: number }[]): Promise<{ agent: Runner; raw: Runner }> {
  const child = new Child('agent', { args: [JSON.stringify({ info, page: RP_BENCH_PAGE })], cpus: cpuSets().load });
  await child.call('ready');
  const runner = (call: 'signIn' | 'rawSignIn'): Runner => ({
    async signIn(nonce) {
      const t0 = performance.now();
      const r = await child.call<AgentSignIn>(call, { nonce });
      const outer = performance.now() - t0;
      records.push(...r.records);
      return { ms: r.ms, outer, connections: r.connections, cpuMicros: r.cpuMicros, ...(r.token === undefined ? {} : { token: r.token }), ...(r.error === undefined ? {} : { error: r.error }) };
    },
    close: async () => {},
  });
  // Either closes the child (the second close finds it gone), so --only works with either.
  return { agent: { ...runner('signIn'), close: () => child.stop() }, raw: { ...runner('rawSignIn'), close: () => child.stop() } };
}

interface DialogShown {
  dialogId: string;
  dialogType: string;
}

async function chromiumRunner(info: SystemInfo, profileDir: string): Promise<Runner & { version: string }> {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: false, // --headless=new below: the full browser, whose FedCM UI the FedCm domain drives
    timeout: 30_000,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP *.example:443 127.0.0.1:${info.port}`,
      '--ignore-certificate-errors',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  // The IdP session, through its login form (Chromium also records Set-Login: logged-in).
  await page.goto(info.loginURL);
  await page.fill('input[name="email"]', info.email);
  await page.fill('input[name="password"]', info.password);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type="submit"], input[type="submit"]')]);
  await page.goto(RP_BENCH_PAGE);
  const cdp = await context.newCDPSession(page);
  // Auto-select: answer each chooser the moment it is shown.
  cdp.on('FedCm.dialogShown', (d: DialogShown) => {
    if (d.dialogType === 'AccountChooser') void cdp.send('FedCm.selectAccount', { dialogId: d.dialogId, accountIndex: 0 }).catch(() => {});
    else if (d.dialogType === 'Error') void cdp.send('FedCm.clickDialogButton', { dialogId: d.dialogId, dialogButton: 'ErrorGotIt' }).catch(() => {});
    else void cdp.send('FedCm.dismissDialog', { dialogId: d.dialogId }).catch(() => {});
  });
  await cdp.send('FedCm.enable', { disableRejectionDelay: true });
  const version = (await cdp.send('Browser.getVersion')).product;
  return {
    version,
    async signIn(nonce) {
      const t0 = performance.now();
      const r = await page.evaluate(
        ([configURL, clientId, n]) => (window as unknown as { bench: (c: string, i: string, n: string) => Promise<{ ms: number; token?: string; error?: string }> }).bench(configURL, clientId, n),
        [info.configURL, info.clientId, nonce] as const,
      );
      return { ...r, outer: performance.now() - t0 };
    },
    close: () => context.close(),
  };
}

function byPathMedians(all: HandlerTiming[][]): Record<string, number> {
  const paths = new Map<string, number[]>();
  for (const one of all) for (const t of one) paths.set(`${t.method} ${t.path}`, [...(paths.get(`${t.method} ${t.path}`) ?? []), t.ms]);
  return Object.fromEntries([...paths].map(([k, v]) => [k, median(v)]));
}

/** The contenders in a different order for each round: rotated, and reversed every other round. */
function rotate<T>(items: readonly T[], round: number): T[] {
  const rotated = items.map((_, i) => items[(i + Math.floor(round / 2)) % items.length]!);
  return round % 2 === 0 ? rotated : rotated.reverse();
}

interface Contender {
  name: 'agent' | 'raw' | 'chromium' | 'handlers';
  runner: Runner;
}

/** One mode's measurements, per contender. */
class Tally {
  readonly sides = new Map<string, { side: SideResult; timings: HandlerTiming[][]; byEndpoint: Record<string, number[]> }>();

  side(name: string): { side: SideResult; timings: HandlerTiming[][]; byEndpoint: Record<string, number[]> } {
    let s = this.sides.get(name);
    if (!s) this.sides.set(name, (s = { side: emptySide(), timings: [], byEndpoint: {} }));
    return s;
  }

  finish(): Record<string, SideResult> {
    const out: Record<string, SideResult> = {};
    for (const [name, s] of this.sides) {
      s.side.serverByPath = byPathMedians(s.timings);
      if (name === 'agent' || name === 'handlers') s.side.clientByEndpoint = Object.fromEntries(Object.entries(s.byEndpoint).map(([k, v]) => [k, median(v)]));
      out[name] = s.side;
    }
    return out;
  }
}

/** How many warm-up sign-ins at each end the warm-up medians are taken over. */
export const WARMING_WINDOW = 50;

export async function benchSignIn(options: {
  iterations: number;
  warmup: number;
  /**
   * Sign-ins each contender makes back to back before the measured modes, so that every Node
   * process runs the code V8 optimizes after enough calls (as a long test run or a server does),
   * against Chromium's native code. Default 0.
   */
  jitWarmup?: number;
  /** Chromium's warm-up (its code is native: this only shows it has none to do). Default jitWarmup. */
  chromiumWarmup?: number;
  /** Back-to-back mode: blocks per contender and sign-ins per block (the first of each is not counted). */
  blocks: number;
  blockSize: number;
  maxSeconds: number;
  log: (s: string) => void;
  /** Run only these of the agent's process's two contenders (profiling one of them). Default both. */
  only?: 'agent' | 'raw';
  /** Leave Chromium out (the focused mode below, when only agent vs undici alone matters). Default true. */
  chromium?: boolean;
  /** Leave the in-process handlers contender out. Default true (in). */
  handlers?: boolean;
}): Promise<SignInResults> {
  const dir = mkdtempSync(join(tmpdir(), 'fedkit-bench-signin-'));
  // The reference system on the server CPU, the agent's process (and the handlers one) on the
  // other: a process that migrates between the two vCPUs while it waits made the ratios of one
  // run differ from the next's by more than the changes they measure (bench/lib/child.ts cpuSets).
  const { child, info } = await startSystemChild(join(dir, 'system'), { cpus: cpuSets().server });
  const started = performance.now();
  const agentRecords: { endpoint: string; durationMs: number }[] = [];
  const contenders: Contender[] = [];
  let chromiumVersion: string | undefined;
  let chromiumSkipped: string | undefined = `${CHROMIUM} is not installed (scripts/install-test-tools.sh)`;
  const handlersSkipped = options.handlers === false || options.only !== undefined ? 'left out (--no-handlers or --only)' : undefined;
  const tag = Date.now().toString(36);
  let n = 0;

  /** One sign-in by `c`, recorded in `tally` unless `record` is false. */
  const once = async (c: Contender, tally: Tally, record: boolean, round: number): Promise<void> => {
    agentRecords.length = 0;
    const result = await c.runner.signIn(`bench-${tag}-${c.name}-${n++}`);
    // The handlers contender's IdP runs in its own process, which reports its timings itself.
    const drained = await child.call<HandlerTiming[]>('drain');
    const timings = result.timings ?? drained;
    if (!record) return;
    const t = tally.side(c.name);
    if (result.error !== undefined || result.token === undefined) {
      t.side.errors.push(result.error ?? 'no token');
      return;
    }
    t.side.latencies.push(result.ms);
    t.side.rounds.push(round);
    t.side.outer.push(result.outer);
    if (result.connections !== undefined) (t.side.connections ??= []).push(result.connections);
    if (result.cpuMicros !== undefined) (t.side.cpuMicros ??= []).push(result.cpuMicros);
    t.side.floors.push(sum(timings.map((x) => x.ms)));
    t.timings.push(timings);
    if (t.side.requests.length === 0) t.side.requests = timings.map((x) => `${x.method} ${x.path} → ${x.status}`);
    if (c.name === 'agent' || c.name === 'handlers') for (const rec of agentRecords) (t.byEndpoint[rec.endpoint] ??= []).push(rec.durationMs);
  };
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

  // The JIT warm-up: each contender in turn, back to back; only its first and last few count, to
  // show what it changed.
  const jitWarmup = options.jitWarmup ?? 0;
  const chromiumWarmup = options.chromiumWarmup ?? jitWarmup;
  const warming: SignInResults['warming'] = {};
  const warmUp = async (c: Contender): Promise<void> => {
    const count = c.name === 'chromium' ? chromiumWarmup : jitWarmup;
    if (count === 0) return;
    const warm = new Tally();
    for (let k = 0; k < count; k++) await once(c, warm, true, k);
    const latencies = warm.side(c.name).side.latencies;
    if (latencies.length > 0) {
      const w: SignInResults['warming'][string] = { first: median(latencies.slice(0, WARMING_WINDOW)), last: median(latencies.slice(-WARMING_WINDOW)), count: latencies.length };
      if (latencies.length > chromiumWarmup && chromiumWarmup >= WARMING_WINDOW) w.atChromiumWarmup = median(latencies.slice(chromiumWarmup - WARMING_WINDOW, chromiumWarmup));
      warming[c.name] = w;
    }
    const at = warming[c.name]?.atChromiumWarmup;
    options.log(
      `  ${c.name.padEnd(8)} warm-up: ${count} sign-ins, median of the first ${WARMING_WINDOW} ${warming[c.name]?.first.toFixed(2)} ms, of the last ${WARMING_WINDOW} ${warming[c.name]?.last.toFixed(2)} ms` +
        (at === undefined ? '' : ` (${at.toFixed(2)} ms up to ${chromiumWarmup})`),
    );
    await settle();
  };

  /** Both modes over `contenders`: one by one (rounds), then alternating blocks. */
  const measure = async (contenders: readonly Contender[]): Promise<{ alternating: Record<string, SideResult>; blocks: Record<string, SideResult>; rounds: number }> => {
    const alternating = new Tally();
    const blocks = new Tally();
    let rounds = 0;
    const deadline = performance.now() + options.maxSeconds * 1000;
    // Mode 1, strict alternation: A B, B A, A B, … one sign-in at a time, with a pause after each
    // so that neither side's after-work lands in the other's measurement.
    for (let i = 0; i < options.warmup + options.iterations; i++) {
      if (i >= options.warmup && performance.now() > deadline) break;
      for (const c of rotate(contenders, i)) {
        await once(c, alternating, i >= options.warmup, i);
        await settle();
      }
      if (i >= options.warmup) rounds++;
    }
    // Mode 2, alternating blocks: each contender signs in `blockSize` times back to back (as a
    // test suite does), the blocks alternate; the first sign-in of a block is not counted.
    for (let b = 0; b < options.blocks; b++) {
      if (performance.now() > deadline + options.maxSeconds * 500) break;
      for (const c of rotate(contenders, b)) {
        for (let k = 0; k < options.blockSize; k++) await once(c, blocks, k > 0, b);
        await settle();
      }
    }
    return { alternating: alternating.finish(), blocks: blocks.finish(), rounds };
  };

  try {
    const { agent, raw } = await agentRunners(info, agentRecords);
    if (options.only !== 'raw') contenders.push({ name: 'agent', runner: agent });
    if (options.only !== 'agent') contenders.push({ name: 'raw', runner: raw });
    if (handlersSkipped === undefined) contenders.push({ name: 'handlers', runner: await handlersRunner(join(dir, 'handlers-system'), agentRecords) });
    await child.call('drain');
    for (const c of contenders) await warmUp(c);
    const phase1 = contenders.length;

    // Phase 1, the Node contenders by themselves: what compares fedkit with undici alone or with
    // the IdP's own time (issue 15 §3). Chromium's processes keep working between its sign-ins,
    // and interleaved with them every Node contender ran slower, each by its own factor, which
    // moved the ratios these goals compare (the report shows both phases).
    const first = await measure(contenders);

    // Phase 2: Chromium joins, for the comparisons with it.
    if (options.chromium === false) chromiumSkipped = 'left out (--no-chromium)';
    else if (existsSync(CHROMIUM)) {
      const runner = await chromiumRunner(info, join(dir, 'chromium-profile'));
      chromiumVersion = runner.version;
      chromiumSkipped = undefined;
      const chromium: Contender = { name: 'chromium', runner };
      contenders.push(chromium);
      await warmUp(chromium);
    }
    const all = contenders.length > phase1 ? await measure(contenders) : first;
    const measured = all.rounds;

    // What waking up costs here, in a process of its own (the one-by-one mode's idle, SETTLE_MS).
    const waker = new Child('wake');
    const wake = await waker.call<WakeProbe>('probe', { idleMs: SETTLE_MS, samples: 40 }).finally(() => waker.stop());
    options.log(`  waking up: one ES256 signature ${wake.backToBackUs.toFixed(0)} µs back to back, ${wake.afterIdleUs.toFixed(0)} µs after ${wake.idleMs} ms idle`);
    const summary = (s: SideResult | undefined): string =>
      s === undefined ? 'n/a' : `median ${median(s.latencies).toFixed(2)} ms, p99 ${percentile(s.latencies, 99).toFixed(2)} ms, floor ${median(s.floors).toFixed(2)} ms, ${s.errors.length} errors`;
    const a = all.alternating;
    const bl = all.blocks;
    for (const name of contenders.map((c) => c.name)) {
      options.log(`  ${name.padEnd(8)} one by one:   ${summary(a[name])}`);
      options.log(`  ${name.padEnd(8)} back to back: ${summary(bl[name])}`);
    }
    if (all !== first) {
      for (const name of contenders.slice(0, phase1).map((c) => c.name)) {
        options.log(`  ${name.padEnd(8)} one by one, phase 1 (without Chromium):   ${summary(first.alternating[name])}`);
        options.log(`  ${name.padEnd(8)} back to back, phase 1 (without Chromium): ${summary(first.blocks[name])}`);
      }
    }
    return {
      agent: a['agent'] ?? emptySide(),
      raw: a['raw'] ?? emptySide(),
      chromium: a['chromium'] ?? { skipped: chromiumSkipped ?? 'not run' },
      handlers: a['handlers'] ?? { skipped: handlersSkipped ?? 'not run' },
      blocks: {
        agent: bl['agent'] ?? emptySide(),
        raw: bl['raw'] ?? emptySide(),
        chromium: bl['chromium'] ?? { skipped: chromiumSkipped ?? 'not run' },
        handlers: bl['handlers'] ?? { skipped: handlersSkipped ?? 'not run' },
      },
      phase1: {
        agent: first.alternating['agent'] ?? emptySide(),
        raw: first.alternating['raw'] ?? emptySide(),
        handlers: first.alternating['handlers'] ?? { skipped: handlersSkipped ?? 'not run' },
        blocks: {
          agent: first.blocks['agent'] ?? emptySide(),
          raw: first.blocks['raw'] ?? emptySide(),
          handlers: first.blocks['handlers'] ?? { skipped: handlersSkipped ?? 'not run' },
        },
        iterations: first.rounds,
      },
      blockSize: options.blockSize,
      blockCount: options.blocks,
      ...(chromiumVersion === undefined ? {} : { chromiumVersion }),
      iterations: measured,
      warmup: options.warmup,
      pinned: child.pinned,
      jitWarmup,
      chromiumWarmup,
      warming,
      seconds: (performance.now() - started) / 1000,
      wake,
    };
  } finally {
    for (const c of contenders) await c.runner.close().catch(() => {});
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * This section alone: `node dist/bench/signin.js [--iterations N] [--blocks N] [--jit-warmup N] [--no-chromium]
 * [--no-handlers] [--only agent|raw]` (--only: one contender, for a profile of it alone; no ratio
 * then; the handlers contender is left out too). The in-process goals are printed last.
 * For working on the agent's cost: prints the agent / undici-alone ratio of both modes (and
 * Chromium's figures unless left out), nothing is written to docs/. BENCH_CPU_PROF=<dir>
 * profiles the children (bench/lib/child.ts).
 */
async function main(argv: string[]): Promise<void> {
  const args = benchArgs(
    'node dist/bench/signin.js',
    '[--iterations N] [--warmup N] [--jit-warmup N] [--chromium-warmup N] [--blocks N] [--block-size N] [--max-seconds N] [--no-chromium] [--no-handlers] [--only agent|raw]',
    {
      iterations: { type: 'string' },
      warmup: { type: 'string' },
      'jit-warmup': { type: 'string' },
      'chromium-warmup': { type: 'string' },
      blocks: { type: 'string' },
      'block-size': { type: 'string' },
      'max-seconds': { type: 'string' },
      'no-chromium': { type: 'boolean' },
      'no-handlers': { type: 'boolean' },
      only: { type: 'string' },
    },
    argv,
  );
  const only = args.text('only') === undefined ? undefined : args.choice('only', ['agent', 'raw'] as const, 'agent');
  const r = await benchSignIn({
    iterations: args.number('iterations', 40, 1),
    warmup: args.number('warmup', 5),
    jitWarmup: args.number('jit-warmup', 0),
    ...(args.text('chromium-warmup') === undefined ? {} : { chromiumWarmup: args.number('chromium-warmup', 0) }),
    blocks: args.number('blocks', 6, 1),
    blockSize: args.number('block-size', 11, 2),
    maxSeconds: args.number('max-seconds', 120, 1),
    chromium: !args.flag('no-chromium') && only === undefined,
    handlers: !args.flag('no-handlers'),
    ...(only === undefined ? {} : { only }),
    log: (line) => console.log(line),
  });
  const ratio = (a: SideResult, b: SideResult, mode: 'one by one' | 'back to back'): string =>
    a.latencies.length === 0 || b.latencies.length === 0
      ? 'n/a (one side left out)'
      : `${agentOverRaw(a, b, mode).toFixed(2)}× (medians ${median(a.latencies).toFixed(3)} / ${median(b.latencies).toFixed(3)} ms; within blocks ${agentOverRaw(a, b, 'back to back').toFixed(2)}×)`;
  const t = nodeSides(r);
  console.log(`agent / undici alone${t.phase1 ? ', phase 1' : ''}: ${ratio(t.agent, t.raw, 'one by one')} one by one (${t.agent.latencies.length} each), ${ratio(t.blocks.agent, t.blocks.raw, 'back to back')} back to back (${t.blocks.agent.latencies.length} each)`);
  if (t.phase1 && r.agent.latencies.length > 0 && r.raw.latencies.length > 0) {
    console.log(`agent / undici alone, phase 2 (every contender): ${ratio(r.agent, r.raw, 'one by one')} one by one, ${ratio(r.blocks.agent, r.blocks.raw, 'back to back')} back to back`);
  }
  const cpu = (a: SideResult, b: SideResult): string =>
    a.cpuMicros === undefined || b.cpuMicros === undefined || a.cpuMicros.length === 0 || b.cpuMicros.length === 0 ? 'n/a' : `${median(a.cpuMicros).toFixed(0)} / ${median(b.cpuMicros).toFixed(0)} µs = ${(median(a.cpuMicros) / median(b.cpuMicros)).toFixed(2)}×`;
  console.log(`client CPU per sign-in, agent / undici alone${t.phase1 ? ", phase 1" : ""}: ${cpu(t.agent, t.raw)} one by one, ${cpu(t.blocks.agent, t.blocks.raw)} back to back`);
  for (const [name, side] of [['agent', r.agent], ['undici alone', r.raw]] as const) if (side.requests.length > 0) console.log(`${name}: ${side.requests.join(', ')}`);
  const conns = (s: SideResult): string => (s.connections === undefined ? 'n/a' : median(s.connections).toFixed(1));
  console.log(`new connections per sign-in (median): agent ${conns(r.agent)} / ${conns(r.blocks.agent)}, undici alone ${conns(r.raw)} / ${conns(r.blocks.raw)} (one by one / back to back)`);
  for (const [k, v] of Object.entries(r.agent.clientByEndpoint ?? {})) console.log(`  agent ${k}: ${v.toFixed(2)} ms (median, client side)`);
  for (const side of [r.handlers, r.blocks.handlers]) {
    if (!('latencies' in side)) continue;
    const cpu = side.cpuMicros === undefined ? 'n/a' : `${median(side.cpuMicros).toFixed(0)} µs`;
    console.log(`handlers: CPU per sign-in (agent + IdP + RP, one process) ${cpu}; client side per endpoint: ${Object.entries(side.clientByEndpoint ?? {}).map(([k, v]) => `${k} ${v.toFixed(2)} ms`).join(', ')}; IdP handler per request: ${Object.entries(side.serverByPath).map(([k, v]) => `${k} ${v.toFixed(2)} ms`).join(', ')}`);
  }
  for (const line of handlersGoals(r)) console.log(line);
}

/**
 * The agent's latency over undici alone's, as the TLS goal is judged. Back to back, the median
 * over blocks of each block's ratio of medians: the two blocks of a round ran side by side, and
 * each block's median is itself steady, so the drift of the run cancels out. One by one, the
 * ratio of the two medians: a round holds one sign-in of each, each after an idle pause that
 * makes it noisy on its own, and a ratio of two such samples is too (its median drifts from
 * the ratio of the medians when the noise is skewed, as the wake-up after a pause makes it).
 */
export function agentOverRaw(agent: SideResult, raw: SideResult, mode: 'one by one' | 'back to back'): number {
  if (mode === 'one by one') return median(agent.latencies) / median(raw.latencies);
  return medianRoundRatio({ values: agent.latencies, rounds: agent.rounds ?? [] }, { values: raw.latencies, rounds: raw.rounds ?? [] });
}

/** The sides the goals without Chromium are judged on: phase 1 (the Node contenders by themselves) when the run has it. */
export function nodeSides(r: SignInResults): Phase1 & { phase1: boolean } {
  return r.phase1 === undefined
    ? { agent: r.agent, raw: r.raw, handlers: r.handlers, blocks: r.blocks, iterations: r.iterations, phase1: false }
    : { ...r.phase1, phase1: true };
}

/** The in-process goals of issue 15 §3, as `[goal, measured, met]` (met: true, false, or undefined when not measurable). */
export function handlersGoalRows(r: SignInResults): [string, string, boolean | undefined][] {
  const rows: [string, string, boolean | undefined][] = [];
  const msText = (v: number): string => `${v.toFixed(2)} ms`;
  // The floor goal from the Node contenders by themselves (phase 1), the Chromium goal from the
  // phase both ran in (phase 2).
  const node = nodeSides(r);
  const phase = node.phase1 ? 'phase 1, ' : '';
  for (const [mode, h1, h, c] of [
    ['alternating one by one', node.handlers, r.handlers, r.chromium],
    ['alternating blocks, back to back', node.blocks.handlers, r.blocks.handlers, r.blocks.chromium],
  ] as const) {
    if (!('latencies' in h1) || h1.latencies.length === 0) {
      const why = 'skipped' in h1 ? h1.skipped : 'no sign-in succeeded';
      rows.push([`Sign-in through handlers ≤ 2 × the IdP floor (${mode})`, why, undefined]);
    } else {
      const hm = median(h1.latencies);
      const floor = median(h1.floors);
      rows.push([`Sign-in through handlers ≤ 2 × the IdP floor (${mode})`, `${(hm / floor).toFixed(2)}× (${phase}${msText(hm)} vs floor ${msText(floor)})`, hm / floor <= 2]);
    }
    if (!('latencies' in h) || h.latencies.length === 0) {
      rows.push([`Sign-in through handlers ≥ 10 × faster than Chromium's native FedCM (${mode})`, 'skipped' in h ? h.skipped : 'no sign-in succeeded', undefined]);
    } else if ('latencies' in c && c.latencies.length > 0) {
      const hm = median(h.latencies);
      const cm = median(c.latencies);
      rows.push([`Sign-in through handlers ≥ 10 × faster than Chromium's native FedCM (${mode})`, `${(cm / hm).toFixed(2)}× (${msText(hm)} vs ${msText(cm)})`, cm / hm >= 10]);
    } else {
      rows.push([`Sign-in through handlers ≥ 10 × faster than Chromium's native FedCM (${mode})`, 'skipped' in c ? `Chromium ${c.skipped}` : 'Chromium: no sign-in succeeded', undefined]);
    }
  }
  return rows;
}

function handlersGoals(r: SignInResults): string[] {
  return handlersGoalRows(r).map(([goal, measured, met]) => `${goal}: ${measured} — ${met === undefined ? 'n/a' : met ? 'met' : 'MISSED'}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
