// The config file (the page's configURL): uncredentialed, no redirects (FedCM §3.2 step 7,
// Chromium redirect_mode kError), a JSON object with same-origin endpoints.

import { NETWORK_ERROR, GOOD_TOKEN, type HostileCase } from '../case.js';
import { bomb, bytes, deeplyNested, headersThenSilence, json, redirect, resetBeforeHeaders, silence, status } from '../behaviours.js';
import type { Behaviour } from '../server.js';

const GOOD = { accounts_endpoint: '/fedcm/accounts', id_assertion_endpoint: '/fedcm/assertion', login_url: '/login' };
/** For cases that break the config's host: the well-known file on idp.example stays good. */
const ELSEWHERE = 'https://accounts.idp.example/fedcm/config.json';

const fail = (name: string, behaviour: Behaviour, diagnostic: HostileCase['diagnostic'], timeouts = 0, extra: Partial<HostileCase> = {}): HostileCase => ({
  name: `config: ${name}`,
  endpoint: 'config',
  behaviour,
  expect: NETWORK_ERROR,
  diagnostic,
  timeouts,
  ...extra,
});

export const configCases: HostileCase[] = [
  fail('404', status(404), 'ConfigHttpNotFound'),
  fail('500', status(500), 'ConfigNoResponse'),
  fail('text/plain content type', bytes(JSON.stringify(GOOD), 'text/plain'), 'ConfigInvalidContentType'),
  fail('no content type at all', bytes(JSON.stringify(GOOD), null), 'ConfigInvalidContentType'),
  fail('empty body', bytes('', 'application/json'), 'ConfigInvalidResponse'),
  fail('a JSON array, not an object', json([GOOD]), 'ConfigInvalidResponse'),
  fail('50 MB sent chunked (stopped at the 1 MiB cap)', bomb(50 * 1024 * 1024, { declare: false }), 'ConfigNoResponse'),
  fail('headers then silence', headersThenSilence(), 'ConfigNoResponse', 1),
  fail('no response at all', silence(), 'ConfigNoResponse', 1),
  fail('connection reset before the status line', resetBeforeHeaders(), 'ConfigNoResponse'),
  fail('302 to a good config (FedCM forbids redirects here)', redirect(302, '/fedcm/config.json?again'), 'ConfigNoResponse'),
  fail('endpoints are numbers', json({ accounts_endpoint: 1, id_assertion_endpoint: 2, login_url: 3 }), 'ConfigInvalidResponse'),
  fail('accounts_endpoint on another origin', json({ ...GOOD, accounts_endpoint: 'https://other.example/accounts' }), 'ConfigInvalidResponse'),
  fail('login_url is javascript:', json({ ...GOOD, login_url: 'javascript:alert(1)' }), 'ConfigInvalidResponse'),
  fail('100,000 nested arrays', deeplyNested(100_000, 'branding'), 'ConfigInvalidResponse'),
  fail('invalid UTF-8 inside a string', bytes(Buffer.concat([Buffer.from('{"login_url":"/lo'), Buffer.from([0xc3, 0x28]), Buffer.from('gin"}')]), 'application/json'), 'ConfigInvalidResponse'),
  fail('TLS handshake that never completes', (_req, res) => res.end(), 'ConfigNoResponse', 1, { configURL: ELSEWHERE, targets: { 'accounts.idp.example': 'stall' } }),
  fail('untrusted certificate', (_req, res) => res.end(), 'ConfigNoResponse', 0, { configURL: ELSEWHERE, targets: { 'accounts.idp.example': 'untrusted' } }),
  fail('connection refused', (_req, res) => res.end(), 'ConfigNoResponse', 0, { configURL: ELSEWHERE, targets: { 'accounts.idp.example': 'refused' } }),
  // A certificate from the trusted CA, for other names. The well-known file is on the same host
  // and fails the same way; fedkit reports the well-known failure first (config.ts fetchConfig).
  fail('certificate for the wrong name', (_req, res) => res.end(), 'WellKnownNoResponse', 0, { configURL: 'https://wrongname.example/fedcm/config.json' }),
  {
    name: 'config: __proto__ and constructor keys',
    endpoint: 'config',
    behaviour: bytes(`{"__proto__":{"accounts_endpoint":"https://other.example/"},"constructor":{"name":"x"},${JSON.stringify(GOOD).slice(1)}`, 'application/json'),
    expect: GOOD_TOKEN,
    diagnostic: null,
    timeouts: 0,
  },
];
