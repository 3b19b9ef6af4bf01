// The well-known file (https://<eTLD+1>/.well-known/web-identity): the one FedCM fetch that
// follows redirects (Chromium CreateUncredentialedResourceRequest, the well-known exception).
// When a case breaks the well-known host itself, the config lives on accounts.idp.example so
// that the well-known is the only thing broken.

import { NETWORK_ERROR, GOOD_TOKEN, type HostileCase } from '../case.js';
import { bomb, bytes, drip, endless, headersThenSilence, json, redirectLoop, resetMidBody, status } from '../behaviours.js';
import type { Behaviour } from '../server.js';

const CONFIG = 'https://idp.example/fedcm/config.json';
/** For cases that break the idp.example host: the config is elsewhere, on the same site. */
const ELSEWHERE = 'https://accounts.idp.example/fedcm/config.json';

/** Redirects once (to `?moved`), then serves the good file. */
const redirectOnce: Behaviour = (req, res, ctx) => {
  if ((req.url ?? '').includes('moved')) return ctx.good(req, res, ctx);
  res.writeHead(301, { location: '/.well-known/web-identity?moved', 'content-length': '0' });
  res.end();
};

const fail = (name: string, behaviour: Behaviour, diagnostic: HostileCase['diagnostic'], timeouts = 0, extra: Partial<HostileCase> = {}): HostileCase => ({
  name: `well-known: ${name}`,
  endpoint: 'well-known',
  behaviour,
  expect: NETWORK_ERROR,
  diagnostic,
  timeouts,
  ...extra,
});

export const wellKnownCases: HostileCase[] = [
  fail('404', status(404, 'no'), 'WellKnownHttpNotFound'),
  fail('500', status(500, 'oops'), 'WellKnownNoResponse'),
  fail('empty body', bytes('', 'application/json'), 'WellKnownInvalidResponse'),
  fail('text/html content type', bytes(JSON.stringify({ provider_urls: [CONFIG] }), 'text/html'), 'WellKnownInvalidContentType'),
  fail('50 MB declared in Content-Length', bomb(50 * 1024 * 1024, { declare: true }), 'WellKnownNoResponse'),
  fail('body that never ends (stopped at the 1 MiB cap)', endless(), 'WellKnownNoResponse'),
  fail('slow drip, 1 byte per 100 ms', drip(100), 'WellKnownNoResponse', 1),
  fail('headers then silence', headersThenSilence(), 'WellKnownNoResponse', 1),
  fail('reset mid-body', resetMidBody(), 'WellKnownNoResponse'),
  fail('redirect loop', redirectLoop(302), 'WellKnownNoResponse'),
  fail('invalid UTF-8', bytes(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'application/json'), 'WellKnownInvalidResponse'),
  fail('provider_urls is a number', json({ provider_urls: 7 }), 'WellKnownInvalidResponse'),
  fail('10,000 provider_urls', json({ provider_urls: Array.from({ length: 10_000 }, (_, i) => `https://idp.example/c${i}.json`) }), 'WellKnownTooBig'),
  fail('TLS handshake that never completes', (_req, res) => res.end(), 'WellKnownNoResponse', 1, { configURL: ELSEWHERE, targets: { 'idp.example': 'stall' } }),
  fail('untrusted certificate', (_req, res) => res.end(), 'WellKnownNoResponse', 0, { configURL: ELSEWHERE, targets: { 'idp.example': 'untrusted' } }),
  fail('connection refused', (_req, res) => res.end(), 'WellKnownNoResponse', 0, { configURL: ELSEWHERE, targets: { 'idp.example': 'refused' } }),
  {
    // Chromium follows redirects for the well-known file only; so does fedkit.
    name: 'well-known: one redirect is followed',
    endpoint: 'well-known',
    behaviour: redirectOnce,
    expect: GOOD_TOKEN,
    diagnostic: null,
    timeouts: 0,
  },
  {
    // Fetch's "UTF-8 decode" strips a leading BOM before JSON parsing.
    name: 'well-known: UTF-8 BOM before the JSON',
    endpoint: 'well-known',
    behaviour: bytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ provider_urls: [CONFIG] }))]), 'application/json'),
    expect: GOOD_TOKEN,
    diagnostic: null,
    timeouts: 0,
  },
  {
    // JSON.parse makes "__proto__" an own key: nothing is polluted, and the file still parses.
    name: 'well-known: __proto__ and constructor keys',
    endpoint: 'well-known',
    behaviour: bytes(`{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"provider_urls":["${CONFIG}"]}`, 'application/json'),
    expect: GOOD_TOKEN,
    diagnostic: null,
    timeouts: 0,
    check: () => {
      if ((Object.prototype as Record<string, unknown>)['polluted'] !== undefined) throw new Error('Object.prototype was polluted');
    },
  },
];
