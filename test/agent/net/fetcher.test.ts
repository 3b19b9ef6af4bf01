import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cookies } from '../../../src/agent/net/cookies.js';
import { Fetcher } from '../../../src/agent/net/fetcher.js';
import type { ResponseHop } from '../../../src/agent/net/types.js';
import { testCertificates } from '../../helpers/certs.js';
import { TestServer, headerRecord, json, rejectsNet, request, testFetcher } from './helpers.js';

const T = { timeout: 10_000 };

describe('Fetcher: request shaping', T, () => {
  let server: TestServer;
  let fetcher: Fetcher;
  let cookies: Cookies;

  before(async () => {
    server = await TestServer.https();
    cookies = new Cookies();
    fetcher = testFetcher(server, { cookies });
    for (const path of ['/config.json', '/accounts', '/token']) {
      server.route(path, (_req, res) => json(res, 200, { ok: true }));
    }
    await cookies.set('https://idp.example/', 'none=1; SameSite=None; Secure');
    await cookies.set('https://idp.example/', 'lax=1; SameSite=Lax; Secure');
    await cookies.set('https://idp.example/', 'strict=1; SameSite=Strict; Secure');
    await cookies.set('https://idp.example/', 'plain=1; Secure');
  });
  after(async () => {
    await fetcher.close();
    await server.close();
  });

  test('uncredentialed GET (config): exact headers, no cookie, no origin, no referer', async () => {
    const res = await fetcher.fetch(request('https://idp.example/config.json', { headers: { accept: 'application/json' } }));
    assert.equal(res.status, 200);
    const got = server.last('/config.json');
    assert.deepEqual(got.headers, [
      ['host', 'idp.example'],
      ['connection', 'keep-alive'],
      ['accept', 'application/json'],
      ['sec-fetch-dest', 'webidentity'],
      ['sec-fetch-mode', 'no-cors'],
      ['sec-fetch-site', 'cross-site'],
      ['user-agent', 'fedkit-test/1'],
    ]);
    assert.deepEqual(res.requestHeaders, headerRecord(got.headers));
    assert.deepEqual(Object.keys(res.requestHeaders), got.headers.map(([k]) => k));
    assert.deepEqual(res.cookies, []);
    assert.equal(got.servername, 'idp.example');
    assert.deepEqual(JSON.parse(new TextDecoder().decode(res.body)), { ok: true });
  });

  test('credentialed GET (accounts) from a cross-site RP: only the SameSite=None cookie', async () => {
    const res = await fetcher.fetch(
      request('https://idp.example/accounts', {
        headers: { accept: 'application/json' },
        credentials: 'include',
        initiator: 'https://rp.example',
        siteForCookies: new URL('https://idp.example/'),
      }),
    );
    const got = server.last('/accounts');
    assert.deepEqual(got.headers, [
      ['host', 'idp.example'],
      ['connection', 'keep-alive'],
      ['accept', 'application/json'],
      ['cookie', 'none=1'],
      ['sec-fetch-dest', 'webidentity'],
      ['sec-fetch-mode', 'no-cors'],
      ['sec-fetch-site', 'cross-site'],
      ['user-agent', 'fedkit-test/1'],
    ]);
    assert.deepEqual(res.requestHeaders, headerRecord(got.headers));
    const byName = new Map(res.cookies.map((d) => [d.name, d]));
    assert.equal(byName.get('none')?.sent, true);
    assert.equal(
      byName.get('lax')?.reason,
      'cookie `lax` was not sent: it is SameSite=Lax and the request is cross-site (https://rp.example → https://idp.example)',
    );
    assert.equal(
      byName.get('strict')?.reason,
      'cookie `strict` was not sent: it is SameSite=Strict and the request is cross-site (https://rp.example → https://idp.example)',
    );
    assert.match(byName.get('plain')?.reason ?? '', /no SameSite attribute, so it is treated as SameSite=Lax/);
    assert.equal(byName.get('plain')?.sameSite, 'unspecified');
  });

  test('credentialed GET from a same-site RP sends every cookie, Sec-Fetch-Site same-site', async () => {
    const res = await fetcher.fetch(
      request('https://idp.example/accounts', {
        headers: { accept: 'application/json' },
        credentials: 'include',
        initiator: 'https://accounts.idp.example',
        siteForCookies: new URL('https://idp.example/'),
      }),
    );
    const got = headerRecord(server.last('/accounts').headers);
    assert.equal(got['sec-fetch-site'], 'same-site');
    assert.deepEqual(got['cookie']?.split('; ').sort(), ['lax=1', 'none=1', 'plain=1', 'strict=1']);
    assert.ok(res.cookies.every((d) => d.sent));
  });

  test('same-origin initiator gives Sec-Fetch-Site same-origin; user gives none', async () => {
    await fetcher.fetch(request('https://idp.example/config.json', { initiator: 'https://idp.example' }));
    assert.equal(headerRecord(server.last('/config.json').headers)['sec-fetch-site'], 'same-origin');
    await fetcher.fetch(
      request('https://idp.example/config.json', { initiator: 'user', mode: 'navigate', destination: 'document' }),
    );
    const nav = headerRecord(server.last('/config.json').headers);
    assert.equal(nav['sec-fetch-site'], 'none');
    assert.equal(nav['sec-fetch-mode'], 'navigate');
    assert.equal(nav['sec-fetch-dest'], 'document');
  });

  test('CORS POST (ID assertion) with Origin and a form body', async () => {
    const body = 'client_id=rp&account_id=1&params=%7B%22a%22:1%7D';
    const res = await fetcher.fetch(
      request('https://idp.example/token', {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', origin: 'https://rp.example' },
        body,
        credentials: 'include',
        initiator: 'https://rp.example',
        siteForCookies: new URL('https://idp.example/'),
        mode: 'cors',
      }),
    );
    const got = server.last('/token');
    assert.equal(got.method, 'POST');
    assert.equal(got.body, body);
    assert.deepEqual(got.headers, [
      ['host', 'idp.example'],
      ['connection', 'keep-alive'],
      ['accept', 'application/json'],
      ['content-type', 'application/x-www-form-urlencoded'],
      ['origin', 'https://rp.example'],
      ['cookie', 'none=1'],
      ['sec-fetch-dest', 'webidentity'],
      ['sec-fetch-mode', 'cors'],
      ['sec-fetch-site', 'cross-site'],
      ['user-agent', 'fedkit-test/1'],
      ['content-length', String(body.length)],
    ]);
    assert.deepEqual(res.requestHeaders, headerRecord(got.headers));
    assert.deepEqual(Object.keys(res.requestHeaders), got.headers.map(([k]) => k));
  });

  test('a non-default port stays in the Host header; SNI is the original name', async () => {
    const f = new Fetcher({
      hostRules: `MAP accounts.idp.example:8443 127.0.0.1:${server.port}`,
      ca: testCertificates().caPem,
      cookies: new Cookies(),
      timeoutMs: 5000,
    });
    try {
      await f.fetch(request('https://accounts.idp.example:8443/config.json'));
      const got = server.last('/config.json');
      assert.equal(headerRecord(got.headers)['host'], 'accounts.idp.example:8443');
      assert.equal(got.servername, 'accounts.idp.example');
      assert.match(headerRecord(got.headers)['user-agent'] ?? '', /^fedkit\//);
    } finally {
      await f.close();
    }
  });

  test('an IP-literal https origin is reached without SNI (RFC 6066 §3), request after request', async () => {
    const f = new Fetcher({ ca: testCertificates().caPem, cookies: new Cookies(), timeoutMs: 5000 });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await f.fetch(request(`https://127.0.0.1:${server.port}/config.json`));
        assert.equal(res.status, 200, `request ${i + 1} to the IP origin`);
      }
      const got = server.last('/config.json');
      assert.equal(headerRecord(got.headers)['host'], `127.0.0.1:${server.port}`);
      assert.ok(!got.servername, `no SNI for an IP origin, got ${String(got.servername)}`);
    } finally {
      await f.close();
    }
  });

  test('caller headers the fetcher owns are refused; GET bodies are refused', async () => {
    await assert.rejects(fetcher.fetch(request('https://idp.example/config.json', { headers: { referer: 'https://rp.example/' } })), TypeError);
    await assert.rejects(fetcher.fetch(request('https://idp.example/config.json', { headers: { 'sec-fetch-site': 'none' } })), TypeError);
    await assert.rejects(fetcher.fetch(request('https://idp.example/config.json', { body: 'x' })), TypeError);
  });

  test('non-http(s) URLs fail with invalid-url', async () => {
    await rejectsNet(fetcher.fetch(request('ftp://idp.example/x')), 'invalid-url');
    await rejectsNet(fetcher.fetch(request('data:application/json,{}')), 'invalid-url');
  });
});

