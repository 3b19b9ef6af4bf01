// The in-process transport's light path (src/agent/net/in-process.ts, common/light-http.ts): a
// handler exposing a LightHandler is called with a LightRequest instead of a Request, and its
// LightReply is handed on without a Response. What the handler reads and what the agent gets
// must be what the Request/Response path gives.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { autoSelect, createAgent, IdentityCredential } from '../../../src/agent/index.js';
import { Cookies } from '../../../src/agent/net/cookies.js';
import type { Fetcher, FetcherResponse } from '../../../src/agent/net/fetcher.js';
import type { InProcessHandler } from '../../../src/agent/net/in-process.js';
import { LIGHT_HANDLER, lightFromRequest, lightHandlerOf, lightToResponse, type ConnectionInfo, type LightHandler, type LightReply, type LightRequest } from '../../../src/common/light-http.js';
import { createTestSystem } from '../../../src/testing/index.js';
import { TestServer, rejectsNet, request, testFetcher } from './helpers.js';

const T = { timeout: 20_000 };

/** A handler with both paths: `web` for a Request, `light` under LIGHT_HANDLER. */
function both(web: InProcessHandler, light: LightHandler): InProcessHandler {
  return Object.assign((r: Request, i: { remoteAddress: string }) => web(r, i), { [LIGHT_HANDLER]: light });
}

