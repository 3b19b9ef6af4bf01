// The reference system (`fedkit demo`'s IdP and RP, src/cli/system.ts) for the sign-in and
// memory benchmarks, in its own process so the measured client never shares an event loop with
// the server. A front listener (HTTPS, the system's CA and certificate) routes exactly as the
// system does and adds:
//   - timing of every IdP handler call (on the kit's Node path, LightRequest in → LightReply out,
//     in this process): the floor;
//   - https://rp.example/bench: a page whose window.bench() calls navigator.credentials.get();
//   - https://idp.example/__bench/session: a session for the demo user without the password form
//     (many agents need one; the form's scrypt would dominate the memory benchmark's set-up).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIGHT_HANDLER, lightFromResponse, lightHandlerOf, type ConnectionInfo, type LightReply, type LightRequest } from '../../src/common/light-http.js';
import { serve } from '../../src/common/node-server.js';
import { CLIENT_ID, DEMO_USER, startSystem } from '../../src/cli/system.js';
import { openStore } from '../../src/idp/index.js';
import { BENCH_PAGE } from '../lib/bench-page.js';
import { BENCH_SESSION_PATH, benchSession } from '../lib/bench-session.js';
import { childArgument, serveChild } from '../lib/child.js';

export interface SystemInfo {
  port: number;
  hostRules: Record<string, string>;
  ca: string;
  configURL: string;
  loginURL: string;
  clientId: string;
  email: string;
  password: string;
}

export interface HandlerTiming {
  method: string;
  path: string;
  status: number;
  ms: number;
}

// The page is shared with the handlers contender (bench/children/handlers.ts), which cannot import
// this module (importing a child runs it).
export { BENCH_PAGE };

const { dir, keepAliveMs } = childArgument<{ dir: string; keepAliveMs?: number }>();
const system = await startSystem({ dir });
const store = await openStore(join(dir, 'idp.db'));
let timings: HandlerTiming[] = [];

const idpLight = lightHandlerOf(system.idp)!;
/** The RP and the benchmark's own routes: web handlers. */
const web = async (request: Request, info: ConnectionInfo = {}): Promise<Response> => {
  const url = new URL(request.url);
  if (url.hostname === 'rp.example') {
    if (url.pathname === '/bench') return new Response(BENCH_PAGE, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
    return system.rp.fetch(request);
  }
  if (url.pathname === BENCH_SESSION_PATH) return benchSession(store);
  return system.idp(request, info);
};
// serve() takes the front's Node path (LightHandler): the IdP's requests reach the IdP kit's
// own Node path, as they do behind toNodeListener in production, timed LightRequest in →
// LightReply out; the RP's (a Hono app, web only) go through a Request and a Response.
const front = await serve(
  Object.assign(web, {
    [LIGHT_HANDLER]: async (request: LightRequest, info: ConnectionInfo): Promise<LightReply> => {
      const host = new URL(request.url).hostname;
      if (host === 'rp.example' || request.pathname === BENCH_SESSION_PATH) return lightFromResponse(await web(request.toRequest()));
      const t0 = performance.now();
      const reply = await idpLight(request, info);
      timings.push({ method: request.method, path: request.pathname, status: reply.status, ms: performance.now() - t0 });
      return reply;
    },
  }),
  { tls: { cert: readFileSync(join(dir, 'server.pem')), key: readFileSync(join(dir, 'server-key.pem')) } },
);

// Idle keep-alive connections are closed after this long (node:http's default is 5 s; the memory
// benchmark holds 1,000 sign-ins at the chooser for longer than that).
front.server.keepAliveTimeout = keepAliveMs ?? 60_000;
const port = front.port;
let connections = 0;
front.server.on('secureConnection', () => connections++);
serveChild({
  info: (): SystemInfo => ({
    port,
    hostRules: { '*.example:443': `127.0.0.1:${port}`, 'example:443': `127.0.0.1:${port}` },
    ca: system.ca,
    configURL: system.configURL,
    loginURL: system.idp.urls.login,
    clientId: CLIENT_ID,
    email: DEMO_USER.email,
    password: DEMO_USER.password,
  }),
  /** The IdP handler timings since the last drain. */
  drain: (): HandlerTiming[] => {
    const out = timings;
    timings = [];
    return out;
  },
  memory: () => process.memoryUsage(),
  /** TLS connections accepted so far. */
  connections: () => connections,
  close: async () => {
    await front.close();
    await store.close();
    await system.close();
  },
});
