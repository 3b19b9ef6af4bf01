import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cookies,
  sameSiteContextForRequest,
  sameSiteContextForResponse,
} from '../../../src/agent/net/cookies.js';
import type { CookieRequestContext } from '../../../src/agent/net/cookies.js';

const IDP = 'https://idp.example/';

async function jarWithAll(): Promise<Cookies> {
  const jar = new Cookies();
  await jar.set(IDP, 'none=1; SameSite=None; Secure');
  await jar.set(IDP, 'lax=1; SameSite=Lax');
  await jar.set(IDP, 'strict=1; SameSite=Strict');
  await jar.set(IDP, 'unspecified=1');
  return jar;
}

function ctx(overrides: Partial<CookieRequestContext> = {}): CookieRequestContext {
  return { url: new URL(IDP + 'accounts'), method: 'GET', initiator: null, ...overrides };
}

describe('SameSite context (Chromium ComputeSameSiteContextForRequest/Response)', () => {
  test('same-site needs URL ~ site-for-cookies and initiator ~ URL', () => {
    assert.equal(sameSiteContextForRequest(ctx()), 'strict');
    assert.equal(sameSiteContextForRequest(ctx({ initiator: 'user' })), 'strict');
    assert.equal(sameSiteContextForRequest(ctx({ initiator: 'https://accounts.idp.example' })), 'strict');
    assert.equal(sameSiteContextForRequest(ctx({ initiator: 'https://rp.example' })), 'none');
    assert.equal(sameSiteContextForRequest(ctx({ siteForCookies: new URL('https://rp.example/') })), 'none');
    assert.equal(sameSiteContextForRequest(ctx({ initiator: 'http://idp.example' })), 'none', 'schemeful');
    assert.equal(sameSiteContextForRequest(ctx({ initiator: 'https://rp.example', topLevelNavigation: true })), 'lax');
    assert.equal(sameSiteContextForRequest(ctx({ initiator: 'https://rp.example', topLevelNavigation: true, method: 'POST' })), 'none');
    assert.equal(sameSiteContextForResponse(ctx({ initiator: 'https://rp.example', topLevelNavigation: true, method: 'POST' })), 'lax');
    assert.equal(sameSiteContextForResponse(ctx({ initiator: 'https://rp.example' })), 'none');
  });
});

describe('Cookies: which cookies are sent, and why not', () => {
  const matrix: { name: string; req: Partial<CookieRequestContext>; sent: string[]; reasons: Record<string, string> }[] = [
    {
      name: 'same-site (FedCM from a same-site RP)',
      req: { initiator: 'https://rp.idp.example', siteForCookies: new URL(IDP) },
      sent: ['lax', 'none', 'strict', 'unspecified'],
      reasons: {},
    },
    {
      name: 'cross-site subresource (FedCM accounts from a cross-site RP)',
      req: { initiator: 'https://rp.example', siteForCookies: new URL(IDP) },
      sent: ['none'],
      reasons: {
        lax: 'cookie `lax` was not sent: it is SameSite=Lax and the request is cross-site (https://rp.example → https://idp.example)',
        strict: 'cookie `strict` was not sent: it is SameSite=Strict and the request is cross-site (https://rp.example → https://idp.example)',
        unspecified:
          'cookie `unspecified` was not sent: it has no SameSite attribute, so it is treated as SameSite=Lax and the request is cross-site (https://rp.example → https://idp.example)',
      },
    },
    {
      name: 'cross-site top-level GET navigation',
      req: { initiator: 'https://rp.example', topLevelNavigation: true },
      sent: ['lax', 'none', 'unspecified'],
      reasons: {
        strict:
          'cookie `strict` was not sent: it is SameSite=Strict and the request is a cross-site top-level navigation (https://rp.example → https://idp.example)',
      },
    },
    {
      name: 'cross-site top-level POST navigation',
      req: { initiator: 'https://rp.example', topLevelNavigation: true, method: 'POST' },
      sent: ['none'],
      reasons: {},
    },
    {
      name: 'cross-site because of the site for cookies (a third-party iframe)',
      req: { initiator: 'https://idp.example', siteForCookies: new URL('https://rp.example/') },
      sent: ['none'],
      reasons: {
        lax: 'cookie `lax` was not sent: it is SameSite=Lax and the request is cross-site (https://rp.example → https://idp.example)',
      },
    },
  ];
  for (const row of matrix) {
    test(row.name, async () => {
      const jar = await jarWithAll();
      const { header, decisions } = await jar.cookiesFor(ctx(row.req));
      assert.deepEqual(decisions.filter((d) => d.sent).map((d) => d.name).sort(), row.sent);
      assert.deepEqual(header?.split('; ').sort(), row.sent.map((n) => `${n}=1`));
      for (const [name, reason] of Object.entries(row.reasons)) {
        assert.equal(decisions.find((d) => d.name === name)?.reason, reason);
      }
      for (const d of decisions) assert.equal(d.sent, d.reason === undefined);
      assert.deepEqual(
        Object.fromEntries(decisions.map((d) => [d.name, d.sameSite])),
        { none: 'none', lax: 'lax', strict: 'strict', unspecified: 'unspecified' },
      );
    });
  }

  test('no cookies: no header', async () => {
    const { header, decisions } = await new Cookies().cookiesFor(ctx());
    assert.equal(header, undefined);
    assert.deepEqual(decisions, []);
  });

  test('header order: longer paths first, then older first (RFC 6265 §5.4)', async () => {
    const jar = new Cookies();
    await jar.set(IDP, 'a=1; Path=/');
    await jar.set(IDP, 'b=2; Path=/accounts');
    await jar.set(IDP, 'c=3; Path=/');
    await jar.set(IDP, 'nameless');
    const { header } = await jar.cookiesFor(ctx());
    assert.equal(header, 'b=2; a=1; c=3; nameless');
  });

  test('domain, path and Secure matching happen before any decision', async () => {
    const jar = new Cookies();
    await jar.set(IDP, 'host=1');
    await jar.set(IDP, 'dom=1; Domain=idp.example');
    await jar.set(IDP, 'other=1; Path=/elsewhere');
    await jar.set(IDP, 'sec=1; Secure');
    const sub = await jar.cookiesFor(ctx({ url: new URL('https://accounts.idp.example/') }));
    assert.deepEqual(sub.decisions.map((d) => d.name), ['dom']);
    const insecure = await jar.cookiesFor(ctx({ url: new URL('http://idp.example/') }));
    assert.deepEqual(insecure.decisions.map((d) => d.name).sort(), ['dom', 'host']);
  });
});

