// The hello world of hello.ts (a web `Response`, 'hello world', text/plain) through
// @hono/node-server's getRequestListener, the listener its `serve()` gives node:http: its lazy
// Request view of the IncomingMessage, and its own Response class that the listener writes out
// without reading a stream (issue 15 §1 asks for the kit's adapter measured against it). A process
// of its own: with its defaults (overrideGlobalObjects) it replaces the global Request and
// Response, which would change what the kit's adapter rows in hello.ts measure.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { serveChild } from '../lib/child.js';

const server = createServer(getRequestListener(() => new Response('hello world', { headers: { 'content-type': 'text/plain' } })));
server.keepAliveTimeout = 30_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
serveChild({
  info: () => ({ port: (server.address() as AddressInfo).port }),
  close: () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
});
