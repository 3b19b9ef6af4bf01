import type { IdpContext } from '../context.js';
import { json, type IdpReply } from '../http.js';

/**
 * RFC 7517 §5 JWK Set: the public keys RPs verify ID tokens with (current and retired-but-
 * unexpired, see tokens.ts). Not a FedCM endpoint: RP servers fetch it directly, so no
 * Sec-Fetch-Dest is required. It holds only public keys and reads no cookies, which is the one
 * case where `Access-Control-Allow-Origin: *` is right (browser-side verifiers may fetch it).
 * Cached briefly: RPs re-fetch when a token names an unknown kid.
 */
export async function jwks(ctx: IdpContext): Promise<IdpReply> {
  return json(await ctx.keys.jwks(), {
    headers: { 'cache-control': 'public, max-age=60', 'access-control-allow-origin': '*' },
  });
}
