// Chromium's base::JSONReader nesting limit on every FedCM endpoint body parsed by net/json: 199
// nested containers pass, 200 fail (measured with Chromium 156: test/differential limits group).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_JSON_DEPTH, nestingExceeds, parseJsonResponse } from '../../src/agent/net/json.js';

const res = (text: string) => ({ status: 200, headers: new Headers({ 'content-type': 'application/json' }), body: new TextEncoder().encode(text) });
/** An object root holding `depth - 1` nested arrays: `depth` containers in all. */
const nested = (depth: number): string => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

describe('JSON nesting depth (Chromium JSONReader max depth 200)', () => {
  test('the limit is 200', () => assert.equal(MAX_JSON_DEPTH, 200));
  test('199 deep is accepted', () => {
    const r = parseJsonResponse(res(nested(199)));
    assert.equal(r.ok, true);
  });
  test('200 deep is refused as invalid JSON, saying why (Chromium: ConfigInvalidResponse)', () => {
    const r = parseJsonResponse(res(nested(200)));
    assert.equal(!r.ok && r.kind, 'invalid-json');
    assert.match(!r.ok ? r.message : '', /nested 200 levels deep or more/);
  });
  test('brackets inside strings (escaped quotes included) are not counted', () => {
    const inString = `{"s":"${'['.repeat(500)}\\"${'{'.repeat(500)}\\\\","t":${'['.repeat(198)}${']'.repeat(198)}}`;
    assert.equal(nestingExceeds(inString), -1);
    assert.equal(parseJsonResponse(res(inString)).ok, true);
    // After an escaped backslash the string ends, so the brackets that follow count.
    assert.notEqual(nestingExceeds(`["\\\\",${'['.repeat(199)}1${']'.repeat(199)}]`), -1);
  });
  test('a 100,000-deep document is refused quickly, without a stack overflow', () => {
    const start = performance.now();
    const r = parseJsonResponse(res(nested(100_000)));
    assert.equal(!r.ok && r.kind, 'invalid-json');
    assert.match(!r.ok ? r.message : '', /nested 200 levels deep or more/);
    // Generous bound (a linear scan stopping at character ~205); timing is measured in bench/.
    assert.ok(performance.now() - start < 1000);
  });
});