describe('Fetcher: TLS, DNS and connection errors', T, () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.https();
    server.route('/ok', (_req, res) => json(res, 200, {}));
  });
  after(() => server.close());

  test('a certificate from an untrusted CA fails with tls and says how to fix it', async () => {
    const f = testFetcher(server, { ca: [] });
    try {
      const err = await rejectsNet(f.fetch(request('https://idp.example/ok')), 'tls');
      assert.match(err.message, /the certificate of idp\.example is not trusted/);
      assert.match(err.message, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      assert.match(err.message, /pass `ca` with your test CA or `insecureTLS: true`/);
    } finally {
      await f.close();
    }
  });

  test('a certificate that does not cover the host name fails with tls', async () => {
    const f = testFetcher(server, { hostRules: { 'idp.test': `127.0.0.1:${server.port}` } });
    try {
      const err = await rejectsNet(f.fetch(request('https://idp.test/ok')), 'tls');
      assert.match(err.message, /ERR_TLS_CERT_ALTNAME_INVALID/);
    } finally {
      await f.close();
    }
  });

  test('insecureTLS skips verification', async () => {
    const f = testFetcher(server, { ca: [], insecureTLS: true, hostRules: { 'idp.test': `127.0.0.1:${server.port}` } });
    try {
      const res = await f.fetch(request('https://idp.test/ok'));
      assert.equal(res.status, 200);
    } finally {
      await f.close();
    }
  });

  test('an unmapped host fails with dns and suggests a host rule', async () => {
    const f = testFetcher(server, { hostRules: { 'idp.example': `127.0.0.1:${server.port}` } });
    try {
      const err = await rejectsNet(f.fetch(request('https://rp.example/ok')), 'dns');
      assert.equal(err.message, "could not resolve rp.example; add a host rule such as { 'rp.example:443': '127.0.0.1:PORT' }");
    } finally {
      await f.close();
    }
  });

  test('a refused connection fails with connection', async () => {
    const closed = await TestServer.http();
    const port = closed.port;
    await closed.close();
    const f = testFetcher(server, { hostRules: { 'idp.example': `127.0.0.1:${port}` } });
    try {
      const err = await rejectsNet(f.fetch(request('https://idp.example/ok')), 'connection');
      assert.match(err.message, /ECONNREFUSED/);
      assert.match(err.message, /mapped to 127\.0\.0\.1:\d+ by a host rule/);
    } finally {
      await f.close();
    }
  });

  test('a server that closes the socket mid-response fails with connection', async () => {
    server.route('/hangup', (req) => req.socket.destroy());
    const f = testFetcher(server);
    try {
      await rejectsNet(f.fetch(request('https://idp.example/hangup')), 'connection');
    } finally {
      await f.close();
    }
  });

  test('TLS to a plain HTTP server fails with tls', async () => {
    const plain = await TestServer.http();
    const f = testFetcher(plain);
    try {
      await rejectsNet(f.fetch(request('https://idp.example/ok')), 'tls');
    } finally {
      await f.close();
      await plain.close();
    }
  });
});