describe('Cookies: which cookies are stored, and why not', () => {
  test('SameSite=None without Secure is refused at set time', async () => {
    const jar = new Cookies();
    const r = await jar.store(new URL(IDP), ['a=1; SameSite=None', 'b=1; SameSite=None; Secure'], ctx());
    assert.deepEqual(r, {
      stored: ['b'],
      rejected: [{ name: 'a', reason: 'it is SameSite=None without Secure (Chromium requires Secure for SameSite=None)' }],
    });
    await assert.rejects(jar.set(IDP, 'a=1; SameSite=None'), /cookie `a` was not stored: it is SameSite=None without Secure/);
  });

  test('Secure cookies: refused from http://idp.example, accepted from http://127.0.0.1 and http://localhost', async () => {
    const jar = new Cookies();
    const refused = await jar.store(new URL('http://idp.example/'), ['s=1; Secure'], ctx({ url: new URL('http://idp.example/') }));
    assert.deepEqual(refused.rejected, [{ name: 's', reason: 'it is Secure but http://idp.example is not a potentially trustworthy origin' }]);
    for (const origin of ['http://127.0.0.1:4000', 'http://localhost:3000']) {
      const url = new URL(origin + '/');
      const ok = await jar.store(url, ['s=1; Secure; SameSite=None'], ctx({ url }));
      assert.deepEqual(ok.stored, ['s']);
      const { header } = await jar.cookiesFor(ctx({ url, initiator: 'https://rp.example' }));
      assert.equal(header, 's=1');
    }
  });

  test('cross-site responses set only SameSite=None cookies; top-level navigations set all', async () => {
    const jar = new Cookies();
    const lines = ['n=1; SameSite=None; Secure', 'l=1; SameSite=Lax', 's=1; SameSite=Strict', 'u=1'];
    const cross = await jar.store(new URL(IDP), lines, ctx({ initiator: 'https://rp.example' }));
    assert.deepEqual(cross.stored, ['n']);
    assert.deepEqual(cross.rejected.map((r) => r.name), ['l', 's', 'u']);
    assert.match(cross.rejected[1]?.reason ?? '', /^it is SameSite=Strict and the response is to a cross-site request \(https:\/\/rp\.example → https:\/\/idp\.example\)/);
    const nav = await jar.store(new URL(IDP), lines, ctx({ initiator: 'https://rp.example', topLevelNavigation: true, method: 'POST' }));
    assert.deepEqual(nav.stored, ['n', 'l', 's', 'u']);
  });

  test('other refusals carry reasons: public-suffix Domain, foreign Domain, prefixes, size, parse errors', async () => {
    const jar = new Cookies();
    const r = await jar.store(
      new URL(IDP),
      [
        'a=1; Domain=example',
        'b=1; Domain=rp.example',
        '__Secure-c=1',
        '__Host-d=1; Secure; Domain=idp.example',
        `e=${'x'.repeat(4096)}`,
        '',
      ],
      ctx(),
    );
    assert.deepEqual(r.stored, []);
    assert.deepEqual(r.rejected, [
      { name: 'a', reason: 'its Domain attribute is a public suffix' },
      { name: 'b', reason: 'its Domain attribute does not domain-match the host idp.example' },
      { name: '__Secure-c', reason: 'its name starts with __Secure- but it is not Secure' },
      { name: '__Host-d', reason: 'its name starts with __Host- but it is not Secure, has a Domain attribute, or its Path is not /' },
      { name: 'e', reason: 'its name and value are longer than 4096 bytes' },
      { name: '', reason: 'the Set-Cookie line could not be parsed' },
    ]);
  });

  test('HttpOnly cookies cannot be set through the non-HTTP API', async () => {
    const jar = new Cookies();
    await assert.rejects(jar.set(IDP, 'h=1; HttpOnly', { http: false }), /HttpOnly/);
    await jar.set(IDP, 'h=1; HttpOnly');
    assert.equal((await jar.all())[0]?.httpOnly, true);
  });
});