/** What a fetch gave, in a form two transports' results compare in. */
async function outcome(p: Promise<FetcherResponse>): Promise<unknown> {
  try {
    const r = await p;
    return { status: r.status, headers: [...r.headers], body: new TextDecoder().decode(r.body), setCookies: r.setCookies.map((s) => ({ ...s, url: s.url.href })), requestHeaders: r.requestHeaders };
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

describe('in-process light path: which path runs', T, () => {
  let server: TestServer;
  let fetcher: Fetcher;
  let calls = { web: 0, light: 0, plain: 0 };
  before(async () => {
    server = await TestServer.https();
    const light: LightHandler = async (req) => {
      calls.light++;
      return { status: 200, headers: new Map([['content-type', 'text/plain']]), setCookies: [], body: `light ${req.method} ${req.pathname}` };
    };
    const web: InProcessHandler = (req) => {
      calls.web++;
      return new Response(`web ${req.method} ${new URL(req.url).pathname}`);
    };
    const plain: InProcessHandler = (req) => {
      calls.plain++;
      return new Response(`plain ${req.method} ${new URL(req.url).pathname}`, { headers: { 'content-type': 'text/plain' } });
    };
    fetcher = testFetcher(server, { handlers: { 'https://idp.example': both(web, light), 'https://rp.example': plain } });
  });
  after(async () => {
    await fetcher.close();
    await server.close();
  });

  test('a handler with a LightHandler is asked through it, never through its Request path', async () => {
    calls = { web: 0, light: 0, plain: 0 };
    const a = await fetcher.fetch(request('https://idp.example/config.json'));
    const b = await fetcher.fetch(request('https://idp.example/token', { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    assert.equal(new TextDecoder().decode(a.body), 'light GET /config.json');
    assert.equal(new TextDecoder().decode(b.body), 'light POST /token');
    assert.deepEqual(calls, { web: 0, light: 2, plain: 0 });
  });

  test("a reply's body comes as bytes of its own: a plain Uint8Array over a buffer of exactly its size, never shared", async () => {
    const a = await fetcher.fetch(request('https://idp.example/same'));
    const b = await fetcher.fetch(request('https://idp.example/same'));
    for (const r of [a, b]) {
      assert.equal(Object.getPrototypeOf(r.body), Uint8Array.prototype, 'a Uint8Array, not a Buffer');
      assert.equal(r.body.byteOffset, 0);
      assert.equal(r.body.buffer.byteLength, r.body.byteLength, 'no slice of a shared pool');
    }
    assert.notEqual(a.body.buffer, b.body.buffer);
    a.body.fill(0);
    assert.equal(new TextDecoder().decode(b.body), 'light GET /same');
  });

  test('a handler without one still gets a Request and its Response is read', async () => {
    calls = { web: 0, light: 0, plain: 0 };
    const r = await fetcher.fetch(request('https://rp.example/page'));
    assert.equal(r.status, 200);
    assert.equal(new TextDecoder().decode(r.body), 'plain GET /page');
    assert.equal(r.headers.get('content-type'), 'text/plain');
    assert.deepEqual(calls, { web: 0, light: 0, plain: 1 });
  });
});

describe('in-process light path: the same request read, the same reply handed on', T, () => {
  let server: TestServer;
  let light: Fetcher;
  let web: Fetcher;
  let reply: () => LightReply = () => ({ status: 200, headers: new Map(), setCookies: [], body: null });
  /** What the handler read, per request, on each path. */
  const reads: { light: unknown[]; web: unknown[] } = { light: [], web: [] };
  const NAMES = ['host', 'connection', 'accept', 'content-type', 'content-length', 'origin', 'cookie', 'sec-fetch-dest', 'sec-fetch-mode', 'sec-fetch-site', 'user-agent', 'Sec-Fetch-Dest', 'x-absent'];
  const reader = (into: unknown[]): LightHandler => async (req: LightRequest, info: ConnectionInfo) => {
    let body: string;
    try {
      body = new TextDecoder().decode(await req.bytes(8));
    } catch (e) {
      body = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    into.push({ method: req.method, url: req.url, pathname: req.pathname, headers: NAMES.map((n) => [n, req.headers.get(n)]), body, info });
    return reply();
  };

  before(async () => {
    server = await TestServer.https();
    const lightOnly = reader(reads.light);
    const webRead = reader(reads.web);
    // The IdP kit's web handler is its LightHandler behind lightFromRequest / lightToResponse (src/idp/idp.ts).
    const webOnly: InProcessHandler = async (req, info) => lightToResponse(await webRead(lightFromRequest(req), info));
    const cookiesLight = new Cookies();
    const cookiesWeb = new Cookies();
    for (const c of [cookiesLight, cookiesWeb]) await c.set('https://idp.example/', 'sid=abc; SameSite=None; Secure');
    light = testFetcher(server, { cookies: cookiesLight, handlers: { 'https://idp.example': both(() => Response.error(), lightOnly) } });
    web = testFetcher(server, { cookies: cookiesWeb, handlers: { 'https://idp.example': webOnly } });
  });
  after(async () => {
    await light.close();
    await web.close();
    await server.close();
  });

  /** The same request on both fetchers: the same reads, the same outcome. */
  async function same(url: string, overrides: Parameters<typeof request>[1] = {}): Promise<unknown> {
    reads.light.length = 0;
    reads.web.length = 0;
    const a = await outcome(light.fetch(request(url, overrides)));
    const b = await outcome(web.fetch(request(url, overrides)));
    assert.deepEqual(reads.light, reads.web, 'the handler read the same on both paths');
    assert.deepEqual(a, b, 'the agent got the same on both paths');
    return a;
  }

  test('a credentialed CORS POST and a GET with a query: method, URL, path, every header and the body', async () => {
    const post = { method: 'POST' as const, credentials: 'include' as const, initiator: 'https://rp.example', mode: 'cors' as const, headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', origin: 'https://rp.example' }, body: 'a=é' };
    await same('https://idp.example/token', post);
    assert.equal((reads.light[0] as { body: string }).body, 'a=é');
    await same('https://idp.example/accounts?x=1&y=%20', { credentials: 'include', initiator: 'https://rp.example' });
    await same('https://idp.example/a/../b/./c');
    // Past the handler's limit (8 bytes): the same BodyTooLargeError on both paths.
    await same('https://idp.example/big', { ...post, body: 'x'.repeat(20) });
    assert.match((reads.light[0] as { body: string }).body, /BodyTooLargeError: The body is 20 bytes; at most 8 are accepted/);
    // The on-demand Request is the one the other path builds.
    const seen: string[] = [];
    reply = () => ({ status: 200, headers: new Map(), setCookies: [], body: null });
    const onDemand = testFetcher(server, {
      handlers: {
        'https://idp.example': both(() => Response.error(), async (req) => {
          const r = req.toRequest();
          seen.push(r.url, r.method, [...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n'), await r.text(), String(r.signal.aborted));
          return reply();
        }),
      },
    });
    try {
      await onDemand.fetch(request('https://idp.example/t?q', { method: 'POST', body: 'b=1', headers: { 'content-type': 'text/plain' } }));
      assert.deepEqual(seen.slice(0, 2), ['https://idp.example/t?q', 'POST']);
      assert.match(seen[2]!, /^connection: keep-alive\ncontent-length: 3\ncontent-type: text\/plain\nhost: idp\.example\n/);
      assert.deepEqual(seen.slice(3), ['b=1', 'false']);
    } finally {
      await onDemand.close();
    }
  });

  test('replies: status, headers in order, the implicit text type, every Set-Cookie line, the body', async () => {
    const cases: LightReply[] = [
      { status: 200, headers: new Map([['content-type', 'application/json'], ['cache-control', 'no-store']]), setCookies: [], body: '{"a":1}' },
      { status: 201, headers: new Map([['x-b', '2'], ['access-control-allow-origin', 'https://rp.example']]), setCookies: ['a=1; Secure; SameSite=None; Path=/', 'b=2; Secure; SameSite=None; Path=/'], body: 'héllo' },
      { status: 204, headers: new Map(), setCookies: [], body: null },
      { status: 302, headers: new Map([['location', '/done']]), setCookies: [], body: '' },
      { status: 404, headers: new Map([['content-length', '3']]), setCookies: [], body: 'abc' },
    ];
    for (const r of cases) {
      reply = () => r;
      const got = (await same('https://idp.example/x', { credentials: 'include', initiator: 'https://idp.example', redirect: 'manual' })) as { status?: number };
      assert.equal(got.status, r.status, JSON.stringify(got));
    }
  });

  test('replies a Response would refuse or rewrite fail or read the same as through it', async () => {
    const cases: LightReply[] = [
      { status: 204, headers: new Map(), setCookies: [], body: 'not allowed' },
      { status: 99, headers: new Map(), setCookies: [], body: null },
      { status: 200, headers: new Map([['x-bad', 'a\nb']]), setCookies: [], body: null },
      { status: 200, headers: new Map([['x-pad', ' v ']]), setCookies: [' c=1; Secure; SameSite=None'], body: 'p' },
      { status: 200, headers: new Map([['X-Upper', 'u']]), setCookies: [], body: 'q' },
      { status: 200, headers: new Map([['content-length', '9']]), setCookies: [], body: 'short' },
    ];
    for (const r of cases) {
      reply = () => r;
      await same('https://idp.example/x', { credentials: 'include', initiator: 'https://idp.example' });
    }
    reply = () => cases[0]!;
    await rejectsNet(light.fetch(request('https://idp.example/x')), 'connection');
  });
});

describe('in-process light path: fedkit/testing’s IdP kit', T, () => {
  test('a whole sign-in through the light path reads every header as the Request path would, and signs in', async () => {
    const system = await createTestSystem();
    // The test IdP's handler adds its own routes (sign-in link, sign-out) in front of the IdP kit,
    // which is what exposes the LightHandler; those routes are answered through the web handler.
    const testRoutes = system.handlers[system.idp.origin]! as (request: Request) => Promise<Response>;
    const idpLight = lightHandlerOf(system.idp.idp);
    assert.ok(idpLight !== undefined, 'the IdP kit exposes a LightHandler');
    const kitPaths = new Set(system.idp.idp.paths);
    const checked: string[] = [];
    const mismatches: string[] = [];
    // Every value the IdP reads of a LightRequest, compared with what the same read gives of the
    // Request the Request path builds for it (toRequest(), made here for the comparison).
    const spy: LightHandler = async (req, info) => {
      const viaRequest = lightFromRequest(req.toRequest());
      const view: LightRequest = {
        method: req.method,
        url: req.url,
        pathname: req.pathname,
        headers: {
          get: (name) => {
            const value = req.headers.get(name);
            const expected = viaRequest.headers.get(name);
            checked.push(`${req.pathname} ${name}`);
            if (value !== expected) mismatches.push(`${req.pathname} ${name}: ${value} vs ${expected}`);
            return value;
          },
        },
        bytes: async (max) => {
          const [a, b] = await Promise.all([req.bytes(max), viaRequest.bytes(max)]);
          if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) mismatches.push(`${req.pathname} body`);
          return a;
        },
        toRequest: req.toRequest,
      };
      for (const [k, a, b] of [['method', req.method, viaRequest.method], ['url', req.url, viaRequest.url], ['pathname', req.pathname, viaRequest.pathname]] as const) {
        if (a !== b) mismatches.push(`${k}: ${a} vs ${b}`);
      }
      return idpLight(view, info);
    };
    let lightCalls = 0;
    const counted: LightHandler = async (req, info) => {
      if (!kitPaths.has(req.pathname)) {
        const res = await testRoutes(req.toRequest());
        return { status: res.status, headers: new Map([...res.headers].filter(([k]) => k !== 'set-cookie')), setCookies: res.headers.getSetCookie(), body: await res.text() };
      }
      lightCalls++;
      return spy(req, info);
    };
    const agent = createAgent({ handlers: { ...system.handlers, [system.idp.origin]: both(() => Response.error(), counted) } as never, mediator: autoSelect(0), rejectionDelay: false });
    try {
      const signedIn = await agent.open(system.idp.signInUrl());
      assert.match(signedIn.response?.body ?? '', /Signed in as Jane Doe/);
      const page = await agent.open(system.rp.url('/'));
      const config = JSON.parse(page.document.getElementById('fedkit-config')?.textContent ?? '{}') as { nonce: string };
      const credential = await page.navigator.credentials!.get({ identity: { providers: [{ configURL: system.idp.configURL, clientId: system.idp.clientId, params: { nonce: config.nonce } }] } });
      assert.ok(credential instanceof IdentityCredential);
      const session = await page.fetch('/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: credential.token }) });
      assert.equal(session.status, 200, session.body);
    } finally {
      await agent.close();
      await system.close();
    }
    assert.deepEqual(mismatches, []);
    assert.ok(lightCalls >= 4, `the IdP was asked through its LightHandler (${lightCalls} calls)`);
    assert.ok(checked.some((c) => c.endsWith(' cookie')) && checked.some((c) => c.endsWith(' sec-fetch-dest')), checked.join(', '));
  });
});