describe('Fetcher: redirects', T, () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.https();
    server.route('/final', (_req, res) => json(res, 200, { final: true }));
    server.route('/302', (_req, res) => res.writeHead(302, { location: 'https://idp.example/final' }).end());
    server.route('/303', (_req, res) =>
      res.writeHead(303, { location: 'https://accounts.idp.example/final', 'set-cookie': 'hop=1; SameSite=None; Secure' }).end(),
    );
    server.route('/307', (_req, res) => res.writeHead(307, { location: '/final' }).end());
    server.route('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    server.route('/to-ftp', (_req, res) => res.writeHead(302, { location: 'ftp://idp.example/' }).end());
    server.route('/to-rp', (_req, res) => res.writeHead(302, { location: 'https://rp.example/final' }).end());
    server.route('/no-location', (_req, res) => res.writeHead(302).end('moved?'));
  });
  after(() => server.close());

  test('redirect: error refuses any 3xx, naming URL, status and Location', async () => {
    const f = testFetcher(server);
    try {
      const err = await rejectsNet(f.fetch(request('https://idp.example/302')), 'redirect-refused');
      assert.equal(
        err.message,
        'https://idp.example/302 returned 302 to https://idp.example/final; redirects are not followed for this request',
      );
      assert.equal(err.status, 302);
      assert.equal(err.location, 'https://idp.example/final');
    } finally {
      await f.close();
    }
  });

  test('redirect: manual returns the 3xx', async () => {
    const f = testFetcher(server);
    try {
      const res = await f.fetch(request('https://idp.example/302', { redirect: 'manual' }));
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), 'https://idp.example/final');
      assert.deepEqual(res.redirects, []);
    } finally {
      await f.close();
    }
  });

  test('a 3xx without Location is an ordinary response (Chromium)', async () => {
    const f = testFetcher(server);
    try {
      const res = await f.fetch(request('https://idp.example/no-location'));
      assert.equal(res.status, 302);
      assert.equal(new TextDecoder().decode(res.body), 'moved?');
    } finally {
      await f.close();
    }
  });

  test('redirect: follow turns a POST 303 into a GET, recomputes cookies and Sec-Fetch-Site, reports every hop', async () => {
    const hops: ResponseHop[] = [];
    const cookies = new Cookies();
    await cookies.set('https://accounts.idp.example/', 'lax=1; SameSite=Lax; Secure');
    const f = testFetcher(server, { cookies, onResponse: (hop) => hops.push(hop) });
    try {
      const res = await f.fetch(
        request('https://idp.example/303', {
          method: 'POST',
          body: 'a=1',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://idp.example' },
          credentials: 'include',
          initiator: 'https://idp.example',
          redirect: 'follow',
        }),
      );
      assert.equal(res.status, 200);
      assert.equal(res.url.href, 'https://accounts.idp.example/final');
      assert.deepEqual(res.redirects.map((u) => u.href), ['https://accounts.idp.example/final']);
      assert.deepEqual(hops.map((h) => [h.url.href, h.status, h.request.method]), [
        ['https://idp.example/303', 303, 'POST'],
        ['https://accounts.idp.example/final', 200, 'GET'],
      ]);
      const got = server.last('/final');
      assert.equal(got.method, 'GET');
      assert.equal(got.body, '');
      const h = headerRecord(got.headers);
      assert.equal(h['content-type'], undefined);
      assert.equal(h['content-length'], undefined);
      assert.equal(h['origin'], undefined, 'a no-cors GET carries no Origin');
      assert.equal(h['sec-fetch-site'], 'same-site');
      // The 303 hop stored `hop` (domain idp.example is host-only, so not sent to accounts.);
      // the accounts. cookie is same-site with the initiator, so Lax is sent.
      assert.equal(h['cookie'], 'lax=1');
      assert.deepEqual(res.setCookies.map((s) => [s.url.href, s.stored]), [['https://idp.example/303', ['hop']]]);
      assert.deepEqual(res.requestHeaders, h);
    } finally {
      await f.close();
    }
  });

  test('307 keeps method and body; Sec-Fetch-Site takes the least same-site value of the chain', async () => {
    const f = testFetcher(server);
    try {
      await f.fetch(
        request('https://idp.example/307', {
          method: 'POST',
          body: 'b=2',
          headers: { 'content-type': 'text/plain' },
          initiator: 'https://idp.example',
          redirect: 'follow',
        }),
      );
      const got = server.last('/final');
      assert.equal(got.method, 'POST');
      assert.equal(got.body, 'b=2');
      assert.equal(headerRecord(got.headers)['content-type'], 'text/plain');
      assert.equal(headerRecord(got.headers)['sec-fetch-site'], 'same-origin');

      await f.fetch(request('https://idp.example/to-rp', { initiator: 'https://idp.example', redirect: 'follow' }));
      assert.equal(headerRecord(server.last('/final').headers)['sec-fetch-site'], 'cross-site');
    } finally {
      await f.close();
    }
  });

  test('too many redirects, and redirects to non-http(s) URLs, fail', async () => {
    const f = testFetcher(server);
    try {
      const err = await rejectsNet(f.fetch(request('https://idp.example/loop', { redirect: 'follow', maxRedirects: 3 })), 'too-many-redirects');
      assert.match(err.message, /more than 3 times/);
      assert.equal(server.received.filter((r) => r.path === '/loop').length >= 4, true);
      await rejectsNet(f.fetch(request('https://idp.example/to-ftp', { redirect: 'follow' })), 'invalid-url');
    } finally {
      await f.close();
    }
  });
});

