// IdentityCredential.disconnect(): config (+ well-known), then a credentialed CORS POST to
// disconnect_endpoint; whatever the IdP answers, the agent forgets the connection.

import { type HostileCase } from '../case.js';
import { bomb, bytes, json, redirect, silence, status } from '../behaviours.js';
import type { Behaviour } from '../server.js';

const DISCONNECT_ERROR = { rejects: { name: 'NetworkError', message: 'Error disconnecting account.' } } as const;

/** The connection is forgotten even when the IdP misbehaves (FedCM disconnect, Chromium). */
const forgotten: HostileCase['check'] = ({ agent }) => {
  const left = agent.profile.connections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' });
  if (left.length > 0) throw new Error(`the connection is still recorded: ${JSON.stringify(left)}`);
};

const fail = (name: string, behaviour: Behaviour, timeouts = 0): HostileCase => ({
  name: `disconnect: ${name}`,
  endpoint: 'disconnect',
  call: 'disconnect',
  behaviour,
  expect: DISCONNECT_ERROR,
  diagnostic: 'InvalidRequest',
  timeouts,
  check: forgotten,
});

export const disconnectCases: HostileCase[] = [
  fail('garbage body', bytes('\u0000\u0001garbage', 'application/octet-stream', { cors: true })),
  fail('500', status(500)),
  fail('hangs (no response)', silence(), 1),
  fail('account_id is a number', json({ account_id: 1234 }, { cors: true })),
  fail('50 MB sent chunked', bomb(50 * 1024 * 1024, { declare: false })),
  fail('302 (no redirects)', redirect(302, '/fedcm/disconnect?again')),
  fail('no CORS headers', json({ account_id: '1234' })),
  {
    name: 'disconnect: a good answer',
    endpoint: 'disconnect',
    call: 'disconnect',
    behaviour: json({ account_id: '1234' }, { cors: true }),
    expect: { resolves: true },
    diagnostic: null,
    timeouts: 0,
    check: forgotten,
  },
];
