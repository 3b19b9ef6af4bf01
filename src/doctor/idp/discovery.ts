// The IdP's discovery documents, as Chromium reads them (FedCM §3.2 "Fetch the config file"):
// the well-known file (both forms, redirects, the same-site skip), the config file (required
// members, same-origin endpoints, size, redirects, branding), the two checked against each
// other, and the login page the config names.

import { DOCUMENT_ACCEPT, type IdpConfig, type WellKnown } from '../../agent/index.js';
import type { DoctorContext } from '../context.js';
import { finding } from '../fixes.js';

/** What discovery found: the config when it is usable (later probes need it). */
export interface Discovery {
  config: IdpConfig | undefined;
  wellKnown: WellKnown | undefined;
}

/** Chromium's cap on a FedCM response body (kMaxResponseSizeInKiB = 1 MiB). */
const MAX_BODY = 1024 * 1024;

export async function checkDiscovery(ctx: DoctorContext): Promise<Discovery> {
  const probe = await ctx.probe(false);
  const applies = probe.wellKnownApplies(ctx.configURL);

  ctx.step('well-known file');
  const wk = await probe.wellKnown(ctx.configURL);
  if (!applies) {
    ctx.add(finding('WellKnownNotChecked', 'info', 'well-known file', `${ctx.rpOrigin} is same-site with ${ctx.configURL.href}, so browsers skip the well-known check for this RP (findings about it are warnings).`));
  }
  if (wk.failure) ctx.addDiagnostic(wk.failure, applies ? 'error' : 'warning');
  const wellKnown = wk.result;
  if (wellKnown) {
    const requested = wk.requests[0]?.url;
    if (requested !== undefined && wellKnown.url.href !== requested) {
      ctx.add(finding('WellKnownRedirected', 'info', 'well-known file', `${requested} redirected to ${wellKnown.url.href}.`, requested));
    }
    if (wellKnown.providerUrls === undefined) {
      ctx.add(finding('WellKnownWithoutProviderUrls', 'warning', 'well-known file', `${wellKnown.url.href} has only "accounts_endpoint" and "login_url", no "provider_urls".`, wellKnown.url.href));
    }
  }

  ctx.step('config file');
  const raw = await rawConfig(ctx);
  const cf = await probe.config(ctx.configURL);
  for (const w of cf.warnings) ctx.addDiagnostic(w);
  if (cf.failure && !raw.reported) ctx.addDiagnostic(cf.failure, 'error');
  const config = cf.result;
  if (config === undefined) return { config, wellKnown };

  if (wellKnown) {
    const mismatch = probe.crossCheck(wellKnown, config);
    if (mismatch) ctx.addDiagnostic(mismatch, mismatch.level === 'error' && !applies ? 'warning' : mismatch.level);
    if (wellKnown.accountsEndpoint === undefined || wellKnown.loginUrl === undefined) {
      const withMetadata = config.clientMetadataEndpoint !== undefined;
      ctx.add(
        finding(
          'WellKnownWithoutDirectForm',
          withMetadata ? 'warning' : 'info',
          'well-known file',
          `${wellKnown.url.href} has no "accounts_endpoint" and "login_url"${withMetadata ? ', and the config has a client_metadata_endpoint' : ''}.`,
          wellKnown.url.href,
        ),
      );
    }
  }
  if (raw.relative.length > 0) {
    ctx.add(finding('ConfigRelativeUrls', 'info', 'config file', `Relative endpoints: ${raw.relative.join(', ')} (resolved against ${ctx.configURL.href}).`, ctx.configURL.href));
  }
  if (config.disconnectEndpoint === undefined) {
    ctx.add(finding('ConfigMissingDisconnectEndpoint', 'info', 'config file', `${ctx.configURL.href} has no "disconnect_endpoint".`, ctx.configURL.href));
  }
  if (config.clientMetadataEndpoint === undefined) {
    ctx.add(finding('ConfigMissingClientMetadataEndpoint', 'info', 'config file', `${ctx.configURL.href} has no "client_metadata_endpoint".`, ctx.configURL.href));
  }
  for (const icon of config.branding?.icons ?? []) {
    if (icon.size < 25) ctx.add(finding('BrandingIconTooSmall', 'warning', 'config file', `The branding icon ${icon.url} has size ${icon.size}.`, icon.url));
  }

  ctx.step('login page');
  await checkLoginPage(ctx, config);
  return { config, wellKnown };
}

/**
 * The config as sent, before the agent reads it: Chromium follows no redirect for it and reads
 * at most 1 MiB, and endpoints may be relative. Says whether it reported the config's failure.
 */
async function rawConfig(ctx: DoctorContext): Promise<{ reported: boolean; relative: string[] }> {
  let res;
  try {
    res = await ctx.raw.fetch('config file', ctx.configURL, { headers: { accept: 'application/json', 'sec-fetch-dest': 'webidentity', 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'cross-site' }, maxBytes: MAX_BODY });
  } catch {
    return { reported: false, relative: [] };
  }
  if (res.status >= 300 && res.status < 400) {
    ctx.add(finding('ConfigRedirected', 'error', 'config file', `${ctx.configURL.href} answered ${res.status} to ${res.headers.get('location') ?? '(no Location)'}; Chrome fails the request (ConfigNoResponse).`, ctx.configURL.href));
    return { reported: true, relative: [] };
  }
  if (res.truncated) {
    ctx.add(finding('ConfigTooLarge', 'error', 'config file', `${ctx.configURL.href} is larger than 1 MiB.`, ctx.configURL.href));
    return { reported: true, relative: [] };
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return { reported: false, relative: [] };
  }
  const relative: string[] = [];
  if (body !== null && typeof body === 'object') {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if ((key.endsWith('_endpoint') || key === 'login_url') && typeof value === 'string' && value !== '' && !URL.canParse(value)) relative.push(`${key} "${value}"`);
    }
  }
  return { reported: false, relative };
}

/**
 * The headers of the login popup's navigation as Chromium sends them (the differential goldens
 * record them): a user-initiated top-level navigation with no initiator, hence site "none".
 */
const POPUP_NAVIGATION_HEADERS = { accept: DOCUMENT_ACCEPT, 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'none', 'sec-fetch-user': '?1' } as const;

/** The login_url opens in a popup: it must load (an HTML page, status 200). */
async function checkLoginPage(ctx: DoctorContext, config: IdpConfig): Promise<void> {
  const url = config.loginUrl.href;
  try {
    const res = await ctx.raw.fetch('login page', url, { headers: { ...POPUP_NAVIGATION_HEADERS } });
    if (res.status >= 400) ctx.add(finding('LoginPageUnreachable', 'error', 'login page', `${url} answered ${res.status}.`, url));
  } catch (e) {
    ctx.add(finding('LoginPageUnreachable', 'error', 'login page', `${url} could not be loaded: ${e instanceof Error ? e.message : String(e)}.`, url));
  }
}
