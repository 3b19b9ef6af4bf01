// What the IdP fuzzer (test/fuzz) found, pinned down one exact request at a time over HTTPS:
// every route answers a method it does not serve 405 with its methods in Allow (TRACE and
// CONNECT included, which used to be 500s or unanswered), a NUL is a 400 on both stores (it was
// a 500 on PostgreSQL), and an unexpected error is logged and answered with a request id.

import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import { createIdp, IDP_ROUTES, openStore } from '../../src/idp/index.js';
import { encodeRequest } from '../fuzz/request.js';
import { header, sendRaw, type WireResponse } from '../fuzz/wire.js';
import { CLIENT_ID, cookieValue, rawRequest, RP_ORIGIN, startIdpWorld, STORE_KINDS, type IdpWorld, type RawResponse } from './helpers.js';

const WEBID = { 'sec-fetch-dest': 'webidentity' };
const FORM = 'application/x-www-form-urlencoded';

function codeOf(res: RawResponse | WireResponse): { code: string; error_description: string; request_id?: string } {
  const text = 'text' in res ? res.text : res.body.toString('utf8');
  return (JSON.parse(text) as { error: { code: string; error_description: string; request_id?: string } }).error;
}

describe('IdP robustness: methods', { timeout: 60_000 }, () => {
  let w: IdpWorld;
  const errors: unknown[] = [];
  before(async () => {
    w = await startIdpWorld('sqlite', { onError: (e) => errors.push(e) });
  });
  after(() => w?.close());

  async function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<WireResponse> {
    const request = { method, target: path, version: 'HTTP/1.1', headers: Object.entries({ host: 'idp.example', ...headers }), body: Buffer.alloc(0) };
    const result = await sendRaw({ port: w.server.port, ca: w.ca, servername: 'idp.example' }, encodeRequest(request), { timeoutMs: 5_000, head: method === 'HEAD' });
    assert.equal(result.kind, 'response', `${method} ${path}: ${result.kind}`);
    return (result as { response: WireResponse }).response;
  }

  it('lists each route\'s methods, and answers every other method 405 with exactly those in Allow, for API callers and browsers alike', async () => {
    assert.deepEqual(Object.fromEntries(IDP_ROUTES.map((r) => [r.name, r.methods.join(' ')])), {
      wellKnown: 'GET', config: 'GET', accounts: 'GET', clientMetadata: 'GET', assertion: 'POST', disconnect: 'POST',
      login: 'GET POST', logout: 'GET POST', continue: 'GET POST', jwks: 'GET', openidConfiguration: 'GET',
    });
    for (const route of IDP_ROUTES) {
      const path = new URL(w.idp.urls[route.name]).pathname;
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']) {
        if ((route.methods as readonly string[]).includes(method)) continue;
        for (const accept of ['application/json', 'text/html']) {
          const res = await raw(method, path, { accept, ...WEBID });
          assert.equal(res.status, 405, `${method} ${path}`);
          assert.equal(header(res, 'allow'), route.methods.join(', '), `${method} ${path}`);
          if (method !== 'HEAD') assert.equal(codeOf(res).error_description, `Method ${method} is not allowed here; use ${route.methods.join(' or ')}.`);
        }
      }
    }
    assert.deepEqual(errors, []);
  });

  it('answers TRACE on a path nothing is served at with the JSON 404, and CONNECT with 405 and an empty Allow', async () => {
    const trace = await raw('TRACE', '/fedcm/nope');
    assert.equal(trace.status, 404);
    assert.equal(codeOf(trace).code, 'invalid_request');
    const connect = await raw('CONNECT', 'idp.example:443');
    assert.equal(connect.status, 405);
    assert.equal(header(connect, 'allow'), '');
  });

  it('serves the path, not a host, of //host/path targets, and a Host with userinfo is no 500', async () => {
    assert.equal((await raw('GET', '//idp.example/fedcm/jwks.json')).status, 404);
    assert.equal((await raw('GET', '//')).status, 404);
    assert.equal((await raw('GET', '/fedcm/config.json', { ...WEBID, host: 'user@idp.example' })).status, 200);
    assert.deepEqual(errors, []);
  });

  it('takes a body that ends early for the client\'s fault: no unexpected error is reported', async () => {
    const bytes = Buffer.from(`POST /fedcm/assertion HTTP/1.1\r\nHost: idp.example\r\nSec-Fetch-Dest: webidentity\r\nContent-Type: ${FORM}\r\nContent-Length: 200\r\n\r\nclient_id=${CLIENT_ID}`);
    const result = await sendRaw({ port: w.server.port, ca: w.ca, servername: 'idp.example' }, bytes, { timeoutMs: 5_000, partialGraceMs: 50 });
    assert.notEqual(result.kind, 'timeout');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(errors, []);
  });

  it('logs an unexpected error with a request id and answers 500 server_error with that id', async () => {
    // The assertion endpoint reads the client through the store's one-call step when it has one.
    const { getClient, assertionStep } = w.store;
    w.store.getClient = () => Promise.reject(new Error('the database is gone'));
    w.store.assertionStep = () => Promise.reject(new Error('the database is gone'));
    try {
      const res = await rawRequest(w, w.idp.urls.assertion, {
        method: 'POST',
        headers: { ...WEBID, 'content-type': FORM, origin: RP_ORIGIN },
        body: `client_id=${CLIENT_ID}&account_id=u_jane`,
      });
      assert.equal(res.status, 500);
      const body = codeOf(res);
      assert.equal(body.code, 'server_error');
      assert.match(body.request_id ?? '', /^[A-Za-z0-9_-]{12}$/);
      assert.equal(body.error_description, `The identity provider failed to answer (request id ${body.request_id}); try again later.`);
      assert.equal((errors.pop() as Error).message, 'the database is gone');
    } finally {
      w.store.getClient = getClient;
      w.store.assertionStep = assertionStep;
    }
  });

  it('takes a failure to load the keys while reading a consent ticket for what it is (500), not for an invalid link (400)', async () => {
    const garbage = await rawRequest(w, `${w.idp.urls.continue}?ticket=not-a-jwt`);
    assert.equal(garbage.status, 400);
    assert.match(codeOf(garbage).error_description, /consent link is invalid/);
    const listKeys = w.store.listKeys;
    w.store.listKeys = () => Promise.reject(new Error('the database is gone'));
    try {
      const res = await rawRequest(w, `${w.idp.urls.continue}?ticket=not-a-jwt`);
      assert.equal(res.status, 500);
      assert.equal(codeOf(res).code, 'server_error');
      assert.equal((errors.pop() as Error).message, 'the database is gone');
    } finally {
      w.store.listKeys = listKeys;
    }
  });

  it('logs it by default with the id, the method and path, and the stack', async () => {
    const store = await openStore(':memory:');
    const idp = createIdp({ issuer: 'https://idp.example', store });
    store.getClient = () => Promise.reject(new Error('the database is gone'));
    store.assertionStep = () => Promise.reject(new Error('the database is gone'));
    const logged = mock.method(console, 'error', () => {});
    try {
      const res = await idp(new Request(idp.urls.assertion, { method: 'POST', headers: { ...WEBID, 'content-type': FORM }, body: 'client_id=a&account_id=b' }));
      const id = ((await res.json()) as { error: { request_id: string } }).error.request_id;
      assert.equal(logged.mock.callCount(), 1);
      const [line, error] = logged.mock.calls[0]!.arguments as [string, Error];
      assert.equal(line, `fedkit idp: request ${id} (POST /fedcm/assertion) failed:`);
      assert.match(error.stack ?? '', /the database is gone/);
    } finally {
      logged.mock.restore();
      await store.close();
    }
  });
});

