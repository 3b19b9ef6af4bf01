// The agent's fetcher against undici alone, for the four requests of one FedCM sign-in
// (well-known ∥ config, accounts, ID assertion), in one process against the reference system
// in another: the network layer's own cost, without the FedCM algorithm or the page API.
// Interleaved rounds (A B, B A, …), medians, and the median of per-round ratios.
//
//   node dist/bench/net.js [--rounds N] [--only agent|raw]   (BENCH_CPU_PROF=<dir> profiles the system child)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cookies, Fetcher } from '../src/agent/net/index.js';
import type { AgentRequest } from '../src/agent/net/index.js';
import { createDispatcher } from '../src/common/dispatcher.js';
import { median } from './lib/stats.js';
import { startSystemChild } from './signin.js';
import { benchArgs } from './lib/args.js';

const args = benchArgs('node dist/bench/net.js', '[--rounds N] [--only agent|raw]', { rounds: { type: 'string' }, only: { type: 'string' } });
const rounds = args.number('rounds', 400, 1);
/** --only agent|raw: one contender (for a CPU profile of it alone: node --cpu-prof); no figures then. */
const only = args.text('only') === undefined ? undefined : args.choice('only', ['agent', 'raw'] as const, 'agent');
const dir = mkdtempSync(join(tmpdir(), 'fedkit-bench-net-'));
const { child, info } = await startSystemChild(join(dir, 'system'));
const idp = new URL(info.configURL).origin;
const rp = 'https://rp.example';
const dispatcher = createDispatcher({ hostRules: info.hostRules, ca: info.ca });
const session = await dispatcher.request({ origin: idp, path: '/__bench/session', method: 'GET', headers: { 'sec-fetch-dest': 'document' } });
await session.body.dump();
const setCookie = ([] as string[]).concat(session.headers['set-cookie'] ?? []);
const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
const cookies = new Cookies();
for (const line of setCookie) await cookies.set(idp, line);
const fetcher = new Fetcher({ hostRules: info.hostRules, ca: info.ca, cookies });
const accountsPath = '/fedcm/accounts';
const assertionPath = '/fedcm/assertion';
const configPath = new URL(info.configURL).pathname;
const form = (nonce: string): string =>
  new URLSearchParams({ account_id: 'jane', client_id: info.clientId, params: JSON.stringify({ nonce }), disclosure_text_shown: 'false', is_auto_selected: 'false' }).toString();

async function raw(path: string, headers: Record<string, string>, body?: string): Promise<unknown> {
  const res = await dispatcher.request({ origin: idp, path, method: body === undefined ? 'GET' : 'POST', headers, body: body ?? null });
  return JSON.parse(await res.body.text());
}
const webidentity = { accept: 'application/json', 'sec-fetch-dest': 'webidentity' };
async function rawRound(n: number): Promise<void> {
  await Promise.all([
    raw('/.well-known/web-identity', { ...webidentity, 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'cross-site' }),
    raw(configPath, { ...webidentity, 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'cross-site' }),
  ]);
  await raw(accountsPath, { ...webidentity, cookie, 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'none' });
  await raw(assertionPath, { ...webidentity, cookie, origin: rp, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'cross-site' }, form(`r${n}`));
}

const base = (path: string, extra: Partial<AgentRequest>): AgentRequest => ({
  url: new URL(path, idp), method: 'GET', headers: { accept: 'application/json' }, credentials: 'omit', initiator: null,
  mode: 'no-cors', destination: 'webidentity', redirect: 'error', ...extra,
});
async function agent(req: AgentRequest): Promise<unknown> {
  const res = await fetcher.fetch(req);
  return JSON.parse(new TextDecoder().decode(res.body));
}
async function agentRound(n: number): Promise<void> {
  await Promise.all([agent(base('/.well-known/web-identity', {})), agent(base(configPath, {}))]);
  await agent(base(accountsPath, { credentials: 'include', initiator: rp, siteForCookies: new URL(idp) }));
  await agent(base(assertionPath, {
    method: 'POST', credentials: 'include', initiator: rp, siteForCookies: new URL(idp), mode: 'cors', redirect: 'error',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', origin: rp }, body: form(`a${n}`),
  }));
}

const times = { agent: [] as number[], raw: [] as number[] };
/** This process's CPU time per round (user + system, µs): the client's own cost, far less noisy than latency here. */
const cpu = { agent: [] as number[], raw: [] as number[] };
const ratios: number[] = [];
const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
for (let i = 0; i < rounds + 20; i++) {
  const both = i % 2 === 0 ? (['agent', 'raw'] as const) : (['raw', 'agent'] as const);
  const order = only === undefined ? both : [only];
  const t: Record<string, number> = {};
  const c: Record<string, number> = {};
  for (const who of order) {
    await pause();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await (who === 'agent' ? agentRound(i) : rawRound(i));
    t[who] = performance.now() - t0;
    const used = process.cpuUsage(c0);
    c[who] = used.user + used.system;
  }
  if (i < 20) continue;
  if (only !== undefined) continue;
  cpu.agent.push(c['agent']!);
  cpu.raw.push(c['raw']!);
  times.agent.push(t['agent']!);
  times.raw.push(t['raw']!);
  ratios.push(t['agent']! / t['raw']!);
}
await child.call('drain');
if (only === undefined) console.log(`client CPU per round: fetcher ${median(cpu.agent).toFixed(0)} µs, undici alone ${median(cpu.raw).toFixed(0)} µs, ${(median(cpu.agent) / median(cpu.raw)).toFixed(3)}×`);
if (only === undefined) console.log(`fetcher ${median(times.agent).toFixed(3)} ms, undici alone ${median(times.raw).toFixed(3)} ms per sign-in's four requests; ratio of medians ${(median(times.agent) / median(times.raw)).toFixed(3)}×, median of per-round ratios ${median(ratios).toFixed(3)}× (${rounds} rounds)`);
await fetcher.close();
await dispatcher.close();
await child.stop();
rmSync(dir, { recursive: true, force: true });
