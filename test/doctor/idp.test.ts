// fedkit doctor against a corpus of broken IdPs: the fixture IdP with one rule broken each, every
// one of which the doctor must report with the right id and level; and fedkit's own IdP, which
// must come out without an error or a warning.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey as JoseKey } from 'jose';
import { doctor, type DoctorOptions, type DoctorReport, type FindingId, type FindingLevel } from 'fedkit/doctor';
import { startTestSystem } from 'fedkit/testing';
import { corsHeaders, installIdp, startFixtureServer, type FixtureRequest, type FixtureServer, type IdpController } from '../fixtures/index.js';

const RP = 'https://rp.example';
const CLIENT = '123';

/** A JWT as an IdP would issue it for the assertion request `req`, with `claims` changed. */
type TokenMaker = (req: FixtureRequest) => Promise<string>;

interface Case {
  name: string;
  /** Breaks one rule. */
  setup(w: { server: FixtureServer; idp: IdpController; jwt: (claims?: Record<string, unknown>, options?: { alg?: string; key?: 'other' }) => TokenMaker }): void;
  expect: FindingId;
  level: FindingLevel;
  options?: Partial<DoctorOptions>;
}

const json = (body: unknown) => ({ json: body });

const cases: Case[] = [
  // ---- the well-known file
  { name: 'well-known file missing', setup: ({ idp }) => idp.setWellKnown('missing'), expect: 'WellKnownHttpNotFound', level: 'error' },
  { name: 'well-known file 500', setup: ({ idp }) => idp.override('wellKnown', () => ({ status: 500, json: {} })), expect: 'WellKnownNoResponse', level: 'error' },
  { name: 'well-known file as text/plain', setup: ({ idp }) => idp.override('wellKnown', () => ({ headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ provider_urls: [idp.configURL] }) })), expect: 'WellKnownInvalidContentType', level: 'error' },
  { name: 'well-known file not JSON', setup: ({ idp }) => idp.override('wellKnown', () => ({ headers: { 'content-type': 'application/json' }, body: '{provider_urls' })), expect: 'WellKnownInvalidResponse', level: 'error' },
  { name: 'well-known file with neither form', setup: ({ idp }) => idp.setWellKnown('empty'), expect: 'WellKnownInvalidResponse', level: 'error' },
  { name: 'well-known provider_urls empty', setup: ({ idp }) => idp.setWellKnown({ provider_urls: [] }), expect: 'WellKnownListEmpty', level: 'error' },
  { name: 'well-known lists another config', setup: ({ idp }) => idp.setWellKnown({ provider_urls: [idp.url('/other.json')] }), expect: 'ConfigNotInWellKnown', level: 'error' },
  { name: 'well-known lists two configs', setup: ({ idp }) => idp.setWellKnown({ provider_urls: [idp.configURL, idp.url('/other.json')] }), expect: 'WellKnownTooBig', level: 'error' },
  {
    name: 'well-known file redirects',
    setup: ({ server, idp }) => {
      idp.override('wellKnown', () => ({ redirect: 'https://idp.example/real-well-known' }));
      server.route('https://idp.example', 'GET', '/real-well-known', () => json({ provider_urls: [idp.configURL] }));
    },
    expect: 'WellKnownRedirected',
    level: 'info',
  },
  { name: 'well-known without provider_urls', setup: ({ idp }) => idp.setWellKnown('direct'), expect: 'WellKnownWithoutProviderUrls', level: 'warning' },
  { name: 'well-known without the direct form while client metadata is used', setup: () => {}, expect: 'WellKnownWithoutDirectForm', level: 'warning' },
  { name: 'RP same-site with the IdP', setup: () => {}, expect: 'WellKnownNotChecked', level: 'info', options: { rpOrigin: 'https://www.idp.example' } },
  // ---- the config file
  { name: 'config 404', setup: ({ idp }) => idp.override('config', () => ({ status: 404, json: {} })), expect: 'ConfigHttpNotFound', level: 'error' },
  { name: 'config 500', setup: ({ idp }) => idp.override('config', () => ({ status: 500, json: {} })), expect: 'ConfigNoResponse', level: 'error' },
  { name: 'config redirects', setup: ({ idp }) => idp.override('config', () => ({ redirect: 'https://idp.example/elsewhere.json' })), expect: 'ConfigRedirected', level: 'error' },
  { name: 'config as text/plain', setup: ({ idp }) => idp.override('config', () => ({ headers: { 'content-type': 'text/plain' }, body: JSON.stringify(idp.config) })), expect: 'ConfigInvalidContentType', level: 'error' },
  { name: 'config without accounts_endpoint', setup: ({ idp }) => idp.setConfig({ accounts_endpoint: undefined }), expect: 'ConfigInvalidResponse', level: 'error' },
  { name: 'config with a cross-origin assertion endpoint', setup: ({ idp }) => idp.setConfig({ id_assertion_endpoint: 'https://other.example/token' }), expect: 'ConfigInvalidResponse', level: 'error' },
  { name: 'config over 1 MiB', setup: ({ idp }) => idp.override('config', () => json({ ...idp.config, padding: 'x'.repeat(1100 * 1024) })), expect: 'ConfigTooLarge', level: 'error' },
  { name: 'config with relative endpoints', setup: () => {}, expect: 'ConfigRelativeUrls', level: 'info' },
  { name: 'config without disconnect_endpoint', setup: ({ idp }) => idp.setConfig({ disconnect_endpoint: undefined }), expect: 'ConfigMissingDisconnectEndpoint', level: 'info' },
  { name: 'config without client_metadata_endpoint', setup: ({ idp }) => idp.setConfig({ client_metadata_endpoint: undefined }), expect: 'ConfigMissingClientMetadataEndpoint', level: 'info' },
  { name: 'branding color without background', setup: ({ idp }) => idp.setConfig({ branding: { color: '#ffffff', icons: [] } }), expect: 'ConfigWarning', level: 'warning' },
  { name: 'branding icon too small', setup: ({ idp }) => idp.setConfig({ branding: { background_color: '#000000', icons: [{ url: 'https://idp.example/branding/icon.png', size: 10 }] } }), expect: 'BrandingIconTooSmall', level: 'warning' },
  { name: 'login page 404', setup: ({ idp }) => idp.override('login', () => ({ status: 404, body: 'gone' })), expect: 'LoginPageUnreachable', level: 'error' },
  // ---- the accounts endpoint
  { name: 'accounts served without a session', setup: ({ server }) => installIdp(server, { requireSession: false }), expect: 'AccountsServedWithoutSession', level: 'error' },
  { name: 'accounts 404', setup: ({ idp }) => idp.override('accounts', () => ({ status: 404, json: {} })), expect: 'AccountsHttpNotFound', level: 'error' },
  { name: 'accounts 500', setup: ({ idp }) => idp.override('accounts', () => ({ status: 500, json: {} })), expect: 'AccountsNoResponse', level: 'error' },
  { name: 'accounts as text/plain', setup: ({ idp }) => idp.override('accounts', () => ({ headers: { 'content-type': 'text/plain' }, body: '{"accounts":[]}' })), expect: 'AccountsInvalidContentType', level: 'error' },
  { name: 'an account without id', setup: ({ idp }) => idp.setAccounts([{ name: 'No Id', email: 'x@idp.example' } as never]), expect: 'AccountsInvalidResponse', level: 'error' },
  { name: 'two accounts with one id', setup: ({ idp }) => idp.setAccounts([{ id: 'a', name: 'A', email: 'a@idp.example' }, { id: 'a', name: 'B', email: 'b@idp.example' }]), expect: 'AccountsInvalidResponse', level: 'error' },
  { name: 'no accounts for the signed-in user', setup: ({ idp }) => idp.setAccounts([]), expect: 'AccountsListEmpty', level: 'error' },
  { name: 'session cookie not SameSite=None', setup: () => {}, expect: 'CookieNotSent', level: 'error', options: { session: { cookies: ['sid=1; Path=/; Secure; SameSite=Lax'] } } },
  { name: 'account picture 404', setup: ({ idp }) => idp.override('picture', () => ({ status: 404, body: '' })), expect: 'PictureFetchFailed', level: 'info' },
  { name: 'account picture not an image', setup: ({ idp }) => idp.override('picture', () => ({ headers: { 'content-type': 'text/html' }, body: '<p>no</p>' })), expect: 'AccountPictureNotImage', level: 'warning' },
  { name: 'account picture too large', setup: ({ idp }) => idp.override('picture', () => ({ headers: { 'content-type': 'image/png' }, body: Buffer.alloc(300 * 1024) })), expect: 'AccountPictureTooLarge', level: 'warning' },
  { name: 'account picture relative', setup: ({ idp }) => idp.setAccounts([{ id: '1', name: 'R', email: 'r@idp.example', picture: '/pictures/r.png', approved_clients: [CLIENT] }]), expect: 'AccountPictureRelative', level: 'warning' },
  { name: 'account without approved_clients', setup: ({ idp }) => idp.setAccounts([{ id: '1', name: 'N', email: 'n@idp.example' }]), expect: 'AccountWithoutApprovedClients', level: 'info' },
  // ---- client metadata
  { name: 'client metadata 500', setup: ({ idp }) => idp.override('clientMetadata', () => ({ status: 500, json: {} })), expect: 'ClientMetadataFailed', level: 'warning' },
  { name: 'client metadata links relative', setup: ({ idp }) => idp.setClientMetadata({ privacy_policy_url: '/privacy', terms_of_service_url: '/terms' }), expect: 'ClientMetadataLinkInvalid', level: 'info' },
  // ---- the ID assertion
  { name: 'assertion without CORS', setup: ({ idp }) => idp.setToken(() => json({ token: 't' })), expect: 'CorsError', level: 'error' },
  { name: 'assertion with Access-Control-Allow-Origin *', setup: ({ idp }) => idp.setToken(() => ({ headers: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' }, json: { token: 't' } })), expect: 'CorsWildcardOrigin', level: 'error' },
  { name: 'assertion without Access-Control-Allow-Credentials', setup: ({ idp }) => idp.setToken((req) => ({ headers: { 'access-control-allow-origin': req.headers.origin ?? '' }, json: { token: 't' } })), expect: 'CorsMissingCredentials', level: 'error' },
  { name: 'assertion 404', setup: ({ idp }) => idp.setToken((req) => ({ status: 404, headers: corsHeaders(req), json: {} })), expect: 'IdTokenHttpNotFound', level: 'error' },
  { name: 'assertion as text/plain', setup: ({ idp }) => idp.setToken((req) => ({ headers: { ...corsHeaders(req), 'content-type': 'text/plain' }, body: '{"token":"t"}' })), expect: 'IdTokenInvalidContentType', level: 'error' },
  { name: 'assertion without token', setup: ({ idp }) => idp.setToken((req) => ({ headers: corsHeaders(req), json: { nothing: true } })), expect: 'IdTokenInvalidResponse', level: 'error' },
  { name: 'assertion refused with an error', setup: ({ idp }) => idp.setToken((req) => ({ status: 400, headers: corsHeaders(req), json: { error: { code: 'invalid_request' } } })), expect: 'IdTokenIdpErrorResponse', level: 'error' },
  { name: 'a token that is not a JWT', setup: () => {}, expect: 'TokenNotJwt', level: 'info' },
  { name: 'the IdP issues without Sec-Fetch-Dest', setup: () => {}, expect: 'AssertionAcceptsWithoutWebIdentity', level: 'warning' },
  { name: 'the IdP issues to an unregistered origin', setup: () => {}, expect: 'AssertionAcceptsUnregisteredOrigin', level: 'error' },
  { name: 'the IdP issues twice for one nonce', setup: () => {}, expect: 'AssertionAcceptsReplayedNonce', level: 'warning' },
  { name: 'disconnect without CORS', setup: ({ idp }) => idp.override('disconnect', () => json({ account_id: '1234' })), expect: 'DisconnectWithoutCors', level: 'warning' },
  // ---- the token
  { name: 'token signed with HS256', setup: ({ idp, jwt }) => idp.setToken(jwtResponse(jwt({}, { alg: 'HS256' }))), expect: 'TokenAlgorithmWeak', level: 'error' },
  { name: 'token for another audience', setup: ({ idp, jwt }) => idp.setToken(jwtResponse(jwt({ aud: 'someone-else' }))), expect: 'TokenAudienceMismatch', level: 'error' },
  { name: 'token without the nonce', setup: ({ idp, jwt }) => idp.setToken(jwtResponse(jwt({ nonce: undefined }))), expect: 'TokenNonceMismatch', level: 'error' },
  { name: 'token already expired', setup: ({ idp, jwt }) => idp.setToken(jwtResponse(jwt({ exp: Math.floor(Date.now() / 1000) - 3600 }))), expect: 'TokenExpired', level: 'error' },
  { name: 'token valid for a month', setup: ({ idp, jwt }) => idp.setToken(jwtResponse(jwt({ exp: Math.floor(Date.now() / 1000) + 30 * 86400 }))), expect: 'TokenLifetimeLong', level: 'warning' },
  { name: 'token issued in the future', setup: ({ idp, jwt }) => idp.setToken(jwtResponse(jwt({ iat: Math.floor(Date.now() / 1000) + 3600 }))), expect: 'TokenIssuedInFuture', level: 'warning' },
  { name: 'token from another issuer', setup: ({ idp, jwt }) => idp.setToken(jwtResponse(jwt({ iss: 'https://idp.example/other' }))), expect: 'TokenIssuerMismatch', level: 'error' },
  { name: 'token signed with a key not in the JWKS', setup: ({ idp, jwt }) => idp.setToken(jwtResponse(jwt({}, { key: 'other' }))), expect: 'TokenSignatureInvalid', level: 'error' },
  {
    name: 'no OpenID discovery for the keys',
    setup: ({ server, idp, jwt }) => {
      server.route('https://idp.example', 'GET', '/.well-known/openid-configuration', () => ({ status: 404, body: '' }));
      idp.setToken(jwtResponse(jwt({})));
    },
    expect: 'TokenKeysUnavailable',
    level: 'warning',
  },
];

function jwtResponse(make: TokenMaker) {
  return async (req: FixtureRequest) => ({ headers: corsHeaders(req), json: { token: await make(req) } });
}

describe('fedkit doctor: the IdP', () => {
  let key: { privateKey: JoseKey; publicKey: JoseKey };
  let other: { privateKey: JoseKey };
  before(async () => {
    key = await generateKeyPair('ES256');
    other = await generateKeyPair('ES256');
  });

  /** The fixture IdP with one rule broken, signed in (cookie sid=1), and the doctor's report. */
  async function run(c: Case): Promise<DoctorReport> {
    const server = await startFixtureServer();
    try {
      const idp = installIdp(server);
      const jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
      server.route('https://idp.example', 'GET', '/.well-known/openid-configuration', () => json({ issuer: 'https://idp.example', jwks_uri: 'https://idp.example/jwks.json' }));
      server.route('https://idp.example', 'GET', '/jwks.json', () => json({ keys: [jwk] }));
      const jwt = (claims: Record<string, unknown> = {}, options: { alg?: string; key?: 'other' } = {}): TokenMaker => async (req) => {
        const now = Math.floor(Date.now() / 1000);
        const nonce = (JSON.parse(req.form.get('params') ?? '{}') as { nonce?: string }).nonce;
        const payload: Record<string, unknown> = { iss: 'https://idp.example', aud: req.form.get('client_id'), sub: req.form.get('account_id'), nonce, iat: now, exp: now + 600, ...claims };
        for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
        if (options.alg === 'HS256') return new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a shared secret of 32 bytes!!!!!'));
        return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(options.key === 'other' ? other.privateKey : key.privateKey);
      };
      c.setup({ server, idp, jwt });
      return await doctor(idp.configURL, { hostRules: server.hostRules, ca: server.ca, clientId: CLIENT, rpOrigin: RP, session: { cookies: ['sid=1'] }, ...c.options });
    } finally {
      await server.close();
    }
  }

  it('has a corpus of at least 40 broken rules', () => {
    assert.ok(cases.length >= 40, `${cases.length} cases`);
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are unique');
  });

  for (const c of cases) {
    it(`${c.name}: ${c.level} ${c.expect}`, async () => {
      const report = await run(c);
      const found = report.findings.filter((f) => f.id === c.expect);
      assert.ok(found.length > 0, `no ${c.expect}; the report has:\n${report.findings.map((f) => `  ${f.level} ${f.id}: ${f.seen}`).join('\n')}`);
      assert.ok(found.some((f) => f.level === c.level), `${c.expect} is ${found.map((f) => f.level).join(', ')}, expected ${c.level}`);
      for (const f of found) {
        assert.ok(f.seen.length > 0 && f.fix.length > 0, `${c.expect} has a seen and a fix`);
        assert.doesNotMatch(f.fix, /See docs\/doctor\.md/, `${c.expect} has a fix of its own`);
      }
      if (c.level === 'error') assert.equal(report.ok, false, 'an error makes the report not ok');
    });
  }

  it('never puts a cookie value in the requests it reports', async () => {
    const report = await run({ name: 'plain', setup: () => {}, expect: 'TokenNotJwt', level: 'info' });
    const cookies = report.requests.flatMap((r) => (r.requestHeaders?.['cookie'] === undefined ? [] : [r.requestHeaders['cookie']]));
    assert.ok(cookies.length > 0, 'some requests carried cookies');
    for (const c of cookies) assert.doesNotMatch(c, /=1\b/, `a cookie value leaked: ${c}`);
  });

  it('loads the login page with the headers Chromium sends for the login popup', async () => {
    // Chromium's own login popup navigation, as the differential goldens recorded it.
    const goldens = JSON.parse(readFileSync(new URL('../../../test/differential/goldens/dialogs.json', import.meta.url), 'utf8')) as Record<string, { requests?: { url: string; headers: Record<string, string> }[] }>;
    const chromium = Object.values(goldens).flatMap((t) => t.requests ?? []).find((r) => r.url === 'https://idp.example/login' && r.headers['sec-fetch-dest'] === 'document');
    assert.ok(chromium, 'the goldens hold a login popup navigation');
    const report = await run({ name: 'plain', setup: () => {}, expect: 'TokenNotJwt', level: 'info' });
    const probe = report.requests.find((r) => r.probe === 'login page');
    assert.ok(probe, `no login page request; the probes were: ${report.requests.map((r) => r.probe).join(', ')}`);
    assert.deepEqual(probe.requestHeaders, chromium.headers);
  });
});

describe('fedkit doctor: fedkit\'s own IdP', () => {
  let system: Awaited<ReturnType<typeof startTestSystem>>;
  before(async () => {
    system = await startTestSystem();
  });
  after(async () => {
    await system?.close();
  });

  it('finds no error and no warning, signing in through the IdP\'s login form', async () => {
    const steps: string[] = [];
    const report = await doctor(system.idp.configURL, {
      hostRules: system.hostRules,
      ca: system.ca,
      clientId: system.idp.clientId,
      rpOrigin: system.rp.origin,
      session: { login: { user: 'jane@idp.example', password: 'correct horse battery staple' } },
      logoutUrl: system.idp.url('/fedcm/logout'),
      strict: true,
      onProgress: (s) => steps.push(s),
    });
    const serious = report.findings.filter((f) => f.level !== 'info');
    assert.deepEqual(serious, [], 'no error or warning');
    assert.equal(report.ok, true);
    assert.ok(!report.findings.some((f) => f.id === 'ProbeSkipped'), `nothing skipped: ${JSON.stringify(report.findings.filter((f) => f.id === 'ProbeSkipped'))}`);
    for (const step of ['well-known file', 'config file', 'accounts endpoint', 'id assertion endpoint', 'token', 'protections', 'sign-out']) assert.ok(steps.includes(step), `ran ${step}`);
    const probes = new Set(report.requests.map((r) => r.probe));
    for (const p of ['protections: replayed nonce', 'protections: no Sec-Fetch-Dest', 'protections: unregistered origin']) assert.ok(probes.has(p), `sent ${p}`);
  });

  it('says which probes it skipped without a session or a client id', async () => {
    const report = await doctor(system.idp.configURL, { hostRules: system.hostRules, ca: system.ca });
    const skipped = report.findings.filter((f) => f.id === 'ProbeSkipped').map((f) => f.seen);
    assert.equal(skipped.length, 2, JSON.stringify(skipped));
    assert.match(skipped.join('\n'), /--user and --password/);
    assert.match(skipped.join('\n'), /--client-id/);
    assert.equal(report.ok, true);
  });

  it('refuses a bad config URL with a sentence', async () => {
    await assert.rejects(doctor('idp.example/config.json'), /is not a URL; pass the IdP's FedCM config URL/);
    await assert.rejects(doctor('ftp://idp.example/config.json'), /must be https/);
  });
});
