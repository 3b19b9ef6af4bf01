// createIdp's `logger`: one record per request (no query string), the reason of a refusal, and
// an unexpected error logged under the request id its 500 answer carries. A real pino logger is
// accepted as it is (the option's type is the subset of pino's interface the kit uses).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Logger } from '../../src/idp/index.js';
import { CLIENT_ID, rawRequest, RP_ORIGIN, startIdpWorld, type IdpWorld } from './helpers.js';

describe('IdP request log', { timeout: 60_000 }, () => {
  let w: IdpWorld;
  const lines: Record<string, unknown>[] = [];
  before(async () => {
    // pino itself, writing JSON lines into `lines`: it must fit the option's type unchanged.
    const logger: Logger = pino({ base: { name: 'test' } }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    w = await startIdpWorld('sqlite', { logger });
  });
  after(() => w?.close());

  it('logs method, path without its query, status, ms and request id; a refusal with its reason', async () => {
    lines.length = 0;
    await rawRequest(w, `${w.idp.urls.continue}?ticket=SECRET-TICKET-VALUE`, { headers: {} });
    const res = await rawRequest(w, w.idp.urls.assertion, {
      method: 'POST',
      headers: { 'sec-fetch-dest': 'webidentity', 'content-type': 'application/x-www-form-urlencoded', origin: 'https://elsewhere.example' },
      body: 'client_id=my-rp&account_id=u_jane',
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers['access-control-allow-origin'], 'https://elsewhere.example');
    const [cont, refused] = lines;
    assert.equal(cont?.['path'], '/fedcm/continue');
    assert.equal(JSON.stringify(lines).includes('SECRET-TICKET-VALUE'), false);
    assert.deepEqual(
      { ...refused, time: 0, ms: 0, reqId: '' },
      { level: 40, time: 0, name: 'test', reqId: '', method: 'POST', path: '/fedcm/assertion', status: 400, ms: 0, reason: 'unauthorized_client: No client "my-rp" is registered with this identity provider.', msg: 'request' },
    );
    assert.match(String(refused?.['reqId']), /^[A-Za-z0-9_-]{12}$/);
  });

  it('logs an unexpected error with the request id of the 500 answer, and the request line at error level', async () => {
    lines.length = 0;
    // The assertion endpoint reads the client through the store's one-call step when it has one.
    const { getClient, assertionStep } = w.store;
    w.store.getClient = () => Promise.reject(new Error('the database is gone'));
    w.store.assertionStep = () => Promise.reject(new Error('the database is gone'));
    try {
      const res = await rawRequest(w, w.idp.urls.assertion, {
        method: 'POST',
        headers: { 'sec-fetch-dest': 'webidentity', 'content-type': 'application/x-www-form-urlencoded', origin: RP_ORIGIN },
        body: `client_id=${CLIENT_ID}&account_id=u_jane`,
      });
      assert.equal(res.status, 500);
      const id = (JSON.parse(res.text) as { error: { request_id: string } }).error.request_id;
      const [failed, line] = lines;
      assert.equal(failed?.['msg'], 'request failed');
      assert.equal(failed?.['reqId'], id);
      assert.equal((failed?.['err'] as { message: string }).message, 'the database is gone');
      assert.match(String((failed?.['err'] as { stack: string }).stack), /the database is gone\n\s+at /);
      assert.deepEqual([line?.['level'], line?.['status'], line?.['reqId']], [50, 500, id]);
    } finally {
      w.store.getClient = getClient;
      w.store.assertionStep = assertionStep;
    }
  });
});
