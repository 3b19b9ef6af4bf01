// The node:http adapter (src/common/node-server.ts) with requests a fetch Request cannot carry,
// each found by the IdP fuzzer (test/fuzz): TRACE / TRACK / CONNECT, targets and Host headers
// that are not what they look like, handlers that throw, and bodies that end early or are
// cancelled while they still stream. Sent byte for byte over HTTPS on loopback.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { BodyReadError, readBodyBytes } from '../../src/common/body.js';
import { createCertificateAuthority, issueServerCertificate } from '../../src/common/certificates.js';
import { requestBody, serve, type RunningServer } from '../../src/common/node-server.js';
import { encodeRequest, type RawRequest } from '../fuzz/request.js';
import { header, sendRaw, type Endpoint, type WireResponse } from '../fuzz/wire.js';

describe('the node:http adapter', () => {
  let server: RunningServer;
  let endpoint: Endpoint;
  let seen: Request[];
  let errors: { error: unknown; requestId: string }[];
  let bodyErrors: unknown[];

  before(async () => {
    const ca = createCertificateAuthority();
    const leaf = issueServerCertificate(ca, ['app.example']);
    server = await serve(
      async (request) => {
        seen.push(request);
        const { pathname } = new URL(request.url);
        if (pathname === '/throws') throw new Error('boom');
        if (pathname === '/missing') return new Response('{"error":"nothing here"}', { status: 404, headers: { 'content-type': 'application/json' } });
        if (pathname === '/resource' && request.method === 'OPTIONS') return new Response(null, { status: 204, headers: { allow: 'GET, POST' } });
        if (pathname === '/body') {
          try {
            return new Response(String((await readBodyBytes(request, 1 << 20)).length));
          } catch (e) {
            bodyErrors.push(e);
            return new Response('unreadable', { status: 400 });
          }
        }
        return Response.json({ method: request.method, url: request.url });
      },
      { tls: { cert: leaf.cert, key: leaf.key }, onError: (error, _req, requestId) => errors.push({ error, requestId }) },
    );
    endpoint = { port: server.port, ca: ca.cert, servername: 'app.example' };
  });
  after(() => server?.close());
  beforeEach(() => {
    seen = [];
    errors = [];
    bodyErrors = [];
  });

  async function send(method: string, target: string, headers: [string, string][] = [['Host', 'app.example']], body = ''): Promise<WireResponse> {
    const request: RawRequest = { method, target, version: 'HTTP/1.1', headers: body === '' ? headers : [...headers, ['Content-Length', String(body.length)]], body: Buffer.from(body) };
    const result = await sendRaw(endpoint, encodeRequest(request), { timeoutMs: 5_000, head: method === 'HEAD' });
    assert.equal(result.kind, 'response', `${method} ${target}: ${result.kind}`);
    return (result as { response: WireResponse }).response;
  }
  const json = (res: WireResponse) => JSON.parse(res.body.toString('utf8')) as Record<string, unknown> & { error?: Record<string, string> };

  it('answers TRACE and TRACK with a 405 carrying the Allow the handler gives for OPTIONS there (they never become a Request)', async () => {
    for (const method of ['TRACE', 'TRACK']) {
      const res = await send(method, '/resource');
      if (method === 'TRACK') {
        // node:http's parser refuses TRACK before any listener runs.
        assert.equal(res.status, 400);
        continue;
      }
      assert.equal(res.status, 405);
      assert.equal(header(res, 'allow'), 'GET, POST');
      assert.equal(json(res).error?.error_description, 'Method TRACE is not allowed here; use GET or POST.');
    }
    assert.deepEqual(seen.map((r) => `${r.method} ${new URL(r.url).pathname}`), ['OPTIONS /resource']);
    assert.deepEqual(errors, []);
  });

  it('answers TRACE with the handler\'s own 4xx when it names no Allow (a path nothing is served at)', async () => {
    const res = await send('TRACE', '/missing');
    assert.equal(res.status, 404);
    assert.deepEqual(json(res), { error: 'nothing here' });
  });

  it('answers CONNECT (serve()) with 405 and an empty Allow: the server tunnels nothing', async () => {
    for (const target of ['app.example:443', '/resource']) {
      const res = await send('CONNECT', target);
      assert.equal(res.status, 405);
      assert.equal(header(res, 'allow'), '');
      assert.equal(json(res).error?.code, 'invalid_request');
    }
    assert.deepEqual(seen, []);
  });

  it('still closes after answering a CONNECT that came with a body (the socket used to stay open, and close() never returned)', async () => {
    const ca = createCertificateAuthority();
    const leaf = issueServerCertificate(ca, ['app.example']);
    const own = await serve(() => new Response('never'), { tls: { cert: leaf.cert, key: leaf.key } });
    const body = 'a'.repeat(40_000);
    const bytes = Buffer.from(`CONNECT /x HTTP/1.1\r\nHost: app.example\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const result = await sendRaw({ port: own.port, ca: ca.cert, servername: 'app.example' }, bytes, { timeoutMs: 5_000 });
    assert.equal(result.kind === 'response' ? result.response.status : result.kind, 405);
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([own.close().then(() => 'closed'), new Promise((resolve) => (timer = setTimeout(resolve, 3_000, 'still open after 3 s')))]);
    clearTimeout(timer);
    assert.equal(closed, 'closed');
  });

  it('keeps an origin-form target a path on the Host: //evil.example/x is the path //evil.example/x, and // and /// are paths too', async () => {
    for (const target of ['//evil.example/x', '//', '///']) {
      const res = await send('GET', target);
      assert.equal(res.status, 200, target);
      const url = new URL(json(res).url as string);
      assert.equal(url.host, 'app.example');
      assert.equal(url.pathname, target);
    }
  });

  it('answers 400 to an absolute-form target with userinfo, or with a scheme other than http(s)', async () => {
    for (const target of ['https://user:pw@app.example/x', 'ftp://app.example/x']) {
      const res = await send('GET', target);
      assert.equal(res.status, 400, target);
      assert.equal(json(res).error?.code, 'invalid_request');
    }
    // node:http's parser refuses what has no authority at all, before any listener runs.
    assert.equal((await send('GET', 'mailto:jane@app.example')).status, 400);
    // A plain absolute-form target is served: proxies send those.
    assert.equal(new URL(json(await send('GET', 'https://app.example/x')).url as string).pathname, '/x');
    assert.deepEqual(errors, []);
  });

  it('takes a Host that is no bare host[:port] (userinfo, a path, a space) for nobody\'s name instead of failing', async () => {
    for (const host of ['user@app.example', 'user:pw@app.example', 'app.example/evil', 'a b']) {
      const res = await send('GET', '/x', [['Host', host]]);
      assert.equal(res.status, 200, host);
      assert.equal(new URL(json(res).url as string).host, 'invalid-host.invalid');
    }
  });

  it('builds each URL on its own Host, any case of the name, and on the first Host when one is repeated (as req.headers.host)', async () => {
    // Origins are remembered per Host (node-server.ts originOf): two Hosts in turn must not mix.
    for (const host of ['app.example', 'other.example:8443', 'app.example', 'APP.example']) {
      assert.equal(new URL(json(await send('GET', '/x', [['Host', host]])).url as string).host, host.toLowerCase());
    }
    assert.equal(new URL(json(await send('GET', '/x', [['hOsT', 'cased.example']])).url as string).host, 'cased.example');
    assert.equal(new URL(json(await send('GET', '/x', [['Host', 'first.example'], ['Host', 'second.example']])).url as string).host, 'first.example');
  });

  it('passes what the handler throws to onError with a request id, and answers 500 with that id', async () => {
    const res = await send('GET', '/throws');
    assert.equal(res.status, 500);
    assert.equal(errors.length, 1);
    assert.equal((errors[0]!.error as Error).message, 'boom');
    assert.match(errors[0]!.requestId, /^[0-9a-f]{16}$/);
    assert.equal(json(res).error?.request_id, errors[0]!.requestId);
    assert.match(json(res).error?.error_description ?? '', new RegExp(errors[0]!.requestId));
  });

  it('ends the body of a request whose client went away with a BodyReadError, not an unexpected error', async () => {
    const head = 'POST /body HTTP/1.1\r\nHost: app.example\r\nContent-Length: 100\r\n\r\nonly ten b';
    const result = await sendRaw(endpoint, Buffer.from(head), { timeoutMs: 5_000, partialGraceMs: 50 });
    assert.notEqual(result.kind, 'timeout');
    for (let i = 0; i < 100 && bodyErrors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(bodyErrors.length, 1);
    assert.ok(bodyErrors[0] instanceof BodyReadError, String(bodyErrors[0]));
    assert.deepEqual(errors, []);
  });

  it('reads a body whole, in chunks, and a chunk arriving after the reader cancelled is dropped, not enqueued (nodejs/node#64529)', async () => {
    const source = new PassThrough();
    const reader = requestBody(source).getReader();
    source.write(Buffer.from('first'));
    assert.equal(Buffer.from((await reader.read()).value!).toString(), 'first');
    await reader.cancel();
    // What Readable.toWeb's listener does after a cancel, and throws an uncaught ERR_INVALID_STATE for.
    assert.doesNotThrow(() => source.emit('data', Buffer.from('late')));

    const whole = new PassThrough();
    const body = requestBody(whole);
    whole.end(Buffer.from('a=1&b=2'));
    assert.equal(Buffer.from(await new Response(body).arrayBuffer()).toString(), 'a=1&b=2');

    const cut = new PassThrough();
    const cutReader = requestBody(cut).getReader();
    cut.write('part');
    await cutReader.read();
    cut.destroy();
    await assert.rejects(cutReader.read(), /closed before the body ended/);
  });
});
