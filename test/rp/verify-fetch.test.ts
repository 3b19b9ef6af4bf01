// The verifier against hostile and broken IdPs: discovery and JWKS fetches that never answer,
// drip their body, send 200 MB, or fail on DNS, TLS trust or status. Each costs a bounded wait
// and a bounded buffer, fails with a named error, and is not retried during the cool-down.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type KeyObject } from 'jose';
import { IdentityTokenVerifier, TokenVerificationError, type VerifierOptions } from '../../src/rp/verify.js';
import { startFixtureServer, type FixtureServer } from '../fixtures/index.js';

/** A token whose header names ES256 and a kid: enough for the verifier to go looking for keys. */
const SHAPED = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'k1' })).toString('base64url')}.e30.c2ln`;

interface Hostile {
  url: string;
  /** Requests seen, as `METHOD path`. */
  seen: string[];
  close(): Promise<void>;
}

/** A server on loopback whose answer to each path is `behave`'s business. */
async function hostile(behave: (req: http.IncomingMessage, res: http.ServerResponse, base: string) => void): Promise<Hostile> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  let base = '';
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.on('error', () => {});
    behave(req, res, base);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function failure(p: Promise<unknown>): Promise<TokenVerificationError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TokenVerificationError, String(e));
    return e;
  }
  assert.fail('verified, but should have failed');
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await p;
  return { value, ms: performance.now() - started };
}

const OPENID = '/.well-known/openid-configuration';

describe('verifier fetches: bounded, named, cooled down', { timeout: 60_000 }, () => {
  const servers: Hostile[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });
  const start = async (behave: Parameters<typeof hostile>[0]) => {
    const s = await hostile(behave);
    servers.push(s);
    return s;
  };

  it('gives up on a discovery endpoint that never answers after fetchTimeoutMs, then fails at once until the cool-down ends', async () => {
    const idp = await start(() => {}); // accepts, reads the request, never answers
    let clock = Date.now();
    const v = new IdentityTokenVerifier({ issuer: idp.url, clientId: 'c', fetchTimeoutMs: 300, failureCooldownMs: 10_000, now: () => clock });
    const first = await timed(failure(v.verify(SHAPED)));
    assert.equal(first.value.code, 'discovery_failed');
    assert.equal(first.value.failure, 'timeout');
    assert.match(first.value.message, /sent no complete answer within 300 ms/);
    assert.ok(first.ms >= 250 && first.ms < 2_000, `waited ${first.ms} ms`);

    // Concurrent and later verifications during the cool-down: no new request, no wait.
    const again = await timed(Promise.all([failure(v.verify(SHAPED)), failure(v.verify(SHAPED))]));
    assert.ok(again.ms < 100, `waited ${again.ms} ms`);
    for (const e of again.value) {
      assert.equal(e.code, 'discovery_failed');
      assert.equal(e.failure, 'cooling_down');
      assert.match(e.message, /not retried: that was 0\.0 s ago; the next attempt is in 10\.0 s/);
    }
    assert.deepEqual(idp.seen, [`GET ${OPENID}`]);

    clock += 10_000;
    assert.equal((await failure(v.verify(SHAPED))).failure, 'timeout');
    assert.equal(idp.seen.length, 2, 'after the cool-down the IdP is asked again');
  });

  it('counts the body in the timeout: a server that drips one byte every 100 ms is a timeout', async () => {
    const idp = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(drip));
    });
    const { value, ms } = await timed(failure(new IdentityTokenVerifier({ issuer: idp.url, clientId: 'c', fetchTimeoutMs: 500 }).verify(SHAPED)));
    assert.equal(value.failure, 'timeout');
    assert.ok(ms < 2_000, `waited ${ms} ms`);
  });

  it('reads at most maxResponseBytes of a 200 MB discovery document (declared or streamed), and memory stays flat', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const total = 200 * 1024 * 1024;
    let sent = 0;
    const idp = await start((req, res) => {
      const declared = req.url === `/declared${OPENID}`;
      res.writeHead(200, { 'content-type': 'application/json', ...(declared ? { 'content-length': String(total) } : {}) });
      const pump = () => {
        while (sent < total && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    globalThis.gc?.();
    const before = process.memoryUsage();
    for (const issuer of [idp.url, `${idp.url}/declared`]) {
      sent = 0;
      const { value, ms } = await timed(failure(new IdentityTokenVerifier({ issuer, clientId: 'c', maxResponseBytes: 1024 * 1024 }).verify(SHAPED)));
      assert.equal(value.code, 'discovery_failed');
      assert.equal(value.failure, 'too_large');
      assert.match(value.message, issuer === idp.url ? /answered more than 1048576 bytes; reading stopped there/ : /answered 209715200 bytes; at most 1048576 are read/);
      assert.ok(ms < 5_000, `took ${ms} ms`);
      assert.ok(sent < 32 * 1024 * 1024, `the server got to send ${sent} bytes`);
    }
    const grown = process.memoryUsage().rss - before.rss;
    // Reading the whole document used to cost ~800 MB; a cap of 1 MiB leaves socket buffers.
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB`);
  });

  it('names a status: 404 suggests jwksUri, 500 does not', async () => {
    const idp = await start((req, res) => {
      res.writeHead(req.url?.startsWith('/gone') ? 404 : 500).end();
    });
    const e404 = await failure(new IdentityTokenVerifier({ issuer: `${idp.url}/gone`, clientId: 'c' }).verify(SHAPED));
    assert.equal(e404.failure, 'status');
    assert.match(e404.message, /answered 404, not 200\. Pass `jwksUri` \(fedkit rp serve --jwks-uri\)/);
    const e500 = await failure(new IdentityTokenVerifier({ issuer: idp.url, clientId: 'c' }).verify(SHAPED));
    assert.equal(e500.failure, 'status');
    assert.match(e500.message, /answered 500, not 200\.$/);
  });

  it('bounds the JWKS fetch the same way: a hanging JWKS is a timeout, then a cool-down; a huge one is too_large', async () => {
    const idp = await start((req, res, base) => {
      const prefix = req.url!.slice(0, req.url!.indexOf('/', 1));
      if (req.url!.endsWith(OPENID)) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: base + prefix, jwks_uri: `${base}${prefix}/jwks.json` }));
      if (prefix === '/hang') return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"keys":[${' '.repeat(3 * 1024 * 1024)}]}`);
    });
    const clock = Date.now();
    const hang = new IdentityTokenVerifier({ issuer: `${idp.url}/hang`, clientId: 'c', fetchTimeoutMs: 300, now: () => clock });
    const first = await timed(failure(hang.verify(SHAPED)));
    assert.equal(first.value.code, 'jwks_unavailable');
    assert.equal(first.value.failure, 'timeout');
    assert.ok(first.ms < 2_000, `waited ${first.ms} ms`);
    const second = await timed(failure(hang.verify(SHAPED)));
    assert.equal(second.value.failure, 'cooling_down');
    assert.ok(second.ms < 100, `waited ${second.ms} ms`);
    assert.equal(idp.seen.filter((r) => r === 'GET /hang/jwks.json').length, 1);

    const huge = await failure(new IdentityTokenVerifier({ issuer: `${idp.url}/huge`, clientId: 'c' }).verify(SHAPED));
    assert.equal(huge.code, 'jwks_unavailable');
    assert.equal(huge.failure, 'too_large');
  });

  it('names a DNS failure, with host rules as the fix', async () => {
    const e = await failure(new IdentityTokenVerifier({ issuer: 'https://idp.invalid', clientId: 'c', fetchTimeoutMs: 4_000 }).verify(SHAPED));
    assert.equal(e.failure, 'dns', e.message);
    assert.match(e.message, /DNS: idp\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)\)\. .*--host-rules "MAP idp\.invalid 127\.0\.0\.1:<port>"/);
  });
});

describe('verifier with host rules and a local CA (what fedkit rp serve --host-rules / --ca use)', () => {
  let server: FixtureServer;
  let privateKey: KeyObject;
  const ISSUER = 'https://idp.example';
  before(async () => {
    server = await startFixtureServer();
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey as KeyObject;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server.route(ISSUER, 'GET', OPENID, () => ({ json: { issuer: ISSUER, jwks_uri: `${ISSUER}/jwks.json` } }));
    server.route(ISSUER, 'GET', '/jwks.json', () => ({ json: { keys: [jwk] } }));
  });
  after(() => server.close());

  const token = () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: ISSUER, aud: 'c', sub: 'u1', iat: now, exp: now + 60 }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
  };
  const options = (extra: Partial<VerifierOptions>): VerifierOptions => ({ issuer: ISSUER, clientId: 'c', ...extra });

  it('verifies through hostRules and ca without a fetch of its own', async () => {
    const v = new IdentityTokenVerifier(options({ hostRules: server.hostRules, ca: server.ca }));
    assert.equal((await v.verify(await token())).claims.sub, 'u1');
  });

  it('names an untrusted certificate, with --ca as the fix', async () => {
    const e = await failure(new IdentityTokenVerifier(options({ hostRules: server.hostRules })).verify(await token()));
    assert.equal(e.code, 'discovery_failed');
    assert.equal(e.failure, 'tls');
    assert.match(e.message, /TLS: the certificate of idp\.example is not trusted \([A-Z_]+\)\. Trust the CA that issued it \(ca, or fedkit rp serve --ca <pem file>\)/);
  });

  it('names a refused connection', async () => {
    const e = await failure(new IdentityTokenVerifier(options({ hostRules: 'MAP idp.example 127.0.0.1:1', ca: server.ca })).verify(await token()));
    assert.equal(e.failure, 'refused');
    assert.match(e.message, /nothing accepts connections at idp\.example \(ECONNREFUSED\)/);
  });
});
