// The benchmark's node:net load generator (bench/lib/net-load.ts) against a node:http server in
// this process: answers framed by Content-Length and by chunked coding, statuses counted, a fresh
// nonce in every request body (or each one `repeat` times), and the per-nonce tracking the replay
// check uses. Counts only: no timing is asserted (speed is measured in bench/).

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { netLoad } from '../../bench/lib/net-load.js';

let server: Server;
let base: string;
/** Request bodies the server received on /form, in order. */
const bodies: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/length') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '11' });
      res.end('hello world');
    } else if (req.url === '/chunked') {
      // No Content-Length and two writes: node:http sends it chunked.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('hello ');
      setImmediate(() => res.end('world'));
    } else if (req.url === '/form' && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      });
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const run = (path: string, extra: Partial<Parameters<typeof netLoad>[0]> = {}) =>
  netLoad({ url: `${base}${path}`, method: 'GET', headers: {}, seconds: 0.3, connections: 3, ...extra });

describe('net-load', () => {
  it('frames Content-Length answers and counts them as 2xx', async () => {
    const r = await run('/length');
    assert.ok(r.requests > 10, `only ${r.requests} answers in 0.3 s`);
    assert.equal(r.ok, r.requests);
    assert.equal(r.non2xx, 0);
    assert.equal(r.errors, 0);
    assert.deepEqual(Object.keys(r.statuses), ['200']);
    assert.ok(r.sent >= r.requests && r.sent <= r.requests + 3, 'at most one request in flight per connection');
    assert.ok(r.latency.p50 > 0 && r.latency.p50 <= r.latency.p99, `p50 ${r.latency.p50} p99 ${r.latency.p99}`);
  });

  it('frames chunked answers', async () => {
    const r = await run('/chunked');
    assert.ok(r.requests > 10, `only ${r.requests} answers in 0.3 s`);
    assert.equal(r.errors, 0);
    assert.equal(r.ok, r.requests);
  });

  it('counts non-2xx answers apart and does not call them a rate', async () => {
    const r = await run('/missing');
    assert.ok(r.requests > 10);
    assert.equal(r.ok, 0);
    assert.equal(r.rate, 0);
    assert.equal(r.non2xx, r.requests);
    assert.equal(r.statuses['404'], r.requests);
  });

  it('sends a fresh nonce in every body, or each nonce `repeat` times, and tracks 200s per nonce', async () => {
    const form = { method: 'POST' as const, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&params={nonce}&b=2' };
    bodies.length = 0;
    const fresh = await run('/form', { ...form, nonce: { prefix: 'p-' }, track: true });
    const answered = bodies.slice();
    assert.ok(answered.length > 10);
    assert.equal(new Set(answered).size, answered.length, 'every body is different');
    assert.ok(answered.every((b) => /^a=1&params=p-\d+&b=2$/.test(b)), answered[0]);
    assert.equal(fresh.noncesAccepted, fresh.requests);
    assert.equal(fresh.duplicatesAccepted, 0);

    bodies.length = 0;
    const twice = await run('/form', { ...form, nonce: { prefix: 'q-', repeat: 2 }, track: true });
    const counts = new Map<string, number>();
    for (const b of bodies) counts.set(b, (counts.get(b) ?? 0) + 1);
    assert.ok([...counts.values()].every((c) => c <= 2));
    assert.ok([...counts.values()].filter((c) => c === 2).length >= Math.floor(bodies.length / 2) - 3, 'nonces come in pairs');
    assert.ok((twice.duplicatesAccepted ?? 0) > 0, 'the tracker sees the repeats');
  });
});
