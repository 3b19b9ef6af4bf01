// The soak's RP: fedkit/testing's RP (the reference RP app, which verifies each token against
// the IdP's JWKS) over HTTPS on loopback; its server reaches the IdP through the host rules and
// the CA the parent gives it. Its users and sessions go to an SQLite file, as in production: in
// memory they would grow the process with every sign-in and pass for a leak.

import { fetch as undiciFetch } from 'undici';
import { createDispatcher } from '../../src/common/dispatcher.js';
import { serve, type RunningServer } from '../../src/common/node-server.js';
import { createTestRp, type TestRpParts } from '../../src/testing/test-rp.js';
import { serveChild } from '../lib/child.js';
import { liveHeapMiB } from '../lib/live-heap.js';

let running: RunningServer | undefined;
let parts: TestRpParts | undefined;
let dispatcher: ReturnType<typeof createDispatcher> | undefined;

serveChild({
  async start(payload: { configURL: string; clientId: string; database: string; hostRules: Record<string, string>; ca: string; tls: { cert: string; key: string } }) {
    dispatcher = createDispatcher({ hostRules: payload.hostRules, ca: payload.ca });
    const d = dispatcher;
    const idpFetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
      undiciFetch(input as never, { ...(init as object), dispatcher: d } as never) as unknown as Promise<Response>) as typeof fetch;
    parts = createTestRp({ idp: { configURL: payload.configURL, clientId: payload.clientId }, database: payload.database }, idpFetch);
    running = await serve((request) => parts!.handler(request), { port: 0, tls: payload.tls });
    return { port: running.port, pid: process.pid };
  },
  memory: () => liveHeapMiB(),
  async close() {
    await running?.close();
    parts?.app.close();
    await dispatcher?.close();
  },
});
