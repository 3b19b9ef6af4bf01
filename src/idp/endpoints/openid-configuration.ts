import type { IdpContext } from '../context.js';
import { json, type IdpReply } from '../http.js';

/**
 * OpenID Connect Discovery 1.0 §3/§4: where RPs find the issuer's keys. FedCM itself does not
 * need it, but an RP server verifying the ID token does (fedkit/rp's verifyIdentityToken, and
 * any OpenID library), so the IdP says where its JWKS is and how it signs.
 */
export function openidConfiguration(ctx: IdpContext): Promise<IdpReply> {
  return Promise.resolve(
    json(
      {
        issuer: ctx.issuer,
        jwks_uri: ctx.urls.jwks,
        id_token_signing_alg_values_supported: [ctx.settings.algorithm],
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        claims_supported: ['iss', 'sub', 'aud', 'iat', 'exp', 'nonce', 'email', 'name', 'given_name', 'picture'],
      },
      { headers: { 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' } },
    ),
  );
}
