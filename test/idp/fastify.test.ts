// fedkit/idp/fastify inside real Fastify 5 apps: with and without @fastify/formbody, bodies of
// every content type (and none) reaching the IdP rather than Fastify's 415, the prefix and the
// root well-known plugin, registrations that disagree with the issuer, and the app's own routes.

import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { fedkitIdp, fedkitWellKnown } from '../../src/idp/fastify.js';
import { addClient, addUser, createIdp, openStore, type Idp, type Store } from '../../src/idp/index.js';
import { IdpMountError } from '../../src/idp/mount.js';
import { FAST_SCRYPT, PASSWORD } from './helpers.js';

const FEDCM = { 'sec-fetch-dest': 'webidentity', origin: 'https://rp.example' };
const FORM = { ...FEDCM, 'content-type': 'application/x-www-form-urlencoded' };

async function post(url: string, body: string | undefined, headers: Record<string, string> = FORM): Promise<{ status: number; description: string }> {
  const res = await fetch(url, { method: 'POST', headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(10_000) });
  const json = (await res.json()) as { error?: { error_description?: string } };
  return { status: res.status, description: json.error?.error_description ?? JSON.stringify(json) };
}

/** A raw request (fetch cannot send TRACE, and sets a Content-Type on a string body). */
function raw(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, headers, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('the IdP in Fastify', { timeout: 60_000 }, () => {
  let dir: string;
  let store: Store;
  let idp: Idp;
  let rootIdp: Idp;
  const apps: FastifyInstance[] = [];
  const start = async (app: FastifyInstance): Promise<string> => {
    apps.push(app);
    return app.listen({ port: 0, host: '127.0.0.1' });
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-fastify-'));
    store = await openStore(join(dir, 'idp.db'));
    await addClient(store, { id: 'rp1', origins: ['https://rp.example'] });
    await addUser(store, { id: 'u1', email: 'fy@idp.example', name: 'Fy', password: PASSWORD, scrypt: FAST_SCRYPT });
    idp = createIdp({ issuer: 'https://idp.example/idp', store });
    rootIdp = createIdp({ issuer: 'https://idp.example', store });
  });
  after(async () => {
    for (const app of apps) await app.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const withFormbody of [true, false]) {
    describe(withFormbody ? 'with @fastify/formbody registered by the app' : 'without any form parser', () => {
      let url: string;
      before(async () => {
        const app = Fastify({ trustProxy: true });
        if (withFormbody) await app.register(formbody);
        app.post('/echo', async (request) => ({ body: request.body }));
        await app.register(fedkitWellKnown, { idp });
        await app.register(fedkitIdp, { idp, prefix: '/idp' });
        url = await start(app);
      });

      it('serves the config, discovery and the root well-known file with URLs under /idp', async () => {
        const config = (await (await fetch(`${url}/idp/fedcm/config.json`, { headers: FEDCM })).json()) as Record<string, string>;
        assert.equal(config['id_assertion_endpoint'], 'https://idp.example/idp/fedcm/assertion');
        const discovery = (await (await fetch(`${url}/idp/.well-known/openid-configuration`)).json()) as Record<string, string>;
        assert.equal(discovery['issuer'], 'https://idp.example/idp');
        const wellKnown = (await (await fetch(`${url}/.well-known/web-identity`, { headers: FEDCM })).json()) as { provider_urls: string[] };
        assert.deepEqual(wellKnown.provider_urls, ['https://idp.example/idp/fedcm/config.json']);
      });

      it('hands the IdP the form bytes as sent', async () => {
        assert.deepEqual(await post(`${url}/idp/fedcm/assertion`, `client_id=${encodeURIComponent('a b&c=d+é')}&account_id=u1`), { status: 400, description: 'No client "a b&c=d+é" is registered with this identity provider.' });
        assert.deepEqual(await post(`${url}/idp/fedcm/assertion`, 'client_id=rp1&client_id=rp2&account_id=u1'), { status: 400, description: 'The parameter client_id appears 2 times; send it once.' });
        assert.equal((await post(`${url}/idp/fedcm/assertion`, 'client_id=rp1&account_id=u1')).status, 401);
      });

      it('lets the IdP answer any content type, or none, itself (Fastify would refuse a type it has no parser for)', async () => {
        for (const type of ['application/json', 'text/plain', 'application/x-unknown']) {
          const { status, description } = await post(`${url}/idp/fedcm/assertion`, 'client_id=rp1', { ...FEDCM, 'content-type': type });
          assert.equal(status, 415, type);
          assert.match(description, /must be application\/x-www-form-urlencoded/);
        }
        const none = await raw(url, 'POST', '/idp/fedcm/assertion', { ...FEDCM, 'content-length': '13' }, 'client_id=rp1');
        assert.equal(none.status, 415);
        assert.match(none.body, /no Content-Type/);
        const empty = await raw(url, 'POST', '/idp/fedcm/assertion', { ...FORM, 'content-length': '0' });
        assert.equal(empty.status, 400);
        assert.match(empty.body, /client_id is missing/);
      });

      it('leaves the IdP its own 405 and Allow, for TRACE and HEAD too', async () => {
        for (const method of ['PUT', 'TRACE', 'HEAD', 'DELETE']) {
          const res = await raw(url, method, '/idp/fedcm/assertion');
          assert.equal(res.status, 405, method);
          assert.equal(res.headers.allow, 'POST', method);
        }
        assert.equal((await raw(url, 'GET', '/idp/fedcm/assertion')).headers.allow, 'POST');
      });

      it('keeps the app\'s own routes as the app set them up', async () => {
        const res = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
        if (withFormbody) assert.deepEqual(await res.json(), { body: { a: '1' } });
        else assert.equal(res.status, 415, 'the plugin\'s catch-all parser does not leak out of its context');
      });

      it('counts a failed sign-in under request.ip (the app\'s trustProxy)', async () => {
        const address = withFormbody ? '203.0.113.21' : '203.0.113.22';
        const page = await fetch(`${url}/idp/fedcm/login`, { headers: { accept: 'text/html' } });
        const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
        const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
        const res = await fetch(`${url}/idp/fedcm/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://idp.example', cookie, 'x-forwarded-for': address },
          body: new URLSearchParams({ csrf, email: 'fy@idp.example', password: 'wrong' }).toString(),
        });
        assert.equal(res.status, 401);
        assert.equal(await store.countLoginFailures(`address:${address}`, 0), 1);
      });
    });
  }

  it('at the root, serves the well-known file itself', async () => {
    const app = Fastify();
    await app.register(fedkitIdp, { idp: rootIdp });
    const url = await start(app);
    const wellKnown = (await (await fetch(`${url}/.well-known/web-identity`, { headers: FEDCM })).json()) as { provider_urls: string[] };
    assert.deepEqual(wellKnown.provider_urls, ['https://idp.example/fedcm/config.json']);
    assert.equal((await fetch(`${url}/fedcm/config.json`, { headers: FEDCM })).status, 200);
  });

  it('fails the registration with an IdpMountError for a prefix the issuer does not have, and for a prefixed well-known plugin', async () => {
    const cases: [string, (app: FastifyInstance) => void][] = [
      ['/auth', (app) => void app.register(fedkitIdp, { idp, prefix: '/auth' })],
      ['/idp (root issuer)', (app) => void app.register(fedkitIdp, { idp: rootIdp, prefix: '/idp' })],
      ['well-known under /idp', (app) => void app.register(fedkitWellKnown, { idp, prefix: '/idp' })],
    ];
    for (const [name, register] of cases) {
      const app = Fastify();
      register(app);
      await assert.rejects(async () => {
        await app.ready();
      }, IdpMountError, name);
      await app.close();
    }
  });
});
