// WireHeaders (src/agent/net/wire-headers.ts) must answer exactly as a Headers filled from the same
// list, before and after it fills itself, and hand a filled Headers to everything else.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { WireHeaders } from '../../../src/agent/net/wire-headers.js';

/** A head as servers send it: mixed case, repeated names, Set-Cookie lines, padded values. */
const RAW = [
  'Content-Type', 'application/json',
  'Set-Cookie', 'a=1; Path=/',
  'vary', 'Origin',
  'VARY', ' Accept ',
  'set-cookie', 'b=2\t',
  'X-Empty', '',
  'Set-Login', 'logged-in',
];

function filled(raw: readonly string[]): Headers {
  const h = new Headers();
  for (let i = 0; i < raw.length; i += 2) h.append(raw[i]!, raw[i + 1]!);
  return h;
}

describe('WireHeaders', () => {
  test('get, has and getSetCookie read the list as Headers would', () => {
    const wire = new WireHeaders(RAW);
    const real = filled(RAW);
    for (const name of ['content-type', 'Content-Type', 'vary', 'set-cookie', 'x-empty', 'set-login', 'location', 'SET-LOGIN']) {
      assert.equal(wire.get(name), real.get(name), `get(${name})`);
      assert.equal(wire.has(name), real.has(name), `has(${name})`);
    }
    assert.deepEqual(wire.getSetCookie(), real.getSetCookie());
    assert.ok(wire instanceof Headers);
  });

  test('an invalid name throws as Headers.get does', () => {
    const wire = new WireHeaders(RAW);
    assert.throws(() => wire.get('bad name'), TypeError);
    assert.throws(() => wire.has('bad:name'), TypeError);
  });

  test('iteration, copies and Responses see every header, as from a filled Headers', () => {
    const real = filled(RAW);
    assert.deepEqual([...new WireHeaders(RAW)], [...real]);
    assert.deepEqual([...new WireHeaders(RAW).entries()], [...real.entries()]);
    assert.deepEqual([...new WireHeaders(RAW).keys()], [...real.keys()]);
    assert.deepEqual([...new WireHeaders(RAW).values()], [...real.values()]);
    const seen: [string, string][] = [];
    new WireHeaders(RAW).forEach((v, k) => seen.push([k, v]));
    assert.deepEqual(seen, [...real]);
    assert.deepEqual([...new Headers(new WireHeaders(RAW))], [...real]);
    const response = new Response(null, { headers: new WireHeaders(RAW) });
    assert.deepEqual(response.headers.getSetCookie(), real.getSetCookie());
    assert.equal(response.headers.get('vary'), real.get('vary'));
    assert.equal(inspect(new WireHeaders(RAW)), inspect(real));
  });

  test('a mutation fills first, and reads after it come from the filled Headers', () => {
    const wire = new WireHeaders(RAW);
    wire.append('Vary', 'Cookie');
    assert.equal(wire.get('vary'), 'Origin, Accept, Cookie');
    wire.set('content-type', 'text/plain');
    assert.equal(wire.get('content-type'), 'text/plain');
    wire.delete('set-login');
    assert.equal(wire.has('set-login'), false);
    assert.deepEqual(wire.getSetCookie(), ['a=1; Path=/', 'b=2']);
  });
});