describe('Fetcher: body limits, timeouts and abort', T, () => {
  let server: TestServer;
  const MiB = 1024 * 1024;
  const timers = new Set<NodeJS.Timeout>();
  before(async () => {
    server = await TestServer.https();
    server.route('/exact', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(MiB) }).end(Buffer.alloc(MiB, 0x61));
    });
    server.route('/declared-large', (_req, res) => {
      res.writeHead(200, { 'content-length': String(2 * MiB) });
      res.write(Buffer.alloc(1024));
      // Never finish: the client must give up on the Content-Length alone.
    });
    server.route('/chunked-large', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const push = (): void => {
        if (res.destroyed) return;
        while (sent <= 3 * MiB) {
          sent += 64 * 1024;
          if (!res.write(Buffer.alloc(64 * 1024, 0x20))) {
            res.once('drain', push);
            return;
          }
        }
        res.end();
      };
      push();
    });
    server.route('/drip', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => {
        if (res.destroyed) clearInterval(t);
        else res.write(' ');
      }, 20);
      timers.add(t);
    });
    server.route('/stall', () => {
      // Never answers.
    });
  });
  after(async () => {
    for (const t of timers) clearInterval(t);
    await server.close();
  });

  test('exactly 1 MiB is accepted', async () => {
    const f = testFetcher(server);
    try {
      const res = await f.fetch(request('https://idp.example/exact'));
      assert.equal(res.body.byteLength, MiB);
    } finally {
      await f.close();
    }
  });

  test('Content-Length over the cap is rejected before reading', async () => {
    const f = testFetcher(server);
    try {
      const started = Date.now();
      const err = await rejectsNet(f.fetch(request('https://idp.example/declared-large')), 'body-too-large');
      assert.match(err.message, /declares 2097152 bytes/);
      assert.ok(Date.now() - started < 2000);
    } finally {
      await f.close();
    }
  });

  test('a chunked body is cut off as soon as it passes the cap', async () => {
    const f = testFetcher(server);
    try {
      const err = await rejectsNet(f.fetch(request('https://idp.example/chunked-large')), 'body-too-large');
      assert.match(err.message, /larger than the limit of 1048576 bytes/);
      const small = await rejectsNet(f.fetch(request('https://idp.example/exact', { maxBodyBytes: 1000 })), 'body-too-large');
      assert.match(small.message, /over the limit of 1000 bytes/);
    } finally {
      await f.close();
    }
  });

  test('a slow-drip body ends in timeout within the configured time', async () => {
    const f = testFetcher(server, { timeoutMs: 300 });
    try {
      const started = Date.now();
      const err = await rejectsNet(f.fetch(request('https://idp.example/drip')), 'timeout');
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 2000, `took ${elapsed} ms`);
      assert.match(err.message, /did not complete within 300 ms/);
    } finally {
      await f.close();
    }
  });

  test('a server that never answers ends in timeout; per-request timeoutMs wins', async () => {
    const f = testFetcher(server, { timeoutMs: 5000 });
    try {
      const started = Date.now();
      await rejectsNet(f.fetch(request('https://idp.example/stall', { timeoutMs: 200 })), 'timeout');
      assert.ok(Date.now() - started < 2000);
    } finally {
      await f.close();
    }
  });

  test('abort via signal: immediate, with the reason as cause', async () => {
    const f = testFetcher(server);
    try {
      const controller = new AbortController();
      const reason = new Error('user closed the dialog');
      setTimeout(() => controller.abort(reason), 50);
      const started = Date.now();
      const err = await rejectsNet(f.fetch(request('https://idp.example/stall', { signal: controller.signal })), 'aborted');
      assert.equal(err.cause, reason);
      assert.ok(Date.now() - started < 1000);

      const pre = new AbortController();
      pre.abort('early');
      const err2 = await rejectsNet(f.fetch(request('https://idp.example/exact', { signal: pre.signal })), 'aborted');
      assert.equal(err2.cause, 'early');

      const mid = new AbortController();
      setTimeout(() => mid.abort(), 100);
      await rejectsNet(f.fetch(request('https://idp.example/drip', { signal: mid.signal })), 'aborted');
    } finally {
      await f.close();
    }
  });
});

