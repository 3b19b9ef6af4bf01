// The generators: case `index` of a run is a valid request for one route of the IdP (as a
// browser's FedCM fetch, form post or page load makes it), then zero to five mutations of its
// method, target, query, headers, form fields, body, framing or HTTP version. Everything comes
// from Rng.forCase(seed, index), so the case is the same whatever ran before it; only the live
// values it carries (session, CSRF token, ticket) come from the run's state.

import type { IdpRoute } from '../../src/idp/index.js';
import { ACCEPTS, CONTENT_TYPES, FETCH_DESTS, FETCH_MODES, FETCH_SITES, HOSTS, hostile, longValue, METHODS, UNKNOWN_PATHS } from './corpus.js';
import type { Rng } from './prng.js';
import { formEncode, percentEncode, type HeaderValue, type RawRequest } from './request.js';
import { CLIENT_ID, FUZZ_ID_HEADER, IDP_HOST, IDP_ORIGIN, LOGIN_USER, OTHER_CLIENT, RP_ORIGIN, SESSION_USER, type FuzzState } from './target.js';

export type RouteName = IdpRoute['name'];
export type Aim = RouteName | 'unknown';

export interface FuzzCase extends RawRequest {
  index: number;
  /** The route the case was made for (`unknown`: a path nothing is served at). */
  aim: Aim;
  /** What was done to the valid request, in order. */
  mutations: string[];
  /** The body is shorter than its framing says: the client gives up after a short grace. */
  partial: boolean;
  /**
   * Bytes that are no request follow the request: node:http answers them 400 and closes, and may
   * close before the request's own answer went out (it does after a `100 Continue`).
   */
  followed: boolean;
}

/** What the generators need to know of the IdP and the run. */
export interface GenContext {
  /** Each route's path on the IdP. */
  paths: Readonly<Record<RouteName, string>>;
  state: FuzzState;
}

type Framing = 'length' | 'none' | 'short' | 'long' | 'length-bad' | 'length-dup' | 'chunked' | 'chunked-bad' | 'chunked+length' | 'te-other';

interface Draft {
  aim: Aim;
  method: string;
  path: string;
  query: [string, string][];
  /** Sent as is instead of `query` (with its `?`). */
  rawQuery?: string;
  /** Replaces path and query: an absolute-form or otherwise odd request-target. */
  rawTarget?: string;
  version: string;
  headers: [string, HeaderValue][];
  form?: [string, string][];
  /** Replaces the encoding of `form`. */
  formRaw?: string;
  /** Replaces the form altogether. */
  body?: Buffer;
  framing: Framing;
  mutations: string[];
}

const FIELDS = ['name', 'email', 'picture', 'tel', 'username'];

function setHeader(d: Draft, name: string, value: HeaderValue): void {
  const at = d.headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
  d.headers = d.headers.filter(([n], i) => i === at || n.toLowerCase() !== name.toLowerCase());
  if (at === -1) d.headers.push([name, value]);
  else d.headers[at] = [d.headers[at]![0], value];
}

function removeHeader(d: Draft, name: string): void {
  d.headers = d.headers.filter(([n]) => n.toLowerCase() !== name.toLowerCase());
}

function cookie(...pairs: (string | undefined)[]): string {
  return pairs.filter((p) => p !== undefined).join('; ');
}

function subset(rng: Rng, items: readonly string[]): string[] {
  return items.filter(() => rng.chance(0.5));
}

