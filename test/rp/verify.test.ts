// verifyIdentityToken: discovery, JWKS caching and rotation, and one named error per failed check.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyObject } from 'jose';
import { fetch as undiciFetch } from 'undici';
import { createDispatcher } from '../../src/common/dispatcher.js';
import { HostRules } from '../../src/common/host-rules.js';
import { IdentityTokenVerifier, verifyIdentityToken, type FetchLike } from '../../src/rp/verify.js';
import { verificationCode } from './verification-code.js';
import { startFixtureServer, type FixtureServer } from '../fixtures/index.js';

const ISSUER = 'https://idp.example';
let server: FixtureServer;
let fetchViaRules: FetchLike;
let jwks: { keys: JWK[] };
let jwksFetches = 0;
let key1: { privateKey: KeyObject; kid: string };

async function newKey(kid: string, alg = 'ES256'): Promise<{ privateKey: KeyObject; jwk: JWK; kid: string }> {
  const pair = await generateKeyPair(alg, { extractable: true });
  return { privateKey: pair.privateKey as KeyObject, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' }, kid };
}

function token(claims: Record<string, unknown>, signer = key1, alg = 'ES256'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: 'client-1', sub: 'user-1', iat: now, exp: now + 300, nonce: 'n-1', ...claims })
    .setProtectedHeader({ alg, kid: signer.kid, typ: 'JWT' })
    .sign(signer.privateKey);
}

const code = verificationCode;

