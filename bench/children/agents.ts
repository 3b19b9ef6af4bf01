// Memory of the agent (run with --expose-gc): per open page, per agent, and per sign-in in
// flight, as process.memoryUsage() deltas after full collections. 1,000 concurrent sign-ins
// take 1,000 agents (an agent has one chooser surface, as a browser tab does): each agent gets
// an IdP session and the RP page, then all call get() at once; a mediator holds every chooser
// until all 1,000 are shown (the peak: config, well-known, accounts fetched and held), and
// then answers them all.

import { autoSelect, createAgent, IdentityCredential, type Agent, type Dialog, type DialogAction, type Frame, type Mediator } from '../../src/agent/index.js';
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
  const options = { hostRules: info.hostRules, ca: info.ca, rejectionDelay: false };

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

  // Agents, each with a session and the RP page.
  const base = await sample();
  let shown = 0;
  let releaseAll!: () => void;
  const released = new Promise<void>((resolve) => (releaseAll = resolve));
  let allShown!: () => void;
  const everyChooser = new Promise<void>((resolve) => (allShown = resolve));
  const held: Mediator = {
    async choose(dialog: Dialog): Promise<DialogAction> {
      if (dialog.dialogType !== 'AccountChooser') return { action: 'cancel' };
      if (++shown === count) allShown();
      await released;
      return { action: 'selectAccount', accountIndex: 0 };
    },
  };
  const agents: Agent[] = [];
  const rpPages: Frame[] = [];
  const diagnostics: string[] = [];
  await pool(
    Array.from({ length: count }, (_, i) => i),
    50,
    async () => {
      const agent = createAgent({ ...options, mediator: held });
      agent.on('diagnostic', (d) => {
        if (d.level === 'error') diagnostics.push(`${d.reason}: ${d.detail}`);
      });
      agents.push(agent);
      (await agent.open(sessionURL)).close();
      rpPages.push(await agent.open(rpURL));
    },
  );
  const idle = await sample();

  // All sign-ins at once.
  const errors: string[] = [];
  let succeeded = 0;
  const t0 = performance.now();
  const tag = Date.now().toString(36);
  const flights = rpPages.map((page, i) =>
    page.navigator.credentials!.get({ identity: { providers: [{ configURL: info.configURL, clientId: info.clientId, params: { nonce: `scale-${tag}-${i}` } }] }, mediation: 'required' }).then(
      (c) => {
        if (c instanceof IdentityCredential && typeof c.token === 'string') succeeded++;
        else errors.push('no token');
      },
      (e: unknown) => {
        const code = (e as { error?: unknown }).error;
        errors.push(e instanceof Error ? `${e.name}: ${e.message}${typeof code === 'string' && code !== '' ? ` (${code})` : ''}` : String(e));
        if (shown + errors.length === count) allShown();
      },
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([everyChooser, new Promise<void>((resolve) => (timer = setTimeout(resolve, 120_000)))]);
  clearTimeout(timer);
  const t1 = performance.now();
  if (shown + errors.length < count) errors.push(`only ${shown} of ${count} choosers were shown within 120 s`);
  const peak = await sample();
  const t2 = performance.now();
  releaseAll();
  await Promise.all(flights);
  const t3 = performance.now();
  for (const a of agents) await a.close();
  agents.length = 0;
  rpPages.length = 0;
  const end = await sample();

  return {
    pages,
    perPage: per(beforePages, afterPages, pages),
    agents: count,
    perAgent: per(base, idle, count),
    perSignIn: per(idle, peak, count),
    concurrent: count,
    succeeded,
    errors: [...new Set(errors)].slice(0, 5),
    diagnostics: [...new Set(diagnostics)].slice(0, 5),
    toChoosersMs: t1 - t0,
    toTokensMs: t3 - t2,
    leftAfterClose: per(start, end, 1),
  };
}

serveChild({ run: (payload: { info: SystemInfo; pages: number; agents: number }) => run(payload) });
