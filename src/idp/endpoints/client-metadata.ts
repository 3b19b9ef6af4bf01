import { isSameSite } from '../../common/site.js';
import type { IdpContext } from '../context.js';
import { HttpError, json, type IdpReply, type IdpRequest } from '../http.js';
import { requireWebIdentity, withoutNul } from '../request-checks.js';

/**
 * FedCM §"Fetch the client metadata" (checklist §1.7, Chromium §1.7): the registered client's
 * privacy policy and terms of service, which the browser shows on the sign-up prompt. Chromium
 * sends `top_frame_origin` and the spec `top_level_origin` when the RP is embedded cross-site;
 * `client_is_third_party_to_top_frame_origin` is true when that top frame is not same-site with
 * any of the client's registered origins. Uncredentialed and not cached by browsers; we say
 * no-store too so proxies agree.
 */
export async function clientMetadata(ctx: IdpContext, request: IdpRequest): Promise<IdpReply> {
  requireWebIdentity(request);
  const query = new URL(request.url).searchParams;
  const clientId = query.get('client_id');
  if (clientId === null || clientId === '') throw new HttpError(400, 'invalid_request', 'The client_id query parameter is missing.');
  const client = await ctx.store.getClient(withoutNul(clientId, 'client_id'));
  if (client === undefined) throw new HttpError(404, 'unauthorized_client', `No client ${JSON.stringify(clientId)} is registered with this identity provider.`);
  const body: Record<string, unknown> = {};
  if (client.privacyPolicyUrl !== null) body.privacy_policy_url = client.privacyPolicyUrl;
  if (client.termsOfServiceUrl !== null) body.terms_of_service_url = client.termsOfServiceUrl;
  const top = query.get('top_frame_origin') ?? query.get('top_level_origin');
  if (top !== null) body.client_is_third_party_to_top_frame_origin = !client.origins.some((o) => isSameSite(o, top));
  return json(body, { headers: { 'cache-control': 'no-store' } });
}
