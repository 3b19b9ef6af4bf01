// The token the ID assertion endpoint returned, as an RP will check it: a JWT (RFC 7519) with
// an asymmetric signature (RFC 7518 §3) under a key of the IdP's JWKS (found through OpenID
// Connect Discovery 1.0 §4), `iss`, `aud` = the client id, the nonce echoed, `exp`/`iat` sane.

import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { DoctorContext } from '../context.js';
import { finding } from '../fixes.js';

const ASYMMETRIC = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
/** A token is a sign-in proof: a lifetime of more than a day is suspicious. */
const LONG_LIFETIME_S = 24 * 3600;
/** Clocks disagree a little; more than this is a clock problem. */
const SKEW_S = 60;

export async function checkToken(ctx: DoctorContext, token: unknown, expected: { nonce: string; clientId: string }): Promise<void> {
  ctx.step('token');
  const url = ctx.configURL.href;
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    ctx.add(finding('TokenNotJwt', 'info', 'token', `The token is ${typeof token === 'string' ? `a string of ${token.length} characters that is not a JWT` : `a JSON ${Array.isArray(token) ? 'array' : typeof token}`}; RPs verify it their own way.`));
    return;
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch (e) {
    ctx.add(finding('TokenNotJwt', 'warning', 'token', `The token looks like a JWT but does not decode: ${e instanceof Error ? e.message : String(e)}.`));
    return;
  }
  if (header.alg === undefined || !ASYMMETRIC.includes(header.alg)) {
    ctx.add(finding('TokenAlgorithmWeak', 'error', 'token', `The token is signed with alg ${JSON.stringify(header.alg)}; RP libraries refuse symmetric and unsigned tokens from an IdP.`));
  }
  const now = Math.floor(Date.now() / 1000);
  const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
  if (!audiences.includes(expected.clientId)) {
    ctx.add(finding('TokenAudienceMismatch', 'error', 'token', `"aud" is ${JSON.stringify(claims.aud)}, the client id is ${JSON.stringify(expected.clientId)}.`));
  }
  if (claims['nonce'] !== expected.nonce) {
    ctx.add(finding('TokenNonceMismatch', 'error', 'token', `"nonce" is ${JSON.stringify(claims['nonce'])}; the request sent params.nonce ${JSON.stringify(expected.nonce)}.`));
  }
  if (typeof claims.exp !== 'number' || claims.exp <= now) {
    ctx.add(finding('TokenExpired', 'error', 'token', claims.exp === undefined ? 'The token has no "exp".' : `"exp" ${claims.exp} is ${now - claims.exp} s in the past.`));
  } else if (typeof claims.iat === 'number' && claims.exp - claims.iat > LONG_LIFETIME_S) {
    ctx.add(finding('TokenLifetimeLong', 'warning', 'token', `The token is valid for ${Math.round((claims.exp - claims.iat) / 3600)} h ("exp" − "iat").`));
  }
  if (typeof claims.iat === 'number' && claims.iat > now + SKEW_S) {
    ctx.add(finding('TokenIssuedInFuture', 'warning', 'token', `"iat" is ${claims.iat - now} s ahead of this machine's clock.`));
  }

  // The keys: OpenID discovery at the IdP's origin (where RPs find it from the config URL, as
  // fedkit/rp's verifier does), then its JWKS; the token's "iss" must be the issuer published.
  const discoveryUrl = `${ctx.idpOrigin}/.well-known/openid-configuration`;
  let jwks: JSONWebKeySet;
  let publishedIssuer: unknown;
  try {
    const discovery = await ctx.raw.fetch('token keys', discoveryUrl, { headers: { accept: 'application/json' } });
    if (discovery.status !== 200) throw new Error(`${discoveryUrl} answered ${discovery.status}`);
    const doc = JSON.parse(discovery.body) as { issuer?: unknown; jwks_uri?: unknown };
    publishedIssuer = doc.issuer;
    if (typeof doc.jwks_uri !== 'string') throw new Error(`${discoveryUrl} has no "jwks_uri"`);
    const keys = await ctx.raw.fetch('token keys', doc.jwks_uri, { headers: { accept: 'application/json' } });
    if (keys.status !== 200) throw new Error(`${doc.jwks_uri} answered ${keys.status}`);
    jwks = JSON.parse(keys.body) as JSONWebKeySet;
  } catch (e) {
    ctx.add(finding('TokenKeysUnavailable', 'warning', 'token', `The IdP's signing keys could not be found: ${e instanceof Error ? e.message : String(e)}.`, discoveryUrl));
    return;
  }
  if (claims.iss !== publishedIssuer) {
    ctx.add(finding('TokenIssuerMismatch', 'error', 'token', `"iss" is ${JSON.stringify(claims.iss)}, but ${discoveryUrl} publishes issuer ${JSON.stringify(publishedIssuer)}.`, url));
  }
  try {
    await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ASYMMETRIC, clockTolerance: SKEW_S });
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    // Expiry and claims are reported above; only the signature and the key are this finding's.
    if (code === 'ERR_JWT_EXPIRED' || code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return;
    ctx.add(finding('TokenSignatureInvalid', 'error', 'token', `The token's signature does not verify with the published JWKS (kid ${JSON.stringify(header.kid)}): ${e instanceof Error ? e.message : String(e)}.`));
  }
}