before(async () => {
  server = await startFixtureServer();
  const dispatcher = createDispatcher({ hostRules: server.hostRules, ca: server.ca });
  fetchViaRules = (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  const k = await newKey('k1');
  key1 = k;
  jwks = { keys: [k.jwk] };
  server.route(ISSUER, 'GET', '/.well-known/openid-configuration', () => ({ json: { issuer: ISSUER, jwks_uri: `${ISSUER}/jwks.json` } }));
  server.route(ISSUER, 'GET', '/jwks.json', () => {
    jwksFetches++;
    return { json: jwks };
  });
});
after(() => server.close());
beforeEach(() => {
  jwksFetches = 0;
});

describe('verifyIdentityToken', () => {
  const options = () => ({ configURL: `${ISSUER}/fedcm/config.json`, clientId: 'client-1', fetch: fetchViaRules });

  it('verifies a token and returns its claims; discovery and the JWKS are fetched once', async () => {
    const verifier = new IdentityTokenVerifier(options());
    for (let i = 0; i < 3; i++) {
      const result = await verifier.verify(await token({ email: 'a@idp.example' }), { nonce: 'n-1' });
      assert.equal(result.claims.sub, 'user-1');
      assert.equal(result.claims['email'], 'a@idp.example');
      assert.equal(result.alg, 'ES256');
      assert.equal(result.kid, 'k1');
    }
    assert.equal(jwksFetches, 1);
    // The one-call form caches too.
    await verifyIdentityToken(await token({}), { ...options(), nonce: 'n-1' });
    await verifyIdentityToken(await token({}), { ...options(), nonce: 'n-1' });
    assert.equal(jwksFetches, 2);
  });

  it('names the check that failed', async () => {
    const v = new IdentityTokenVerifier(options());
    const now = Math.floor(Date.now() / 1000);
    assert.equal(await code(v.verify(await token({ aud: 'someone-else' }))), 'audience_mismatch');
    assert.equal(await code(v.verify(await token({ iss: 'https://evil.example' }))), 'issuer_mismatch');
    assert.equal(await code(v.verify(await token({ iat: now - 1000, exp: now - 500 }))), 'expired');
    assert.equal(await code(v.verify(await token({ iat: now + 3600, exp: now + 7200 }))), 'issued_in_future');
    assert.equal(await code(v.verify(await token({ nonce: 'other' }), { nonce: 'n-1' })), 'nonce_mismatch');
    assert.equal(await code(v.verify(await token({ nonce: undefined }), { nonce: 'n-1' })), 'nonce_mismatch');
    assert.equal(await code(v.verify(await token({ sub: undefined }))), 'missing_claim');
    assert.equal(await code(v.verify({ token: 'object tokens are allowed by FedCM' })), 'not_a_jwt');
    assert.equal(await code(v.verify('a.b')), 'not_a_jwt');
    const t = await token({});
    const [h, p, sig] = t.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    assert.equal(await code(v.verify(flipped)), 'bad_signature');
  });

  it('refuses symmetric and unsigned tokens', async () => {
    const v = new IdentityTokenVerifier(options());
    const hs = await new SignJWT({ iss: ISSUER, aud: 'client-1', sub: 'u' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
    assert.equal(await code(v.verify(hs)), 'algorithm_not_allowed');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"u"}').toString('base64url')}.`;
    assert.equal(await code(v.verify(none)), 'algorithm_not_allowed');
  });

  it('rejects the classic attacks: HS256 keyed with the public key, alg none, truncated tokens', async () => {
    const v = new IdentityTokenVerifier(options());
    const publicJwk = jwks.keys[0]!;
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, aud: 'client-1', sub: 'user-1', iat: now, exp: now + 300 };
    // Key confusion: an attacker signs with HMAC using the IdP's public key as the secret.
    const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    assert.equal(await code(v.verify(confused)), 'algorithm_not_allowed');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    for (const header of [{ alg: 'none' }, { alg: 'None' }, { alg: 'none', kid: 'k1' }]) {
      assert.equal(await code(v.verify(`${Buffer.from(JSON.stringify(header)).toString('base64url')}.${body}.`)), 'algorithm_not_allowed');
    }
    const good = await token({});
    assert.equal(await code(v.verify(good.slice(0, -10))), 'bad_signature');
    assert.equal(await code(v.verify(good.split('.').slice(0, 2).join('.'))), 'not_a_jwt');
    assert.equal(await code(v.verify(`${good.split('.')[0]}.!!!.${good.split('.')[2]}`)), 'bad_signature', 'a mangled payload no longer matches its signature');
  });

  it('refreshes the JWKS when a token names a new key (rotation), and rejects unknown keys', async () => {
    const v = new IdentityTokenVerifier({ ...options(), jwksRefreshCooldownMs: 0 });
    await v.verify(await token({}));
    assert.equal(jwksFetches, 1);
    const k2 = await newKey('k2');
    jwks = { keys: [k2.jwk, ...jwks.keys] };
    assert.equal((await v.verify(await token({}, k2))).kid, 'k2');
    assert.equal(jwksFetches, 2, 'the unknown kid triggered one refresh');
    assert.equal((await v.verify(await token({}))).kid, 'k1', 'the old key still verifies its tokens');
    const k3 = await newKey('k3');
    assert.equal(await code(v.verify(await token({}, k3))), 'unknown_key');
    const cautious = new IdentityTokenVerifier(options());
    await cautious.verify(await token({}));
    const before = jwksFetches;
    assert.equal(await code(cautious.verify(await token({}, k3))), 'unknown_key');
    assert.equal(jwksFetches, before, 'within the cooldown an unknown kid does not refetch');
  });

  it('reports discovery problems and accepts an explicit jwksUri', async () => {
    const wrong = new IdentityTokenVerifier({ issuer: 'https://idp2.example', clientId: 'client-1', fetch: fetchViaRules });
    assert.equal(await code(wrong.verify(await token({}))), 'discovery_failed');
    const direct = new IdentityTokenVerifier({ issuer: ISSUER, jwksUri: `${ISSUER}/jwks.json`, clientId: 'client-1', fetch: fetchViaRules });
    assert.equal((await direct.verify(await token({}))).claims.sub, 'user-1');
    assert.throws(() => new IdentityTokenVerifier({ clientId: 'x' }), TypeError);
  });
});

// The one-call form caches one verifier per option set (issue 15 §2 made its key cheap): option sets
// that differ in any one field a verifier reads must never share one. Each case first verifies with
// set A (so its verifier is cached), then with set B, differing from A in that field only, where a
// shared verifier would give A's answer. Each case has its own fetch function (the cache's first
// level), so no case sees another's verifiers.
describe('verifyIdentityToken: one cached verifier per option set', () => {
  const own = (): FetchLike => (url, init) => fetchViaRules(url, init);
  const base = (fetch: FetchLike) => ({ issuer: ISSUER, clientId: 'client-1', fetch });
  const failure = async (p: Promise<unknown>): Promise<string | undefined> => {
    try {
      await p;
      return 'verified';
    } catch (e) {
      return (e as { failure?: string }).failure;
    }
  };

  it('clientId', async () => {
    const f = own();
    assert.equal((await verifyIdentityToken(await token({}), base(f))).claims.sub, 'user-1');
    assert.equal(await code(verifyIdentityToken(await token({}), { ...base(f), clientId: 'client-2' })), 'audience_mismatch');
  });

  it('issuer, and configURL when there is no issuer (the issuer wins when both are given)', async () => {
    const f = own();
    assert.equal((await verifyIdentityToken(await token({}), base(f))).kid, 'k1');
    assert.equal(await code(verifyIdentityToken(await token({}), { ...base(f), issuer: 'https://idp2.example' })), 'discovery_failed');
    const g = own();
    const byConfig = { clientId: 'client-1', fetch: g };
    assert.equal((await verifyIdentityToken(await token({}), { ...byConfig, configURL: `${ISSUER}/fedcm/config.json` })).kid, 'k1');
    assert.equal(await code(verifyIdentityToken(await token({}), { ...byConfig, configURL: 'https://idp2.example/fedcm/config.json' })), 'discovery_failed');
    assert.equal((await verifyIdentityToken(await token({}), { ...base(g), configURL: 'https://idp2.example/fedcm/config.json' })).kid, 'k1');
  });

  it('jwksUri', async () => {
    const other = await newKey('k-other');
    server.route(ISSUER, 'GET', '/other-jwks.json', () => ({ json: { keys: [other.jwk] } }));
    const f = own();
    assert.equal((await verifyIdentityToken(await token({}), { ...base(f), jwksUri: `${ISSUER}/jwks.json` })).kid, 'k1');
    assert.equal(await code(verifyIdentityToken(await token({}), { ...base(f), jwksUri: `${ISSUER}/other-jwks.json` })), 'unknown_key');
    assert.equal(await code(verifyIdentityToken(await token({}, other), { ...base(f), jwksUri: `${ISSUER}/jwks.json` })), 'unknown_key');
  });

  it('clockToleranceSec (its default and leaving it out are the same set)', async () => {
    const f = own();
    const now = Math.floor(Date.now() / 1000);
    const expired30sAgo = await token({ iat: now - 400, exp: now - 30 });
    assert.equal((await verifyIdentityToken(expired30sAgo, { ...base(f), clockToleranceSec: 60 })).kid, 'k1');
    assert.equal(await code(verifyIdentityToken(expired30sAgo, { ...base(f), clockToleranceSec: 0 })), 'expired');
    assert.equal((await verifyIdentityToken(expired30sAgo, base(f))).kid, 'k1');
  });

  it('maxResponseBytes', async () => {
    const f = own();
    assert.equal((await verifyIdentityToken(await token({}), base(f))).kid, 'k1');
    assert.equal(await failure(verifyIdentityToken(await token({}), { ...base(f), maxResponseBytes: 16 })), 'too_large');
  });

  it('fetchTimeoutMs', async () => {
    // Discovery answers after 200 ms: within the default 5 s, not within 20 ms.
    const f: FetchLike = async (url, init) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return fetchViaRules(url, init);
    };
    assert.equal((await verifyIdentityToken(await token({}), base(f))).kid, 'k1');
    assert.equal(await failure(verifyIdentityToken(await token({}), { ...base(f), fetchTimeoutMs: 20 })), 'timeout');
  });

  it('failureCooldownMs', async () => {
    // Discovery fails once (503), then works.
    let failed = false;
    const f: FetchLike = (url, init) => {
      if (!failed && url.endsWith('/openid-configuration')) {
        failed = true;
        return Promise.resolve(new Response('down', { status: 503 }));
      }
      return fetchViaRules(url, init);
    };
    const patient = { ...base(f), failureCooldownMs: 60_000 };
    assert.equal(await failure(verifyIdentityToken(await token({}), patient)), 'status');
    assert.equal(await failure(verifyIdentityToken(await token({}), patient)), 'cooling_down');
    assert.equal((await verifyIdentityToken(await token({}), { ...patient, failureCooldownMs: 0 })).kid, 'k1');
  });

  it('jwksRefreshCooldownMs', async () => {
    const f = own();
    assert.equal((await verifyIdentityToken(await token({}), base(f))).kid, 'k1');
    const fresh = await newKey('k-fresh');
    const saved = jwks;
    jwks = { keys: [...saved.keys, fresh.jwk] };
    try {
      // The cached verifier fetched the JWKS just now: within its 30 s cooldown it does not refetch.
      assert.equal(await code(verifyIdentityToken(await token({}, fresh), base(f))), 'unknown_key');
      assert.equal((await verifyIdentityToken(await token({}, fresh), { ...base(f), jwksRefreshCooldownMs: 0 })).kid, 'k-fresh');
    } finally {
      jwks = saved;
    }
  });

  it('fetch, hostRules (a record, a rule string, a HostRules) and ca', async () => {
    const routed = { issuer: ISSUER, clientId: 'client-1', hostRules: server.hostRules, ca: server.ca };
    assert.equal((await verifyIdentityToken(await token({}), routed)).kid, 'k1');
    assert.equal(await failure(verifyIdentityToken(await token({}), { ...routed, ca: undefined })), 'tls');
    assert.equal(await failure(verifyIdentityToken(await token({}), { ...routed, hostRules: 'MAP idp.example 127.0.0.1:1' })), 'refused');
    assert.equal((await verifyIdentityToken(await token({}), { ...routed, hostRules: HostRules.from(server.hostRules) })).kid, 'k1');
    assert.equal(await failure(verifyIdentityToken(await token({}), { ...routed, hostRules: HostRules.from('MAP idp.example 127.0.0.1:1') })), 'refused');
    const down: FetchLike = () => Promise.reject(new TypeError('fetch failed'));
    assert.equal((await verifyIdentityToken(await token({}), base(own()))).kid, 'k1');
    assert.equal(await code(verifyIdentityToken(await token({}), base(down))), 'discovery_failed');
  });

  it('a changed options object does not change the verifier cached under its old values', async () => {
    const f = own();
    const options = { ...base(f), hostRules: { ...server.hostRules } };
    assert.equal((await verifyIdentityToken(await token({}), options)).kid, 'k1');
    options.clientId = 'client-2';
    assert.equal(await code(verifyIdentityToken(await token({}), options)), 'audience_mismatch');
    options.clientId = 'client-1';
    assert.equal((await verifyIdentityToken(await token({}), options)).kid, 'k1');
  });

  it('the nonce is per call, never part of the cached verifier', async () => {
    const f = own();
    assert.equal((await verifyIdentityToken(await token({}), { ...base(f), nonce: 'n-1' })).kid, 'k1');
    assert.equal(await code(verifyIdentityToken(await token({}), { ...base(f), nonce: 'n-2' })), 'nonce_mismatch');
    assert.equal((await verifyIdentityToken(await token({}), base(f))).kid, 'k1');
  });
});
