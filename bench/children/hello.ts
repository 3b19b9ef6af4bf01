// The platform's floor for an HTTP server: a bare node:http hello world; and the same hello
// world through the kit's node:http adapter (toNodeListener: IncomingMessage → Request,
// Response → ServerResponse), which every IdP request goes through.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeListener } from '../../src/idp/index.js';
import { serveChild } from '../lib/child.js';

const body = Buffer.from('hello world');
const bare = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
const adapted = createServer(toNodeListener(() => new Response('hello world', { headers: { 'content-type': 'text/plain' } })));
const servers: Server[] = [bare, adapted];
for (const s of servers) {
  s.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
}
serveChild({
  info: () => ({ port: (bare.address() as AddressInfo).port, adapterPort: (adapted.address() as AddressInfo).port }),
  close: () =>
    Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    ),
});
