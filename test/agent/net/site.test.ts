import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isLocalhost,
  isPotentiallyTrustworthy,
  isSameOrigin,
  isSameSite,
  registrableDomain,
  serializeOrigin,
  siteOf,
} from '../../../src/common/site.js';

describe('site helpers', () => {
  test('serializeOrigin', () => {
    assert.equal(serializeOrigin(new URL('https://IDP.example:443/x?y#z')), 'https://idp.example');
    assert.equal(serializeOrigin(new URL('https://idp.example:8443/')), 'https://idp.example:8443');
    assert.equal(serializeOrigin(new URL('http://[::1]:3000/')), 'http://[::1]:3000');
    assert.equal(serializeOrigin(new URL('data:text/plain,hi')), 'null');
    assert.equal(serializeOrigin(new URL('file:///etc/hosts')), 'null');
    assert.equal(serializeOrigin(new URL('about:blank')), 'null');
  });

  test('registrableDomain (eTLD+1 with private registries, Chromium style)', () => {
    assert.equal(registrableDomain('idp.example'), 'idp.example');
    assert.equal(registrableDomain('accounts.idp.example'), 'idp.example');
    assert.equal(registrableDomain('IDP.Example'), 'idp.example');
    assert.equal(registrableDomain('bbc.co.uk'), 'bbc.co.uk');
    assert.equal(registrableDomain('www.bbc.co.uk'), 'bbc.co.uk');
    // github.io is a private public suffix: each user is a site, the suffix is its own.
    assert.equal(registrableDomain('alice.github.io'), 'alice.github.io');
    assert.equal(registrableDomain('www.alice.github.io'), 'alice.github.io');
    assert.equal(registrableDomain('github.io'), 'github.io');
    assert.equal(registrableDomain('co.uk'), 'co.uk');
    assert.equal(registrableDomain('localhost'), 'localhost');
    assert.equal(registrableDomain('a.localhost'), 'a.localhost');
    assert.equal(registrableDomain('127.0.0.1'), '127.0.0.1');
    assert.equal(registrableDomain('[::1]'), '[::1]');
    assert.equal(registrableDomain('intranet'), 'intranet');
    assert.equal(registrableDomain('example'), 'example');
  });

  test('siteOf ignores ports and keeps the scheme', () => {
    assert.equal(siteOf('https://accounts.idp.example:8443/x'), 'https://idp.example');
    assert.equal(siteOf(new URL('http://localhost:3000/')), 'http://localhost');
    assert.equal(siteOf('http://127.0.0.1:4000'), 'http://127.0.0.1');
    assert.equal(siteOf('http://[::1]:4000'), 'http://[::1]');
    assert.equal(siteOf('null'), 'null');
    assert.equal(siteOf('not a url'), 'null');
    assert.equal(siteOf('data:,x'), 'null');
  });

  test('isSameSite', () => {
    assert.equal(isSameSite('https://accounts.idp.example', 'https://idp.example'), true);
    assert.equal(isSameSite('https://rp.example', 'https://idp.example'), false);
    assert.equal(isSameSite('http://idp.example', 'https://idp.example'), false, 'schemeful');
    assert.equal(isSameSite('https://alice.github.io', 'https://bob.github.io'), false);
    assert.equal(isSameSite('http://localhost:3000', 'http://localhost:4000'), true);
    assert.equal(isSameSite('http://localhost:3000', 'http://127.0.0.1:3000'), false);
    assert.equal(isSameSite('http://127.0.0.1:1', new URL('http://127.0.0.1:2/x')), true);
    assert.equal(isSameSite('http://[::1]:1', 'http://[::1]:2'), true);
    assert.equal(isSameSite('https://intranet', 'https://other'), false);
    assert.equal(isSameSite('null', 'null'), false);
  });

  test('isSameOrigin', () => {
    assert.equal(isSameOrigin('https://idp.example', new URL('https://idp.example:443/a')), true);
    assert.equal(isSameOrigin('https://idp.example', 'https://idp.example:8443'), false);
    assert.equal(isSameOrigin('https://idp.example', 'https://accounts.idp.example'), false);
    assert.equal(isSameOrigin('null', 'null'), false);
  });

  test('isLocalhost (net::IsLocalhost)', () => {
    for (const h of ['localhost', 'LOCALHOST', 'localhost.', 'a.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) {
      assert.equal(isLocalhost(h), true, h);
    }
    for (const h of ['localhost.example', '128.0.0.1', '10.0.0.1', '[::2]', 'idp.example', 'notlocalhost']) {
      assert.equal(isLocalhost(h), false, h);
    }
  });

  test('isPotentiallyTrustworthy', () => {
    for (const u of ['https://idp.example', 'wss://idp.example', 'http://localhost:3000', 'http://a.localhost', 'http://127.0.0.1:4000', 'http://[::1]/']) {
      assert.equal(isPotentiallyTrustworthy(new URL(u)), true, u);
    }
    for (const u of ['http://idp.example', 'http://10.0.0.1', 'file:///x', 'about:blank', 'about:srcdoc', 'data:,x', 'ftp://localhost/']) {
      assert.equal(isPotentiallyTrustworthy(new URL(u)), false, u);
    }
  });
});
