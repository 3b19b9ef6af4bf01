// A document's own fetch(): cross-origin reads need CORS, and requests that are not "simple" are
// preflighted first (Fetch §4.8, §4.9), exactly as a browser does for page scripts.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWorld, type World } from '../helpers/world.js';

describe('page fetch()', () => {
  let w: World;
  before(async () => {
    w = await startWorld();
    w.server.route('https://api.example', '*', '/open', (req) => ({
      headers: { 'access-control-allow-origin': req.headers['origin'] ?? '', 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' },
      json: { method: req.method, preflight: req.method === 'OPTIONS' },
    }));
    w.server.route('https://api.example', '*', '/closed', () => ({ json: { secret: true } }));
  });
  after(() => w.close());

  it('reads a same-origin response without CORS', async () => {
    w.rp.page('/data', { html: 'same-origin data' });
    assert.equal((await w.page.fetch('/data')).body, 'same-origin data');
  });

  it('refuses a cross-origin response without CORS headers, with a diagnostic', async () => {
    const e = await w.page.fetch('https://api.example/closed').then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(e instanceof TypeError);
    assert.equal(e.message, 'Failed to fetch');
    assert.match((e.cause as { detail: string }).detail, /no Access-Control-Allow-Origin/);
  });

  it('preflights a JSON POST, and sends it when allowed', async () => {
    w.server.clearRequests();
    const res = await w.page.fetch('https://api.example/open', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', credentials: 'include' });
    assert.deepEqual(JSON.parse(res.body), { method: 'POST', preflight: false });
    const [pre, actual] = w.server.requestsTo('https://api.example', '/open');
    assert.equal(pre?.method, 'OPTIONS');
    assert.equal(pre?.headers['access-control-request-method'], 'POST');
    assert.equal(pre?.headers['access-control-request-headers'], 'content-type');
    assert.equal(pre?.headers['origin'], 'https://rp.example');
    assert.equal(pre?.headers['cookie'], undefined, 'preflights carry no credentials');
    assert.equal(actual?.method, 'POST');
  });

  it('stops at a preflight that does not allow the request', async () => {
    w.server.clearRequests();
    await assert.rejects(w.page.fetch('https://api.example/closed', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), TypeError);
    assert.deepEqual(w.server.requestsTo('https://api.example', '/closed').map((r) => r.method), ['OPTIONS'], 'the POST itself is never sent');
  });
});