for (const kind of STORE_KINDS) {
  describe(`IdP robustness: a NUL in a parameter is a 400 (${kind})`, { timeout: 60_000 }, () => {
    let w: IdpWorld;
    const errors: unknown[] = [];
    before(async () => {
      w = await startIdpWorld(kind, { onError: (e) => errors.push(e) });
    });
    after(() => w?.close());

    const post = (url: string, body: string, headers: Record<string, string> = {}) =>
      rawRequest(w, url, { method: 'POST', headers: { ...WEBID, 'content-type': FORM, origin: RP_ORIGIN, ...headers }, body });

    it('refuses it in the assertion\'s client_id, its params.nonce and its legacy nonce', async () => {
      for (const body of [`client_id=${CLIENT_ID}%00&account_id=u_jane`, `client_id=${CLIENT_ID}&account_id=u_jane&params=${encodeURIComponent('{"nonce":"a\\u0000b"}')}`, `client_id=${CLIENT_ID}&account_id=u_jane&nonce=a%00`]) {
        const res = await post(w.idp.urls.assertion, body);
        assert.equal(res.status, 400, body);
        assert.match(codeOf(res).error_description, /contains a NUL character/, body);
      }
    });

    it('refuses it in the client metadata\'s client_id and in the disconnect body', async () => {
      const metadata = await rawRequest(w, `${w.idp.urls.clientMetadata}?client_id=${CLIENT_ID}%00`, { headers: WEBID });
      assert.equal(metadata.status, 400);
      assert.match(codeOf(metadata).error_description, /client_id contains a NUL character/);
      const disconnect = await post(w.idp.urls.disconnect, `client_id=${CLIENT_ID}\u0000&account_hint=jane@idp.example`);
      assert.equal(disconnect.status, 400);
      assert.match(codeOf(disconnect).error_description, /client_id contains a NUL character/);
      // Chromium's unencoded reading of %00 is the text itself, which names no client: no NUL reaches the store.
      assert.equal((await post(w.idp.urls.disconnect, `client_id=${CLIENT_ID}%00&account_hint=jane@idp.example`)).status, 400);
    });

    it('refuses it in the login form\'s email', async () => {
      const form = await rawRequest(w, w.idp.urls.login, { headers: { accept: 'text/html' } });
      const csrf = cookieValue(form.headers['set-cookie'], '__Host-fedkit_csrf')!;
      const res = await rawRequest(w, w.idp.urls.login, {
        method: 'POST',
        headers: { 'content-type': FORM, origin: 'https://idp.example', 'sec-fetch-site': 'same-origin', cookie: `__Host-fedkit_csrf=${csrf}` },
        body: `csrf=${csrf}&email=jane%00@idp.example&password=x`,
      });
      assert.equal(res.status, 400);
      assert.match(codeOf(res).error_description, /email contains a NUL character/);
      assert.deepEqual(errors, []);
    });
  });
}
