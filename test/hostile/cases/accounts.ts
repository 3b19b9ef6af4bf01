// The accounts endpoint: credentialed, no redirects, `{"accounts": [...]}` where any bad entry or
// a repeated id invalidates the whole list (Chromium ParseAccount / OnAccountsRequestParsed).

import { NETWORK_ERROR, GOOD_TOKEN, type HostileCase } from '../case.js';
import { bomb, bytes, deeplyNested, drip, endless, headersThenSilence, json, redirect, resetMidBody, status } from '../behaviours.js';
import type { Behaviour } from '../server.js';

const JOHN = { id: '1234', name: 'John Doe', email: 'john@idp.example' };

const fail = (name: string, behaviour: Behaviour, diagnostic: HostileCase['diagnostic'], timeouts = 0): HostileCase => ({
  name: `accounts: ${name}`,
  endpoint: 'accounts',
  behaviour,
  expect: NETWORK_ERROR,
  diagnostic,
  timeouts,
});

const ok = (name: string, behaviour: Behaviour, check?: HostileCase['check']): HostileCase => ({
  name: `accounts: ${name}`,
  endpoint: 'accounts',
  behaviour,
  expect: GOOD_TOKEN,
  diagnostic: null,
  timeouts: 0,
  ...(check ? { check } : {}),
});

export const accountsCases: HostileCase[] = [
  fail('404', status(404), 'AccountsHttpNotFound'),
  fail('500', status(500), 'AccountsNoResponse'),
  fail('text/html content type', bytes(JSON.stringify({ accounts: [JOHN] }), 'text/html'), 'AccountsInvalidContentType'),
  fail('empty body', bytes('', 'application/json'), 'AccountsInvalidResponse'),
  fail('no "accounts" member', json({}), 'AccountsInvalidResponse'),
  fail('"accounts" is a string', json({ accounts: 'John' }), 'AccountsInvalidResponse'),
  fail('an empty list', json({ accounts: [] }), 'AccountsListEmpty'),
  fail('the id is a number', json({ accounts: [{ ...JOHN, id: 1234 }] }), 'AccountsInvalidResponse'),
  fail('duplicate account ids', json({ accounts: [JOHN, { ...JOHN, name: 'Jane' }] }), 'AccountsInvalidResponse'),
  fail('100,000 nested arrays', deeplyNested(100_000), 'AccountsInvalidResponse'),
  fail('invalid UTF-8', bytes(Buffer.from([0x7b, 0x22, 0x61, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]), 'application/json'), 'AccountsInvalidResponse'),
  fail('50 MB declared in Content-Length', bomb(50 * 1024 * 1024, { declare: true }), 'AccountsNoResponse'),
  fail('body that never ends (stopped at the 1 MiB cap)', endless(), 'AccountsNoResponse'),
  fail('slow drip, 1 byte per 100 ms', drip(100), 'AccountsNoResponse', 1),
  fail('headers then silence', headersThenSilence(), 'AccountsNoResponse', 1),
  fail('reset mid-body', resetMidBody(), 'AccountsNoResponse'),
  fail('307 to another list (FedCM forbids redirects here)', redirect(307, '/fedcm/accounts?again'), 'AccountsNoResponse'),
  // Chromium reads name/email only as strings: a number is as good as absent, and email remains.
  ok('name is a number, email a string', json({ accounts: [{ id: '1234', name: 42, email: 'john@idp.example' }] })),
  ok('__proto__ and constructor keys in an account', bytes(`{"accounts":[{"__proto__":{"id":"evil"},"constructor":"x","id":"1234","name":"John"}]}`, 'application/json')),
  ok('UTF-8 BOM before the JSON', bytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ accounts: [JOHN] }))]), 'application/json')),
  // 10,000 accounts sharing one picture: one picture request, the chooser lists them all.
  ok(
    '10,000 accounts',
    json({ accounts: Array.from({ length: 10_000 }, (_, i) => ({ id: i === 0 ? '1234' : `a${i}`, name: `User ${i}`, picture: 'https://idp.example/pic/1.png' })) }),
    ({ server }) => {
      if (server.hits('picture') !== 1) throw new Error(`one shared picture, fetched ${server.hits('picture')} times`);
    },
  ),
];
