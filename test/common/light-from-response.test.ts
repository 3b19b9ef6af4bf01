// lightFromResponse (common/light-http.ts): a web handler's Response as a LightReply, for the
// handlers that route some requests to a web handler and the rest to the IdP kit's Node path.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lightFromResponse } from '../../src/common/light-http.js';

describe('lightFromResponse', () => {
  it('keeps the status, the headers (lower-case, Set-Cookie apart and each one kept) and the text body', async () => {
    const headers = new Headers({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    headers.append('Set-Cookie', 'a=1; Path=/');
    headers.append('Set-Cookie', 'b=2; Path=/');
    const reply = await lightFromResponse(new Response('<p>hi</p>', { status: 201, headers }));
    assert.equal(reply.status, 201);
    assert.deepEqual([...reply.headers], [['cache-control', 'no-store'], ['content-type', 'text/html; charset=utf-8']]);
    assert.deepEqual(reply.setCookies, ['a=1; Path=/', 'b=2; Path=/']);
    assert.equal(reply.body, '<p>hi</p>');
  });

  it('gives a null body for a Response without one, and accepts JSON and form types', async () => {
    assert.equal((await lightFromResponse(new Response(null, { status: 204 }))).body, null);
    assert.equal((await lightFromResponse(Response.json({ a: 1 }))).body, '{"a":1}');
    assert.equal((await lightFromResponse(new Response('x', { headers: { 'content-type': 'application/jwk-set+json' } }))).body, 'x');
  });

  it('refuses a binary body instead of corrupting it in a string', async () => {
    await assert.rejects(lightFromResponse(new Response(new Uint8Array([0xff, 0xd8]), { headers: { 'content-type': 'image/jpeg' } })), (e: unknown) => e instanceof TypeError && /image\/jpeg body is not text/.test(e.message));
  });
});
