// The platform's floor for an HTTP server: a bare node:http hello world; and the same hello
// world through the kit's node:http adapter (toNodeListener: IncomingMessage → Request,
// Response → ServerResponse), what any other web-standard handler gets; and through the kit's Node
// path (common/light-http.ts: the handler asked with a LightRequest read from the
// IncomingMessage, its LightReply written straight to the ServerResponse), which the IdP takes.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LIGHT_HANDLER, type LightReply } from '../../src/common/light-http.js';
import { toNodeListener } from '../../src/idp/index.js';
import { serveChild } from '../lib/child.js';

const body = Buffer.from('hello world');
const bare = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
const adapted = createServer(toNodeListener(() => new Response('hello world', { headers: { 'content-type': 'text/plain' } })));
const reply: LightReply = { status: 200, headers: new Map([['content-type', 'text/plain']]), setCookies: [], body: 'hello world' };
const lightHandler = Object.assign(() => new Response('hello world', { headers: { 'content-type': 'text/plain' } }), {
  [LIGHT_HANDLER]: (request: { headers: { get(name: string): string | null } }) => {
    // Read what an endpoint reads first (a header), so the request view is used as the IdP uses it.
    request.headers.get('sec-fetch-dest');
    return Promise.resolve(reply);
  },
});
const light = createServer(toNodeListener(lightHandler));
const servers: Server[] = [bare, adapted, light];
for (const s of servers) {
  s.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
}
serveChild({
  info: () => ({ port: (bare.address() as AddressInfo).port, adapterPort: (adapted.address() as AddressInfo).port, lightPort: (light.address() as AddressInfo).port }),
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
