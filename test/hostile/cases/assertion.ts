// The ID assertion endpoint: a credentialed CORS POST, no redirects; Chromium reads an `error`
// object first (even without CORS, even on a non-2xx), then CORS, then the JSON, then the status,
// then token > continue_on. Failures here are IdentityCredentialErrors, after the Error dialog.

import { NETWORK_ERROR, type HostileCase } from '../case.js';
import { bomb, bytes, drip, json, redirect, resetMidBody, silence } from '../behaviours.js';
import type { Behaviour } from '../server.js';

const IDENTITY_ERROR = (error = '') => ({ rejects: { name: 'IdentityCredentialError', error } });

const fail = (name: string, behaviour: Behaviour, diagnostic: HostileCase['diagnostic'], timeouts = 0, error = ''): HostileCase => ({
  name: `assertion: ${name}`,
  endpoint: 'assertion',
  behaviour,
  expect: IDENTITY_ERROR(error),
  diagnostic,
  timeouts,
});

const token = (name: string, behaviour: Behaviour, value: unknown): HostileCase => ({
  name: `assertion: ${name}`,
  endpoint: 'assertion',
  behaviour,
  expect: { token: value },
  diagnostic: null,
  timeouts: 0,
});

export const assertionCases: HostileCase[] = [
  fail('404 with CORS, not JSON', bytes('gone', 'text/plain', { status: 404, cors: true }), 'IdTokenInvalidContentType'),
  // Chromium synthesizes server_error for a bare 500.
  fail('500 with CORS and an empty object', json({}, { status: 500, cors: true }), 'IdTokenInvalidResponse', 0, 'server_error'), // Chromium 156: the differential golden "token: 500 with JSON"
  fail('non-JSON (text/html)', bytes('<html>token</html>', 'text/html', { cors: true }), 'IdTokenInvalidContentType'),
  fail('no CORS headers', json({ token: 'good-token' }), 'CorsError'),
  fail('hangs (no response)', silence(), 'IdTokenNoResponse', 1),
  fail('slow drip', drip(100), 'IdTokenNoResponse', 1),
  fail('50 MB declared', bomb(50 * 1024 * 1024, { declare: true }), 'IdTokenNoResponse'),
  fail('reset mid-body', resetMidBody(), 'IdTokenNoResponse'),
  fail('302 to another endpoint (no redirects)', redirect(302, '/fedcm/assertion?again'), 'IdTokenNoResponse'),
  // Chromium 156 rejects this one with a NetworkError, without the Error dialog.
  { ...fail('continue_on on another origin', json({ continue_on: 'https://other.example/continue' }, { cors: true }), 'IdTokenInvalidResponse'), expect: NETWORK_ERROR },
  fail('continue_on is a number', json({ continue_on: 7 }, { cors: true }), 'IdTokenInvalidResponse'),
  // "error" as a string is no error object: the response has no token at all.
  fail('error is a string', json({ error: 'nope' }, { cors: true }), 'IdTokenInvalidResponse'),
  // A non-string code counts as none; a javascript: URL is dropped (not same-site, not https).
  fail('error with a numeric code and a javascript: url', json({ error: { code: 42, url: 'javascript:alert(1)' } }), 'IdTokenCrossSiteIdpErrorResponse'),
  fail('error with an odd code, on a 418', json({ error: { error: '\u0000 💥 <script>' } }, { status: 418 }), 'IdTokenIdpErrorResponse', 0, '\u0000 💥 <script>'),
  // The own "__proto__" key of a parsed body is no "token".
  fail('token only under __proto__', bytes('{"__proto__":{"token":"evil"}}', 'application/json', { cors: true }), 'IdTokenInvalidResponse'),
  // Chromium accepts any JSON value as the token; so does fedkit.
  token('token is a number', json({ token: 42 }, { cors: true }), 42),
  token('token is an object', json({ token: { nested: [1, 2] } }, { cors: true }), { nested: [1, 2] }),
];
