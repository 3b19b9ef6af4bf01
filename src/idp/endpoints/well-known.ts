import type { IdpContext } from '../context.js';
import { json, type IdpReply, type IdpRequest } from '../http.js';
import { requireWebIdentity } from '../request-checks.js';

/**
 * FedCM §"The Well-Known File" (spec checklist §1.5 steps 6 and 9-11; Chromium §1.4).
 * Both forms at once: `provider_urls` for Firefox and the spec's list check, and
 * `accounts_endpoint` + `login_url` for Chromium, which requires them when the config has a
 * `client_metadata_endpoint` (a hard requirement from Chrome 145) and then skips the list. Each
 * browser validates the part it reads and ignores the rest.
 * Served at `/.well-known/web-identity` of whatever host the request reached: the file belongs
 * at the root of the IdP's registrable domain, which may be another host than the issuer's.
 */
export async function wellKnown(ctx: IdpContext, request: IdpRequest): Promise<IdpReply> {
  requireWebIdentity(request);
  return json(
    { provider_urls: [ctx.urls.config], accounts_endpoint: ctx.urls.accounts, login_url: ctx.urls.login },
    { headers: { 'cache-control': 'public, max-age=300' } },
  );
}
