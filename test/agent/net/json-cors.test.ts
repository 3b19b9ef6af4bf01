import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCors } from '../../../src/agent/net/cors.js';
import { isJsonMimeType, parseJsonResponse } from '../../../src/agent/net/json.js';
import type { AgentResponse } from '../../../src/agent/net/types.js';

function res(status: number, headers: Record<string, string | string[]>, body: string | Uint8Array): Pick<AgentResponse, 'status' | 'headers' | 'body'> {
  const h = new Headers();
  for (const [k, v] of Object.entries(headers)) for (const x of Array.isArray(v) ? v : [v]) h.append(k, x);
  return { status, headers: h, body: typeof body === 'string' ? new TextEncoder().encode(body) : body };
}

const JSON_CT = { 'content-type': 'application/json' };

describe('isJsonMimeType (MIME Sniffing "JSON MIME type")', () => {
  test('accepts JSON types, ignoring parameters and case', () => {
    for (const ct of [
      'application/json',
      'APPLICATION/JSON',
      'application/json; charset=utf-8',
      ' application/json ;charset=UTF-8',
      'text/json',
      'application/fedcm+json',
      'application/ld+json; profile="x,y"',
      'text/html, application/json',
    ]) {
      assert.equal(isJsonMimeType(ct), true, ct);
    }
  });
  test('refuses everything else', () => {
    for (const ct of [null, undefined, '', 'text/plain', 'text/html; a=application/json', 'application/jsonx', 'application/json-seq', 'json', 'application/', '/json', 'application/json, text/plain', 'application/j son', '*/*']) {
      assert.equal(isJsonMimeType(ct), false, String(ct));
    }
  });
});

describe('parseJsonResponse (Chromium order)', () => {
  test('success', () => {
    assert.deepEqual(parseJsonResponse(res(200, JSON_CT, '{"a":1}')), { ok: true, value: { a: 1 } });
    assert.deepEqual(parseJsonResponse(res(204, { 'content-type': 'text/json' }, '\uFEFF{"bom":true}')), { ok: true, value: { bom: true } });
  });
  test('404 comes first, then other non-2xx', () => {
    const nf = parseJsonResponse(res(404, { 'content-type': 'text/html' }, 'nope'));
    assert.equal(nf.ok, false);
    assert.equal(!nf.ok && nf.kind, 'http-not-found');
    const e = parseJsonResponse(res(500, JSON_CT, '{}'));
    assert.equal(!e.ok && e.kind, 'no-response');
    assert.match(!e.ok ? e.message : '', /500/);
    const r = parseJsonResponse(res(302, JSON_CT, '{}'));
    assert.equal(!r.ok && r.kind, 'no-response');
  });
  test('wrong content type names what was received and what is allowed', () => {
    const r = parseJsonResponse(res(200, { 'content-type': 'text/html; charset=utf-8' }, '{}'));
    assert.equal(!r.ok && r.kind, 'invalid-content-type');
    assert.equal(
      !r.ok && r.message,
      'the Content-Type is "text/html; charset=utf-8"; it must be a JSON MIME type (application/json, text/json, or a type ending in +json)',
    );
    const none = parseJsonResponse(res(200, {}, '{}'));
    assert.match(!none.ok ? none.message : '', /no Content-Type header/);
  });
  test('invalid JSON and invalid UTF-8', () => {
    const r = parseJsonResponse(res(200, JSON_CT, "{'a': 1}"));
    assert.equal(!r.ok && r.kind, 'invalid-json');
    assert.match(!r.ok ? r.message : '', /^the body is not valid JSON: .+/);
    const trailing = parseJsonResponse(res(200, JSON_CT, '{"a":1,}'));
    assert.equal(!trailing.ok && trailing.kind, 'invalid-json');
    const empty = parseJsonResponse(res(200, JSON_CT, ''));
    assert.equal(!empty.ok && empty.kind, 'invalid-json');
    const bad = parseJsonResponse(res(200, JSON_CT, new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])));
    assert.deepEqual(bad, { ok: false, kind: 'invalid-json', message: 'the body is not valid UTF-8' });
  });
  test('root must be an object unless requireObject is false', () => {
    for (const [body, what] of [['[1]', 'an array'], ['null', 'null'], ['"s"', 'a string'], ['3', 'a number']] as const) {
      const r = parseJsonResponse(res(200, JSON_CT, body));
      assert.equal(!r.ok && r.kind, 'not-an-object');
      assert.equal(!r.ok && r.message, `the body is JSON but its top-level value is ${what}, not an object`);
    }
    assert.deepEqual(parseJsonResponse(res(200, JSON_CT, '[1]'), { requireObject: false }), { ok: true, value: [1] });
  });
  test('allowNon2xx parses error bodies (ID assertion endpoint)', () => {
    assert.deepEqual(parseJsonResponse(res(500, JSON_CT, '{"error":{"code":"x"}}'), { allowNon2xx: true }), {
      ok: true,
      value: { error: { code: 'x' } },
    });
    const nf = parseJsonResponse(res(404, { 'content-type': 'text/plain' }, 'x'), { allowNon2xx: true });
    assert.equal(!nf.ok && nf.kind, 'invalid-content-type');
  });
});

describe('checkCors (Fetch §4.9 CORS check)', () => {
  const rp = 'https://rp.example';
  const h = (headers: Record<string, string | string[]>): Pick<AgentResponse, 'headers'> => res(200, headers, '');

  test('exact origin and credentials true pass', () => {
    assert.deepEqual(checkCors(h({ 'access-control-allow-origin': rp, 'access-control-allow-credentials': 'true' }), rp, 'include'), { ok: true });
    assert.deepEqual(checkCors(h({ 'access-control-allow-origin': rp }), rp, 'omit'), { ok: true });
    assert.deepEqual(checkCors(h({ 'access-control-allow-origin': '*' }), rp, 'omit'), { ok: true });
  });

  test('failures with actionable messages', () => {
    const cases: [Record<string, string | string[]>, 'include' | 'omit', string][] = [
      [{}, 'include', 'the response has no Access-Control-Allow-Origin header (it must be https://rp.example)'],
      [
        { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' },
        'include',
        'Access-Control-Allow-Origin is * but the request carries credentials; it must be https://rp.example',
      ],
      [{ 'access-control-allow-origin': rp }, 'include', 'Access-Control-Allow-Credentials is missing; it must be `true`'],
      [
        { 'access-control-allow-origin': rp, 'access-control-allow-credentials': 'TRUE' },
        'include',
        'Access-Control-Allow-Credentials is TRUE; it must be `true`',
      ],
      [{ 'access-control-allow-origin': 'https://rp.example/' }, 'omit', 'Access-Control-Allow-Origin is https://rp.example/; it must be https://rp.example'],
      [{ 'access-control-allow-origin': 'https://evil.example' }, 'include', 'Access-Control-Allow-Origin is https://evil.example; it must be https://rp.example'],
      [
        { 'access-control-allow-origin': [rp, rp] },
        'include',
        'Access-Control-Allow-Origin has several values (https://rp.example, https://rp.example); it must be exactly one, https://rp.example',
      ],
    ];
    for (const [headers, credentials, message] of cases) {
      assert.deepEqual(checkCors(h(headers), rp, credentials), { ok: false, message });
    }
  });
});