describe('Cookies: expiry on an injected clock, and persistence', () => {
  test('Max-Age and Expires are measured on the injected clock; a past expiry deletes', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const jar = new Cookies({ now: () => now });
    await jar.set(IDP, 'short=1; Max-Age=60');
    await jar.set(IDP, 'long=1; Expires=Wed, 01 Jan 2031 00:00:00 GMT');
    await jar.set(IDP, 'session=1');
    assert.deepEqual((await jar.list(new URL(IDP))).map((c) => c.name).sort(), ['long', 'session', 'short']);
    assert.equal((await jar.all()).find((c) => c.name === 'short')?.expires, now + 60_000);

    now += 61_000;
    assert.deepEqual((await jar.cookiesFor(ctx())).decisions.map((d) => d.name).sort(), ['long', 'session']);

    await jar.set(IDP, 'long=1; Max-Age=0');
    assert.deepEqual((await jar.all()).map((c) => c.name), ['session']);
  });

  test('toJSON / fromJSON round-trip, including through JSON text', async () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    const jar = new Cookies({ now: () => now });
    await jar.set(IDP, 'sid=abc; SameSite=None; Secure; HttpOnly; Max-Age=3600');
    await jar.set('https://accounts.idp.example/', 'pref=dark; Domain=idp.example; Path=/settings');
    const text = JSON.stringify(jar);
    const copy = Cookies.fromJSON(text, { now: () => now });
    assert.deepEqual(await copy.all(), await jar.all());
    const all = await copy.all();
    assert.deepEqual(
      all.map((c) => ({ ...c, creation: null })),
      [
        {
          name: 'sid', value: 'abc', domain: 'idp.example', hostOnly: true, path: '/', secure: true, httpOnly: true,
          sameSite: 'none', expires: now + 3_600_000, creation: null,
        },
        {
          name: 'pref', value: 'dark', domain: 'idp.example', hostOnly: false, path: '/settings', secure: false, httpOnly: false,
          sameSite: 'unspecified', expires: null, creation: null,
        },
      ],
    );
    assert.deepEqual(await copy.serialize(), copy.toJSON());
    await copy.clear();
    assert.deepEqual(await copy.all(), []);
  });
});

describe('Cookies: the remembered match of a URL follows every change of the jar', () => {
  // The jar's own store keeps each URL's match until the store changes (cookie-match-cache.ts).
  // Each step asks twice (the second answer may come from memory) and compares both with a jar
  // built afresh from the same state over a store of its own, which tough-cookie matches anew.
  test('set, overwrite, delete, expiry on the clock, clear, direct store writes, other paths and schemes', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const jar = new Cookies({ now: () => now });
    const urls = [new URL(IDP + 'accounts'), new URL(IDP + 'accounts/x'), new URL(IDP), new URL('http://idp.example/accounts'), new URL('https://sub.idp.example/accounts')];
    const check = async (step: string): Promise<void> => {
      const fresh = Cookies.fromJSON(jar.toJSON(), { now: () => now, store: new (await import('tough-cookie')).MemoryCookieStore() });
      for (const url of urls) {
        const first = await jar.cookiesFor(ctx({ url }));
        const second = await jar.cookiesFor(ctx({ url }));
        const expected = await fresh.cookiesFor(ctx({ url }));
        assert.deepEqual(first, expected, `${step}: ${url.href}`);
        assert.deepEqual(second, expected, `${step}: ${url.href}, asked again`);
      }
    };
    await check('empty');
    await jar.set(IDP, 'a=1; Path=/');
    await check('one cookie');
    await jar.set(IDP, 'b=2; Path=/accounts; Secure');
    await jar.set('https://sub.idp.example/', 'd=4; Domain=idp.example');
    await check('more cookies');
    await jar.set(IDP, 'a=changed; Path=/');
    await check('a value overwritten');
    await jar.set(IDP, 'short=1; Max-Age=60');
    await check('a cookie with an expiry');
    now += 61_000;
    await check('that cookie expired on the clock');
    await jar.store(new URL(IDP), ['b=2; Path=/accounts; Max-Age=0'], ctx({ url: new URL(IDP) }));
    await check('a cookie deleted by a response');
    jar.setDocumentCookie(new URL(IDP), 'doc=1');
    await check('document.cookie');
    const { Cookie } = await import('tough-cookie');
    await jar.jar.store.putCookie(Cookie.parse('direct=1; Domain=idp.example; Path=/')!);
    await check('written to the store directly');
    await jar.jar.store.removeCookie('idp.example', '/', 'direct');
    await check('removed from the store directly');
    await jar.clear();
    await check('cleared');
  });
});
