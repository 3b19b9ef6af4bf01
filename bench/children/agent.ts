// fedkit's agent for the sign-in latency benchmark, in its own process (as Chromium is in its
// own): signs in at the IdP through its login form once, opens the RP page, then runs one
// timed get() per call from the parent.

import { subscribe } from 'node:diagnostics_channel';
import { autoSelect, createAgent, IdentityCredential, type FetchRecord, type Frame } from '../../src/agent/index.js';
import { createDispatcher } from '../../src/common/dispatcher.js';
import { childArgument, serveChild } from '../lib/child.js';
import type { SystemInfo } from './system.js';

export interface AgentSignIn {
  /** get() → token, ms, timed around the call. */
  ms: number;
  token?: string;
  error?: string;
  /** The agent's fetch records of this sign-in (endpoint, duration). */
  records: { endpoint: string; durationMs: number }[];
  /** CPU time of this process during the sign-in, µs (user + system): the client's own cost, robust to a loaded machine. */
  cpuMicros: number;
  /** New connections (TCP + TLS handshakes) this sign-in opened: undici's client:connected events. */
  connections: number;
}

// Connections opened, whoever opened them (the agent's pool, its resends, or the raw client).
let connections = 0;
subscribe('undici:client:connected', () => {
  connections++;
});

const { info, page: pageURL } = childArgument<{ info: SystemInfo; page: string }>();
const records: FetchRecord[] = [];
const agent = createAgent({ hostRules: info.hostRules, ca: info.ca, rejectionDelay: false, mediator: autoSelect(0) });
agent.on('fetch', (r) => records.push(r));

// The IdP session, through its login form (as runDemoSignIn does).
const login = await agent.open(info.loginURL);
const csrf = /name="csrf" value="([^"]+)"/.exec(login.response?.body ?? '')?.[1];
if (csrf === undefined) throw new Error('the IdP login page has no CSRF field');
const signedIn = await login.fetch(info.loginURL, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ csrf, email: info.email, password: info.password }).toString(),
});
if (signedIn.status >= 400) throw new Error(`agent: signing in at the IdP failed (${signedIn.status})`);
login.close();
const page: Frame = await agent.open(pageURL);
const credentials = page.navigator.credentials!;

// The transport floor: the same four requests (well-known and config in parallel, accounts, then
// the assertion), with the headers FedCM sends and the session cookie, straight through undici on
// the same kind of dispatcher the agent uses (TLS, host rules, keep-alive), and no FedCM logic.
const dispatcher = createDispatcher({ hostRules: info.hostRules, ca: info.ca });
const idpOrigin = new URL(info.configURL).origin;
const rpOrigin = new URL(pageURL).origin;
async function request(path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string; setCookie: string[] }> {
  const res = await dispatcher.request({ origin: idpOrigin, path, method: body === undefined ? 'GET' : 'POST', headers, body: body ?? null });
  const text = await res.body.text();
  const raw = res.headers['set-cookie'];
  return { status: res.statusCode, text, setCookie: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw] };
}
const session = await request('/__bench/session', { 'sec-fetch-dest': 'document' });
const cookie = session.setCookie.map((c) => c.split(';')[0]).join('; ');
const webidentity = { accept: 'application/json', 'sec-fetch-dest': 'webidentity' };
const configPath = new URL(info.configURL).pathname;

async function rawSignIn(nonce: string): Promise<{ token?: string; error?: string }> {
  const [wellKnown, config] = await Promise.all([
    request('/.well-known/web-identity', { ...webidentity, 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'cross-site' }),
    request(configPath, { ...webidentity, 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'cross-site' }),
  ]);
  const endpoints = JSON.parse(config.text) as { accounts_endpoint: string; id_assertion_endpoint: string };
  if (wellKnown.status !== 200 || !(JSON.parse(wellKnown.text) as { provider_urls?: string[] }).provider_urls?.includes(info.configURL)) return { error: 'well-known' };
  const accounts = await request(new URL(endpoints.accounts_endpoint, info.configURL).pathname, { ...webidentity, cookie, 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'none' });
  const account = (JSON.parse(accounts.text) as { accounts: { id: string }[] }).accounts[0];
  if (account === undefined) return { error: 'no account' };
  const form = new URLSearchParams({ account_id: account.id, client_id: info.clientId, params: JSON.stringify({ nonce }), disclosure_text_shown: 'false', is_auto_selected: 'false' });
  const assertion = await request(
    new URL(endpoints.id_assertion_endpoint, info.configURL).pathname,
    { ...webidentity, cookie, origin: rpOrigin, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'cross-site' },
    form.toString(),
  );
  const token = (JSON.parse(assertion.text) as { token?: unknown }).token;
  return typeof token === 'string' ? { token } : { error: `assertion ${assertion.status}` };
}

serveChild({
  ready: () => true,
  signIn: async ({ nonce }: { nonce: string }): Promise<AgentSignIn> => {
    records.length = 0;
    connections = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let result: { token?: string; error?: string };
    try {
      const c = await credentials.get({ identity: { providers: [{ configURL: info.configURL, clientId: info.clientId, params: { nonce } }] }, mediation: 'required' });
      result = c instanceof IdentityCredential && typeof c.token === 'string' ? { token: c.token } : { error: 'no token' };
    } catch (e) {
      result = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    return { ms, ...result, records: records.map((r) => ({ endpoint: r.endpoint, durationMs: r.durationMs })), connections, cpuMicros: cpu.user + cpu.system };
  },
  rawSignIn: async ({ nonce }: { nonce: string }): Promise<AgentSignIn> => {
    connections = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let result: { token?: string; error?: string };
    try {
      result = await rawSignIn(nonce);
    } catch (e) {
      result = { error: e instanceof Error ? e.message : String(e) };
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    return { ms, ...result, records: [], connections, cpuMicros: cpu.user + cpu.system };
  },
  close: async () => {
    await agent.close();
    await dispatcher.close();
  },
});
