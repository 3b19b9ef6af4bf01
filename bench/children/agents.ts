// Memory of the agent (run with --expose-gc): per open page, per agent, and per sign-in in
// flight, as process.memoryUsage() deltas after full collections. N concurrent sign-ins take N
// agents (an agent has one chooser surface, as a browser tab does): each agent gets an IdP
// session and the RP page, then all call get() at once; a mediator holds every chooser until all
// N are shown (the peak: config, well-known, accounts fetched and held), and then answers them
// all.
//
// The IdP is the system child's, over TLS; the RP's page is served in this process through
// `handlers` (issue 15 §4): at 10,000 agents, two sockets per agent (RP and IdP) would reach the
// process's 20,000 descriptors, and the RP is not what is measured.

import { autoSelect, createAgent, IdentityCredential, type Agent, type Dialog, type DialogAction, type Frame, type Mediator } from '../../src/agent/index.js';
import { BENCH_PAGE } from '../lib/bench-page.js';
import { serveChild } from '../lib/child.js';
import type { SystemInfo } from './system.js';

export interface MemorySample {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

export interface AgentsResult {
  pages: number;
  /** Bytes per page (heapUsed + external), one agent. */
  perPage: MemorySample;
  agents: number;
  /** Bytes per agent with its IdP session and the RP page open (idle). */
  perAgent: MemorySample;
  /** Bytes per in-flight sign-in (all waiting at the chooser), and for all of them. */
  perSignIn: MemorySample;
  /** Sign-ins held at their chooser at the same time, at the peak (all of them when all went well). */
  concurrent: number;
  succeeded: number;
  errors: string[];
  /** The agents' error diagnostics (distinct, first five): why a sign-in failed. */
  diagnostics: string[];
  /** From the get() calls to the last chooser shown, and from the answers to the last token, ms. */
  toChoosersMs: number;
  toTokensMs: number;
  /** heapUsed + external left after closing every agent, vs the start. */
  leftAfterClose: MemorySample;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function sample(): Promise<MemorySample> {
  if (!gc) throw new Error('run with --expose-gc');
  // Several passes with turns of the event loop in between, so finalizers and weak callbacks run.
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

function per(a: MemorySample, b: MemorySample, n: number): MemorySample {
  return {
    heapUsed: (b.heapUsed - a.heapUsed) / n,
    external: (b.external - a.external) / n,
    arrayBuffers: (b.arrayBuffers - a.arrayBuffers) / n,
    rss: (b.rss - a.rss) / n,
  };
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function run({ info, pages, agents: count }: { info: SystemInfo; pages: number; agents: number }): Promise<AgentsResult> {
  const sessionURL = 'https://idp.example/__bench/session';
  const rpURL = 'https://rp.example/bench';
  const rpPage = (): Response => new Response(BENCH_PAGE, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
  const options = { hostRules: info.hostRules, ca: info.ca, rejectionDelay: false, handlers: { 'https://rp.example': rpPage } } as const;

  // Warm everything once (module state, JIT, the TLS context) so it is not charged to the first page.
  {
    const agent = createAgent({ ...options, mediator: autoSelect(0) });
    await agent.open(sessionURL);
    const page = await agent.open(rpURL);
    await page.navigator.credentials!.get({ identity: { providers: [{ configURL: info.configURL, clientId: info.clientId, params: { nonce: `warm-${Date.now()}` } }] }, mediation: 'required' });
    await agent.close();
  }
  const start = await sample();

  // Pages: one agent, `pages` loaded RP pages.
  const single = createAgent({ ...options, mediator: autoSelect(0) });
  await single.open(sessionURL);
  await single.open(rpURL);
  const beforePages = await sample();
  const opened: Frame[] = [];
  for (let i = 0; i < pages; i++) opened.push(await single.open(rpURL));
  const afterPages = await sample();
  await single.close();
  opened.length = 0;

  // Agents, each with a session and the RP page. Agent i's mediator tells when its chooser is
  // shown and holds it until released.
  const base = await sample();
  let shown = 0;
  const arrived: (() => void)[] = [];
  const arrivals: Promise<void>[] = [];
  const releases: (() => void)[] = [];
  const agents: Agent[] = [];
  const rpPages: Frame[] = [];
  const diagnostics: string[] = [];
  for (let i = 0; i < count; i++) arrivals.push(new Promise<void>((resolve) => (arrived[i] = resolve)));
  const heldAt = (i: number): Mediator => ({
    async choose(dialog: Dialog): Promise<DialogAction> {
      if (dialog.dialogType !== 'AccountChooser') return { action: 'cancel' };
      shown++;
      await new Promise<void>((resolve) => {
        releases[i] = resolve;
        arrived[i]!();
      });
      return { action: 'selectAccount', accountIndex: 0 };
    },
  });
  await pool(
    Array.from({ length: count }, (_, i) => i),
    50,
    async (i) => {
      const agent = createAgent({ ...options, mediator: heldAt(i) });
      agent.on('diagnostic', (d) => {
        if (d.level === 'error') diagnostics.push(`${d.reason}: ${d.detail}`);
      });
      agents[i] = agent;
      (await agent.open(sessionURL)).close();
      rpPages[i] = await agent.open(rpURL);
    },
  );
  const idle = await sample();

  // The sign-ins: each get() is started once fewer than RAMP others are on their way to the
  // chooser, so the IdP process (one core) is not asked for 10,000 TLS handshakes in the same
  // second; every sign-in stays in flight at its chooser until all have arrived (the peak), so
  // all `count` are in flight at once. Then they are answered, RAMP at a time.
  const RAMP = 500;
  const errors: string[] = [];
  let succeeded = 0;
  const tag = Date.now().toString(36);
  // The burst is CPU-bound in this process (~10 ms of agent work per sign-in on a loaded core).
  const deadline = performance.now() + Math.max(120_000, count * 40);
  const flights: Promise<void>[] = [];
  const t0 = performance.now();
  await pool(
    Array.from({ length: count }, (_, i) => i),
    RAMP,
    async (i) => {
      if (performance.now() > deadline) return;
      flights[i] = rpPages[i]!.navigator.credentials!.get({ identity: { providers: [{ configURL: info.configURL, clientId: info.clientId, params: { nonce: `scale-${tag}-${i}` } }] }, mediation: 'required' }).then(
        (c) => {
          if (c instanceof IdentityCredential && typeof c.token === 'string') succeeded++;
          else errors.push('no token');
        },
        (e: unknown) => {
          const code = (e as { error?: unknown }).error;
          errors.push(e instanceof Error ? `${e.name}: ${e.message}${typeof code === 'string' && code !== '' ? ` (${code})` : ''}` : String(e));
        },
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([arrivals[i], flights[i], new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))))]);
      clearTimeout(timer);
    },
  );
  const t1 = performance.now();
  const heldAtOnce = shown;
  if (shown < count) errors.push(`only ${shown} of ${count} choosers were shown within ${Math.round((t1 - t0) / 1000)} s`);
  const peak = await sample();
  const t2 = performance.now();
  await pool(
    Array.from({ length: count }, (_, i) => i),
    RAMP,
    async (i) => {
      releases[i]?.();
      await flights[i];
    },
  );
  const t3 = performance.now();
  for (const a of agents) await a.close();
  agents.length = 0;
  rpPages.length = 0;
  flights.length = 0;
  arrivals.length = 0;
  arrived.length = 0;
  releases.length = 0;
  const end = await sample();

  return {
    pages,
    perPage: per(beforePages, afterPages, pages),
    agents: count,
    perAgent: per(base, idle, count),
    perSignIn: per(idle, peak, count),
    concurrent: heldAtOnce,
    succeeded,
    errors: [...new Set(errors)].slice(0, 5),
    diagnostics: [...new Set(diagnostics)].slice(0, 5),
    toChoosersMs: t1 - t0,
    toTokensMs: t3 - t2,
    leftAfterClose: per(start, end, 1),
  };
}

serveChild({ run: (payload: { info: SystemInfo; pages: number; agents: number }) => run(payload) });
