// Chromium's form escaping of the ID assertion body (src/agent/fedcm/assertion.ts,
// chromiumFormEscape: base/strings/escape.cc kUrlEscape with use_plus): what each byte becomes,
// and the same answer on the ASCII path (no UTF-8 encoding) as byte by byte over UTF-8.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chromiumFormEscape } from '../../src/agent/fedcm/assertion.js';

/** The reference: every UTF-8 byte through Chromium's table, written out here independently. */
function reference(text: string): string {
  const literal = new Set(Array.from("()*,-./0123456789:@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~", (c) => c.charCodeAt(0)));
  let out = '';
  for (const b of new TextEncoder().encode(text)) {
    if (b === 0x20) out += '+';
    else if (literal.has(b)) out += String.fromCharCode(b);
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

describe('chromiumFormEscape', () => {
  it('escapes as Chromium does: JSON params, space as +, the reserved set, controls, non-ASCII', () => {
    assert.equal(chromiumFormEscape('{"nonce":"a b"}'), '%7B%22nonce%22:%22a+b%22%7D');
    assert.equal(chromiumFormEscape('client-1.example'), 'client-1.example');
    assert.equal(chromiumFormEscape("?>=<;+'&%$#\"![\\]^`{|}"), '%3F%3E%3D%3C%3B%2B%27%26%25%24%23%22%21%5B%5C%5D%5E%60%7B%7C%7D');
    assert.equal(chromiumFormEscape('\0\t\n\x7f'), '%00%09%0A%7F');
    assert.equal(chromiumFormEscape('é€😀'), '%C3%A9%E2%82%AC%F0%9F%98%80');
  });

  it('matches the byte-by-byte reference on every ASCII character and on mixed text', () => {
    for (let c = 0; c < 0x80; c++) assert.equal(chromiumFormEscape(String.fromCharCode(c)), reference(String.fromCharCode(c)), `U+${c.toString(16)}`);
    const samples = ['{"a":[1,2],"b":"x y"}', 'name=José&x=1', 'ascii then ü', '\u00ff\u0100', 'lone surrogate \ud800 end'];
    for (const s of samples) assert.equal(chromiumFormEscape(s), reference(s), JSON.stringify(s));
  });
});