function nonce(rng: Rng): string {
  return rng.string(rng.int(8, 32), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
}

/** Chromium's form encoder leaves `,` and `:` unescaped. */
function chromiumEncode(pairs: [string, string][]): string {
  return formEncode(pairs).replace(/%2C/g, ',').replace(/%3A/g, ':');
}

// --- the valid requests ------------------------------------------------------------------

function fedcmFetch(d: Draft, rng: Rng, mode: 'no-cors' | 'cors'): void {
  d.headers.push(['Accept', 'application/json'], ['Sec-Fetch-Dest', 'webidentity'], ['Sec-Fetch-Mode', mode], ['Sec-Fetch-Site', rng.pick(['cross-site', 'none', 'same-site'])]);
}

function baseline(aim: Aim, rng: Rng, g: GenContext): Draft {
  const d: Draft = { aim, method: 'GET', path: aim === 'unknown' ? rng.pick(UNKNOWN_PATHS) : g.paths[aim], query: [], version: 'HTTP/1.1', headers: [['Host', IDP_HOST]], framing: 'length', mutations: [] };
  if (rng.chance(0.5)) d.headers.push(['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36']);
  const { session, spareSession, csrf, ticket } = g.state;
  const sessionCookie = `fedkit_session=${session}`;
  const spareCookie = `fedkit_session=${spareSession}`;
  const csrfCookie = `__Host-fedkit_csrf=${csrf}`;
  switch (aim) {
    case 'wellKnown':
    case 'config':
      fedcmFetch(d, rng, 'no-cors');
      break;
    case 'accounts':
      fedcmFetch(d, rng, 'no-cors');
      d.headers.push(['Cookie', sessionCookie]);
      break;
    case 'clientMetadata':
      fedcmFetch(d, rng, 'cors');
      d.headers.push(['Origin', RP_ORIGIN]);
      d.query.push(['client_id', rng.chance(0.85) ? CLIENT_ID : OTHER_CLIENT.id]);
      if (rng.chance(0.4)) d.query.push([rng.pick(['top_frame_origin', 'top_level_origin']), rng.pick([RP_ORIGIN, 'https://news.example', OTHER_CLIENT.origins[0], 'https://sub.rp.example'])]);
      break;
    case 'assertion': {
      d.method = 'POST';
      fedcmFetch(d, rng, 'cors');
      d.headers.push(['Origin', RP_ORIGIN], ['Cookie', sessionCookie], ['Content-Type', 'application/x-www-form-urlencoded']);
      const form: [string, string][] = [
        ['client_id', rng.chance(0.9) ? CLIENT_ID : OTHER_CLIENT.id],
        ['account_id', rng.chance(0.9) ? SESSION_USER.id : LOGIN_USER.id],
      ];
      const n = nonce(rng);
      if (rng.chance(0.7)) form.push(['params', JSON.stringify(rng.chance(0.8) ? { nonce: n } : {})]);
      if (rng.chance(0.2)) form.push(['nonce', rng.chance(0.8) ? n : nonce(rng)]);
      if (rng.chance(0.6)) form.push(['fields', subset(rng, FIELDS).join(',')]);
      if (rng.chance(0.6)) form.push(['disclosure_shown_for', subset(rng, FIELDS).join(',')]);
      if (rng.chance(0.4)) form.push(['disclosure_text_shown', rng.pick(['true', 'false'])]);
      if (rng.chance(0.3)) form.push(['is_auto_selected', rng.pick(['true', 'false'])]);
      d.form = form;
      if (rng.chance(0.4)) d.formRaw = chromiumEncode(form);
      break;
    }
    case 'disconnect': {
      d.method = 'POST';
      fedcmFetch(d, rng, 'cors');
      d.headers.push(['Origin', RP_ORIGIN], ['Cookie', sessionCookie], ['Content-Type', 'application/x-www-form-urlencoded']);
      const hint = rng.pick([SESSION_USER.email, SESSION_USER.id, SESSION_USER.username, 'JANE@IDP.EXAMPLE']);
      d.form = [['client_id', CLIENT_ID], ['account_hint', hint]];
      // Chromium sends the values unencoded; the spec and Firefox encode them.
      if (rng.chance(0.5)) d.formRaw = `client_id=${CLIENT_ID}&account_hint=${hint}`;
      break;
    }
    case 'login':
    case 'logout':
    case 'continue': {
      const html = rng.chance(0.6);
      d.headers.push(['Accept', html ? 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' : 'application/json']);
      d.headers.push(['Sec-Fetch-Dest', 'document'], ['Sec-Fetch-Mode', 'navigate']);
      if (rng.chance(0.5)) {
        d.headers.push(['Sec-Fetch-Site', 'none']);
        if (aim === 'login' && rng.chance(0.6)) d.query.push(['login_hint', rng.pick([LOGIN_USER.email, SESSION_USER.email, 'someone@else.example'])]);
        if (aim === 'continue') d.query.push(['ticket', ticket]);
        d.headers.push(['Cookie', cookie(rng.chance(0.7) ? (aim === 'continue' ? sessionCookie : spareCookie) : undefined, rng.chance(0.5) ? csrfCookie : undefined)]);
        break;
      }
      d.method = 'POST';
      d.headers.push(['Sec-Fetch-Site', 'same-origin'], ['Content-Type', 'application/x-www-form-urlencoded']);
      if (rng.chance(0.85)) d.headers.push(['Origin', rng.chance(0.85) ? IDP_ORIGIN : 'null']);
      // Signing in ends the session the browser had, signing out ends it too: they get the spare one.
      d.headers.push(['Cookie', cookie(csrfCookie, aim === 'continue' ? sessionCookie : rng.chance(aim === 'login' ? 0.3 : 0.9) ? spareCookie : undefined)]);
      d.form = [['csrf', csrf]];
      if (aim === 'login') {
        const email = rng.weighted([[LOGIN_USER.email, 6], [`u${rng.int(0, 1e9)}@idp.example`, 2], [LOGIN_USER.email.toUpperCase(), 1], [` ${LOGIN_USER.email} `, 1]]);
        d.form.push(['email', email], ['password', rng.chance(0.7) ? LOGIN_USER.password : rng.pick(['wrong', '', LOGIN_USER.password.toUpperCase(), `${LOGIN_USER.password} `])]);
      }
      if (aim === 'continue') d.form.push(['ticket', ticket], ['decision', rng.pick(['allow', 'deny', 'allow', 'maybe'])]);
      break;
    }
    case 'jwks':
    case 'openidConfiguration':
      d.headers.push(['Accept', 'application/json']);
      if (rng.chance(0.3)) d.headers.push(['Origin', RP_ORIGIN]);
      break;
    case 'unknown':
      d.method = rng.pick(['GET', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD']);
      fedcmFetch(d, rng, 'cors');
      if (rng.chance(0.5)) d.headers.push(['Cookie', sessionCookie]);
      if (d.method === 'POST' || d.method === 'PUT') {
        d.headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
        d.form = [['client_id', CLIENT_ID], ['account_id', SESSION_USER.id]];
      }
      break;
  }
  return d;
}

// --- the mutations -----------------------------------------------------------------------

/** A mutation changes the draft and says what it did, or returns undefined when it does not apply. */
type Mutation = (d: Draft, rng: Rng, g: GenContext) => string | undefined;

/** The ticket with its header's `alg` (or another member) replaced: the same key, the wrong algorithm. */
function forgeHeader(rng: Rng, ticket: string): string {
  const [head = '', payload = '', signature = ''] = ticket.split('.');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    header = {};
  }
  const change = rng.pick<Record<string, unknown>>([{ alg: 'RS256' }, { alg: 'HS256' }, { alg: 'none' }, { alg: 'ES384' }, { alg: 'EdDSA' }, { alg: 'PS256' }, { alg: 1 }, { kid: 'unknown' }, { kid: ['x'] }, { typ: 'JWT' }, { crit: ['exp'] }, { b64: false, crit: ['b64'] }, { jwk: { kty: 'oct', k: 'AAAA' } }]);
  return `${Buffer.from(JSON.stringify({ ...header, ...change })).toString('base64url')}.${payload}.${rng.chance(0.2) ? '' : signature}`;
}

function tweakTicket(rng: Rng, ticket: string): string {
  return rng.pick([
    forgeHeader(rng, ticket),
    forgeHeader(rng, ticket),
    ticket.slice(0, -1) + (ticket.endsWith('A') ? 'B' : 'A'),
    ticket.slice(0, rng.int(0, ticket.length - 1)),
    ticket.split('.').slice(0, 2).join('.') + '.',
    'eyJhbGciOiJub25lIiwidHlwIjoiZmVka2l0LWNvbnRpbnVhdGlvbitqd3QifQ.eyJzdWIiOiJqYW5lIn0.',
    `${ticket}.${ticket}`,
    ticket.replace(/\./g, '%2E'),
    hostile(rng),
  ]);
}

function formValue(rng: Rng, name: string, g: GenContext): string {
  return rng.weighted<() => string>([
    [() => hostile(rng), 6],
    [() => longValue(rng, rng.pick([257, 513, 1025, 2049, 9000])), 1],
    [() => rng.pick([CLIENT_ID, OTHER_CLIENT.id, SESSION_USER.id, SESSION_USER.email, LOGIN_USER.id, g.state.csrf, '']), 2],
    [() => (name === 'ticket' ? tweakTicket(rng, g.state.ticket) : rng.string(rng.int(1, 40))), 1],
  ])();
}

const PARAMS: readonly string[] = [
  '',
  '{',
  '}',
  'nonce',
  '{"nonce":',
  '{"nonce": "a",}',
  "{'nonce': 'a'}",
  '[]',
  '[{"nonce":"a"}]',
  '"nonce"',
  '1',
  'null',
  'true',
  '{"nonce":null}',
  '{"nonce":1}',
  '{"nonce":{"nonce":"a"}}',
  '{"nonce":["a"]}',
  '{"nonce":""}',
  '{"nonce":"\\u0000"}',
  '{"nonce":"\\ud800"}',
  '{"nonce":"<script>alert(1)</script>"}',
  '{"nonce":"\' OR 1=1 --"}',
  '{"__proto__":{"nonce":"polluted"}}',
  '{"constructor":{"prototype":{"nonce":"x"}}}',
  '{"nonce":"a","nonce":"b"}',
  '\ufeff{"nonce":"a"}',
  '{"nonce":"a"} trailing',
];

function deepJson(rng: Rng): string {
  const depth = rng.pick([100, 1000, 2500]);
  return rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const HEADER_NAMES: readonly string[] = [
  'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'Forwarded', 'Referer', 'User-Agent', 'Authorization', 'Proxy-Authorization', 'TE', 'Upgrade',
  'Range', 'If-None-Match', 'If-Modified-Since', 'Content-Encoding', 'Content-Language', 'Accept-Encoding', 'Accept-Language', 'Cache-Control', 'Pragma',
  'Sec-FedCM-CSRF', 'Sec-Fetch-User', 'Set-Login', 'X-HTTP-Method-Override', 'X-Method-Override', 'Max-Forwards', 'Via', 'Keep-Alive', 'Trailer', 'Priority',
  FUZZ_ID_HEADER,
];
const BAD_HEADER_NAMES: readonly string[] = ['Bad Name', 'a:b', '(x)', 'X-\u00e9', 'X\u0000Y', '', ' Leading', 'Trailing ', 'Host ', 'X\tY', '@', 'X'.repeat(300)];

function originValue(rng: Rng): string {
  return rng.pick([RP_ORIGIN, OTHER_CLIENT.origins[0], OTHER_CLIENT.origins[1], IDP_ORIGIN, 'https://evil.example', 'null', '', 'https://rp.example.evil.example', `${RP_ORIGIN}/`, 'http://rp.example', 'https://RP.EXAMPLE', 'https://rp.example:443', 'https://rp.example:8443', 'rp.example', `${RP_ORIGIN}, ${RP_ORIGIN}`, 'null, https://rp.example', hostile(rng)]);
}

function cookieValue(rng: Rng, g: GenContext): string {
  const { session, csrf } = g.state;
  return rng.pick<() => string>([
    () => `fedkit_session=${session}`,
    () => `fedkit_session=${rng.string(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')}`,
    () => 'fedkit_session=',
    () => 'fedkit_session',
    () => `fedkit_session=${hostile(rng)}`,
    () => hostile(rng),
    () => `x=${'a'.repeat(rng.int(2000, 20000))}; fedkit_session=${session}`,
    () => Array.from({ length: rng.int(50, 700) }, (_, i) => `c${i}=${i}`).join('; '),
    () => `fedkit_session=bogus; fedkit_session=${session}`,
    () => `fedkit_session=${session}; fedkit_session=bogus`,
    () => `fedkit_session="${session}"`,
    () => `FEDKIT_SESSION=${session}`,
    () => ` fedkit_session = ${session} ;;; ; =; =x`,
    () => `__Host-fedkit_csrf=${csrf}; fedkit_session=${session}`,
    () => `__Host-fedkit_csrf=${rng.string(32)}; fedkit_session=${session}`,
    () => `__Host-fedkit_csrf=${csrf}; __Host-fedkit_csrf=${rng.string(32)}`,
    () => `fedkit_csrf=${csrf}`,
    () => `__Host-fedkit_csrf=${csrf.slice(0, -1)}`,
  ])();
}

/** A header the case has, or undefined. */
function someHeader(d: Draft, rng: Rng): string | undefined {
  return d.headers.length === 0 ? undefined : rng.pick(d.headers)[0];
}

function hasForm(d: Draft): d is Draft & { form: [string, string][] } {
  return d.form !== undefined && d.body === undefined;
}

function chunk(body: Buffer, rng: Rng): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const n = Math.min(body.length - at, rng.int(1, 2048));
    const ext = rng.chance(0.1) ? ';ext=1' : '';
    parts.push(Buffer.from(`${n.toString(16)}${ext}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n'));
    at += n;
  }
  parts.push(Buffer.from(rng.chance(0.1) ? '0\r\nX-Trailer: 1\r\n\r\n' : '0\r\n\r\n'));
  return Buffer.concat(parts);
}

const MUTATIONS: readonly (readonly [string, number, Mutation])[] = [
  ['method', 10, (d, rng) => {
    d.method = rng.pick(METHODS);
    return `method ${JSON.stringify(d.method.slice(0, 40))}`;
  }],
  ['path', 5, (d, rng) => {
    const p = d.path;
    d.path = rng.pick<() => string>([
      () => rng.pick(UNKNOWN_PATHS),
      () => `${p}/`,
      () => p.toUpperCase(),
      () => `/${p}`,
      () => `${p}%00`,
      () => p.replace(/\/([^/]*)$/, '/./$1'),
      () => `/fedcm/..${p}`,
      () => `${p}/..`,
      () => `${p};x=1`,
      () => `${p}#fragment`,
      () => p.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
      () => `${p}/${'a'.repeat(rng.int(100, 15000))}`,
      () => p.replace(/\//g, '\\'),
    ])();
    return `path ${JSON.stringify(d.path.slice(0, 80))}`;
  }],
  ['target', 2, (d, rng) => {
    const p = d.path;
    d.rawTarget = rng.pick([`https://${IDP_HOST}${p}`, `http://${IDP_HOST}${p}`, `https://user:pw@${IDP_HOST}${p}`, `https://evil.example${p}`, `ftp://${IDP_HOST}${p}`, 'mailto:jane@idp.example', `${IDP_HOST}${p}`, `https://${IDP_HOST}:99999${p}`, '*', `https://${IDP_HOST}`, 'http://[::1/', `//${IDP_HOST}${p}`, 'javascript:alert(1)', `HTTPS://${IDP_HOST.toUpperCase()}${p}`]);
    return `target ${JSON.stringify(d.rawTarget.slice(0, 80))}`;
  }],
  ['query', 8, (d, rng, g) => {
    switch (rng.int(0, 4)) {
      case 0: {
        const name = rng.pick(['client_id', 'top_frame_origin', 'top_level_origin', 'login_hint', 'ticket', 'x', hostile(rng)]);
        d.query.push([name, formValue(rng, name, g)]);
        return `query +${JSON.stringify(name.slice(0, 30))}`;
      }
      case 1: {
        if (d.query.length === 0) return undefined;
        const at = rng.int(0, d.query.length - 1);
        d.query[at] = [d.query[at]![0], formValue(rng, d.query[at]![0], g)];
        return `query value of ${d.query[at]![0]}`;
      }
      case 2: {
        if (d.query.length === 0) return undefined;
        const [name] = rng.pick(d.query);
        d.query.push([name, rng.chance(0.5) ? rng.pick(d.query)[1] : formValue(rng, name, g)]);
        return `query repeats ${name}`;
      }
      case 3:
        d.rawQuery = rng.pick([
          '?', '?&', '?=', '?&&&=&=&', '?client_id', '?client_id=', '?client_id=%', '?client_id=%zz', '?client_id=%E0%A4', `?client_id=${CLIENT_ID}&client_id=${OTHER_CLIENT.id}`,
          '?client_id[]=x', '?client_id[a]=x', `?${'a=1&'.repeat(rng.int(100, 3000))}`, '?%00=%00', `?ticket=${tweakTicket(rng, g.state.ticket)}`, `?client_id=${CLIENT_ID}%00`,
          `?client_id=${CLIENT_ID}&top_frame_origin=%`, '?login_hint=%3Cscript%3E', `?client_id=${CLIENT_ID}#x`, '??', '?client_id=a?b', `?${'%41'.repeat(rng.int(100, 4000))}=1`,
        ]);
        return `raw query ${JSON.stringify(d.rawQuery.slice(0, 60))}`;
      default: {
        const name = rng.pick(['client_id', 'login_hint', 'ticket', 'top_frame_origin']);
        d.query.push([name, longValue(rng, rng.int(1000, 14000))]);
        return `query long ${name}`;
      }
    }
  }],
  ['drop header', 8, (d, rng) => {
    const name = someHeader(d, rng);
    if (name === undefined) return undefined;
    removeHeader(d, name);
    return `drop ${name}`;
  }],
  ['origin', 5, (d, rng) => {
    if (rng.chance(0.2)) {
      removeHeader(d, 'Origin');
      return 'drop Origin';
    }
    const v = originValue(rng);
    setHeader(d, 'Origin', v);
    return `Origin ${JSON.stringify(v.slice(0, 60))}`;
  }],
  ['cookie', 6, (d, rng, g) => {
    if (rng.chance(0.15)) {
      d.headers.push(['Cookie', cookieValue(rng, g)], ['Cookie', cookieValue(rng, g)]);
      return 'two Cookie headers';
    }
    const v = cookieValue(rng, g);
    setHeader(d, 'Cookie', v);
    return `Cookie ${JSON.stringify(v.slice(0, 60))}${v.length > 60 ? `… (${v.length})` : ''}`;
  }],
  ['sec-fetch-dest', 4, (d, rng) => {
    const v = rng.pick(FETCH_DESTS);
    setHeader(d, 'Sec-Fetch-Dest', v);
    return `Sec-Fetch-Dest ${JSON.stringify(v)}`;
  }],
  ['sec-fetch', 2, (d, rng) => {
    const [name, v] = rng.chance(0.5) ? ['Sec-Fetch-Site', rng.pick(FETCH_SITES)] : ['Sec-Fetch-Mode', rng.pick(FETCH_MODES)];
    setHeader(d, name, v);
    return `${name} ${JSON.stringify(v)}`;
  }],
  ['content-type', 4, (d, rng) => {
    const v = rng.chance(0.9) ? rng.pick(CONTENT_TYPES) : hostile(rng);
    setHeader(d, 'Content-Type', v);
    return `Content-Type ${JSON.stringify(v.slice(0, 60))}`;
  }],
  ['accept', 2, (d, rng) => {
    const v = rng.chance(0.9) ? rng.pick(ACCEPTS) : longValue(rng, rng.int(100, 9000));
    setHeader(d, 'Accept', v);
    return `Accept ${JSON.stringify(v.slice(0, 60))}`;
  }],
  ['host', 3, (d, rng) => {
    if (rng.chance(0.15)) {
      removeHeader(d, 'Host');
      return 'drop Host';
    }
    if (rng.chance(0.15)) {
      d.headers.push(['Host', rng.pick(HOSTS)]);
      return 'two Host headers';
    }
    const v = rng.pick(HOSTS);
    setHeader(d, 'Host', v);
    return `Host ${JSON.stringify(v)}`;
  }],
  ['duplicate header', 4, (d, rng, g) => {
    const name = rng.pick(['Sec-Fetch-Dest', 'Origin', 'Content-Type', 'Cookie', 'Accept', 'Sec-Fetch-Site', someHeader(d, rng) ?? 'X-Any']);
    const existing = d.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    const value = existing !== undefined && rng.chance(0.5) ? existing : name === 'Origin' ? originValue(rng) : name === 'Cookie' ? cookieValue(rng, g) : name === 'Sec-Fetch-Dest' ? rng.pick(FETCH_DESTS) : hostile(rng);
    d.headers.push([name, value]);
    return `duplicate ${name}`;
  }],
  ['add header', 4, (d, rng) => {
    const name = rng.chance(0.8) ? rng.pick(HEADER_NAMES) : rng.pick(BAD_HEADER_NAMES);
    const value = rng.chance(0.3) ? rng.pick(['close', 'keep-alive', 'Upgrade', 'websocket', 'h2c', '127.0.0.1', 'https', 'gzip', 'bytes=0-1', '*']) : hostile(rng);
    d.headers.splice(rng.int(0, d.headers.length), 0, [name, value]);
    return `add ${JSON.stringify(name.slice(0, 40))}`;
  }],
  ['header bytes', 2, (d, rng) => {
    const name = rng.pick(['Cookie', 'Origin', 'Sec-Fetch-Dest', 'Content-Type', 'X-Bytes', 'Accept']);
    const n = rng.int(1, 64);
    const bytes = rng.bytes(n);
    // Mostly obs-text; sometimes a control byte (NUL, a bare CR or LF) the parser must refuse.
    if (!rng.chance(0.2)) for (let i = 0; i < n; i++) if (bytes[i]! < 0x20 || bytes[i] === 0x7f) bytes[i] = 0x80 | bytes[i]!;
    setHeader(d, name, bytes);
    return `${name} as ${n} raw bytes`;
  }],
  ['form value', 10, (d, rng, g) => {
    if (!hasForm(d) || d.form.length === 0) return undefined;
    const at = rng.int(0, d.form.length - 1);
    const name = d.form[at]![0];
    d.form[at] = [name, formValue(rng, name, g)];
    d.formRaw = undefined;
    return `form ${name}=${JSON.stringify(d.form[at]![1].slice(0, 40))}`;
  }],
  ['form drop', 4, (d, rng) => {
    if (!hasForm(d) || d.form.length === 0) return undefined;
    const at = rng.int(0, d.form.length - 1);
    const [name] = d.form.splice(at, 1)[0]!;
    d.formRaw = undefined;
    return `form drop ${name}`;
  }],
  ['form repeat', 5, (d, rng, g) => {
    if (!hasForm(d) || d.form.length === 0) return undefined;
    const [name, value] = rng.pick(d.form);
    d.form.splice(rng.int(0, d.form.length), 0, [name, rng.chance(0.5) ? value : formValue(rng, name, g)]);
    d.formRaw = undefined;
    return `form repeats ${name}`;
  }],
  ['form add', 4, (d, rng, g) => {
    if (!hasForm(d)) return undefined;
    const name = rng.pick(['client_id', 'account_id', 'params', 'nonce', 'fields', 'disclosure_shown_for', 'disclosure_text_shown', 'is_auto_selected', 'csrf', 'email', 'password', 'ticket', 'decision', 'account_hint', '__proto__', 'constructor', 'CLIENT_ID', ' client_id', hostile(rng)]);
    d.form.push([name, name === 'csrf' ? g.state.csrf : formValue(rng, name, g)]);
    d.formRaw = undefined;
    return `form +${JSON.stringify(name.slice(0, 30))}`;
  }],
  ['form encoding', 5, (d, rng) => {
    if (!hasForm(d)) return undefined;
    let raw = d.formRaw ?? formEncode(d.form);
    const what = rng.int(0, 7);
    const at = rng.int(0, raw.length);
    if (what === 0) raw = raw.slice(0, at) + rng.pick(['%', '%z', '%zz', '%E0%A4', '%C0%AF', '%ED%A0%80', '%FF', '%00', '%0D%0A', '%%%']) + raw.slice(at);
    else if (what === 1) raw = raw.replace(/&/g, ';');
    else if (what === 2) raw = d.form.map(([k, v]) => `${k}=${v}`).join('&');
    else if (what === 3) raw = `&&&${raw}&&=&`;
    else if (what === 4) raw = `\ufeff${raw}`;
    else if (what === 5) raw = raw.replace(/=/g, '');
    else if (what === 6) raw = raw.replace(/\+/g, ' ').replace(/%20/g, ' ');
    else raw = d.form.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
    d.formRaw = raw;
    return `form encoding #${what}`;
  }],
  ['params', 5, (d, rng) => {
    if (!hasForm(d) || d.aim !== 'assertion') return undefined;
    const value = rng.chance(0.15) ? deepJson(rng) : rng.chance(0.1) ? JSON.stringify({ nonce: longValue(rng, rng.pick([511, 512, 513, 4000])) }) : rng.pick(PARAMS);
    d.form = d.form.filter(([k]) => k !== 'params');
    d.form.push(['params', value]);
    d.formRaw = undefined;
    return `params ${JSON.stringify(value.slice(0, 40))}`;
  }],
  ['body', 6, (d, rng) => {
    const kind = rng.int(0, 9);
    const form = d.form ?? [];
    d.body = [
      () => Buffer.alloc(0),
      () => Buffer.from(JSON.stringify(Object.fromEntries(form))),
      () => rng.bytes(rng.int(1, 3000)),
      () => Buffer.concat([Buffer.from(`client_id=${CLIENT_ID}&account_id=`), Buffer.from(rng.pick([[0xff, 0xfe], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]]))]),
      () => Buffer.from(`client_id=${CLIENT_ID}\0&account_id=\0\0`),
      () => Buffer.alloc(rng.pick([16 * 1024 + 1, 64 * 1024, 1024 * 1024]), 'a'),
      () => Buffer.from(`------fuzz\r\nContent-Disposition: form-data; name="client_id"\r\n\r\n${CLIENT_ID}\r\n------fuzz--\r\n`),
      () => Buffer.from('a=1&'.repeat(rng.int(100, 4000))),
      () => Buffer.from(formEncode(form), 'utf16le'),
      () => Buffer.concat([Buffer.from(formEncode(form)), Buffer.from('\r\n\r\nGET / HTTP/1.1\r\nHost: idp.example\r\n\r\n')]),
    ][kind]!();
    if (d.method === 'GET' && rng.chance(0.5)) setHeader(d, 'Content-Type', 'application/x-www-form-urlencoded');
    return `body #${kind} (${d.body.length} bytes)`;
  }],
  ['framing', 6, (d, rng) => {
    d.framing = rng.pick<Framing>(['none', 'short', 'long', 'length-bad', 'length-dup', 'chunked', 'chunked', 'chunked-bad', 'chunked+length', 'te-other']);
    return `framing ${d.framing}`;
  }],
  ['version', 2, (d, rng) => {
    d.version = rng.pick(['HTTP/1.0', 'HTTP/1.0', 'HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'HTTPS/1.1', 'http/1.1', 'HTTP/1.1 x', 'HTTP/1', '']);
    if (d.version === 'HTTP/1.0' && rng.chance(0.5)) removeHeader(d, 'Host');
    return `version ${JSON.stringify(d.version)}`;
  }],
  ['expect', 1, (d, rng) => {
    setHeader(d, 'Expect', rng.pick(['100-continue', '100-Continue', '200-ok', 'x']));
    return 'Expect';
  }],
  ['connection', 1, (d, rng) => {
    const v = rng.pick(['close', 'keep-alive', 'Upgrade', 'Upgrade, HTTP2-Settings', 'TE, close', 'Content-Length', 'Sec-Fetch-Dest']);
    setHeader(d, 'Connection', v);
    if (v.startsWith('Upgrade')) setHeader(d, 'Upgrade', rng.pick(['websocket', 'h2c', 'HTTP/2.0', 'TLS/1.0']));
    return `Connection ${v}`;
  }],
];

// --- the case ----------------------------------------------------------------------------

function mutationCount(rng: Rng): number {
  if (rng.chance(0.15)) return 0;
  let n = 1;
  while (n < 5 && rng.chance(0.45)) n++;
  return n;
}

function finalize(d: Draft, index: number, rng: Rng): FuzzCase {
  const query = d.rawQuery ?? (d.query.length === 0 ? '' : '?' + d.query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'));
  const target = d.rawTarget ?? d.path + query;
  let body = d.body ?? (d.formRaw !== undefined ? Buffer.from(d.formRaw, 'utf8') : d.form !== undefined ? Buffer.from(formEncode(d.form), 'utf8') : Buffer.alloc(0));
  const headers = [...d.headers, [FUZZ_ID_HEADER, String(index)] as [string, HeaderValue]];
  const sendsBody = body.length > 0 || d.method === 'POST' || d.method === 'PUT' || d.method === 'PATCH';
  let partial = false;
  let followed = false;
  switch (d.framing) {
    case 'length':
      if (sendsBody) headers.push(['Content-Length', String(body.length)]);
      break;
    case 'none':
      // Without Content-Length or chunking the request has no body: the bytes are the next request.
      followed = body.length > 0;
      break;
    case 'short':
      headers.push(['Content-Length', String(body.length + rng.int(1, 5000))]);
      partial = true;
      break;
    case 'long':
      headers.push(['Content-Length', String(body.length === 0 ? 0 : rng.int(0, body.length - 1))]);
      if (body.length === 0) body = Buffer.from('trailing garbage');
      followed = true;
      break;
    case 'length-bad':
      headers.push(['Content-Length', rng.pick(['abc', '-1', '1e3', ` ${body.length}`, `${body.length} `, '0x10', `+${body.length}`, '99999999999999999999', '', `${body.length},${body.length}`, `${body.length}, 1`, '٣'])]);
      partial = true;
      break;
    case 'length-dup':
      headers.push(['Content-Length', String(body.length)], ['Content-Length', String(rng.chance(0.5) ? body.length : body.length + 1)]);
      partial = true;
      break;
    case 'chunked':
      headers.push(['Transfer-Encoding', rng.pick(['chunked', 'chunked', 'Chunked'])]);
      body = chunk(body, rng);
      break;
    case 'chunked-bad': {
      headers.push(['Transfer-Encoding', 'chunked']);
      const good = chunk(body, rng);
      body = rng.pick([
        Buffer.concat([Buffer.from('zz\r\n'), body]),
        good.subarray(0, Math.max(0, good.length - 5)),
        Buffer.concat([Buffer.from(`${(body.length + 10).toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]),
        Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('0\r\n\r\n')]),
        Buffer.from('ffffffffffffffff\r\nabc\r\n0\r\n\r\n'),
        Buffer.from('-1\r\nabc\r\n0\r\n\r\n'),
        Buffer.concat([Buffer.from(`${body.length.toString(16)};${'e'.repeat(20000)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]),
        Buffer.from('0\r\n'),
      ]);
      partial = true;
      break;
    }
    case 'chunked+length':
      headers.push(['Content-Length', String(body.length)], ['Transfer-Encoding', 'chunked']);
      body = chunk(body, rng);
      partial = true;
      break;
    case 'te-other':
      headers.push(['Transfer-Encoding', rng.pick(['gzip', 'chunked, gzip', 'gzip, chunked', 'identity', 'chunked\u0000', 'x', ''])]);
      if (sendsBody) headers.push(['Content-Length', String(body.length)]);
      partial = true;
      break;
  }
  return { index, aim: d.aim, method: d.method, target, version: d.version, headers, body, mutations: d.mutations, partial, followed };
}

const AIMS: readonly (readonly [Aim, number])[] = [
  ['wellKnown', 6], ['config', 6], ['accounts', 8], ['clientMetadata', 8], ['assertion', 14], ['disconnect', 8], ['login', 12], ['logout', 5], ['continue', 8],
  ['jwks', 4], ['openidConfiguration', 4], ['unknown', 10],
];

/** Fuzz case `index` (rng is Rng.forCase(seed, index)). */
export function generateCase(rng: Rng, index: number, g: GenContext): FuzzCase {
  const d = baseline(rng.weighted(AIMS), rng, g);
  const wanted = mutationCount(rng);
  for (let tries = 0; d.mutations.length < wanted && tries < 20; tries++) {
    const [name, mutate] = rng.weighted(MUTATIONS.map(([n, weight, m]) => [[n, m] as const, weight] as const));
    const did = mutate(d, rng, g);
    if (did !== undefined) d.mutations.push(`${name}: ${did}`);
  }
  return finalize(d, index, rng);
}

/** The routes' paths as the IdP serves them. */
export function routePaths(urls: Readonly<Record<RouteName, string>>): Record<RouteName, string> {
  return Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, new URL(url).pathname])) as Record<RouteName, string>;
}
