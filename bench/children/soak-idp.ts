// One IdP worker of the soak: fedkit/testing's IdP (the IdP kit, its users and client, the
// sign-in link) on a shared store (an SQLite file, or a PostgreSQL database several workers
// share), served over HTTPS on loopback with the certificate the parent made.

import { serve, type RunningServer } from '../../src/common/node-server.js';
import { createTestIdp, type TestIdpParts, type TestUser } from '../../src/testing/test-idp.js';
import { serveChild } from '../lib/child.js';
import { liveHeapMiB } from '../lib/live-heap.js';

let running: RunningServer | undefined;
let parts: TestIdpParts | undefined;

serveChild({
  async start(payload: { database: string; users: TestUser[]; rpOrigin: string; clientId: string; tls: { cert: string; key: string } }) {
    parts = await createTestIdp({ database: payload.database, users: payload.users, clients: [{ id: payload.clientId, origins: [payload.rpOrigin] }] });
    running = await serve((request) => parts!.handler(request), { port: 0, tls: payload.tls });
    return { port: running.port, pid: process.pid };
  },
  memory: () => liveHeapMiB(),
  async close() {
    await running?.close();
    await parts?.store.close();
  },
});
