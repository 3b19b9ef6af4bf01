// FedCM §3.4 "Fetch the client metadata" (extension text; Chromium fetches it for sign-up
// accounts that will see a disclosure, and for cross-site iframes).

import { isSameOrigin } from '../../common/site.js';
import { parseJsonResponse } from '../net/json.js';
import { NetError } from '../net/types.js';
import { fetchEndpoint, uncredentialedGet, type IdpNetwork } from './idp-network.js';
import type { ClientMetadata, IdpConfig } from './types.js';

/**
 * Client metadata already fetched, by request URL. Chromium 156 fetches it once per document:
 * a second get() in the same page reuses it, whether the first one ended in a sign-in or a
 * dismissal (measured: differential "client metadata: … second request"). Only a usable answer
 * is kept, so a failed fetch is tried again.
 */
export type ClientMetadataCache = Map<string, ClientMetadata>;

const perDocument = new WeakMap<object, ClientMetadataCache>();

/** The client metadata cache of one document (the RP frame that calls get()). */
export function clientMetadataCache(document: object): ClientMetadataCache {
  let cache = perDocument.get(document);
  if (!cache) {
    cache = new Map();
    perDocument.set(document, cache);
  }
  return cache;
}

/**
 * GET client_metadata_endpoint?client_id=…[&top_frame_origin=…]: uncredentialed, with the RP's
 * Origin, no redirects, never cached. Failures are tolerated (the dialog just has no links), so
 * this returns null instead of throwing. Chromium names the embedder parameter
 * `top_frame_origin`; the spec text says `top_level_origin`. fedkit sends Chromium's name.
 */
export async function fetchClientMetadata(
  ctx: IdpNetwork,
  config: IdpConfig,
  clientId: string,
  options: { crossSiteEmbedder: boolean; cache?: ClientMetadataCache },
): Promise<ClientMetadata | null> {
  const endpoint = config.clientMetadataEndpoint;
  if (!endpoint) return null;
  const report = (detail: string): null => {
    ctx.report({
      reason: 'ClientMetadataFailed',
      level: 'warning',
      message: 'The client metadata could not be used; the dialog shows no privacy policy or terms of service links.',
      detail,
      url: endpoint.href,
      configURL: config.configURL.href,
      endpoint: 'client metadata endpoint',
    });
    return null;
  };
  if (!isSameOrigin(endpoint, config.configURL)) {
    return report(`client_metadata_endpoint ${endpoint.href} is not same-origin with ${config.configURL.href}, so it is skipped.`);
  }
  const url = new URL(endpoint);
  url.searchParams.append('client_id', clientId);
  if (options.crossSiteEmbedder) url.searchParams.append('top_frame_origin', ctx.embedderOrigin);
  const cached = options.cache?.get(url.href);
  if (cached) return cached;
  const res = await fetchEndpoint(ctx, 'client metadata endpoint', uncredentialedGet(url, { headers: { origin: ctx.rpOrigin } }));
  if (res instanceof NetError) return report(res.message);
  const json = parseJsonResponse(res);
  if (!json.ok) return report(json.message);
  const body = json.value as Record<string, unknown>;
  const metadata: ClientMetadata = {
    clientIsThirdPartyToTopFrameOrigin: options.crossSiteEmbedder && body['client_is_third_party_to_top_frame_origin'] === true,
  };
  // Chromium takes these with GURL(): absolute http(s) URLs only, never resolved.
  const pp = absoluteHttpUrl(body['privacy_policy_url']);
  if (pp) metadata.privacyPolicyUrl = pp;
  const tos = absoluteHttpUrl(body['terms_of_service_url']);
  if (tos) metadata.termsOfServiceUrl = tos;
  options.cache?.set(url.href, metadata);
  return metadata;
}

function absoluteHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
}
