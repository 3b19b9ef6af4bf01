// fedkit/idp/express and toNodeListener inside real Express 5 apps: with and without the app's
// body parsers (urlencoded flat and extended, json, gzip-inflated), at the root and under the
// issuer's path prefix, the root well-known mount, mounts that disagree with the issuer, and a
// middleware that eats the body. Plain HTTP on 127.0.0.1; the IdP routes by path.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { BodyAlreadyReadError } from '../../src/common/parsed-body.js';
import { fedkitIdp, fedkitWellKnown } from '../../src/idp/express.js';
import { addClient, addUser, createIdp, openStore, toNodeListener, type Idp, type Store } from '../../src/idp/index.js';
import { IdpMountError } from '../../src/idp/mount.js';
import { FAST_SCRYPT, PASSWORD } from './helpers.js';

interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listen(app: Express | http.RequestListener): Promise<Listening> {
  const server = http.createServer(app as http.RequestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const FEDCM = { 'sec-fetch-dest': 'webidentity', origin: 'https://rp.example' };
const FORM = { ...FEDCM, 'content-type': 'application/x-www-form-urlencoded' };

/** What the IdP said, as { status, description }: its description names the parameter it read. */
async function post(url: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = FORM): Promise<{ status: number; description: string }> {
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  const json = (await res.json()) as { error?: { error_description?: string } };
  return { status: res.status, description: json.error?.error_description ?? JSON.stringify(json) };
}

/** A raw request (fetch cannot send TRACE). */
function raw(url: string, method: string, path: string): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('the IdP in Express', { timeout: 60_000 }, () => {
  let dir: string;
  let store: Store;
  let idp: Idp;
  let rootIdp: Idp;
  const servers: Listening[] = [];
  const seenErrors: unknown[] = [];
  const catchErrors: ErrorRequestHandler = (error, _req, res, _next) => {
    seenErrors.push(error);
    res.status(500).json({ caught: (error as Error).name });
  };
  const start = async (app: Express | http.RequestListener) => {
    const s = await listen(app);
    servers.push(s);
    return s.url;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-express-'));
    store = await openStore(join(dir, 'idp.db'));
    await addClient(store, { id: 'rp1', origins: ['https://rp.example'] });
    await addUser(store, { id: 'u1', email: 'ex@idp.example', name: 'Ex', password: PASSWORD, scrypt: FAST_SCRYPT });
    idp = createIdp({ issuer: 'https://idp.example/idp', store });
    rootIdp = createIdp({ issuer: 'https://idp.example', store });
  });
  after(async () => {
    for (const s of servers) await s.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('toNodeListener after express.urlencoded() hands the IdP the body the parser read (it used to be lost)', async () => {
    const app = express();
    app.use(express.urlencoded());
    app.use(toNodeListener(idp));
    const url = await start(app);
    // The IdP read client_id from the body: an unknown one is named, a known one gets as far as the session check.
    assert.deepEqual(await post(`${url}/idp/fedcm/assertion`, 'client_id=nobody&account_id=u1'), { status: 400, description: 'No client "nobody" is registered with this identity provider.' });
    assert.equal((await post(`${url}/idp/fedcm/assertion`, 'client_id=rp1&account_id=u1')).status, 401);
  });

  it('toNodeListener answers 500 with a request id, and calls onError with a BodyAlreadyReadError, when a middleware ate the body and kept nothing', async () => {
    const errors: unknown[] = [];
    const app = express();
    app.use((req, _res, next) => {
      req.resume();
      req.once('end', () => next());
    });
    app.use(toNodeListener(idp, { onError: (e) => errors.push(e) }));
    const url = await start(app);
    const res = await fetch(`${url}/idp/fedcm/assertion`, { method: 'POST', headers: FORM, body: 'client_id=rp1', signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 500);
    assert.match(((await res.json()) as { error: { request_id: string } }).error.request_id, /^[0-9a-f]{16}$/);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof BodyAlreadyReadError);
    assert.match((errors[0] as Error).message, /mount fedkit before that middleware/);
  });

  describe('fedkitIdp under the issuer\'s path, after the app\'s parsers', () => {
    let url: string;
    before(async () => {
      const app = express();
      app.set('trust proxy', true);
      app.use(express.urlencoded());
      app.use(express.json());
      app.post('/echo', (req, res) => res.json(req.body));
      app.use(fedkitWellKnown(idp));
      app.use('/idp', fedkitIdp(idp));
      app.use(catchErrors);
      url = await start(app);
    });

    it('serves the config, discovery and the well-known file with URLs under /idp (the well-known at the root)', async () => {
      const config = (await (await fetch(`${url}/idp/fedcm/config.json`, { headers: FEDCM })).json()) as Record<string, string>;
      assert.equal(config['accounts_endpoint'], 'https://idp.example/idp/fedcm/accounts');
      assert.equal(config['id_assertion_endpoint'], 'https://idp.example/idp/fedcm/assertion');
      const discovery = (await (await fetch(`${url}/idp/.well-known/openid-configuration`)).json()) as Record<string, string>;
      assert.equal(discovery['issuer'], 'https://idp.example/idp');
      assert.equal(discovery['jwks_uri'], 'https://idp.example/idp/fedcm/jwks.json');
      const wellKnown = (await (await fetch(`${url}/.well-known/web-identity`, { headers: FEDCM })).json()) as { provider_urls: string[] };
      assert.deepEqual(wellKnown.provider_urls, ['https://idp.example/idp/fedcm/config.json']);
      // Not under the mount: the IdP serves nothing at the root's /fedcm, Express answers its own 404.
      assert.equal((await fetch(`${url}/fedcm/config.json`, { headers: FEDCM })).status, 404);
    });

    it('reads the parsed form as it was sent: every value, a repeated name twice', async () => {
      assert.deepEqual(await post(`${url}/idp/fedcm/assertion`, `client_id=${encodeURIComponent('a b&c=d+é')}&account_id=u1`), { status: 400, description: 'No client "a b&c=d+é" is registered with this identity provider.' });
      assert.deepEqual(await post(`${url}/idp/fedcm/assertion`, 'client_id=rp1&client_id=rp2&account_id=u1'), { status: 400, description: 'The parameter client_id appears 2 times; send it once.' });
    });

    it('reads a gzip body that the parser inflated (the framing headers describe the rebuilt bytes)', async () => {
      const body = new Uint8Array(gzipSync('client_id=zipped&account_id=u1'));
      assert.deepEqual(await post(`${url}/idp/fedcm/assertion`, body, { ...FORM, 'content-encoding': 'gzip' }), { status: 400, description: 'No client "zipped" is registered with this identity provider.' });
    });

    it('gives a JSON body the IdP\'s own 415, as without the parser', async () => {
      const { status, description } = await post(`${url}/idp/fedcm/assertion`, '{"client_id":"rp1"}', { ...FEDCM, 'content-type': 'application/json' });
      assert.equal(status, 415);
      assert.match(description, /application\/x-www-form-urlencoded/);
    });

    it('leaves the app\'s own routes their parsed bodies', async () => {
      const res = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2' });
      assert.deepEqual(await res.json(), { a: '1', b: '2' });
    });

    it('answers TRACE on an IdP route with the route\'s 405 and Allow', async () => {
      const res = await raw(url, 'TRACE', '/idp/fedcm/assertion');
      assert.equal(res.status, 405);
      assert.equal(res.allow, 'POST');
      assert.match(res.body, /"invalid_request"/);
    });

    it('counts a failed sign-in under req.ip, which follows the app\'s trust proxy setting', async () => {
      const page = await fetch(`${url}/idp/fedcm/login`, { headers: { accept: 'text/html' } });
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const res = await fetch(`${url}/idp/fedcm/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://idp.example', cookie, 'x-forwarded-for': '203.0.113.9' },
        body: new URLSearchParams({ csrf, email: 'ex@idp.example', password: 'wrong' }).toString(),
      });
      assert.equal(res.status, 401);
      assert.equal(await store.countLoginFailures('address:203.0.113.9', 0), 1);
    });
  });

  it('fedkitIdp without any parser, at the root, serves the well-known file itself and reads the body from the stream', async () => {
    const app = express();
    app.use(fedkitIdp(rootIdp));
    const url = await start(app);
    assert.deepEqual(await post(`${url}/fedcm/assertion`, 'client_id=streamed&account_id=u1'), { status: 400, description: 'No client "streamed" is registered with this identity provider.' });
    const wellKnown = (await (await fetch(`${url}/.well-known/web-identity`, { headers: FEDCM })).json()) as { provider_urls: string[] };
    assert.deepEqual(wellKnown.provider_urls, ['https://idp.example/fedcm/config.json']);
  });

  it('with express.urlencoded({ extended: true }), a bracketed name stays bracketed: client_id[]=rp1 is no client_id', async () => {
    const app = express();
    app.use(express.urlencoded({ extended: true }));
    app.use('/idp', fedkitIdp(idp));
    const url = await start(app);
    assert.deepEqual(await post(`${url}/idp/fedcm/assertion`, 'client_id[]=rp1&account_id=u1'), { status: 400, description: 'The parameter client_id is missing.' });
    assert.deepEqual(await post(`${url}/idp/fedcm/assertion`, 'client_id[x]=rp1&account_id=u1'), { status: 400, description: 'The parameter client_id is missing.' });
    assert.equal((await post(`${url}/idp/fedcm/assertion`, 'client_id=rp1&account_id=u1')).status, 401);
  });

  it('passes an IdpMountError to next() when mounted where the issuer does not put the IdP, and when the well-known mount is not at the root', async () => {
    seenErrors.length = 0;
    const app = express();
    app.use('/auth', fedkitIdp(idp));
    app.use('/sub', fedkitWellKnown(idp));
    app.use(catchErrors);
    const url = await start(app);
    const res = await fetch(`${url}/auth/fedcm/config.json`, { headers: FEDCM });
    assert.equal(res.status, 500);
    assert.ok(seenErrors[0] instanceof IdpMountError);
    assert.match((seenErrors[0] as Error).message, /mounted at \/auth, but the IdP's issuer https:\/\/idp\.example\/idp puts its endpoints under \/idp/);
    await fetch(`${url}/sub/.well-known/web-identity`, { headers: FEDCM });
    assert.ok(seenErrors[1] instanceof IdpMountError);
    // The root IdP mounted under a prefix is a mismatch too.
    const app2 = express();
    app2.use('/idp', fedkitIdp(rootIdp));
    app2.use(catchErrors);
    const url2 = await start(app2);
    assert.equal((await fetch(`${url2}/idp/fedcm/config.json`, { headers: FEDCM })).status, 500);
    assert.ok(seenErrors[2] instanceof IdpMountError);
  });

  it('passes a BodyAlreadyReadError to next() when an earlier middleware ate the body and kept nothing', async () => {
    seenErrors.length = 0;
    const app = express();
    app.use((req, _res, next) => {
      req.resume();
      req.once('end', () => next());
    });
    app.use('/idp', fedkitIdp(idp));
    app.use(catchErrors);
    const url = await start(app);
    const res = await fetch(`${url}/idp/fedcm/assertion`, { method: 'POST', headers: FORM, body: 'client_id=rp1' });
    assert.deepEqual(await res.json(), { caught: 'BodyAlreadyReadError' });
    assert.ok(seenErrors[0] instanceof BodyAlreadyReadError);
  });
});
