// fedkit's agent signing in through in-process handlers, for the sign-in latency benchmark: the
// same reference IdP and RP as the other contenders (src/cli/system.ts, the same front routes as
// bench/children/system.ts: the /bench page, /__bench/session, timing of every IdP handler call),
// but in this process, handed to the agent as `createAgent({ handlers })`: no TCP, no TLS. The
// IdP floor is the same measure as the system child's: each IdP handler call on the kit's Node
// path, LightRequest in → LightReply out.

import { join } from 'node:path';
import { autoSelect, createAgent, IdentityCredential, type FetchRecord, type Frame, type InProcessHandler } from '../../src/agent/index.js';
import { CLIENT_ID, DEMO_USER, IDP_ORIGIN, RP_ORIGIN, startSystem } from '../../src/cli/system.js';
import { LIGHT_HANDLER, lightFromResponse, lightHandlerOf, type ConnectionInfo, type LightReply, type LightRequest } from '../../src/common/light-http.js';
import { openStore } from '../../src/idp/index.js';
import { childArgument, serveChild } from '../lib/child.js';
import { BENCH_PAGE } from '../lib/bench-page.js';
import { BENCH_SESSION_PATH, benchSession } from '../lib/bench-session.js';
import type { AgentSignIn } from './agent.js';
import type { HandlerTiming } from './system.js';

/** A handlers sign-in: the agent's figures plus the IdP handler timings of this process. */
export interface HandlersSignIn extends AgentSignIn {
  timings: HandlerTiming[];
}

const { dir, page: pageURL } = childArgument<{ dir: string; page: string }>();
// The reference system is started as `fedkit demo` starts it (its own listener stays idle: the
// agent below never reaches it); its IdP and RP handlers are what the agent calls.
const system = await startSystem({ dir });
const store = await openStore(join(dir, 'idp.db'));
let timings: HandlerTiming[] = [];

const idpLight = lightHandlerOf(system.idp)!;
// The agent's in-process transport takes the IdP kit's Node path (LightHandler) when the handler
// has one, as a server does: the floor is that path's time, each call LightRequest in → LightReply
// out. The web function stays for anything that asks for it.
const idpHandler: InProcessHandler = Object.assign(
  async (request: Request, info: { remoteAddress?: string }) => (new URL(request.url).pathname === BENCH_SESSION_PATH ? benchSession(store) : system.idp(request, info)),
  {
    [LIGHT_HANDLER]: async (request: LightRequest, info: ConnectionInfo): Promise<LightReply> => {
      if (request.pathname === BENCH_SESSION_PATH) return lightFromResponse(await benchSession(store));
      const t0 = performance.now();
      const reply = await idpLight(request, info);
      timings.push({ method: request.method, path: request.pathname, status: reply.status, ms: performance.now() - t0 });
      return reply;
    },
  },
);
const rpHandler: InProcessHandler = (request) => {
  const url = new URL(request.url);
  if (url.pathname === '/bench') return new Response(BENCH_PAGE, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
  return system.rp.fetch(request);
};

const records: FetchRecord[] = [];
const agent = createAgent({ handlers: { [IDP_ORIGIN]: idpHandler, [RP_ORIGIN]: rpHandler }, rejectionDelay: false, mediator: autoSelect(0) });
agent.on('fetch', (r) => records.push(r));

// The IdP session, through its login form (as the agent child does).
const loginURL = system.idp.urls.login;
const login = await agent.open(loginURL);
const csrf = /name="csrf" value="([^"]+)"/.exec(login.response?.body ?? '')?.[1];
if (csrf === undefined) throw new Error('the IdP login page has no CSRF field');
const signedIn = await login.fetch(loginURL, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ csrf, email: DEMO_USER.email, password: DEMO_USER.password }).toString(),
});
if (signedIn.status >= 400) throw new Error(`handlers: signing in at the IdP failed (${signedIn.status})`);
login.close();
const page: Frame = await agent.open(pageURL);
const credentials = page.navigator.credentials!;
timings = [];

serveChild({
  ready: () => true,
  signIn: async ({ nonce }: { nonce: string }): Promise<HandlersSignIn> => {
    records.length = 0;
    timings = [];
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let result: { token?: string; error?: string };
    try {
      const c = await credentials.get({ identity: { providers: [{ configURL: system.configURL, clientId: CLIENT_ID, params: { nonce } }] }, mediation: 'required' });
      result = c instanceof IdentityCredential && typeof c.token === 'string' ? { token: c.token } : { error: 'no token' };
    } catch (e) {
      result = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const mine = timings;
    timings = [];
    return { ms, ...result, records: records.map((r) => ({ endpoint: r.endpoint, durationMs: r.durationMs })), connections: 0, cpuMicros: cpu.user + cpu.system, timings: mine };
  },
  close: async () => {
    await agent.close();
    await store.close();
    await system.close();
  },
});