describe('Fetcher: cookies on the wire', T, () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.https();
    server.route('/set', (_req, res) => {
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': [
            'sid=abc; SameSite=None; Secure; HttpOnly; Path=/',
            'insecure_none=1; SameSite=None',
            'lax=1; SameSite=Lax; Secure',
            'unspecified=1; Secure',
          ],
        })
        .end('{}');
    });
    server.route('/echo', (_req, res) => json(res, 200, {}));
  });
  after(() => server.close());

  test('credentials omit ignores Set-Cookie', async () => {
    const cookies = new Cookies();
    const f = testFetcher(server, { cookies });
    try {
      const res = await f.fetch(request('https://idp.example/set'));
      assert.equal(res.headers.getSetCookie().length, 4);
      assert.deepEqual(await cookies.all(), []);
      assert.deepEqual(res.setCookies, []);
    } finally {
      await f.close();
    }
  });

  test('a cross-site credentialed response can set only SameSite=None; Secure cookies', async () => {
    const cookies = new Cookies();
    const hops: string[] = [];
    const f = testFetcher(server, { cookies, onResponse: (hop) => hops.push(hop.headers.getSetCookie().join('|')) });
    try {
      const res = await f.fetch(
        request('https://idp.example/set', { credentials: 'include', initiator: 'https://rp.example', siteForCookies: new URL('https://idp.example/') }),
      );
      assert.equal(hops.length, 1);
      const [outcome] = res.setCookies;
      assert.deepEqual(outcome?.stored, ['sid']);
      assert.deepEqual(outcome?.rejected, [
        { name: 'insecure_none', reason: 'it is SameSite=None without Secure (Chromium requires Secure for SameSite=None)' },
        {
          name: 'lax',
          reason:
            'it is SameSite=Lax and the response is to a cross-site request (https://rp.example → https://idp.example); only SameSite=None; Secure cookies can be set there',
        },
        {
          name: 'unspecified',
          reason:
            'it has no SameSite attribute, so it is treated as SameSite=Lax and the response is to a cross-site request (https://rp.example → https://idp.example); only SameSite=None; Secure cookies can be set there',
        },
      ]);
      // And it goes back on the next credentialed request.
      await f.fetch(request('https://idp.example/echo', { credentials: 'include', initiator: 'https://rp.example', siteForCookies: new URL('https://idp.example/') }));
      assert.equal(headerRecord(server.last('/echo').headers)['cookie'], 'sid=abc');
    } finally {
      await f.close();
    }
  });

  test('a same-site (top-level) response sets Lax and unspecified cookies too', async () => {
    const cookies = new Cookies();
    const f = testFetcher(server, { cookies });
    try {
      const res = await f.fetch(
        request('https://idp.example/set', { credentials: 'include', initiator: 'user', mode: 'navigate', destination: 'document', topLevelNavigation: true }),
      );
      assert.deepEqual(res.setCookies[0]?.stored, ['sid', 'lax', 'unspecified']);
      assert.deepEqual((await cookies.all()).map((c) => c.name).sort(), ['lax', 'sid', 'unspecified']);
    } finally {
      await f.close();
    }
  });

  test('Secure cookies are set and sent over http://127.0.0.1 (potentially trustworthy)', async () => {
    const plain = await TestServer.http();
    plain.route('/set', (_req, res) =>
      res.writeHead(200, { 'set-cookie': ['s=1; SameSite=None; Secure', 'n=1; SameSite=None; Secure; Path=/'] }).end(),
    );
    plain.route('/echo', (_req, res) => res.writeHead(200).end());
    const cookies = new Cookies();
    const f = new Fetcher({ cookies, timeoutMs: 5000 });
    try {
      const base = `http://127.0.0.1:${plain.port}`;
      const res = await f.fetch(request(`${base}/set`, { credentials: 'include', initiator: 'http://localhost:3000' }));
      assert.deepEqual(res.setCookies[0]?.stored, ['s', 'n']);
      const echo = await f.fetch(request(`${base}/echo`, { credentials: 'include', initiator: 'http://localhost:3000' }));
      const sent = headerRecord(plain.last('/echo').headers);
      assert.equal(sent['cookie'], 's=1; n=1');
      assert.equal(sent['host'], `127.0.0.1:${plain.port}`);
      assert.equal(sent['sec-fetch-site'], 'cross-site');
      assert.ok(echo.cookies.every((d) => d.sent));
    } finally {
      await f.close();
      await plain.close();
    }
  });
});

describe('Fetcher: hooks', T, () => {
  test('an error thrown by onResponse reaches the caller untouched', async () => {
    const server = await TestServer.https();
    server.route('/ok', (_req, res) => json(res, 200, {}));
    const boom = new Error('boom');
    const f = testFetcher(server, {
      onResponse: () => {
        throw boom;
      },
    });
    try {
      await assert.rejects(f.fetch(request('https://idp.example/ok')), (err: unknown) => err === boom);
    } finally {
      await f.close();
      await server.close();
    }
  });
});
