// The fetcher's memoized site and origin checks (src/agent/net/sites.ts) answer exactly as
// common/site.ts's, on every kind of input, the first time and from the memo.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSameOrigin, isSameSite, siteOf } from '../../../src/common/site.js';
import { isSameOriginFast, isSameSiteCached, siteOfCached } from '../../../src/agent/net/sites.js';

const STRINGS = [
  'https://rp.example',
  'https://rp.example/page?q#f',
  'HTTPS://RP.EXAMPLE:443',
  'https://rp.example:8443',
  'http://rp.example',
  'https://idp.example',
  'https://sub.idp.example',
  'null',
  'not a url',
  '',
  'data:text/plain,x',
  'https://[::1]:8443',
  'http://127.0.0.1:3000',
];
const URLS = ['https://rp.example/', 'https://idp.example/fedcm/config.json', 'https://rp.example:8443/x', 'http://rp.example/', 'https://sub.idp.example/', 'data:text/plain,x', 'https://[::1]:8443/', 'http://127.0.0.1:3000/'].map((u) => new URL(u));

describe('agent/net sites: memoized answers equal common/site.ts', () => {
  it('isSameOriginFast(string or URL, URL) is isSameOrigin, asked twice', () => {
    for (let round = 0; round < 2; round++) {
      for (const b of URLS) {
        for (const a of [...STRINGS, ...URLS]) {
          assert.equal(isSameOriginFast(a, b), isSameOrigin(a, b), `isSameOriginFast(${String(a)}, ${b.href}), round ${round + 1}`);
        }
      }
    }
  });

  it('siteOfCached and isSameSiteCached are siteOf and isSameSite, asked twice', () => {
    for (let round = 0; round < 2; round++) {
      for (const a of [...STRINGS, ...URLS]) {
        assert.equal(siteOfCached(a), siteOf(a), `siteOfCached(${String(a)}), round ${round + 1}`);
        for (const b of URLS) assert.equal(isSameSiteCached(a, b), isSameSite(a, b), `isSameSiteCached(${String(a)}, ${b.href})`);
      }
    }
  });

  it('a URL object changed after its site was asked gets the site of what it is now', () => {
    const url = new URL('https://idp.example/fedcm/config.json');
    assert.equal(siteOfCached(url), siteOf(url));
    url.hostname = 'other.test';
    assert.equal(siteOfCached(url), 'https://other.test');
    url.protocol = 'http:';
    assert.equal(siteOfCached(url), siteOf(url));
  });
});
