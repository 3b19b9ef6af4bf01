// The verifier's own JWS reading (src/rp/jws.ts): EdDSA and RSA keys, `crit` and `b64` as RFC 7515
// §4.1.11 and RFC 7797 say, JWKs whose kty/crv/alg/use do not fit the token's alg, strict
// base64url. The JWKS is served by an in-process fetch: what is tested is the token, not the network.

import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { IdentityTokenVerifier, type FetchLike } from '../../src/rp/verify.js';
import { decodeBase64url } from '../../src/rp/jws.js';
import { verificationCode } from './verification-code.js';

const ISSUER = 'https://idp.example';
const CLIENT = 'client-1';

type Jwk = Record<string, unknown>;

function verifierFor(keys: Jwk[]): IdentityTokenVerifier {
  const fetch: FetchLike = async (url) =>
    url.endsWith('/.well-known/openid-configuration') ? Response.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks.json` }) : Response.json({ keys });
  return new IdentityTokenVerifier({ issuer: ISSUER, clientId: CLIENT, fetch });
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: CLIENT, sub: 'user-1', iat: now, exp: now + 300, ...extra };
}

/** A compact JWS signed with node:crypto, so headers jose's SignJWT refuses can be made. */
function jws(header: Record<string, unknown>, payload: string, key: KeyObject): string {
  const input = `${b64(header)}.${payload}`;
  const alg = header['alg'];
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : alg === 'EdDSA' || alg === 'Ed25519'
        ? sign(null, Buffer.from(input), key)
        : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ecJwk: Jwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec', alg: 'ES256', use: 'sig' };
const edJwk: Jwk = { ...ed.publicKey.export({ format: 'jwk' }), kid: 'ed', alg: 'EdDSA', use: 'sig' };
const rsaJwk: Jwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa', use: 'sig' };

const code = verificationCode;

describe('the verifier reads the JWS itself', () => {
  it('verifies ES256, EdDSA (both names) and RS256 tokens with their keys', async () => {
    const v = verifierFor([ecJwk, edJwk, rsaJwk]);
    assert.equal((await v.verify(jws({ alg: 'ES256', kid: 'ec' }, b64(claims()), ec.privateKey))).alg, 'ES256');
    assert.equal((await v.verify(jws({ alg: 'EdDSA', kid: 'ed' }, b64(claims()), ed.privateKey))).kid, 'ed');
    const edNoAlg = verifierFor([{ ...edJwk, alg: undefined }]);
    assert.equal((await edNoAlg.verify(jws({ alg: 'Ed25519', kid: 'ed' }, b64(claims()), ed.privateKey))).alg, 'Ed25519');
    assert.equal((await v.verify(jws({ alg: 'RS256', kid: 'rsa' }, b64(claims()), rsa.privateKey))).alg, 'RS256');
  });

  it('refuses a key whose kty, crv, alg or use does not fit the token (key confusion)', async () => {
    // The token says ES256 and names the Ed25519 key: no key fits.
    const v = verifierFor([ecJwk, edJwk]);
    assert.equal(await code(v.verify(jws({ alg: 'ES256', kid: 'ed' }, b64(claims()), ec.privateKey))), 'unknown_key');
    // EdDSA signed with the Ed25519 key, but the kid names the EC key.
    assert.equal(await code(v.verify(jws({ alg: 'EdDSA', kid: 'ec' }, b64(claims()), ed.privateKey))), 'unknown_key');
    // The JWK says it is for ES384, or for encryption.
    assert.equal(await code(verifierFor([{ ...ecJwk, alg: 'ES384' }]).verify(jws({ alg: 'ES256', kid: 'ec' }, b64(claims()), ec.privateKey))), 'unknown_key');
    assert.equal(await code(verifierFor([{ ...ecJwk, use: 'enc' }]).verify(jws({ alg: 'ES256', kid: 'ec' }, b64(claims()), ec.privateKey))), 'unknown_key');
    // An RSA token against the EC key's kid.
    assert.equal(await code(verifierFor([{ ...ecJwk, alg: undefined }]).verify(jws({ alg: 'RS256', kid: 'ec' }, b64(claims()), rsa.privateKey))), 'unknown_key');
  });

  it('refuses a JWKS that publishes a private key', async () => {
    const priv: Jwk = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'ec', alg: 'ES256' };
    assert.equal(await code(verifierFor([priv]).verify(jws({ alg: 'ES256', kid: 'ec' }, b64(claims()), ec.privateKey))), 'jwks_unavailable');
  });

  it('applies crit as RFC 7515 §4.1.11 says, and refuses b64: false (RFC 7797)', async () => {
    const v = verifierFor([ecJwk]);
    const t = (header: Record<string, unknown>) => v.verify(jws({ alg: 'ES256', kid: 'ec', ...header }, b64(claims()), ec.privateKey));
    assert.equal(await code(t({ crit: ['exp'], exp: 1 })), 'not_a_jwt', 'an extension not understood');
    assert.equal(await code(t({ crit: ['kid'] })), 'not_a_jwt', 'a parameter RFC 7515 defines');
    assert.equal(await code(t({ crit: [] })), 'not_a_jwt', 'empty');
    assert.equal(await code(t({ crit: 'b64', b64: true })), 'not_a_jwt', 'not an array');
    assert.equal(await code(t({ crit: ['b64'] })), 'not_a_jwt', 'named but absent');
    assert.equal(await code(t({ crit: ['b64', 'b64'], b64: true })), 'not_a_jwt', 'twice');
    assert.equal(await code(t({ crit: ['b64'], b64: false })), 'not_a_jwt', 'an unencoded payload');
    assert.equal(await code(t({ b64: false })), 'not_a_jwt');
    assert.equal(await code(t({ kid: 7 })), 'not_a_jwt');
    assert.equal(await code(t({ crit: ['b64'], b64: true })), 'verified', 'b64 true is the default, understood');
  });

  it('reads base64url strictly: no padding, no other alphabet, no stray bits', async () => {
    const v = verifierFor([ecJwk]);
    const good = jws({ alg: 'ES256', kid: 'ec' }, b64(claims()), ec.privateKey);
    assert.equal(await code(v.verify(good)), 'verified');
    const [h, p, s] = good.split('.') as [string, string, string];
    assert.equal(await code(v.verify(`${h}=.${p}.${s}`)), 'not_a_jwt');
    assert.equal(await code(v.verify(`${h}.${p}.${s}=`)), 'bad_signature');
    assert.equal(await code(v.verify(`${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}${/[-_]/.test(s) ? '' : '+'}`)), 'bad_signature');
    // The last character of a 64-byte signature carries 4 unused bits: set one, same bytes for a lax decoder.
    const last = s.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const stray = `${s.slice(0, -1)}${alphabet[alphabet.indexOf(last) | 1]}`;
    assert.deepEqual(Buffer.from(stray, 'base64url'), Buffer.from(s, 'base64url'));
    assert.equal(await code(v.verify(`${h}.${p}.${stray}`)), 'bad_signature');
    // A signed payload that is not strict base64url is not a JWT.
    const padded = jws({ alg: 'ES256', kid: 'ec' }, `${b64(claims())}==`, ec.privateKey);
    assert.equal(await code(v.verify(padded)), 'not_a_jwt');
    const notObject = jws({ alg: 'ES256', kid: 'ec' }, b64([1, 2]), ec.privateKey);
    assert.equal(await code(v.verify(notObject)), 'not_a_jwt');
    const badUtf8 = jws({ alg: 'ES256', kid: 'ec' }, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]).toString('base64url'), ec.privateKey);
    assert.equal(await code(v.verify(badUtf8)), 'not_a_jwt');
  });

  it('reads a token from its own bytes: non-ASCII claims decoded, non-ASCII parts refused as before', async () => {
    const v = verifierFor([ecJwk]);
    // UTF-8 claims (the payload's JSON is not ASCII) decode as UTF-8, and the same token twice gives the same claims.
    const utf8 = jws({ alg: 'ES256', kid: 'ec' }, b64(claims({ name: 'Zoë Ångström 名前 😀' })), ec.privateKey);
    assert.equal((await v.verify(utf8)).claims['name'], 'Zoë Ångström 名前 😀');
    assert.equal((await v.verify(utf8)).claims['name'], 'Zoë Ångström 名前 😀');
    const good = jws({ alg: 'ES256', kid: 'ec' }, b64(claims()), ec.privateKey);
    const [h, p, s] = good.split('.') as [string, string, string];
    // A character outside ASCII in the payload or the signature: the signature does not verify.
    assert.equal(await code(v.verify(`${h}.${p.slice(0, 10)}é${p.slice(11)}.${s}`)), 'bad_signature');
    assert.equal(await code(v.verify(`${h}.${p}.${s.slice(0, 10)}é${s.slice(11)}`)), 'bad_signature');
    // A code unit whose low byte is the character it replaces (U+0100 | 'A' ends in 0x41 'A') is no alphabet character:
    // read byte by byte without care, the token would be the good one again.
    const lookalike = (text: string, at: number) => `${text.slice(0, at)}${String.fromCharCode(0x100 | text.charCodeAt(at))}${text.slice(at + 1)}`;
    assert.equal(await code(v.verify(`${h}.${p}.${lookalike(s, 10)}`)), 'bad_signature');
    assert.equal(await code(v.verify(`${h}.${lookalike(p, 10)}.${s}`)), 'bad_signature');
    // Signed as it is, a payload with such a character, or with stray bits in its last character, is not a JWT.
    assert.equal(await code(v.verify(jws({ alg: 'ES256', kid: 'ec' }, lookalike(p, 10), ec.privateKey))), 'not_a_jwt');
    // A payload whose last character has unused bits (its length is not a multiple of 4).
    const payload = ['a', 'ab', 'abc'].map((x) => b64(claims({ x }))).find((text) => text.length % 4 !== 0)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const stray = `${payload.slice(0, -1)}${alphabet[alphabet.indexOf(payload.at(-1)!) | 1]}`;
    assert.equal(await code(v.verify(jws({ alg: 'ES256', kid: 'ec' }, stray, ec.privateKey))), 'not_a_jwt');
  });

  it('decodes base64url as Buffer does for every well-formed input', () => {
    for (let n = 0; n < 100; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      assert.deepEqual(decodeBase64url(bytes.toString('base64url')), bytes);
    }
    for (const bad of ['a', 'ab', 'abd', 'ab!c', 'ab+c', 'ab/c', 'abc=', 'é', 'ab c']) assert.equal(decodeBase64url(bad), undefined, bad);
  });
});
