// The values the generators draw from: methods, paths, header values and the hostile strings
// (injections, encodings, lengths) that go into any of them. Strings here are JavaScript text;
// what reaches the wire is their UTF-8 (bodies, query values) or their latin1 bytes (raw
// request lines and headers, where a test wants exact bytes).

import type { Rng } from './prng.js';

/** Methods node:http parses (and so hands to the server) and tokens it refuses. */
export const METHODS: readonly string[] = [
  'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT',
  // Parsed by node:http but not by fetch (TRACK), WebDAV and other registered methods.
  'TRACK', 'PROPFIND', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'SEARCH', 'PURGE', 'QUERY', 'LINK', 'UNLINK', 'REPORT', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE',
  // Odd tokens: unknown, wrong case, not a token at all.
  'FOO', 'get', 'Post', 'GETS', 'G', 'X-CUSTOM', 'POST\t', 'GE T', '', '<script>', 'DELETE\u0000', 'P'.repeat(200),
];

/** Strings that break parsers, templates, SQL, paths and encodings. */
export const HOSTILE: readonly string[] = [
  '',
  ' ',
  "'",
  '"',
  '\'"`',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '</script><script>alert(1)</script>',
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '1; SELECT * FROM sessions',
  "\\'; DELETE FROM grants WHERE ''='",
  'NULL',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '{"__proto__":{"polluted":true}}',
  '\u0000',
  'a\u0000b',
  '\r\n',
  'a\r\nSet-Cookie: injected=1',
  '\n',
  '\t',
  '\u0007\u0008\u001b[31m',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  '%00',
  '%',
  '%%',
  '%zz',
  '%E0%A4',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '${7*7}',
  '{{7*7}}',
  '#{7*7}',
  '$(id)',
  '`id`',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'https://evil.example/',
  '//evil.example',
  'file:///etc/passwd',
  'é',
  'ñandú',
  'Ω≈ç√∫',
  '日本語',
  '𝕳𝖊𝖑𝖑𝖔',
  '🔥💩',
  '\u202e\u0041\u0042',
  '\ufeff',
  '\ufffd',
  '\ud800',
  '\udfff',
  'ＡＤＭＩＮ',
  'admin@idp.example',
  'jane@idp.example',
  'JANE@IDP.EXAMPLE',
  ' jane@idp.example ',
  'jane',
  'test-rp',
  '[]',
  '{}',
  '[[[[[[[[[[]]]]]]]]]]',
  '{"nonce":1}',
  '{"nonce":{"a":1}}',
  '{"nonce":"' + 'n'.repeat(600) + '"}',
];

/** A value of `length` characters: repeated letters, repeated hostile text, or random bytes as latin1. */
export function longValue(rng: Rng, length: number): string {
  switch (rng.int(0, 3)) {
    case 0:
      return 'A'.repeat(length);
    case 1:
      return rng.string(length);
    case 2:
      return rng.pick(HOSTILE.filter((h) => h.length > 0)).repeat(length).slice(0, length);
    default:
      return '%41'.repeat(Math.ceil(length / 3)).slice(0, length);
  }
}

/** A hostile string, sometimes a very long one. */
export function hostile(rng: Rng): string {
  if (rng.chance(0.08)) return longValue(rng, rng.pick([300, 600, 2100, 5000, 9000]));
  return rng.pick(HOSTILE);
}

/** Sec-Fetch-Dest values: the one FedCM sends, its look-alikes, the others browsers send. */
export const FETCH_DESTS: readonly string[] = ['webidentity', 'WEBIDENTITY', 'webidentity ', ' webidentity', 'webidentity, webidentity', 'web-identity', 'document', 'empty', 'iframe', 'script', 'image', 'worker', 'webidentity\u0000', ''];

export const FETCH_SITES: readonly string[] = ['same-origin', 'same-site', 'cross-site', 'none', 'SAME-ORIGIN', ''];

export const FETCH_MODES: readonly string[] = ['cors', 'no-cors', 'navigate', 'same-origin', ''];

export const CONTENT_TYPES: readonly string[] = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/x-www-form-urlencoded;charset=iso-8859-1',
  ' application/x-www-form-urlencoded ',
  'application/x-www-form-urlencoded, application/json',
  'application/json',
  'application/json; charset=utf-8',
  'multipart/form-data; boundary=----fuzz',
  'multipart/form-data',
  'text/plain',
  'text/html',
  'application/octet-stream',
  'application/xml',
  '*/*',
  '',
  ';',
  'application/x-www-form-urlencoded; boundary="',
  'application/x-www-form-urlencoded\u0000',
];

export const ACCEPTS: readonly string[] = ['application/json', 'text/html', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', '*/*', 'application/*', 'image/webp', 'text/html;q=0', '', 'garbage', ';;;,,,'];

/** Paths nothing is served at, and look-alikes of the real ones. */
export const UNKNOWN_PATHS: readonly string[] = [
  '/',
  '/fedcm',
  '/fedcm/',
  '/fedcm/nope',
  '/fedcm/config',
  '/fedcm/config.json/',
  '/fedcm/config.json.bak',
  '/FEDCM/CONFIG.JSON',
  '/fedcm//accounts',
  '//fedcm/accounts',
  '//',
  '///',
  '//evil.example/fedcm/config.json',
  '/\\evil.example/',
  '/fedcm/../fedcm/config.json',
  '/fedcm/./accounts',
  '/fedcm/%2e%2e/fedcm/config.json',
  '/fedcm/%2E%2E%2Ffedcm%2Fconfig.json',
  '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/../../../../etc/passwd',
  '/fedcm/accounts%00',
  '/fedcm/accounts%',
  '/fedcm/%zz',
  '/fedcm/accounts;jsessionid=1',
  '/fedcm/accounts/..;/config.json',
  '/.well-known/',
  '/.well-known/web-identity/',
  '/.well-known/web-identity%20',
  '/.well-known/%2e%2e/fedcm/config.json',
  '/.well-known/openid-configuration/../web-identity',
  '/.fedkit-testing/sign-in',
  '/admin',
  '/index.html',
  '/favicon.ico',
  '/robots.txt',
  '/fedcm/%F0%9F%94%A5',
  '/fedcm/\u00e9',
  '/fedcm/%u0041',
  '/fedcm/' + '%41'.repeat(40),
  '/fedcm/<script>alert(1)</script>',
  "/fedcm/' OR 1=1 --",
];

/** Host header values: the IdP, its spellings, others, and no host at all. */
export const HOSTS: readonly string[] = [
  'idp.example',
  'IDP.EXAMPLE',
  'idp.example:443',
  'idp.example:8443',
  'idp.example.',
  'rp.example',
  'evil.example',
  'localhost',
  '127.0.0.1',
  '[::1]',
  '[::1',
  '',
  'a b',
  'idp.example/evil',
  'idp.example?x=1',
  'idp.example#x',
  'user@idp.example',
  'user:pass@idp.example',
  'idp.example:99999',
  'idp.example:-1',
  'idp.example:abc',
  '\u00e9.example',
  'xn--.example',
  '%69dp.example',
  'idp.example\\evil',
];
