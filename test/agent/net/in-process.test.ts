// The in-process transport (src/agent/net/in-process.ts): a fetch handler receives the request a
// server would read off the wire, and its Response goes through the same fetcher code as one
// from the network (cookies, redirects, size limit, timeouts, errors).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Agent as UndiciAgent } from 'undici';
import { createAgent } from '../../../src/agent/index.js';
import { Cookies } from '../../../src/agent/net/cookies.js';
import { Fetcher } from '../../../src/agent/net/fetcher.js';
import { InProcessDispatcher, InProcessHandlerError, type InProcessConnectionInfo, type InProcessHandler, type InProcessHandlers } from '../../../src/agent/net/in-process.js';
import { TestServer, json, rejectsNet, request, testFetcher } from './helpers.js';

const T = { timeout: 15_000 };

/** Rejects after `ms` with `what`, so a regression fails with a message instead of hanging. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

interface Seen {
  method: string;
  url: string;
  headers: [string, string][];
  body: string;
  info: InProcessConnectionInfo;
  signal: AbortSignal;
}

describe('in-process transport: the request a server would see', T, () => {
  let server: TestServer;
  let overTls: Fetcher;
  let inProcess: Fetcher;
  const seen: Seen[] = [];
  let answer: (request: Request) => Response | Promise<Response> = () => Response.json({ ok: true });

  before(async () => {
    server = await TestServer.https();
    server.route('/token', (_req, res) => json(res, 200, { ok: true }));
    server.route('/config.json', (_req, res) => json(res, 200, { ok: true }));
    const handler: InProcessHandler = async (req, info) => {
      seen.push({ method: req.method, url: req.url, headers: [...req.headers], body: await req.text(), info, signal: req.signal });
      return answer(req);
    };
    const cookiesTls = new Cookies();
    const cookiesIn = new Cookies();
    for (const c of [cookiesTls, cookiesIn]) {
      await c.set('https://idp.example/', 'none=1; SameSite=None; Secure');
      await c.set('https://idp.example/', 'lax=1; SameSite=Lax; Secure');
    }
    overTls = testFetcher(server, { cookies: cookiesTls });
    inProcess = testFetcher(server, { cookies: cookiesIn, handlers: { 'https://idp.example': handler } });
  });
  after(async () => {
    await overTls.close();
    await inProcess.close();
    await server.close();
  });

  test('a credentialed POST: the same header lines, method and body as on the wire, and requestHeaders agrees', async () => {
    const req = request('https://idp.example/token', {
      method: 'POST',
      credentials: 'include',
      initiator: 'https://rp.example',
      siteForCookies: new URL('https://idp.example/'),
      mode: 'cors',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', origin: 'https://rp.example' },
      body: 'client_id=123&account_id=1&nonce=é',
    });
    const a = await overTls.fetch(req);
    const b = await inProcess.fetch(req);
    const wire = server.last('/token');
    const got = seen.at(-1)!;
    // Headers (the Fetch class) sorts by name: compare as sets of lines.
    const sorted = (lines: [string, string][]): [string, string][] => [...lines].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    assert.deepEqual(sorted(got.headers), sorted(wire.headers));
    assert.equal(got.method, 'POST');
    assert.equal(got.url, 'https://idp.example/token');
    assert.equal(got.body, wire.body);
    assert.deepEqual(b.requestHeaders, a.requestHeaders);
    assert.deepEqual(b.cookies, a.cookies);
    assert.equal(b.status, 200);
    assert.deepEqual(got.info, { remoteAddress: '127.0.0.1' });
    assert.deepEqual(b.resent, []);
  });

  test('an uncredentialed GET: no cookie, no content-length, and the Host the URL names', async () => {
    const req = request('https://idp.example/config.json?x=1', { headers: { accept: 'application/json' } });
    await inProcess.fetch(req);
    const got = seen.at(-1)!;
    const names = got.headers.map(([k]) => k);
    assert.ok(!names.includes('cookie'), names.join());
    assert.ok(!names.includes('content-length'), names.join());
    assert.deepEqual(Object.fromEntries(got.headers).host, 'idp.example');
    assert.equal(got.url, 'https://idp.example/config.json?x=1');
    assert.equal(got.method, 'GET');
  });

  test('the response: status, status text, headers, and every Set-Cookie line stored', async () => {
    answer = () => {
      const headers = new Headers({ 'content-type': 'application/json', 'x-one': 'a' });
      headers.append('set-cookie', 'a=1; Secure; SameSite=None; Path=/');
      headers.append('set-cookie', 'b=2; Secure; SameSite=None; Path=/');
      return new Response('{"v":1}', { status: 201, statusText: 'Made', headers });
    };
    const res = await inProcess.fetch(request('https://idp.example/x', { credentials: 'include', initiator: 'https://idp.example' }));
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-one'), 'a');
    assert.deepEqual(res.headers.getSetCookie(), ['a=1; Secure; SameSite=None; Path=/', 'b=2; Secure; SameSite=None; Path=/']);
    assert.deepEqual(res.setCookies[0]?.stored.sort(), ['a', 'b']);
    assert.equal(new TextDecoder().decode(res.body), '{"v":1}');
  });

  test('redirects: followed between in-process origins and on to a network one', async () => {
    answer = (req) => {
      const path = new URL(req.url).pathname;
      if (path === '/hop') return new Response(null, { status: 307, headers: { location: 'https://idp.example/token2' } });
      if (path === '/token2') return new Response(null, { status: 302, headers: { location: 'https://other.example/config.json' } });
      return Response.json({ unexpected: path }, { status: 500 });
    };
    const res = await inProcess.fetch(request('https://idp.example/hop', { redirect: 'follow' }));
    assert.equal(res.status, 200);
    assert.equal(res.url.href, 'https://other.example/config.json');
    assert.deepEqual(res.redirects.map((u) => u.href), ['https://idp.example/token2', 'https://other.example/config.json']);
    assert.equal(server.last('/config.json').headers.find(([k]) => k === 'host')?.[1], 'other.example');
  });

  test('a handler that throws: a network error naming the origin and the error, never resent', async () => {
    let calls = 0;
    answer = () => {
      calls++;
      throw new RangeError('database is down');
    };
    const err = await rejectsNet(inProcess.fetch(request('https://idp.example/boom')), 'connection');
    assert.equal(calls, 1, 'the request was not sent again (no keep-alive resend in-process)');
    assert.match(err.message, /in-process handler for https:\/\/idp\.example threw RangeError: database is down/);
    assert.ok(err.cause instanceof InProcessHandlerError);
  });

  test('a handler that answers no Response, or Response.error(): a network error that says so', async () => {
    answer = () => ({ status: 200 }) as unknown as Response;
    const a = await rejectsNet(inProcess.fetch(request('https://idp.example/odd')), 'connection');
    assert.match(a.message, /answered object instead of a Response/);
    answer = () => Response.error();
    const b = await rejectsNet(inProcess.fetch(request('https://idp.example/odd')), 'connection');
    assert.match(b.message, /Response\.error\(\)/);
  });

  test('a Content-Length that the body does not match fails as on the wire', async () => {
    answer = () => new Response('short', { headers: { 'content-length': '50' } });
    const err = await rejectsNet(inProcess.fetch(request('https://idp.example/lie')), 'connection');
    assert.match(err.message, /content-length/i);
  });

  test('origins are exact: https://idp.example:8443 is not https://idp.example (it goes over the network)', async () => {
    const before = seen.length;
    const res = await inProcess.fetch(request('https://idp.example:8443/config.json'));
    assert.equal(res.status, 200);
    assert.equal(server.last('/config.json').headers.find(([k]) => k === 'host')?.[1], 'idp.example:8443');
    assert.equal(seen.length, before, 'the handler must not see a request for another port');
  });
});

describe('in-process transport: limits, timeouts, aborts', T, () => {
  test('a streamed body over the size limit: fails at the limit and the stream is cancelled', async () => {
    let cancelled: (reason: unknown) => void = () => {};
    const cancel = new Promise<unknown>((resolve) => (cancelled = resolve));
    let pulls = 0;
    const fetcher = new Fetcher({
      cookies: new Cookies(),
      handlers: {
        'https://idp.example': () =>
          new Response(
            new ReadableStream<Uint8Array>({
              pull(c) {
                pulls++;
                c.enqueue(new Uint8Array(16 * 1024));
              },
              cancel(reason) {
                cancelled(reason);
              },
            }),
          ),
      },
    });
    try {
      const err = await rejectsNet(fetcher.fetch(request('https://idp.example/big', { maxBodyBytes: 100_000 })), 'body-too-large');
      assert.match(err.message, /larger than the limit of 100000 bytes/);
      await within(cancel, 2000, 'the response stream cancel');
      assert.ok(pulls < 50, `the stream was read ${pulls} times: far past the limit`);
    } finally {
      await fetcher.close();
    }
  });

  test('a declared Content-Length over the limit fails before any byte is read', async () => {
    const fetcher = new Fetcher({
      cookies: new Cookies(),
      handlers: { 'https://idp.example': () => new Response(new Uint8Array(2000), { headers: { 'content-length': '2000' } }) },
    });
    try {
      const err = await rejectsNet(fetcher.fetch(request('https://idp.example/big', { maxBodyBytes: 1000 })), 'body-too-large');
      assert.match(err.message, /declares 2000 bytes/);
    } finally {
      await fetcher.close();
    }
  });

  test('a handler that never answers: the request times out and the handler sees its request aborted', async () => {
    let signal: AbortSignal | undefined;
    const fetcher = new Fetcher({
      cookies: new Cookies(),
      handlers: {
        'https://idp.example': (req) => {
          signal = req.signal;
          return new Promise<Response>(() => {});
        },
      },
    });
    try {
      const err = await rejectsNet(fetcher.fetch(request('https://idp.example/slow', { timeoutMs: 150 })), 'timeout');
      assert.match(err.message, /did not complete within 150 ms/);
      assert.equal(signal?.aborted, true);
    } finally {
      await within(fetcher.close(), 2000, 'fetcher.close()');
    }
  });

  test('a body that stops mid-way times out too; an abort signal aborts', async () => {
    const fetcher = new Fetcher({
      cookies: new Cookies(),
      handlers: {
        'https://idp.example': () =>
          new Response(
            new ReadableStream<Uint8Array>({
              start(c) {
                c.enqueue(new TextEncoder().encode('{"partial":'));
              },
            }),
          ),
      },
    });
    try {
      await rejectsNet(fetcher.fetch(request('https://idp.example/stall', { timeoutMs: 150 })), 'timeout');
      const controller = new AbortController();
      const pending = fetcher.fetch(request('https://idp.example/stall', { signal: controller.signal }));
      setTimeout(() => controller.abort(new Error('user gave up')), 20);
      await rejectsNet(pending, 'aborted');
    } finally {
      await within(fetcher.close(), 2000, 'fetcher.close()');
    }
  });

  test('agent.close() ends a request to a handler that never answers', async () => {
    const agent = createAgent({ handlers: { 'https://idp.example': () => new Promise<Response>(() => {}) } });
    const page = agent.open('https://idp.example/').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await within(agent.close(), 3000, 'agent.close()');
    assert.ok((await page) instanceof Error);
  });
});

describe('InProcessDispatcher with undici request()', T, () => {
  test('a streamed request body arrives whole, chunked; unknown origins go to the fallback', async () => {
    let got = '';
    let te: string | null = null;
    const fallback = new UndiciAgent();
    const dispatcher = new InProcessDispatcher(
      new Map([
        [
          'http://in.example',
          async (req: Request) => {
            te = req.headers.get('transfer-encoding');
            got = await req.text();
            return new Response('ok');
          },
        ],
      ]),
      fallback,
    );
    try {
      const res = await dispatcher.request({ origin: 'http://in.example', path: '/up', method: 'POST', body: Readable.from([Buffer.from('one,'), Buffer.from('two')]) });
      assert.equal(await res.body.text(), 'ok');
      assert.equal(got, 'one,two');
      assert.equal(te, 'chunked');
      await assert.rejects(dispatcher.request({ origin: 'http://127.0.0.1:1', path: '/', method: 'GET' }), /ECONNREFUSED|connect/);
    } finally {
      await dispatcher.close();
    }
  });

  test('backpressure: a paused reader is not pushed more than the stream offers', async () => {
    const fallback = new UndiciAgent();
    const chunk = new Uint8Array(64 * 1024);
    let pulls = 0;
    const dispatcher = new InProcessDispatcher(
      new Map([['http://in.example', () => new Response(new ReadableStream({ pull(c) { pulls++; if (pulls > 64) c.close(); else c.enqueue(chunk); } }, { highWaterMark: 0 }))]]),
      fallback,
    );
    try {
      const res = await dispatcher.request({ origin: 'http://in.example', path: '/', method: 'GET' });
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(pulls < 40, `the stream was pulled ${pulls} times with nobody reading`);
      let total = 0;
      for await (const c of res.body) total += (c as Buffer).length;
      assert.equal(total, 64 * chunk.length);
    } finally {
      await dispatcher.close();
    }
  });

  test('a body abandoned while paused for backpressure cancels the handler’s stream', async () => {
    let cancelled: (reason: unknown) => void = () => {};
    const cancel = new Promise<unknown>((resolve) => (cancelled = resolve));
    const chunk = new Uint8Array(64 * 1024);
    const dispatcher = new InProcessDispatcher(
      new Map([['http://in.example', () => new Response(new ReadableStream({ pull(c) { c.enqueue(chunk); }, cancel: (r) => cancelled(r) }, { highWaterMark: 0 }))]]),
      new UndiciAgent(),
    );
    try {
      const res = await dispatcher.request({ origin: 'http://in.example', path: '/', method: 'GET' });
      await new Promise((r) => setTimeout(r, 30));
      res.body.on('error', () => {});
      res.body.destroy();
      await within(cancel, 2000, 'the cancel of a paused response stream');
    } finally {
      await dispatcher.close();
    }
  });
});

describe('createAgent({ handlers }) validation', T, () => {
  const ok = (): Response => new Response('');
  for (const [what, handlers, pattern] of [
    ['a key with a path', { 'https://idp.example/fedcm': ok }, /not a bare origin.*"https:\/\/idp\.example"/],
    ['a key that is not a URL', { 'idp.example': ok }, /not an http\(s\) origin/],
    ['a non-http key', { 'ftp://idp.example': ok }, /not an http\(s\) origin/],
    ['a non-function value', { 'https://idp.example': 'idp' }, /handler for https:\/\/idp\.example must be a function/],
    ['a non-canonical key', { 'HTTPS://IDP.example:443': ok }, /not a bare origin/],
    ['an array', [ok], /handlers must be an object/],
  ] as const) {
    test(`refuses ${what} with a TypeError`, () => {
      assert.throws(() => createAgent({ handlers: handlers as never }), (e: unknown) => e instanceof TypeError && pattern.test(e.message));
    });
  }
  test('types the keys as http(s) origins (checked by tsc)', () => {
    const h = (): Response => new Response('');
    const good: InProcessHandlers = { 'https://idp.example': h, 'http://localhost:8080': h };
    // @ts-expect-error a key without an http(s) scheme is not an origin
    const bad: InProcessHandlers = { 'idp.example': h };
    assert.ok(good && bad);
  });

  test('accepts a trailing slash on an origin, and an http origin with a port', async () => {
    const agent = createAgent({ handlers: { 'https://idp.example/': ok, 'http://localhost:8080': ok } });
    await agent.close();
  });
});
